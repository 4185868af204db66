"""Jobs that a 202 starts: what ``Prefer`` asks for, the jobs kept, and what their polls answer.

A job's work is done before its 202 is sent (so a broken input is still refused at once, as a
4xx); the job then pends for ``job_seconds`` on the sandbox's clock, and its polls answer 202
until then and 200 with the results after. Job faults (``job-fail``, ``job-stuck``, ``job-word``,
``job-late``) are drawn when the job is accepted and change what its polls say. In the
``production`` answer mode a job says what production says instead (``production.py``).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .faults import Fault
from .operations import VD_PREFIX, Poll
from .production import FILE_JOB_SHAPE, JobShape

MAX_JOBS = 4096
"""Jobs remembered; older ones are forgotten (their polls answer 404), like results expire."""
PENDING_WORD = "processing"
DONE_WORD = "success"
FAILED_WORD = "error"
FAILED_DETAIL = "The job failed: the sandbox was asked to fail it (a job-fail fault)."


@dataclass(frozen=True)
class Preference:
    """What an RFC 7240 ``Prefer`` header asks: a job (``respond-async``), and how many seconds
    the client would rather wait for a synchronous answer (``wait``). ``by_mode`` says the job
    was asked for by the deprecated ``mode`` field instead, so no ``Preference-Applied`` is due."""

    respond_async: bool = False
    wait: int | None = None
    by_mode: bool = False


def read_prefer(headers: Iterable[str], mode: object = None) -> Preference:
    """The preferences in every ``Prefer`` header; names in any case, unknown ones ignored.

    ``mode`` is the deprecated field of the operations that run either way: the files say
    ``async`` "forces an asynchronous request" and that ``Prefer`` takes precedence, so it counts
    only when no ``Prefer`` asks for ``respond-async`` or a ``wait`` (``sync`` and ``auto`` are
    the synchronous answer the sandbox gives anyway).
    """
    respond_async = False
    wait: int | None = None
    for header in headers:
        for item in header.split(","):
            name, _, value = item.split(";", 1)[0].partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "respond-async":
                respond_async = True
            elif name == "wait" and value.isdigit():
                wait = int(value)
    if respond_async or wait is not None:
        return Preference(respond_async, wait)
    if isinstance(mode, str) and mode.strip().lower() == "async":
        return Preference(respond_async=True, by_mode=True)
    return Preference()


@dataclass(frozen=True)
class Job:
    """One accepted job: when it is ready, what it made (result ids and file names), and what
    its faults make it say."""

    id: str
    operation: str
    poll: Poll
    ready_at: float
    results: tuple[tuple[str, str], ...]
    outcome: str = "done"
    pending_word: str = PENDING_WORD
    done_word: str = DONE_WORD
    hidden_until: float = 0.0
    accepted_word: str | None = None
    pending_data: bool = False

    @classmethod
    def start(
        cls,
        operation: str,
        poll: Poll,
        now: float,
        seconds: float,
        results: Iterable[tuple[str, str]],
        faults: Iterable[Fault] = (),
        shape: JobShape = FILE_JOB_SHAPE,
    ) -> Job:
        """A new job accepted at ``now``, shaped by the answer mode's ``shape`` and by the job
        faults it met (whose words win)."""
        outcome, pending, hidden = "done", PENDING_WORD, 0.0
        accepted = shape.accepted_word
        done = shape.done_word or DONE_WORD
        for fault in faults:
            if fault.kind in ("job-fail", "job-stuck") and outcome == "done":
                outcome = "failed" if fault.kind == "job-fail" else "stuck"
                if fault.kind == "job-fail":
                    done = fault.word or FAILED_WORD
            elif fault.kind == "job-word" and fault.word:
                if fault.phase == "pending":
                    pending, accepted = fault.word, None
                elif outcome == "done":
                    done = fault.word
            elif fault.kind == "job-late":
                hidden = now + fault.ms / 1000
        return cls(
            str(uuid.uuid4()),
            operation,
            poll,
            now + seconds,
            tuple(results),
            outcome,
            pending,
            done,
            hidden,
            accepted,
            shape.pending_data,
        )

    def accepted(self) -> dict[str, Any]:
        """The 202 that accepts the job."""
        return self._pending(self.accepted_word or self.pending_word)

    def _pending(self, word: str) -> dict[str, Any]:
        """A 202 for the job, saying ``word``."""
        body: dict[str, Any] = {"status": word, self.poll.id_field: self.id}
        if self.pending_data:
            body["data"] = []
        return body

    def answer(self, now: float, base_url: str) -> tuple[int, dict[str, Any]]:
        """What a poll at ``now`` answers; results are linked under ``base_url``."""
        if self.outcome == "stuck" or now < self.ready_at:
            return 202, self._pending(self.pending_word)
        if self.outcome == "failed":
            failed: dict[str, Any] = {"status": self.done_word, "detail": FAILED_DETAIL}
            if self.poll.data == "list":
                failed["data"] = []
            return 200, failed
        items: list[dict[str, Any]] = []
        for result_id, filename in self.results:
            item = {"id": result_id, "url": f"{base_url}results/{filename}"}
            if self.poll.item_status:
                item["status"] = DONE_WORD
            items.append(item)
        if self.poll.prefix == VD_PREFIX and self.poll.data == "list":
            # The VD API's content export lists each row's files under ``urls``.
            items = [{"urls": [item["url"]]} for item in items]
        data: Any = items if self.poll.data == "list" else items[0]
        return 200, {"status": self.done_word, "data": data}


class JobBoard:
    """The jobs accepted so far, by id; thread-safe, and forgetting the oldest past a limit."""

    def __init__(self, capacity: int = MAX_JOBS) -> None:
        self.capacity = capacity
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.capacity:
                self._jobs.popitem(last=False)

    def find(self, poll: Poll, job_id: str, now: float) -> Job:
        """The job ``job_id`` polled at ``poll``; 404 when there is none there (yet)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.poll != poll or now < job.hidden_until:
            raise ApiError(
                404,
                f"No job {job_id[:64]!r} here: ids come from the 202 that accepted a job, are "
                "polled where its operation says, and the oldest are forgotten.",
            )
        return job

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
