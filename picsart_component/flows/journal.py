"""The results file and its journal: what makes a killed batch resumable without paying twice.

``RESULTS.jsonl`` gets exactly one line per item when the item ends. ``RESULTS.jsonl.journal``
(beside it) records, as they happen, the item's input, each step's start *before* its paid call
and each step's output after it, plus one header (which flow and which input) and one record per
run (the balance when it started). Every record is one ``write`` of one line, flushed to the
operating system at once and then synced to disk, so ``kill -9`` can at most cut the last line,
which the next run repairs.

From the journal, a resumed run knows for every item without a results line which steps are
finished (their outputs are reused, never bought again) and which step was in flight: started,
but with no output recorded. Such a call may have been charged, so it is not sent again unless
the user asks (``--retry-interrupted``). A step whose Picsart job had been accepted has that job
recorded the moment its id was known; a resumed run collects the job instead of paying again.
"""

from __future__ import annotations

import json
import logging
import os
import threading

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    import msvcrt

    fcntl = None  # type: ignore[assignment]
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..runtime.messages import Message
from .inputs import InputItem, ItemKey
from .model import Flow
from .steps import StepClaim

log = logging.getLogger("picsart.flows")

JOURNAL_SUFFIX = ".journal"
LOCK_SUFFIX = ".lock"
JOURNAL_VERSION = 1
INTERRUPTED = "Interrupted"


class JournalError(Exception):
    """The results file or its journal cannot be used for this run; the message says why."""


def journal_path(results: Path) -> Path:
    return results.with_name(results.name + JOURNAL_SUFFIX)


def lock_path(results: Path) -> Path:
    return results.with_name(results.name + LOCK_SUFFIX)


