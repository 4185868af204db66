"""The one step engine and the one failure decision that every front end reads.

``FAILURES`` is the table of what a run's events mean: the event that says it failed (or none),
``picsart-flow run``'s exit code, and how a flow step ends. The runtime decides it
(``messages.failure_of``, ``RunResult.failure``); the command line, the demo, the local runner and
the broker worker (both through ``StepEngine``) only read it, and each is checked against the
table here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from picsart_component.cli import exit_code
from picsart_component.console import EXIT_FAILED, EXIT_OK, EXIT_REBOUND
from picsart_component.demo import run_demo
from picsart_component.flows.evaluation import InProcessEvaluator
from picsart_component.flows.journal import (
    JournalSteps,
    Recorder,
    read_journal,
    read_records,
)
from picsart_component.flows.mapping import StepBody
from picsart_component.flows.model import FlowStep
from picsart_component.flows.steps import (
    NO_OUTPUT,
    StepClaim,
    StepEngine,
    StepOutcome,
    step_message_id,
)
from picsart_component.lib.context import PicsartContext
from picsart_component.lib.ratelimit import RateLimitInfo
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import ActionContext, Executor, RunResult
from picsart_component.runtime.messages import Event, Message, failure_of

ERROR = {"name": "ApiError", "message": "bad input", "status": 400}
REBOUND = {"name": "RateLimitError", "message": "later", "retryAt": "2030-01-01T00:00:00+00:00"}
DATA = Message(body={"url": "https://example.com/result.png"})
ERROR_AS_DATA = Message(body={"error": {"name": "ServerError", "message": "emitError policy"}})
JOB_SNAPSHOT = {"job": {"operation": "ultra", "id": "job-1", "messageId": "m"}}


@dataclass(frozen=True)
class Row:
    events: tuple[Event, ...]
    failure: str | None
    """The kind of the event that says the run failed, or None."""
    exit_code: int
    step: str
    """How a flow step ends: ``finished``, ``failed`` (with the failure's name) or ``rebounded``."""


FAILURES = {
    "data": Row((Event("data", DATA),), None, EXIT_OK, "finished"),
    "an emitError policy's data": Row((Event("data", ERROR_AS_DATA),), None, EXIT_OK, "finished"),
    "a job's snapshot, then data": Row(
        (Event("snapshot", JOB_SNAPSHOT), Event("data", DATA)), None, EXIT_OK, "finished"
    ),
    "nothing": Row((), None, EXIT_OK, f"failed {NO_OUTPUT}"),
    "only keys and a reply": Row(
        (Event("updateKeys", {}), Event("httpReply", {})), None, EXIT_OK, f"failed {NO_OUTPUT}"
    ),
    "an error": Row((Event("error", ERROR),), "error", EXIT_FAILED, "failed ApiError"),
    "a rebound": Row((Event("rebound", REBOUND),), "rebound", EXIT_REBOUND, "rebounded"),
    "a job's snapshot, then a rebound": Row(
        (Event("snapshot", JOB_SNAPSHOT), Event("rebound", REBOUND)),
        "rebound",
        EXIT_REBOUND,
        "rebounded",
    ),
    "a rebound, then an error": Row(
        (Event("rebound", REBOUND), Event("error", ERROR)), "error", EXIT_FAILED, "failed ApiError"
    ),
    "an error, then a rebound": Row(
        (Event("error", ERROR), Event("rebound", REBOUND)), "error", EXIT_FAILED, "failed ApiError"
    ),
    "data, then an error": Row(
        (Event("data", DATA), Event("error", ERROR)), "error", EXIT_FAILED, "failed ApiError"
    ),
}
ROWS = pytest.mark.parametrize("row", list(FAILURES.values()), ids=list(FAILURES))


@ROWS
def test_the_runtime_names_the_failure_of_a_run(row: Row) -> None:
    failure = failure_of(row.events)
    result = RunResult(list(row.events))
    assert (failure.kind if failure else None) == row.failure
    assert result.failure == failure
    assert result.failed == (row.failure is not None)
    assert result.ok == (row.step == "finished")
    first_data = next((event.payload for event in row.events if event.kind == "data"), None)
    assert result.output == first_data


@ROWS
def test_picsart_flow_run_exits_by_the_same_decision(row: Row) -> None:
    assert exit_code(RunResult(list(row.events))) == row.exit_code


class Actions:
    """An executor that emits a row's events as the action runs, and remembers each call."""

    def __init__(self, events: tuple[Event, ...], context: ActionContext | None = None) -> None:
        self.events = events
        self.context = context
        self.calls: list[tuple[str, Message, dict[str, Any], Any]] = []

    def run(
        self,
        action: str,
        msg: Message,
        cfg: Mapping[str, Any],
        snapshot: Mapping[str, Any] | None = None,
        *,
        on_event: Callable[[Event], None] | None = None,
    ) -> RunResult:
        self.calls.append((action, msg, dict(cfg), snapshot))
        for event in self.events:
            if on_event is not None:
                on_event(event)
        return RunResult(list(self.events), self.context)


@dataclass
class Store:
    """A step store that writes down every call, and whether ``calling`` was held for it."""

    claim_with: StepClaim = field(default_factory=StepClaim)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    held: bool = False

    @contextmanager
    def _calling(self) -> Iterator[None]:
        self.held = True
        try:
            yield
        finally:
            self.held = False

    def calling(self) -> Any:
        return self._calling()

    def _note(self, *call: str) -> None:
        assert self.held, f"{call[0]} outside calling()"
        self.calls.append(call)

    def claim(self, item: Any, step: str) -> StepClaim:
        self._note("claim", str(item), step)
        return self.claim_with

    def record_job(self, item: Any, step: str, job: Any) -> None:
        self._note("job", job["id"])

    def finish(self, item: Any, step: str, output: Message, credits: int | None) -> Message:
        self._note("finish", str(credits))
        return output

    def fail(self, item: Any, step: str, error: dict[str, Any]) -> None:
        self._note("fail", error["name"])

    def rebound(self, item: Any, step: str, failure: dict[str, Any]) -> None:
        self._note("rebound", failure["retryAt"])

    def crashed(self, item: Any, step: str, error: dict[str, Any]) -> None:
        self._note("crashed", error["name"])


STEP = FlowStep("cutout", "removeBackground", StepBody(fixed={"image": "x"}), {"format": "PNG"})


def engine(actions: Actions) -> StepEngine:
    return StepEngine(cast(Executor, actions), InProcessEvaluator())


def how_it_ended(outcome: StepOutcome) -> str:
    if outcome.rebounded:
        return "rebounded"
    if outcome.failure is not None:
        return f"failed {outcome.failure['name']}"
    assert outcome.output is not None
    return "finished"


@ROWS
def test_a_flow_step_ends_by_the_same_decision_and_ends_its_claim_once(row: Row) -> None:
    actions = Actions(row.events)
    store = Store()
    outcome = engine(actions).run(STEP, 7, {"input": {}}, {"apiKey": "k"}, store)
    assert how_it_ended(outcome) == row.step
    endings = [call for call in store.calls if call[0] in ("finish", "fail", "rebound")]
    assert len(endings) == 1
    assert store.calls[0] == ("claim", "7", "cutout")
    jobs = [call for call in store.calls if call[0] == "job"]
    assert jobs == [("job", "job-1")] * (Event("snapshot", JOB_SNAPSHOT) in row.events)
    ((action, message, cfg, snapshot),) = actions.calls
    assert (action, message.id, message.body) == (
        "removeBackground",
        "item-7-step-cutout",
        {"image": "x"},
    )
    assert cfg == {"apiKey": "k", "format": "PNG"}
    assert snapshot is None


@pytest.mark.parametrize(
    "row",
    [row for row in FAILURES.values() if row.failure],
    ids=[k for k, row in FAILURES.items() if row.failure],
)
def test_the_demo_stops_a_sample_by_the_same_decision(row: Row, tmp_path: Path) -> None:
    actions = Actions(row.events)
    store = LocalStore(tmp_path / "store")
    report = run_demo(
        cast(Executor, actions), store, {}, tmp_path / "out", lambda _: None, ("portrait",)
    )
    failure = failure_of(row.events)
    assert failure is not None
    assert report.failures == [f"portrait: removeBackground failed: {failure.payload['message']}"]
    assert len(actions.calls) == 1, "Upscale does not run on a cutout that failed"


def test_a_mapping_that_fails_claims_nothing_and_runs_nothing() -> None:
    actions = Actions((Event("data", DATA),))
    store = Store()
    step = FlowStep("cutout", "removeBackground", StepBody(expression="$error('no image')"))
    outcome = engine(actions).run(step, 1, {"input": {}}, {}, store)
    assert outcome.failure is not None
    assert outcome.failure["name"] == "MappingError"
    assert (store.calls, actions.calls) == ([], [])


def test_an_outcome_a_store_recorded_before_is_given_back_without_a_call() -> None:
    actions = Actions((Event("data", DATA),))
    earlier = StepOutcome(Event("error", ERROR))
    store = Store(claim_with=StepClaim(decided=earlier))
    assert engine(actions).run(STEP, 1, {"input": {}}, {}, store) is earlier
    assert (store.calls, actions.calls) == ([("claim", "1", "cutout")], [])


def test_a_job_an_earlier_run_started_is_handed_to_the_action_to_collect() -> None:
    actions = Actions((Event("data", DATA),))
    store = Store(claim_with=StepClaim(job={"operation": "ultra", "id": "job-0"}))
    engine(actions).run(STEP, 1, {"input": {}}, {}, store)
    ((_, message, _, snapshot),) = actions.calls
    assert snapshot == {"job": {"operation": "ultra", "id": "job-0"}}
    assert message.id == step_message_id(1, "cutout")


def test_an_executor_that_raises_ends_the_claim_as_crashed_and_raises() -> None:
    class Broken(Actions):
        def run(self, *args: Any, **kwargs: Any) -> RunResult:
            raise RuntimeError("a bug")

    store = Store()
    with pytest.raises(RuntimeError, match="a bug"):
        engine(Broken(())).run(STEP, 1, {"input": {}}, {}, store)
    assert store.calls == [("claim", "1", "cutout"), ("crashed", "RuntimeError")]


class Counted(ActionContext):
    @property
    def credits_left(self) -> int | None:
        return 41


def context(kind: type[ActionContext]) -> ActionContext:
    return kind("upscale", Message(), {}, lambda kind, payload: None)


def test_the_credits_left_come_from_the_actions_context_to_the_store_and_the_outcome() -> None:
    actions = Actions((Event("data", DATA),), context(Counted))
    store = Store()
    outcome = engine(actions).run(STEP, 1, {"input": {}}, {}, store)
    assert outcome.credits == 41
    assert store.calls[-1] == ("finish", "41")
    assert RunResult([], context(ActionContext)).credits_left is None
    assert RunResult([]).credits_left is None


def test_the_credits_left_of_a_picsart_run_are_its_last_answers_header() -> None:
    picsart = context(PicsartContext)
    assert RunResult([], picsart).credits_left is None
    assert isinstance(picsart, PicsartContext)
    picsart.rate_limit = RateLimitInfo(None, None, None, credits_available=93)
    assert RunResult([], picsart).credits_left == 93


def test_the_journal_as_a_step_store(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    recorder = Recorder(results, sync=False)
    recorder.journal({"type": "header"})
    recorder.journal({"type": "run", "balance": 100})
    fresh = JournalSteps(recorder, None, nullcontext)
    assert fresh.claim(1, "cutout") == StepClaim()
    fresh.record_job(1, "cutout", {"operation": "ultra", "id": "job-1"})
    fresh.crashed(1, "cutout", ERROR)
    fresh.claim(2, "cutout")
    fresh.finish(2, "cutout", DATA, 97)
    fresh.claim(3, "cutout")
    fresh.fail(3, "cutout", ERROR)
    fresh.claim(4, "cutout")
    fresh.rebound(4, "cutout", REBOUND)
    recorder.close()
    state = read_journal(results.with_name(results.name + ".journal"))
    crashed = state.items[1]
    assert (crashed.in_flight, crashed.resumable_job) == (
        "cutout",
        {"operation": "ultra", "id": "job-1"},
    )
    assert state.items[2].outputs == {"cutout": DATA.body}
    assert state.runs[0].lowest == 97
    assert state.runs[0].possibly_charged == 1, "only the crashed call may have been charged"
    rebounded = read_records(results.with_name(results.name + ".journal"))[-1]
    assert rebounded == {
        "type": "rebounded",
        "item": 4,
        "step": "cutout",
        "retryAt": REBOUND["retryAt"],
    }

    # A resumed run collects the crashed step's job: no second "started", so nothing new to pay.
    recorder = Recorder(results, sync=False)
    resumed = JournalSteps(recorder, crashed, nullcontext)
    assert resumed.claim(1, "cutout") == StepClaim(job={"operation": "ultra", "id": "job-1"})
    assert resumed.claim(1, "large") == StepClaim()
    recorder.close()
    started = [
        record["step"]
        for record in read_records(results.with_name(results.name + ".journal"))
        if record.get("type") == "started" and record.get("item") == 1
    ]
    assert started == ["cutout", "large"]
