"""Long-running operations: ask for a job, poll it until it ends, and never pay for it twice.

Picsart's generative services, Ultra Upscale and the video API may answer a POST with ``202
Accepted`` and a job id, ``inference_id`` on the GenAI API and ``transaction_id`` on the image and
video APIs, whose result is fetched later from the operation's own result path. Whether a job is
asked for is said with the standard ``Prefer: respond-async`` header (RFC 7240), which replaces the
deprecated ``mode`` body field; ``Preference-Applied`` says what Picsart did.

The status words of Picsart's documents and clients differ (``success``/``error``/``processing``,
``ACCEPTED``/``FINISHED``, ``completed``/``failed``): all of them are understood, and an unknown
one counts as "still running" until the deadline, with a warning that names it. Polls go through
the one client, so they are throttled and retried like any request; they start after about a
second, back off to ten, honour ``Retry-After``, and stop at ``PICSART_JOB_TIMEOUT``, whose
default depends on the operation's API (``DEFAULT_JOB_TIMEOUTS``): a video job renders every frame
and runs for minutes, so the video and VD APIs wait longer than the image and GenAI APIs.

The moment a job id is known it is handed to ``on_accepted`` (actions emit it as a snapshot), so
that a run that dies while polling can collect the job later instead of submitting it again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Any, Literal

from picsart_component.catalogue.operations import BY_NAME, Operation

from .body import RequestBody
from .client import PicsartClient, PicsartResponse
from .errors import APIError, NotFoundError, PicsartError, build_status_error

log = logging.getLogger("picsart.jobs")

Execution = Literal["sync", "async", "auto"]

AUTO_WAIT_SECONDS = 50
"""How long ``auto`` lets Picsart work before it falls back to a job: below the 55 s after which
Picsart gives up on a synchronous call."""

DONE_WORDS = frozenset({"success", "succeeded", "finished", "completed", "complete", "done"})
FAILED_WORDS = frozenset(
    {"error", "failed", "failure", "cancelled", "canceled", "rejected", "expired"}
)
PENDING_WORDS = frozenset(
    {
        "processing",
        "rendering",
        "accepted",
        "pending",
        "queued",
        "running",
        "in_progress",
        "in-progress",
        "started",
        "created",
        "submitted",
        "waiting",
    }
)


OPERATIONS: Mapping[str, Operation] = BY_NAME
"""Every Picsart operation, by the catalogue's name (the action's that runs it)."""

JOB_OPERATIONS = tuple(name for name, op in OPERATIONS.items() if op.asynchronous)


DEFAULT_JOB_TIMEOUT = 600.0
"""How long a job of the image or GenAI API is waited for: Picsart's image jobs and generations
end within a few minutes."""
VIDEO_JOB_TIMEOUT = 1800.0
"""How long a job of the video or VD API is waited for. A video job decodes, changes and encodes
every frame (removing a background runs the cutout on each one), so it runs for minutes and grows
with the clip's length; Picsart's documents say only that rendering "is not immediate" and keep
results for hours, so half an hour leaves room for a clip of several minutes without holding a
step for ever."""
DEFAULT_JOB_TIMEOUTS: Mapping[str, float] = MappingProxyType(
    {"video": VIDEO_JOB_TIMEOUT, "vd": VIDEO_JOB_TIMEOUT}
)
"""``PICSART_JOB_TIMEOUT``'s default by the operation's API; ``DEFAULT_JOB_TIMEOUT`` elsewhere."""


def default_job_timeout(api: str) -> float:
    return DEFAULT_JOB_TIMEOUTS.get(api, DEFAULT_JOB_TIMEOUT)


@dataclass(frozen=True)
class JobSettings:
    """How jobs are polled. ``timeout`` is ``PICSART_JOB_TIMEOUT``, which when set applies to
    every API; None leaves each API its default (``default_job_timeout``).
    ``PICSART_JOB_POLL_SECONDS`` sets one fixed interval (for tests)."""

    timeout: float | None = None
    first_poll: float = 1.0
    max_poll: float = 10.0
    backoff: float = 1.5
    not_found_grace: float = 10.0

    def timeout_for(self, operation: Operation) -> float:
        """How long a job of ``operation`` is polled before giving up on it."""
        return self.timeout if self.timeout is not None else default_job_timeout(operation.api)


@dataclass(frozen=True)
class JobTicket:
    """A job Picsart accepted: enough to collect its result later, from any process."""

    operation: str
    id: str
    accepted_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"operation": self.operation, "id": self.id}
        if self.accepted_at is not None:
            record["acceptedAt"] = self.accepted_at
        return record

    @classmethod
    def from_json(cls, record: Any) -> JobTicket | None:
        """The ticket in a snapshot or journal record, or None when it holds none."""
        if not isinstance(record, Mapping):
            return None
        operation, job_id = record.get("operation"), record.get("id")
        if not isinstance(operation, str) or operation not in OPERATIONS:
            return None
        if not isinstance(job_id, str) or not job_id:
            return None
        accepted = record.get("acceptedAt")
        return cls(operation, job_id, accepted if isinstance(accepted, int | float) else None)


class JobFailedError(PicsartError):
    """Picsart ran the job and reports that it failed; the call was paid for."""

    def __init__(self, message: str, ticket: JobTicket, status_word: str) -> None:
        super().__init__(message)
        self.ticket = ticket
        self.status_word = status_word

    def event_fields(self) -> dict[str, Any]:
        return {"jobId": self.ticket.id, "operation": self.ticket.operation}


class JobTimeoutError(PicsartError):
    """The job did not end before the deadline; it may still end, and can be collected later."""

    def __init__(self, message: str, ticket: JobTicket) -> None:
        super().__init__(message)
        self.ticket = ticket

    def event_fields(self) -> dict[str, Any]:
        return {"jobId": self.ticket.id, "operation": self.ticket.operation}


class JobPendingError(PicsartError):
    """The job is still running: emitted as a ``rebound``, so the platform asks again later."""

    event_kind = "rebound"

    def __init__(self, message: str, ticket: JobTicket) -> None:
        super().__init__(message)
        self.ticket = ticket

    def event_fields(self) -> dict[str, Any]:
        return {"jobId": self.ticket.id, "operation": self.ticket.operation}


@dataclass(frozen=True)
class JobOutcome:
    """A finished operation: the answer that holds its result, and the job it ran as, if any."""

    body: Any
    response: PicsartResponse
    ticket: JobTicket | None = None


@dataclass(frozen=True)
class Poll:
    state: Literal["pending", "done", "failed"]
    response: PicsartResponse
    word: str
    retry_after: float | None = None


def prefer_header(operation: Operation, execution: Execution, *, recommend_async: bool) -> str:
    """The ``Prefer`` header to send, or ``""`` for none.

    An operation Picsart runs only as a job is asked for one (Picsart asks clients to say so); one
    that is only synchronous is asked nothing. Where both are offered, ``sync`` sends nothing,
    ``async`` asks for a job, and ``auto`` asks for one where Picsart recommends it and otherwise
    lets Picsart answer at once when it can and fall back to a job when it cannot.
    """
    if not operation.asynchronous:
        return ""
    if not operation.sync or execution == "async" or (execution == "auto" and recommend_async):
        return "respond-async"
    if execution == "sync":
        return ""
    return f"respond-async, wait={AUTO_WAIT_SECONDS}"


def status_word(body: Any) -> str:
    value = body.get("status") if isinstance(body, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


class JobRunner:
    """Runs operations for one action: submits, polls, and reports the job id as soon as known.

    ``sleep`` and ``clock`` are injectable, so that polling tests take no time.
    """

    def __init__(
        self,
        client: PicsartClient,
        settings: JobSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_accepted: Callable[[JobTicket], None] = lambda ticket: None,
        logger: logging.Logger = log,
    ) -> None:
        self.client = client
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._on_accepted = on_accepted
        self._logger = logger

    def run(
        self,
        operation: Operation,
        body: RequestBody,
        *,
        execution: Execution = "auto",
        recommend_async: bool = False,
        wait: bool = True,
    ) -> JobOutcome:
        """Send the operation and return its finished result, polling when it runs as a job.

        Without ``wait`` a job is not polled: the outcome is Picsart's 202 and the ticket.
        """
        prefer = prefer_header(operation, execution, recommend_async=recommend_async)
        response = self.client.post(
            operation.path, body=body, headers={"Prefer": prefer} if prefer else None
        )
        applied = response.header("Preference-Applied")
        if prefer:
            self._logger.debug("asked Prefer: %s; Picsart applied: %s", prefer, applied or "-")
        if not operation.asynchronous:
            if response.status_code == 202:
                raise APIError(
                    f"Picsart answered 202 Accepted to {operation.title}, which its API answers "
                    "at once; there is no job to collect",
                    method="POST",
                    url=response.url,
                    status=response.status_code,
                    correlation_id=response.correlation_id,
                )
            return JobOutcome(response.body, response)
        job_id = _job_id(response.body, operation)
        if response.status_code != 202 and job_id is None:
            return JobOutcome(response.body, response)
        if job_id is None:
            raise APIError(
                f"Picsart accepted the job but its answer has no {operation.job_id_field}",
                method="POST",
                url=response.url,
                status=response.status_code,
                correlation_id=response.correlation_id,
            )
        ticket = JobTicket(operation.name, job_id, self._clock())
        self._on_accepted(ticket)
        self._logger.info("%s runs as job %s", operation.title, job_id)
        if not wait:
            return JobOutcome(response.body, response, ticket)
        return self.wait(ticket)

    def wait(self, ticket: JobTicket) -> JobOutcome:
        """Poll ``ticket`` until its job ends; ``JobTimeoutError`` past the deadline."""
        operation = OPERATIONS[ticket.operation]
        timeout = self.settings.timeout_for(operation)
        deadline = self._clock() + timeout
        interval = self.settings.first_poll
        warned: set[str] = set()
        self._sleep_until_next(interval, None, deadline)
        while True:
            poll = self.poll(ticket, warned=warned)
            if poll.state == "done":
                return JobOutcome(poll.response.body, poll.response, ticket)
            if poll.state == "failed":
                raise self.failure(ticket, poll)
            now = self._clock()
            if now >= deadline:
                source = _timeout_source(self.settings, operation)
                raise JobTimeoutError(
                    f"the {operation.title} job {ticket.id} did not finish within {timeout:g} s "
                    f"({source}); it may still finish: collect it later with the Get job "
                    f"result action (operation {operation.name}, job id {ticket.id})",
                    ticket,
                )
            interval = min(interval * self.settings.backoff, self.settings.max_poll)
            self._sleep_until_next(interval, poll.retry_after, deadline)

    def poll(self, ticket: JobTicket, *, warned: set[str] | None = None) -> Poll:
        """One look at the job. A 404 soon after the job was accepted counts as pending."""
        operation = OPERATIONS[ticket.operation]
        try:
            response = self.client.get(operation.poll_url(ticket.id), accept_statuses={404})
        except APIError as error:
            error.job = ticket
            raise
        retry_after = _retry_after(response.header("Retry-After"), self._clock())
        if response.status_code == 404:
            accepted = ticket.accepted_at
            if accepted is not None and self._clock() - accepted < self.settings.not_found_grace:
                return Poll("pending", response, "", retry_after)
            raise _not_found(operation, ticket, response)
        word = status_word(response.body)
        lowered = word.lower()
        if response.status_code == 202 or lowered in PENDING_WORDS:
            return Poll("pending", response, word, retry_after)
        if lowered in FAILED_WORDS:
            return Poll("failed", response, word)
        if lowered in DONE_WORDS or (not word and _has_result(response.body)):
            return Poll("done", response, word)
        if warned is None or lowered not in warned:
            self._logger.warning(
                "the %s job %s reports the status %r, which the component does not know; "
                "taking it as still running",
                operation.title,
                ticket.id,
                word,
            )
            if warned is not None:
                warned.add(lowered)
        return Poll("pending", response, word, retry_after)

    def failure(self, ticket: JobTicket, poll: Poll) -> JobFailedError:
        """The error for a poll that says the job failed, with Picsart's reason when it gave one."""
        operation = OPERATIONS[ticket.operation]
        body = poll.response.body
        reason = None
        if isinstance(body, Mapping):
            for key in ("detail", "message", "error", "reason"):
                value = body.get(key)
                if isinstance(value, str) and value.strip():
                    reason = value.strip()
                    break
        correlation = poll.response.correlation_id
        return JobFailedError(
            f"Picsart reports that the {operation.title} job {ticket.id} failed (status "
            f"{poll.word!r}){': ' + reason if reason else ''}"
            f"{f' [correlation id {correlation}]' if correlation else ''}",
            ticket,
            poll.word,
        )

    def _sleep_until_next(
        self, interval: float, retry_after: float | None, deadline: float
    ) -> None:
        """Waits ``Retry-After`` when Picsart sent one, else the interval; never past the
        deadline, so that the last look happens at it."""
        wait = interval if retry_after is None else retry_after
        self._sleep(max(0.0, min(wait, deadline - self._clock())))


def _timeout_source(settings: JobSettings, operation: Operation) -> str:
    if settings.timeout is not None:
        return "PICSART_JOB_TIMEOUT"
    return f"PICSART_JOB_TIMEOUT's default for the {operation.api} API"


def _job_id(body: Any, operation: Operation) -> str | None:
    if not isinstance(body, Mapping):
        return None
    for field in (operation.job_id_field, "inference_id", "transaction_id"):
        value = body.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _has_result(body: Any) -> bool:
    return isinstance(body, Mapping) and body.get("data") not in (None, [], {})


def _retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _not_found(operation: Operation, ticket: JobTicket, response: PicsartResponse) -> APIError:
    error = build_status_error(
        status=404,
        method="GET",
        url=response.url,
        headers=response.headers,
        body=json.dumps(response.body) if response.body is not None else None,
    )
    if isinstance(error, NotFoundError):
        error.message = (
            f"Picsart knows no {operation.title} job {ticket.id}: check the job id and the "
            "operation it belongs to (results are kept for about 24 hours)"
        )
    return error
