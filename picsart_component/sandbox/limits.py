"""Picsart's two rate limits: a spike arrest per second and a quota per window.

Both read an injectable clock (epoch seconds), so tests move time instead of sleeping. The
``X-Picsart-Ratelimit-*`` headers always describe the quota; a spike-arrest 429 keeps the quota's
``Limit``/``Available`` and puts the moment the spike arrest lets the next call through in
``Reset-Time``.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

RESET_TIME_FORMS = ("epoch-ms", "epoch-s", "seconds")
"""How ``X-Picsart-Ratelimit-Reset-Time`` is written: epoch milliseconds (what Picsart's guide
says), epoch seconds, or whole seconds left to wait (what Picsart's SDK expects)."""


def format_reset_time(reset_at: float, now: float, form: str) -> str:
    """``reset_at`` (epoch seconds) as the header says it in ``form``, always rounded up.

    Rounding up keeps a client that waits exactly as told from coming back a moment too early.
    """
    if form not in RESET_TIME_FORMS:
        raise ValueError(f"unknown reset time form {form!r}")
    if form == "epoch-ms":
        return str(math.ceil(round(reset_at * 1000, 3)))
    if form == "epoch-s":
        return str(math.ceil(round(reset_at, 6)))
    return str(max(0, math.ceil(round(reset_at - now, 6))))


@dataclass(frozen=True)
class QuotaStatus:
    """What the ``X-Picsart-Ratelimit-*`` headers report."""

    limit: int
    available: int
    reset_at: float


@dataclass(frozen=True)
class Verdict:
    """The rate limits' answer to one call; ``violated`` is ``None``, ``"spike"`` or ``"quota"``."""

    quota: QuotaStatus
    violated: str | None = None
    retry_at: float = 0.0

    @property
    def allowed(self) -> bool:
        return self.violated is None


class SpikeArrest:
    """At most ``capacity`` calls in any sliding ``interval``; ``rate`` calls per second on average.

    A rate of 1 or more allows ``floor(rate)`` calls per second; a smaller rate allows one call
    every ``1/rate`` seconds. Rejected calls do not take a slot.
    """

    def __init__(self, rate: float) -> None:
        self.capacity = max(1, math.floor(rate))
        self.interval = self.capacity / rate
        self._times: deque[float] = deque()

    def admit(self, now: float) -> float | None:
        """``None`` and a slot taken, or the time at which a slot frees up."""
        horizon = now - self.interval
        while self._times and self._times[0] <= horizon:
            self._times.popleft()
        if len(self._times) >= self.capacity:
            return self._times[0] + self.interval
        self._times.append(now)
        return None


class Quota:
    """``limit`` calls per window; a window starts with the first call after the last one ended."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._start: float | None = None
        self._used = 0

    def _roll(self, now: float) -> None:
        if self._start is not None and now >= self._start + self.window:
            self._start = None
            self._used = 0

    def status(self, now: float) -> QuotaStatus:
        self._roll(now)
        reset_at = (self._start if self._start is not None else now) + self.window
        return QuotaStatus(self.limit, max(0, self.limit - self._used), reset_at)

    def take(self, now: float) -> bool:
        self._roll(now)
        if self._used >= self.limit:
            return False
        if self._start is None:
            self._start = now
        self._used += 1
        return True


class RateLimiter:
    """The spike arrest, then the quota, under one lock; safe to share between server threads."""

    def __init__(self, spike_limit: float, quota: int, window: float, clock: Callable[[], float]):
        self._spike = SpikeArrest(spike_limit)
        self._quota = Quota(quota, window)
        self._clock = clock
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._clock()

    def status(self) -> QuotaStatus:
        with self._lock:
            return self._quota.status(self._clock())

    def admit(self) -> Verdict:
        with self._lock:
            now = self._clock()
            quota = self._quota.status(now)
            if quota.available <= 0:
                return Verdict(quota, "quota", quota.reset_at)
            spike_free_at = self._spike.admit(now)
            if spike_free_at is not None:
                return Verdict(quota, "spike", spike_free_at)
            self._quota.take(now)
            return Verdict(self._quota.status(now))


class MemoryBudget:
    """How much memory the sandbox's image work may take, per request and all together.

    A request first reserves what its images will need (estimated from their pixel counts, read
    from the headers before decoding). More than one request may take is 413, as for a file that
    is too large; more than is free while other requests work is 503, as a busy gateway answers.
    """

    def __init__(self, total_bytes: int, per_request_bytes: int) -> None:
        self.total_bytes = total_bytes
        self.per_request_bytes = per_request_bytes
        self._used = 0
        self._lock = threading.Lock()

    @property
    def used_bytes(self) -> int:
        with self._lock:
            return self._used

    def try_reserve(self, nbytes: int) -> str | None:
        """Reserve ``nbytes``; the reason it cannot be had (``"request"`` or ``"busy"``) if not."""
        if nbytes > self.per_request_bytes:
            return "request"
        with self._lock:
            if self._used + nbytes > self.total_bytes:
                return "busy"
            self._used += nbytes
        return None

    def release(self, nbytes: int) -> None:
        with self._lock:
            self._used = max(0, self._used - nbytes)
