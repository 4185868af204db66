"""How many items a batch runs at once when the user leaves ``--workers`` to the runner.

A worker that is not waiting for the throttle makes one call every ``busy`` seconds (the call's
latency plus the runner's own work around it), so reaching the throttle's pace takes
``pace * busy`` workers (Little's law). The runner starts with ``START`` workers, measures
``busy`` on the items that finish (time spent waiting for the throttle left out), and keeps
``HEADROOM`` more than that estimate, between ``START`` and ``MOST``. A run that waits for the
throttle anyway keeps its workers: they are idle, not busy, so they do not raise the estimate.

It grows by at most one worker for each item that finishes (so at most doubling each round
trip), because the first estimate is made at a pace nobody has confirmed yet: a run whose spike
limit is left at the default learns the real one from its first 429s, and fifty workers at once
would each meet one.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

START = 4
MOST = 64
HEADROOM = 1.25
SMOOTHING = 0.1
"""Weight of each finished item in the moving average of ``busy``."""


class WorkerCount:
    """A fixed number of workers, or one that follows the measured latency (``fixed=None``)."""

    def __init__(self, fixed: int | None, pace: Callable[[], float]) -> None:
        self.fixed = fixed
        self.most = fixed if fixed is not None else MOST
        self._pace = pace
        self._busy_per_call: float | None = None
        self._allowed = START
        self._lock = threading.Lock()
        self.largest = self.current()

    @property
    def busy_per_call(self) -> float | None:
        """The moving average of the seconds a worker is busy for each call, once measured."""
        return self._busy_per_call

    def current(self) -> int:
        """How many items may be in flight now."""
        if self.fixed is not None:
            return self.fixed
        with self._lock:
            return self._current_locked()

    def _current_locked(self) -> int:
        if self._busy_per_call is None:
            return START
        wanted = math.ceil(round(self._pace() * self._busy_per_call * HEADROOM, 6))
        return max(START, min(self.most, self._allowed, wanted))

    def item_finished(self, seconds: float, throttle_wait: float, calls: int) -> None:
        """Takes in one item: its wall time, the part of it spent waiting for the throttle, and
        the paid calls it made."""
        if self.fixed is not None:
            return
        with self._lock:
            self._allowed = self._current_locked() + 1
            if calls > 0:
                busy = max(0.0, seconds - throttle_wait) / calls
                if self._busy_per_call is None:
                    self._busy_per_call = busy
                else:
                    self._busy_per_call += SMOOTHING * (busy - self._busy_per_call)
            self.largest = max(self.largest, self._current_locked())
