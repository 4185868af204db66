"""Running a flow over a batch: workers, the credit guard, results and the journal.

The main thread hands items to a pool of worker threads, one item per worker at a time (as many
as ``--workers`` says, or as ``sizing.WorkerCount`` finds the pace needs); a worker runs the
item's steps in order through the step engine (``steps.py``, with the journal as its store) and
the executor, whose clients all share one ``BatchThrottle``.
Before handing out an item, the main thread asks the credit guard whether the credits this item
could cost still fit the budget; when they do not while other items are in flight, it waits for
those to settle (their cost is then known) and asks again, and only stops when nothing is in
flight and the answer is still no.

Every item ends as one results line, whatever happens to it (a mapping that fails, an action's
error, or a bug in this module), except one whose step rebounded (a rate limit that did not lift
in time): it is left for ``--resume``, and its Picsart job, if one started, is collected then.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..lib.errors import ComponentError
from ..lib.store import AttachmentStore
from .failures import DEFAULT_STOP_AFTER_SAME_ERROR, SameErrorWatch
from .inputs import InputItem, ItemKey, folder_item_input
from .journal import INTERRUPTED, ItemWork, JournalError, JournalSteps, Recorder
from .mapping import ExpressionEvaluator
from .model import INPUT_NAME, Flow
from .pacing import BatchThrottle
from .progress import ProgressReporter
from .saving import ResultSaver, SaveError
from .sizing import WorkerCount
from .steps import StepEngine

if TYPE_CHECKING:
    from ..runtime.executor import Executor

log = logging.getLogger("picsart.flows")

StopReason = Literal["interrupted", "max-credits", "balance", "same-error", "rebound"]
POLL_SECONDS = 0.2

INTERRUPTED_MESSAGE = (
    "the run stopped while this step's call was in flight, so Picsart may have charged it; it "
    "was not sent again, so it cannot be charged twice. To send it once more (which may charge "
    "it again), run the same command with --resume --retry-interrupted"
)


@dataclass(frozen=True)
class RunSettings:
    workers: int | None = None
    """Items in flight at once; ``None`` lets the run choose from the latency it measures."""
    max_credits: int | None = None
    retry_interrupted: bool = False
    stop_after_same_error: int = DEFAULT_STOP_AFTER_SAME_ERROR
    """Items that fail in a row (as they finish) with the same error at the same step before the
    run stops starting more; 0 never stops."""


class CreditMeter:
    """Credits spent so far, and whether one more item fits the budget.

    Spent in this run = the balance read before starting minus the lowest
    ``X-Picsart-Credit-Available`` any answer carried. The guard never counts less than one credit
    for each step that succeeded, so that answers without the header cannot hide spending. The
    estimate for one item is one credit per step until items have settled, then the larger of
    that and the average cost of the settled items (which counts the charges of items still in
    flight too, so it errs high).
    """

    def __init__(
        self,
        balance: int | None,
        steps: int,
        *,
        max_credits: int | None = None,
        spent_before: int = 0,
    ) -> None:
        self.balance = balance
        self.steps = steps
        self.max_credits = max_credits
        self.spent_before = spent_before
        self._lowest: int | None = None
        self._settled = 0
        self._succeeded_steps = 0
        self._lock = threading.Lock()

    def observe(self, credits_available: int | None) -> None:
        """Takes in one successful step's answer."""
        with self._lock:
            self._succeeded_steps += 1
            if credits_available is not None and (
                self._lowest is None or credits_available < self._lowest
            ):
                self._lowest = credits_available

    def settle(self) -> None:
        with self._lock:
            self._settled += 1

    @property
    def spent(self) -> int:
        """Spent in this run, as the answers' headers tell it."""
        with self._lock:
            if self.balance is None or self._lowest is None:
                return 0
            return max(0, self.balance - self._lowest)

    def _committed(self) -> int:
        spent = self.spent
        with self._lock:
            return max(spent, self._succeeded_steps)

    def estimate_per_item(self) -> int:
        committed = self._committed()
        with self._lock:
            settled = self._settled
        floor = max(1, self.steps)
        if settled == 0:
            return floor
        return max(floor, math.ceil(committed / settled))

    def refusal(self, in_flight: int) -> StopReason | None:
        """Why one more item may not start now, or None when it may."""
        could_cost = (in_flight + 1) * self.estimate_per_item()
        committed = self._committed()
        if (
            self.max_credits is not None
            and self.spent_before + committed + could_cost > self.max_credits
        ):
            return "max-credits"
        if self.balance is not None and committed + could_cost > self.balance:
            return "balance"
        return None


