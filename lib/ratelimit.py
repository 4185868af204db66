"""Picsart's rate-limit headers, and the throttle that keeps every thread of a process within them.

Picsart documents ``X-Picsart-Ratelimit-Reset-Time`` as epoch milliseconds, while its SDK and
other docs treat it as seconds to wait. We accept all three forms (see ``parse_reset_time``).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from .errors import CORRELATION_ID_HEADER, HeldTooLong

LIMIT_HEADER = "X-Picsart-Ratelimit-Limit"
AVAILABLE_HEADER = "X-Picsart-Ratelimit-Available"
RESET_TIME_HEADER = "X-Picsart-Ratelimit-Reset-Time"
CREDIT_AVAILABLE_HEADER = "X-Picsart-Credit-Available"

EPOCH_MILLISECONDS_FROM = 10**12
EPOCH_SECONDS_FROM = 10**9
# Picsart's windows are a second or a minute; a reset further away than this is not believed.
LONGEST_RESET = 24 * 3600.0

DEFAULT_SPIKE_LIMIT = 300.0
LATEST_EPOCH = 10**11
"""Epoch seconds past this (the year 5138) are not a time a stored answer may name."""
ANSWER_TEXT_LIMIT = 128
"""A header value kept with a hold (the reset time as sent, the correlation id) is cut here."""

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


def _clipped(value: str | None) -> str | None:
    return None if value is None else value[:ANSWER_TEXT_LIMIT]


@dataclass(frozen=True)
class RateLimitInfo:
    """The ``X-Picsart-Ratelimit-*`` and credit headers of one response, as numbers, and what
    names the answer: its status, the reset time as sent, and its correlation id."""

    limit: int | None
    available: int | None
    reset_at: float | None
    credits_available: int | None
    status: int | None = None
    reset_time_sent: str | None = None
    correlation_id: str | None = None

    @classmethod
    def from_headers(
        cls, headers: Mapping[str, str], now: float, *, status: int | None = None
    ) -> RateLimitInfo:
        return cls(
            limit=_int_header(headers, LIMIT_HEADER),
            available=_int_header(headers, AVAILABLE_HEADER),
            reset_at=parse_reset_time(headers.get(RESET_TIME_HEADER), now),
            credits_available=_int_header(headers, CREDIT_AVAILABLE_HEADER),
            status=status,
            reset_time_sent=_clipped(headers.get(RESET_TIME_HEADER)),
            correlation_id=_clipped(headers.get(CORRELATION_ID_HEADER)),
        )


class LimitAnswer(NamedTuple):
    """The answer that set a hold or taught a quota, kept with it so that
    ``picsart-flow limits show`` can say where it came from. Nothing secret: the status, the
    rate-limit headers as sent, the correlation id, and ``at``, when it was read (epoch
    seconds, the reading process's clock)."""

    at: float
    status: int | None = None
    reset_time: str | None = None
    correlation_id: str | None = None
    limit: int | None = None
    available: int | None = None

    @classmethod
    def of(cls, info: RateLimitInfo, at: float) -> LimitAnswer:
        return cls(
            at=at,
            status=info.status,
            reset_time=info.reset_time_sent,
            correlation_id=info.correlation_id,
            limit=info.limit,
            available=info.available,
        )

    def to_json(self) -> str:
        return json.dumps(self._asdict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes | None) -> LimitAnswer | None:
        """The answer another process stored, or None when there is none or it is unreadable
        (another version wrote it, or someone else did)."""
        if not text:
            return None
        try:
            fields: Any = json.loads(text)
            at = float(fields["at"])
            if not 0 <= at < LATEST_EPOCH:
                return None
            return cls(
                at=at,
                status=_optional(fields.get("status"), int),
                reset_time=_optional(fields.get("reset_time"), str),
                correlation_id=_optional(fields.get("correlation_id"), str),
                limit=_optional(fields.get("limit"), int),
                available=_optional(fields.get("available"), int),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _optional(value: Any, kind: type[Any]) -> Any:
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not {kind.__name__}")
    return _clipped(value) if kind is str else value


class ThrottleState(Protocol):
    """Where a throttle keeps what its users share: the next free start slot, the hold, and the
    pace the learned quota asks for. ``LocalState`` serves the threads of one process;
    ``lib/shared_limit.py`` keeps it in Redis for every process using the key. Times are the
    throttle's clock's."""

    def reserve(self, now: float, interval: float, max_wait: float) -> float:
        """Take the next start slot at or after ``now`` and return it; ``HeldTooLong`` when a
        hold would keep the caller waiting more than ``max_wait``."""
        ...

    def hold_until(self, now: float, moment: float, answer: LimitAnswer | None = None) -> None:
        """Hold everyone until ``moment``, remembering the ``answer`` that asked for it."""
        ...

    def held_until(self, now: float) -> float: ...

    def learn_quota(
        self, now: float, available: int, reset_at: float, answer: LimitAnswer | None = None
    ) -> None:
        """Pace what is left of the window, or hold everyone until its reset; ``answer`` is
        the one whose headers said so."""
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
        self.held_by: LimitAnswer | None = None
        self.quota_by: LimitAnswer | None = None

    def reserve(self, now: float, interval: float, max_wait: float) -> float:
        with self._lock:
            if self._held_until - now > max_wait:
                raise HeldTooLong(self._held_until)
            slot = max(now, self._next_slot, self._held_until)
            if slot < self._quota_until:
                interval = max(interval, self._quota_interval)
            self._next_slot = slot + interval
            return slot

    def hold_until(self, now: float, moment: float, answer: LimitAnswer | None = None) -> None:
        with self._lock:
            self._hold(moment, answer)

    def _hold(self, moment: float, answer: LimitAnswer | None) -> None:
        if moment > self._held_until:
            self._held_until = moment
            self.held_by = answer

    def held_until(self, now: float) -> float:
        return self._held_until

    def learn_quota(
        self, now: float, available: int, reset_at: float, answer: LimitAnswer | None = None
    ) -> None:
        with self._lock:
            if available <= 0:
                self._hold(reset_at, answer)
                return
            window_left = reset_at - now
            if window_left > 0:
                self._quota_interval = window_left / available
                self._quota_until = reset_at
                self.quota_by = answer

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
        self._answered = threading.local()

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
        """Hold everyone until ``moment``; after a 429 this thread just ``observe``d (the
        client's way), the hold remembers that answer."""
        info: RateLimitInfo | None = getattr(self._answered, "info", None)
        self._answered.info = None
        answer = None
        if info is not None and info.status == 429:
            answer = LimitAnswer.of(info, self._answered.at)
        self.state.hold_until(self._clock(), moment, answer)

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
        now = self._clock()
        self._answered.info, self._answered.at = info, now
        if info.available is None or info.reset_at is None:
            return
        self.state.learn_quota(now, info.available, info.reset_at, LimitAnswer.of(info, now))
