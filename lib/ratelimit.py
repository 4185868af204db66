"""Picsart's rate-limit headers, and the throttle that keeps every thread of a process within them.

Picsart documents ``X-Picsart-Ratelimit-Reset-Time`` as epoch milliseconds, while its SDK and
other docs treat it as seconds to wait. We accept all three forms (see ``parse_reset_time``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .errors import HeldTooLong

LIMIT_HEADER = "X-Picsart-Ratelimit-Limit"
AVAILABLE_HEADER = "X-Picsart-Ratelimit-Available"
RESET_TIME_HEADER = "X-Picsart-Ratelimit-Reset-Time"
CREDIT_AVAILABLE_HEADER = "X-Picsart-Credit-Available"

EPOCH_MILLISECONDS_FROM = 10**12
EPOCH_SECONDS_FROM = 10**9
# Picsart's windows are a second or a minute; a reset further away than this is not believed.
LONGEST_RESET = 24 * 3600.0

DEFAULT_SPIKE_LIMIT = 300.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def parse_reset_time(value: str | None, now: float) -> float | None:
    """The epoch second at which the limit resets, or None when the value is unusable.

    10**12 and above is epoch milliseconds, 10**9 and above epoch seconds, anything smaller is a
    number of seconds to wait from ``now``. The result lies between ``now`` and ``now`` plus a
    day, whatever the header says: a time in the past is now, a year 10000 is tomorrow.
    """
    number = _finite_number(value)
    if number is None or number < 0:
        return None
    if number >= EPOCH_MILLISECONDS_FROM:
        moment = number / 1000.0
    elif number >= EPOCH_SECONDS_FROM:
        moment = number
    else:
        moment = now + number
    return min(max(moment, now), now + LONGEST_RESET)


def _finite_number(value: str | None) -> float | None:
    if value is None or len(value) > 64:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    """A whole number from a header; None for anything else (``1e999``, ``NaN``, text)."""
    number = _finite_number(headers.get(name))
    return int(number) if number is not None else None


@dataclass(frozen=True)
class RateLimitInfo:
    """The ``X-Picsart-Ratelimit-*`` and credit headers of one response, as numbers."""

    limit: int | None
    available: int | None
    reset_at: float | None
    credits_available: int | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float) -> RateLimitInfo:
        return cls(
            limit=_int_header(headers, LIMIT_HEADER),
            available=_int_header(headers, AVAILABLE_HEADER),
            reset_at=parse_reset_time(headers.get(RESET_TIME_HEADER), now),
            credits_available=_int_header(headers, CREDIT_AVAILABLE_HEADER),
        )


class ThrottleState(Protocol):
    """Where a throttle keeps what its users share: the next free start slot, the hold, and the
    pace the learned quota asks for. ``LocalState`` serves the threads of one process;
    ``lib/shared_limit.py`` keeps it in Redis for every process using the key. Times are the
    throttle's clock's."""

    def reserve(self, now: float, interval: float, max_wait: float) -> float:
        """Take the next start slot at or after ``now`` and return it; ``HeldTooLong`` when a
        hold would keep the caller waiting more than ``max_wait``."""
        ...

    def hold_until(self, now: float, moment: float) -> None: ...

    def held_until(self, now: float) -> float: ...

    def learn_quota(self, now: float, available: int, reset_at: float) -> None:
        """Pace what is left of the window, or hold everyone until its reset."""
        ...

    def quota_interval(self, now: float) -> float: ...


class LocalState:
    """A throttle's state in this process, under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._held_until = 0.0
        self._quota_interval = 0.0
        self._quota_until = 0.0

    def reserve(self, now: float, interval: float, max_wait: float) -> float:
        with self._lock:
            if self._held_until - now > max_wait:
                raise HeldTooLong(self._held_until)
            slot = max(now, self._next_slot, self._held_until)
            if slot < self._quota_until:
                interval = max(interval, self._quota_interval)
            self._next_slot = slot + interval
            return slot

    def hold_until(self, now: float, moment: float) -> None:
        with self._lock:
            self._held_until = max(self._held_until, moment)

    def held_until(self, now: float) -> float:
        return self._held_until

    def learn_quota(self, now: float, available: int, reset_at: float) -> None:
        with self._lock:
            if available <= 0:
                self._held_until = max(self._held_until, reset_at)
                return
            window_left = reset_at - now
            if window_left > 0:
                self._quota_interval = window_left / available
                self._quota_until = reset_at

    def quota_interval(self, now: float) -> float:
        return self._quota_interval if now < self._quota_until else 0.0


class Throttle:
    """Spaces request starts across threads, and holds them all while the limit is exhausted.

    ``acquire`` reserves the next start slot and sleeps until it, so threads queue fairly at
    ``spike_limit`` starts per second. ``observe`` learns the quota from each answer's headers
    and spreads the calls still available evenly over what is left of the window, so a steady
    stream never runs into a 429. ``hold_until`` (after ``Available: 0`` or a 429) makes every
    later ``acquire`` wait for the reset. ``state`` is where this is kept: this process's memory
    by default, or Redis, shared by every process using the key.
    """

    def __init__(
        self,
        spike_limit: float = DEFAULT_SPIKE_LIMIT,
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        state: ThrottleState | None = None,
    ) -> None:
        if spike_limit <= 0:
            raise ValueError("spike_limit must be positive")
        self.spike_limit = spike_limit
        self._interval = 1.0 / spike_limit
        self._clock = clock
        self._sleep = sleep
        self.state: ThrottleState = state or LocalState()

    def set_spike_limit(self, spike_limit: float) -> None:
        """Change the pace for every later ``acquire`` (a batch slows down after a 429)."""
        if spike_limit <= 0:
            raise ValueError("spike_limit must be positive")
        self.spike_limit = spike_limit
        self._interval = 1.0 / spike_limit

    @property
    def held_until(self) -> float:
        return self.state.held_until(self._clock())

    def hold_until(self, moment: float) -> None:
        self.state.hold_until(self._clock(), moment)

    def acquire(self, max_wait: float = math.inf) -> float:
        """Wait for this request's turn; returns the seconds waited.

        Raises ``HeldTooLong`` instead of waiting past ``max_wait`` for a hold to end.
        """
        now = self._clock()
        slot = self.state.reserve(now, self._interval, max_wait)
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)

    @property
    def quota_interval(self) -> float:
        """The spacing the learned quota asks for now (0 when nothing is known)."""
        return self.state.quota_interval(self._clock())

    def observe(self, info: RateLimitInfo) -> None:
        """Learn from a response's headers: pace what is left, or hold everyone until the reset."""
        if info.available is None or info.reset_at is None:
            return
        self.state.learn_quota(self._clock(), info.available, info.reset_at)
