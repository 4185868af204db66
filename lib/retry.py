"""When a failed request is tried again, and how long we wait first: one table, one policy.

This follows Picsart's troubleshooting guide. A 429 waits for ``X-Picsart-Ratelimit-Reset-Time``.
A 429 without a usable reset time waits a minute, then twice as long each time
(``RetrySettings.fallback_wait``); the client stamps that time on the error as its ``retry_at``,
so the wait, the hold on every other thread and the time a rebound names are one number. 5xx
answers and lost connections back off exponentially with jitter. No other 4xx is ever tried
again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import tenacity

from .errors import (
    TRANSIENT_SERVER_STATUSES,
    APIConnectionError,
    APIError,
    RateLimitError,
    ServerError,
    TransientError,
)
from .ratelimit import Clock

log = logging.getLogger("picsart.client")


class Decision(Enum):
    FAIL = "fail"
    RATE_LIMITED = "rate-limited"
    BACK_OFF = "back-off"


def decide(error: BaseException) -> Decision:
    """The whole retry table: what kind of failure this is decides what happens next."""
    if isinstance(error, RateLimitError):
        return Decision.RATE_LIMITED
    if isinstance(error, ServerError) and error.status in TRANSIENT_SERVER_STATUSES:
        return Decision.BACK_OFF
    if isinstance(error, APIConnectionError | TransientError):
        return Decision.BACK_OFF
    return Decision.FAIL


@dataclass(frozen=True)
class RetrySettings:
    """Limits on retrying. ``max_total_wait`` caps the sum of all waits for one request."""

    max_attempts: int = 5
    max_total_wait: float = 300.0
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    rate_limit_fallback_wait: float = 60.0
    rate_limit_max_wait: float = 900.0

    def fallback_wait(self, earlier_fallbacks: int) -> float:
        """The wait after a 429 without a usable reset time: 60 s, then 120, 240, ... capped."""
        return min(self.rate_limit_fallback_wait * 2.0**earlier_fallbacks, self.rate_limit_max_wait)


class RetryPolicy:
    """Builds a tenacity ``Retrying`` per request; its clock, sleep and jitter are injectable."""

    def __init__(
        self,
        settings: RetrySettings,
        *,
        clock: Clock,
        sleep: Callable[[float], None],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter

    def wait_seconds(self, error: BaseException, attempt: int) -> float:
        """How long to wait after ``attempt`` failed with ``error``."""
        decision = decide(error)
        if decision is Decision.RATE_LIMITED:
            assert isinstance(error, RateLimitError)
            if error.retry_at is not None:
                return max(0.0, error.retry_at - self._clock())
            return self.settings.fallback_wait(0)
        exponential = self.settings.backoff_initial * 2.0 ** (attempt - 1)
        capped = min(exponential, self.settings.backoff_max)
        return capped / 2 + capped / 2 * self._jitter()

    def retrying(self) -> tenacity.Retrying:
        settings = self.settings

        def wait(state: tenacity.RetryCallState) -> float:
            return self.wait_seconds(_error_of(state), state.attempt_number)

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= settings.max_attempts:
                return True
            return state.idle_for + state.upcoming_sleep > settings.max_total_wait

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = _error_of(state)
            what = (
                f"{error.status}"
                if isinstance(error, APIError) and error.status
                else (type(error).__name__)
            )
            correlation = getattr(error, "correlation_id", None)
            log.warning(
                "attempt %d of %d failed (%s); retrying in %.1fs%s",
                state.attempt_number,
                settings.max_attempts,
                what,
                state.upcoming_sleep,
                f" [correlation id {correlation}]" if correlation else "",
            )

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda e: decide(e) is not Decision.FAIL),
            wait=wait,
            stop=stop,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


def _error_of(state: tenacity.RetryCallState) -> BaseException:
    assert state.outcome is not None
    error = state.outcome.exception()
    assert error is not None
    return error