class RunLock:
    """One run at a time per results file: an exclusive lock held for the whole run.

    Two runs on one ``--out`` would both pay for every item and write a file that cannot be
    resumed, so the second refuses at once and names the first. The operating system holds the
    lock and drops it when the process ends, however it ends; the file beside the results only
    says who holds it.
    """

    def __init__(self, results: Path) -> None:
        self.results = results
        self.path = lock_path(results)
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock, or ``JournalError`` naming the run that holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise JournalError(f"cannot open {self.path}: {error.strerror}") from None
        if not _try_lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise JournalError(
                f"{self.results} is being written by another run ({holder}); wait for it to end, "
                "or give another --out"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}, started {now_iso()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
    except (OSError, AttributeError):
        text = ""
    return text or "a process that has not said which"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class ItemJournal:
    """What the journal knows about one item."""

    input: Any = None
    input_recorded: bool = False
    outputs: dict[str, Any] = field(default_factory=dict)
    in_flight: str | None = None
    jobs: dict[str, Any] = field(default_factory=dict)
    """The Picsart job each step started, by step id (``{"operation", "id", ...}``)."""
    published: bool = False
    """A broker run handed the item to the broker (which then holds it until its line)."""

    @property
    def resumable_job(self) -> Any:
        """The job of the step in flight, which a resumed run collects instead of paying again."""
        return self.jobs.get(self.in_flight) if self.in_flight is not None else None


@dataclass(frozen=True)
class ItemWork:
    """One item to run; ``journal`` is what an earlier run of this results file did with it."""

    item: InputItem
    journal: ItemJournal | None = None

    @property
    def key(self) -> ItemKey:
        return self.item.key


@dataclass
class RunRecord:
    """One run of the batch: the balance when it started and the lowest balance it saw."""

    balance: int | None
    lowest: int | None = None
    finished_steps: int = 0
    possibly_charged: int = 0
    """Calls in flight when the run stopped (a kill, a second Ctrl-C): Picsart may have charged
    them, so they count as spent."""

    @property
    def spent(self) -> int:
        """As the credit headers tell it, and never less than one credit a finished step or a
        call that may have been charged."""
        floor = self.finished_steps + self.possibly_charged
        if self.balance is None or self.lowest is None:
            return floor
        return max(floor, self.balance - self.lowest)


@dataclass
class _OpenCall:
    """A step started and not yet ended, as the journal tells it."""

    run: int
    counted: bool = False
    """Counted as possibly charged: its run stopped while it was in flight."""


@dataclass
class JournalState:
    header: dict[str, Any]
    items: dict[ItemKey, ItemJournal] = field(default_factory=dict)
    runs: list[RunRecord] = field(default_factory=list)

    @property
    def credits_spent(self) -> int:
        return sum(run.spent for run in self.runs)


def run_header(
    flow: Flow, flow_file: Path, input_fingerprint: str, input_path: Path, **extra: str
) -> dict[str, Any]:
    """The journal's first line: what a resumed run must match (the flow, the input)."""
    return {
        "type": "header",
        "version": 1,
        "flow": flow.fingerprint,
        "flowFile": str(flow_file),
        "input": input_fingerprint,
        "inputPath": str(input_path),
        "steps": flow.step_ids(),
        **extra,
    }


def read_journal(path: Path) -> JournalState:
    """The journal's state; a cut last line is repaired first."""
    records = read_records(path)
    if not records or records[0].get("type") != "header":
        raise JournalError(f"{path} has no header line; it was not written by picsart-flow")
    state = JournalState(header=records[0])
    open_calls: dict[tuple[ItemKey, Any], _OpenCall] = {}
    for record in records[1:]:
        kind = record.get("type")
        if kind == "run":
            _count_open_calls(state, open_calls)
            balance = record.get("balance")
            state.runs.append(RunRecord(balance if isinstance(balance, int) else None))
            continue
        key = record.get("item")
        if not isinstance(key, int | str):
            continue
        item = state.items.setdefault(key, ItemJournal())
        step = record.get("step")
        if kind == "item":
            item.input = record.get("input")
            item.input_recorded = True
        elif kind == "published":
            item.published = True
        elif kind == "steps":
            _count_steps(state, record)
        elif kind == "started":
            item.in_flight = step
            if state.runs:
                open_calls[(key, step)] = _OpenCall(len(state.runs) - 1)
        elif kind == "job":
            if isinstance(step, str) and isinstance(record.get("job"), dict):
                item.jobs[step] = record["job"]
        elif kind == "rebounded":
            # Nothing was charged unless a job started, which a resumed run then collects.
            if step not in item.jobs:
                open_calls.pop((key, step), None)
                if item.in_flight == step:
                    item.in_flight = None
        elif kind == "failed":
            open_calls.pop((key, step), None)
        elif kind == "finished":
            call = open_calls.pop((key, step), None)
            if isinstance(step, str):
                item.outputs[step] = record.get("output")
                if item.in_flight == step:
                    item.in_flight = None
            if state.runs:
                run = state.runs[-1]
                # A job counted as possibly charged when its run stopped is not counted again.
                run.finished_steps += 0 if call is not None and call.counted else 1
                credits = record.get("credits")
                if isinstance(credits, int):
                    run.lowest = credits if run.lowest is None else min(run.lowest, credits)
    _count_open_calls(state, open_calls)
    return state


def _count_open_calls(state: JournalState, open_calls: dict[Any, _OpenCall]) -> None:
    """The calls still in flight where a run ended: each may have been charged, once."""
    for call in open_calls.values():
        if not call.counted and call.run < len(state.runs):
            state.runs[call.run].possibly_charged += 1
            call.counted = True


def _count_steps(state: JournalState, record: dict[str, Any]) -> None:
    """A broker run's record of an item's finished steps and the lowest balance they saw."""
    if not state.runs:
        return
    run = state.runs[-1]
    finished = record.get("finished")
    run.finished_steps += finished if isinstance(finished, int) else 0
    credits = record.get("credits")
    if isinstance(credits, int):
        run.lowest = credits if run.lowest is None else min(run.lowest, credits)


def read_results(path: Path) -> dict[ItemKey, dict[str, Any]]:
    """The results lines by item key; a cut last line is repaired first."""
    lines: dict[ItemKey, dict[str, Any]] = {}
    for number, record in enumerate(read_records(path), start=1):
        key = record.get("item")
        if not isinstance(key, int | str) or record.get("status") not in ("done", "failed"):
            raise JournalError(
                f"{path}, line {number}: not a results line of picsart-flow (it needs item and "
                "status); was the file edited?"
            )
        if key in lines:
            raise JournalError(f"{path}, line {number}: item {key!r} has a line already")
        lines[key] = record
    return lines


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every JSON object line of ``path``; a last line without its newline is repaired.

    Lines are written whole with their newline, so a last line without one was cut by a kill.
    When what is there still parses, only the newline is missing and is added; otherwise the
    cut line is removed.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise JournalError(f"{path} cannot be read: {error.strerror}") from None
    complete_end = data.rfind(b"\n") + 1
    tail = data[complete_end:]
    if tail.strip():
        if _parses_as_object(tail):
            _append(path, b"\n")
            data += b"\n"
            log.warning("%s: its last line had lost its newline; added it", path)
        else:
            os.truncate(path, complete_end)
            data = data[:complete_end]
            log.warning("%s: removed the last line, which a kill had cut short", path)
    records = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise JournalError(
                f"{path}, line {number}: not valid JSON; was the file edited?"
            ) from None
        if not isinstance(record, dict):
            raise JournalError(f"{path}, line {number}: not a JSON object; was the file edited?")
        records.append(record)
    return records


def _parses_as_object(text: bytes) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def rewrite_results(path: Path, keep: dict[ItemKey, dict[str, Any]]) -> None:
    """Replaces the results file with ``keep`` (in its order), atomically."""
    temporary = path.with_name(path.name + ".rewrite")
    with temporary.open("wb") as handle:
        for line in keep.values():
            handle.write(_encode(line))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """``value`` with ``redact`` applied to every text in it, names included: a server may echo
    the key back anywhere in an answer."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(key)): _redacted(item, redact) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, redact) for item in value]
    return value


def _encode(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class _LineFile:
    """An append-only file that takes each record in one ``write`` and syncs it to disk.

    Syncs are grouped: ``append`` numbers each record, and ``sync(number)`` returns at once when
    a sync that began after that record was written has ended; otherwise it syncs everything
    written so far. Threads that write at the same time share one ``fsync``, and each still
    returns only once its own record is on disk.
    """

    def __init__(self, path: Path, sync: bool) -> None:
        self.path = path
        self._sync = sync
        self._file = path.open("ab", buffering=0)
        self._written = 0
        self._synced = 0
        self._sync_lock = threading.Lock()
        self.syncs = 0

    def append(self, data: bytes) -> int:
        """Writes one record (callers serialize appends); returns its number."""
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            if written is None:
                continue
            view = view[written:]
        self._written += 1
        return self._written

    def sync(self, number: int | None = None) -> None:
        """Returns once record ``number`` (every record written, when None) is on disk."""
        if not self._sync:
            return
        wanted = self._written if number is None else number
        with self._sync_lock:
            if self._synced >= wanted:
                return
            covered = self._written
            os.fsync(self._file.fileno())
            self.syncs += 1
            self._synced = max(self._synced, covered)

    def close(self) -> None:
        self._file.close()


class Recorder:
    """Writes results lines and journal records from any worker thread.

    Writes are serialized by a lock; the disk sync runs outside it, so that workers do not queue
    behind one another's syncs. A record is on disk when its method returns.
    """

    def __init__(
        self, results: Path, *, sync: bool = True, redact: Callable[[str], str] | None = None
    ) -> None:
        self.results_path = results
        self._redact = redact
        self.journal_path = journal_path(results)
        self._lock = threading.Lock()
        try:
            self._results = _LineFile(results, sync)
            self._journal = _LineFile(self.journal_path, sync)
        except OSError as error:
            raise JournalError(
                f"cannot open {error.filename} for writing: {error.strerror}"
            ) from None

    def result(self, line: dict[str, Any]) -> None:
        self._write(self._results, line)

    def journal(self, record: dict[str, Any]) -> None:
        self._write(self._journal, record)

    def journal_many(self, records: list[dict[str, Any]]) -> None:
        """Several journal records, on disk together with one sync."""
        if self._redact is not None:
            redact = self._redact
            records = [_redacted(record, redact) for record in records]
        data = b"".join(_encode(record) for record in records)
        try:
            with self._lock:
                number = self._journal.append(data)
            self._journal.sync(number)
        except OSError as error:
            raise JournalError(f"cannot write to {self._journal.path}: {error.strerror}") from None

    def _write(self, target: _LineFile, record: dict[str, Any]) -> None:
        if self._redact is not None:
            record = _redacted(record, self._redact)
        data = _encode(record)
        try:
            with self._lock:
                number = target.append(data)
            target.sync(number)
        except OSError as error:
            raise JournalError(f"cannot write to {target.path}: {error.strerror}") from None

    @property
    def syncs(self) -> int:
        """How many times the results file and the journal were synced to disk."""
        return self._results.syncs + self._journal.syncs

    def close(self) -> None:
        self._results.close()
        self._journal.close()


class JournalSteps:
    """A local run's step store for one item: the journal, which records a step's start before
    its paid call (``started``), its job, and how it ended. A step an earlier run left in flight
    with a job collects that job without a new ``started``."""

    def __init__(
        self,
        recorder: Recorder,
        journal: ItemJournal | None,
        calling: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self._recorder = recorder
        self._earlier = journal
        self.calling = calling

    def claim(self, item: ItemKey, step: str) -> StepClaim:
        earlier = self._earlier
        job = earlier.resumable_job if earlier is not None and earlier.in_flight == step else None
        if job is None:
            self._recorder.journal({"type": "started", "item": item, "step": step})
        return StepClaim(job=job)

    def record_job(self, item: ItemKey, step: str, job: Any) -> None:
        self._recorder.journal({"type": "job", "item": item, "step": step, "job": job})

    def finish(self, item: ItemKey, step: str, output: Message, credits: int | None) -> Message:
        self._recorder.journal(
            {
                "type": "finished",
                "item": item,
                "step": step,
                "output": output.body,
                "credits": credits,
            }
        )
        return output

    def fail(self, item: ItemKey, step: str, error: dict[str, Any]) -> None:
        self._recorder.journal({"type": "failed", "item": item, "step": step})

    def rebound(self, item: ItemKey, step: str, failure: dict[str, Any]) -> None:
        retry_at = failure.get("retryAt")
        record = {"type": "rebounded", "item": item, "step": step}
        self._recorder.journal({**record, "retryAt": retry_at} if retry_at else record)

    def crashed(self, item: ItemKey, step: str, error: dict[str, Any]) -> None:
        """Nothing is recorded: the step stays in flight, so a resumed run neither sends it again
        nor forgets that it may have been charged."""


@dataclass
class RunPlan:
    """What a run has to do: the items without a results line, and what is known of them."""

    works: list[ItemWork]
    finished: dict[ItemKey, dict[str, Any]]
    journal: JournalState | None
    retried_interrupted: int = 0
    retried_keys: tuple[ItemKey, ...] = ()

    @property
    def resumed(self) -> bool:
        return self.journal is not None

    @property
    def credits_spent_before(self) -> int:
        return self.journal.credits_spent if self.journal else 0


def plan_run(
    results: Path,
    items: list[InputItem],
    header: dict[str, Any],
    *,
    resume: bool,
    retry_interrupted: bool = False,
) -> RunPlan:
    """Checks that the run may write ``results`` and works out which items are left.

    ``header`` holds the flow's and the input's fingerprints; a resumed run must match them.
    ``JournalError`` says why not, in words fit for a usage error.
    """
    journal_file = journal_path(results)
    has_results = results.exists() and results.stat().st_size > 0
    has_journal = journal_file.exists() and journal_file.stat().st_size > 0
    if not resume:
        if has_results or has_journal:
            raise JournalError(
                f"{results if has_results else journal_file} holds an earlier run; add --resume "
                "to finish it, or give another --out"
            )
        return RunPlan([ItemWork(item) for item in items], {}, None)
    if not has_journal:
        if has_results:
            raise JournalError(
                f"cannot resume {results}: its journal {journal_file.name} is missing, so which "
                "paid calls were in flight when it stopped cannot be known; give another --out"
            )
        return RunPlan([ItemWork(item) for item in items], {}, None)
    journal = read_journal(journal_file)
    then_broker = journal.header.get("broker")
    if then_broker != header.get("broker"):
        raise JournalError(
            f"cannot resume {results}: it was written by a run "
            + (f"on the broker ({then_broker})" if then_broker else "without --broker")
            + " and this one runs "
            + (f"on the broker ({header['broker']})" if header.get("broker") else "locally")
            + "; resume it the way it started (the same --broker and --run), or give another --out"
        )
    for name, what in (("flow", "flow"), ("input", "input")):
        if journal.header.get(name) != header.get(name):
            then = journal.header.get(f"{name}File") or journal.header.get(f"{name}Path") or "?"
            raise JournalError(
                f"cannot resume {results}: it was written for another {what} ({then}, as it was "
                f"then); resume with the same flow file and input, or give another --out"
            )
    finished = read_results(results)
    retried: list[ItemKey] = []
    if retry_interrupted:
        interrupted = [
            key
            for key, line in finished.items()
            if isinstance(line.get("error"), dict) and line["error"].get("name") == INTERRUPTED
        ]
        if interrupted:
            for key in interrupted:
                del finished[key]
            rewrite_results(results, finished)
            retried = interrupted
    works = [
        ItemWork(item, journal.items.get(item.key)) for item in items if item.key not in finished
    ]
    return RunPlan(works, finished, journal, len(retried), tuple(retried))