@dataclass
class RunSummary:
    """What a run did, for the final report on stderr and the summary line on stdout."""

    items: int
    done: int = 0
    failed: int = 0
    not_started: int = 0
    done_now: int = 0
    failed_now: int = 0
    interrupted_now: int = 0
    rebounded_now: int = 0
    retry_at: str | None = None
    """When the rebounded items may be tried again (ISO 8601), the latest any of them named."""
    same_error: tuple[str, str, str] | None = None
    """The step, name and message of the error that stopped the run (``same-error``)."""
    same_error_count: int = 0
    stop_reason: StopReason | None = None
    balance: int | None = None
    credits_spent: int = 0
    credits_spent_before: int = 0
    credits_per_item: int = 0
    seconds: float = 0.0
    requests: int = 0
    rate_limited: int = 0
    workers: int = 0
    spike_limit: float = 0.0

    @property
    def request_rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "done": self.done,
            "failed": self.failed,
            "notStarted": self.not_started,
            "thisRun": {
                "done": self.done_now,
                "failed": self.failed_now,
                "interrupted": self.interrupted_now,
                "rebounded": self.rebounded_now,
            },
            "stopped": self.stop_reason,
            **({"retryAt": self.retry_at} if self.retry_at is not None else {}),
            "credits": {
                "balanceAtStart": self.balance,
                "spent": self.credits_spent,
                "spentInAllRuns": self.credits_spent_before + self.credits_spent,
            },
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "requestsPerSecond": round(self.request_rate, 2),
            "rateLimited": self.rate_limited,
            "workers": self.workers,
        }


@dataclass
class _Outcome:
    status: Literal["done", "failed", "rebounded"]
    interrupted: bool = False
    error: dict[str, Any] | None = None
    retry_at: str | None = None


@dataclass
class _Tally:
    done: int = 0
    failed: int = 0
    interrupted: int = 0
    rebounded: int = 0
    retry_at: str | None = None

    def add(self, outcome: _Outcome) -> None:
        if outcome.status == "done":
            self.done += 1
        elif outcome.status == "rebounded":
            self.rebounded += 1
            if outcome.retry_at is not None and (
                self.retry_at is None or outcome.retry_at > self.retry_at
            ):
                self.retry_at = outcome.retry_at
        else:
            self.failed += 1
            self.interrupted += outcome.interrupted


