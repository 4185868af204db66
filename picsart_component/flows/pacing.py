"""The one throttle every worker of a batch shares, and what it counts for the summary.

It is ``lib.ratelimit.Throttle`` (spike spacing, the quota learned from the
``X-Picsart-Ratelimit-*`` headers, everyone held on a 429) with two additions a batch needs:

* A 5 % margin under the configured spike limit. Requests leave the client evenly spaced but
  reach the server with a few milliseconds of jitter; at exactly the limit, a late request and an
  early one regularly land in the same second and the second one gets a 429.
* Learning from a spike-arrest 429 (one that is not a used-up quota): the pace drops to the
  smaller of 95 % of itself and 95 % of the requests that got through in the second before the
  limited one was sent (leaving out the last 10 ms, whose requests may have reached the server
  after it), because the server has just said that this many is its limit. Counting
  every request started in that second, 429s included, overestimates the limit, and counting
  the answers received underestimates it by the requests still in flight; either way the pace
  ended well under the limit. Only a 429 on a request paced at the current rate counts, so a
  burst of 429s on requests already sent lowers the rate once.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from ..lib.ratelimit import Clock, RateLimitInfo, Sleep, Throttle, ThrottleState

SPIKE_MARGIN = 0.95
SLOWDOWN = 0.95
LOWEST_FRACTION = 0.05
RECENT_WINDOW = 1.0
ARRIVAL_JITTER = 0.01
"""Requests sent this close before the limited one may have reached the server after it."""


class BatchThrottle(Throttle):
    """Counts requests and 429s, keeps a margin under the spike limit, and slows on a 429."""

    def __init__(
        self,
        spike_limit: float,
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        state: ThrottleState | None = None,
    ) -> None:
        super().__init__(spike_limit * SPIKE_MARGIN, clock=clock, sleep=sleep, state=state)
        self.configured_limit = spike_limit
        self._now = clock
        self._lowest = spike_limit * LOWEST_FRACTION
        self._stats_lock = threading.Lock()
        self._per_thread = threading.local()
        self._generation = 0
        self._holds = 0
        self._started: deque[float] = deque()
        self._limited_started: deque[float] = deque()
        self.requests = 0
        self.rate_limited_at: list[float] = []

    @property
    def rate_limited(self) -> int:
        return len(self.rate_limited_at)

    def acquire(self, max_wait: float = math.inf) -> float:
        """Waits for a slot, and for a new one if a hold began while it waited: a slot taken
        before a 429 is still at the old pace, and would only meet another 429. A request
        belongs to the pace its slot was taken at, not the one in force when it leaves."""
        waited = 0.0
        while True:
            with self._stats_lock:
                generation, holds = self._generation, self._holds
            waited += super().acquire(max_wait)
            if holds == self._holds or self.held_until <= self._now():
                break
        now = self._now()
        with self._stats_lock:
            self.requests += 1
            self._per_thread.generation = generation
            self._per_thread.started_at = now
            _append_recent(self._started, now)
        self._per_thread.calls = getattr(self._per_thread, "calls", 0) + 1
        self._per_thread.waited = getattr(self._per_thread, "waited", 0.0) + waited
        return waited

    def this_thread(self) -> tuple[int, float]:
        """The requests this thread has sent through the throttle, and the seconds it waited."""
        return getattr(self._per_thread, "calls", 0), getattr(self._per_thread, "waited", 0.0)

    @property
    def pace(self) -> float:
        """Requests per second the throttle lets through now: the spike pace, or slower when
        the learned quota asks for it."""
        quota_interval = self.quota_interval
        if quota_interval > 0:
            return min(self.spike_limit, 1.0 / quota_interval)
        return self.spike_limit

    def observe(self, info: RateLimitInfo) -> None:
        """Called by the client on every answer, before ``hold_until`` on a 429."""
        self._per_thread.quota_used_up = info.available is not None and info.available <= 0
        super().observe(info)

    def hold_until(self, moment: float) -> None:
        """Called by the client on a 429 with a reset time: hold everyone, and maybe slow down.

        A slowing 429 holds at least until a second after the limited request was sent: the
        server counts each request that got through for a second, and the first few of a batch
        leave within milliseconds of each other, so resuming at the server's reset time (when
        one place frees) meets another 429 and slows the pace again for nothing.
        """
        now = self._now()
        with self._stats_lock:
            self.rate_limited_at.append(now)
            sent_at: float = getattr(self._per_thread, "started_at", now)
            _append_recent(self._limited_started, sent_at)
            quota_used_up = getattr(self._per_thread, "quota_used_up", False)
            generation = getattr(self._per_thread, "generation", None)
            if not quota_used_up and generation == self._generation:
                since, until = sent_at - RECENT_WINDOW, sent_at - ARRIVAL_JITTER
                through = _count_between(self._started, since, until)
                through -= _count_between(self._limited_started, since, until)
                slower = min(self.spike_limit * SLOWDOWN, through * SPIKE_MARGIN)
                self.set_spike_limit(max(self._lowest, slower))
                self._generation += 1
                moment = max(moment, sent_at + RECENT_WINDOW)
            super().hold_until(moment)
            self._holds += 1


def _append_recent(moments: deque[float], moment: float) -> None:
    """Appends ``moment`` and forgets what is too old to matter to any request still in flight."""
    moments.append(moment)
    while moments[0] < moment - 2 * RECENT_WINDOW:
        moments.popleft()


def _count_between(moments: deque[float], start: float, end: float) -> int:
    return sum(1 for moment in moments if start <= moment < end)
