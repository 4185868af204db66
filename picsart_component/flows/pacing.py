"""The one throttle every worker of a batch shares, and what it counts for the summary.

It is ``lib.ratelimit.Throttle`` (spike spacing, the quota learned from the
``X-Picsart-Ratelimit-*`` headers, everyone held on a 429) with two additions a batch needs:

* A 5 % margin under the configured spike limit. Requests leave the client evenly spaced but
  reach the server with a few milliseconds of jitter; at exactly the limit, a late request and an
  early one regularly land in the same second and the second one gets a 429.
* Learning from a spike-arrest 429 (one that is not a used-up quota): the pace drops to the
  smaller of 95 % of itself and 95 % of the requests started in the last second, because the
  server has just said that this many are too many. Only a 429 on a request that was paced at
  the current rate counts, so a burst of 429s on requests already sent lowers the rate once.
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
        self._recent: deque[float] = deque()
        self.requests = 0
        self.rate_limited_at: list[float] = []

    @property
    def rate_limited(self) -> int:
        return len(self.rate_limited_at)

    def acquire(self, max_wait: float = math.inf) -> float:
        waited = super().acquire(max_wait)
        now = self._now()
        with self._stats_lock:
            self.requests += 1
            self._recent.append(now)
            while self._recent and self._recent[0] < now - RECENT_WINDOW:
                self._recent.popleft()
            self._per_thread.generation = self._generation
        return waited

    def observe(self, info: RateLimitInfo) -> None:
        self._per_thread.quota_used_up = info.available is not None and info.available <= 0
        super().observe(info)

    def hold_until(self, moment: float) -> None:
        """Called by the client on a 429 with a reset time: hold everyone, and maybe slow down."""
        super().hold_until(moment)
        now = self._now()
        with self._stats_lock:
            self.rate_limited_at.append(now)
            if getattr(self._per_thread, "quota_used_up", False):
                return
            if getattr(self._per_thread, "generation", None) != self._generation:
                return
            started_recently = sum(1 for moment_ in self._recent if moment_ >= now - RECENT_WINDOW)
            slower = min(self.spike_limit * SLOWDOWN, started_recently * SPIKE_MARGIN)
            self.set_spike_limit(max(self._lowest, slower))
            self._generation += 1