@dataclass
class BatchRunner:
    """Runs one flow over a list of items; ``stop_starting`` is what the first Ctrl-C calls."""

    flow: Flow
    executor: Executor
    store: AttachmentStore
    evaluator: ExpressionEvaluator
    cfg: Mapping[str, Any]
    recorder: Recorder
    throttle: BatchThrottle
    credits: CreditMeter
    progress: ProgressReporter
    settings: RunSettings = field(default_factory=RunSettings)
    saver: ResultSaver | None = None
    clock: Callable[[], float] = time.monotonic
    _stopping: threading.Event = field(default_factory=threading.Event)
    _stop_reason: StopReason | None = None
    _tally: _Tally = field(default_factory=_Tally)
    _same_error: SameErrorWatch = field(init=False)
    _requests_before: int = 0
    _workers: WorkerCount | None = None
    running: int = 0
    calls_in_flight: int = 0
    """Steps whose paid call is under way: a second Ctrl-C counts them as possibly charged."""
    _calls_lock: threading.Lock = field(default_factory=threading.Lock)
    _engine: StepEngine = field(init=False)

    def __post_init__(self) -> None:
        self._same_error = SameErrorWatch(self.settings.stop_after_same_error)
        self._engine = StepEngine(self.executor, self.evaluator)

    def stop_starting(self, reason: StopReason = "interrupted") -> None:
        if self._stop_reason is None:
            self._stop_reason = reason
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, works: list[ItemWork]) -> RunSummary:
        """Runs ``works`` and returns what happened; ``JournalError`` if a record cannot be
        written (then nothing more is started)."""
        started = self.clock()
        requests_before = self._requests_before = self.throttle.requests
        limited_before = self.throttle.rate_limited
        self._workers = workers = WorkerCount(self.settings.workers, lambda: self.throttle.pace)
        summary = RunSummary(items=len(works))
        self.progress.start(len(works))
        try:
            queue = deque(self._without_calls(works))
            stop_reason = self._run_queue(queue)
        finally:
            self.progress.stop()
        summary.not_started = len(queue)
        summary.stop_reason = stop_reason
        summary.done_now = self._tally.done
        summary.failed_now = self._tally.failed
        summary.interrupted_now = self._tally.interrupted
        summary.rebounded_now = self._tally.rebounded
        summary.retry_at = self._tally.retry_at
        if stop_reason == "same-error":
            summary.same_error = self._same_error.signature
            summary.same_error_count = self._same_error.count
        summary.seconds = self.clock() - started
        summary.balance = self.credits.balance
        summary.credits_spent = self.credits.spent
        summary.credits_spent_before = self.credits.spent_before
        summary.credits_per_item = self.credits.estimate_per_item()
        summary.requests = self.throttle.requests - requests_before
        summary.rate_limited = self.throttle.rate_limited - limited_before
        summary.spike_limit = self.throttle.configured_limit
        summary.workers = workers.largest
        return summary

    def _without_calls(self, works: list[ItemWork]) -> list[ItemWork]:
        """Ends the items that need no call at once (so the credit guard never holds them back)
        and returns the others."""
        remaining = []
        for work in works:
            if work.item.problem is not None:
                self._finish(self._unreadable(work))
            elif self._interrupted_step(work) is not None:
                self._finish(self._interrupted(work))
            elif work.journal is not None and all(
                step.id in work.journal.outputs for step in self.flow.steps
            ):
                self._finish(self._process(work))
            else:
                remaining.append(work)
        return remaining

    def _run_queue(self, queue: deque[ItemWork]) -> StopReason | None:
        workers = self._workers
        assert workers is not None
        in_flight: dict[Future[_Outcome], ItemKey] = {}
        fatal: BaseException | None = None
        stop_reason: StopReason | None = None
        with ThreadPoolExecutor(workers.most, thread_name_prefix="picsart-flow") as pool:
            while queue and fatal is None:
                if self.stopping:
                    stop_reason = self._stop_reason or "interrupted"
                    break
                if len(in_flight) >= workers.current():
                    fatal = self._collect(in_flight)
                    continue
                refusal = self.credits.refusal(len(in_flight))
                if refusal is not None:
                    if in_flight:
                        fatal = self._collect(in_flight)
                        continue
                    stop_reason = refusal
                    break
                work = queue.popleft()
                in_flight[pool.submit(self._timed_process, work)] = work.key
                self.running = len(in_flight)
            while in_flight:
                fatal = self._collect(in_flight) or fatal
        if fatal is not None:
            raise fatal
        if stop_reason is None and self.stopping and queue:
            stop_reason = self._stop_reason or "interrupted"
        return stop_reason

    def _collect(self, in_flight: dict[Future[_Outcome], ItemKey]) -> BaseException | None:
        """Waits a moment for items to end and counts them; returns a failure to write, if any."""
        finished, _ = wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        fatal: BaseException | None = None
        for future in finished:
            in_flight.pop(future)
            self.credits.settle()
            error = future.exception()
            if error is not None:
                self._stopping.set()
                fatal = error
                continue
            self._finish(future.result())
        self.running = len(in_flight)
        return fatal

    def _finish(self, outcome: _Outcome) -> None:
        self._tally.add(outcome)
        if outcome.status == "rebounded":
            self.stop_starting("rebound")
        failed = outcome.status == "failed" and not outcome.interrupted
        if self._same_error.observe(outcome.error if failed else None):
            self.stop_starting("same-error")
        self.progress.update(
            self._tally.done, self._tally.failed, self.throttle.requests - self._requests_before
        )

    def _interrupted_step(self, work: ItemWork) -> str | None:
        """The step a killed run left in flight, unless it can be sent again (the user asked) or
        its Picsart job is known (it is collected, not paid for again)."""
        if self.settings.retry_interrupted or work.journal is None:
            return None
        if work.journal.resumable_job is not None:
            return None
        return work.journal.in_flight

    def _unreadable(self, work: ItemWork) -> _Outcome:
        assert work.item.problem is not None
        error = failure_record(INPUT_NAME, "InputError", work.item.problem)
        return self._record(work.key, None, {}, "failed", error)

    def _interrupted(self, work: ItemWork) -> _Outcome:
        assert work.journal is not None
        assert work.journal.in_flight is not None
        error = failure_record(work.journal.in_flight, INTERRUPTED, INTERRUPTED_MESSAGE)
        outcome = self._record(
            work.key, work.journal.input, dict(work.journal.outputs), "failed", error
        )
        outcome.interrupted = True
        return outcome

    def _record(
        self,
        key: ItemKey,
        item_input: Any,
        outputs: dict[str, Any],
        status: Literal["done", "failed"],
        error: dict[str, Any] | None = None,
    ) -> _Outcome:
        line: dict[str, Any] = {
            "item": key,
            "input": item_input,
            "status": status,
            "steps": outputs,
        }
        if error is not None:
            line["error"] = error
        if status == "done" and self.saver is not None:
            line.update(self._save(key, item_input, outputs))
        self.recorder.result(line)
        return _Outcome(status, error=error)

    def _save(self, key: ItemKey, item_input: Any, outputs: dict[str, Any]) -> dict[str, str]:
        """Where the item's final image was saved (``--save-to``), or why it could not be."""
        assert self.saver is not None
        last = self.flow.steps[-1].id
        try:
            return {"savedAs": str(self.saver.save(key, item_input, outputs.get(last)))}
        except (SaveError, ComponentError) as error:
            return {"saveError": str(error)}

    def _timed_process(self, work: ItemWork) -> _Outcome:
        """``_process``, telling the worker count how long the item took and how much of that
        was waiting for the throttle."""
        started = self.clock()
        calls_before, waited_before = self.throttle.this_thread()
        outcome = self._process(work)
        calls, waited = self.throttle.this_thread()
        if self._workers is not None:
            self._workers.item_finished(
                self.clock() - started, waited - waited_before, calls - calls_before
            )
        return outcome

    def _process(self, work: ItemWork) -> _Outcome:
        """Runs one item's remaining steps; ends with its results line, unless a step rebounded
        (then the journal says so, and ``--resume`` takes the item up again)."""
        key = work.key
        journal = work.journal
        outputs: dict[str, Any] = dict(journal.outputs) if journal else {}
        item_input: Any = None
        current = INPUT_NAME
        try:
            if journal is not None and journal.input_recorded:
                item_input = journal.input
            else:
                item_input = self._prepare(work.item)
                self.recorder.journal({"type": "item", "item": key, "input": item_input})
            document: dict[str, Any] = {INPUT_NAME: item_input, **outputs}
            store = JournalSteps(self.recorder, journal, self._call_in_flight)
            for step in self.flow.steps:
                if step.id in outputs:
                    continue
                current = step.id
                outcome = self._engine.run(step, key, document, self.cfg, store)
                if outcome.failure is not None:
                    failure = failure_record(step.id, **outcome.failure)
                    if outcome.rebounded:
                        retry_at = failure.get("retryAt")
                        return _Outcome(
                            "rebounded",
                            error=failure,
                            retry_at=retry_at if isinstance(retry_at, str) else None,
                        )
                    return self._record(key, item_input, outputs, "failed", failure)
                assert outcome.output is not None
                self.credits.observe(outcome.credits)
                outputs[step.id] = document[step.id] = outcome.output.body
            return self._record(key, item_input, outputs, "done")
        except JournalError:
            raise
        except PreparationError as error:
            failure = failure_record(INPUT_NAME, error.name, str(error))
            return self._record(key, item_input, outputs, "failed", failure)
        except Exception as error:
            log.debug("item %r failed unexpectedly", key, exc_info=True)
            failure = failure_record(current, type(error).__name__, str(error))
            return self._record(key, item_input, outputs, "failed", failure)

    @contextmanager
    def _call_in_flight(self) -> Iterator[None]:
        with self._calls_lock:
            self.calls_in_flight += 1
        try:
            yield
        finally:
            with self._calls_lock:
                self.calls_in_flight -= 1

    def _prepare(self, item: InputItem) -> Any:
        return prepare_input(item, self.store)


class PreparationError(Exception):
    """An item's input could not be made ready (its file read, or copied into the store)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def prepare_input(item: InputItem, store: AttachmentStore) -> Any:
    """What the flow maps from for ``item``: its value, or its file copied into ``store``."""
    if item.file is None:
        return item.value
    try:
        return folder_item_input(item, store)
    except OSError as error:
        raise PreparationError("OSError", f"cannot read {item.file}: {error.strerror}") from None
    except Exception as error:
        raise PreparationError(
            type(error).__name__,
            f"cannot copy {item.file} into the attachment store: {error}",
        ) from None


def failure_record(step: str, name: str, message: str, **details: Any) -> dict[str, Any]:
    """The ``error`` of a failed item's results line: the step, the error's name and message,
    and whatever else its error event carried (problems, status, correlation id)."""
    return {"step": step, "name": name, "message": message, **details}
