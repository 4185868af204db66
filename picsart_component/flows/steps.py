"""One step of a flow for one item: the mapping, the claim, the action, the record, the event.

The local runner and the broker worker run a step the same way; they differ only in where a
step's claim and outcome are kept, the ``StepStore``: the results file's journal
(``journal.JournalSteps``) or the run's ledger in Redis (``distributed.worker.LedgerSteps``).

The engine maps the step's body first (a mapping that fails costs nothing and is recorded
nowhere), then asks the store for a claim: either an outcome an earlier run decided, which is
given back without a call, or leave to run the action, with the Picsart job an earlier run
started, which the action collects instead of paying again. A job's id is recorded the moment the
action emits it. After a claim to run, the engine ends it with exactly one of ``finish``,
``fail``, ``rebound`` and ``crashed``, so that no claim is left open by a step that ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..runtime.errors import error_payload
from ..runtime.messages import Event, Message
from .mapping import ExpressionEvaluator, MappingError
from .model import FlowStep

if TYPE_CHECKING:
    from ..runtime.executor import Executor, RunResult

NO_OUTPUT = "NoOutput"
NO_OUTPUT_MESSAGE = "the action ended without any output"


@dataclass(frozen=True)
class StepOutcome:
    """How a step ended: its output (a ``data`` event) or why it did not (``error``,
    ``rebound``), and the credits Picsart said were left after it."""

    event: Event
    credits: int | None = None

    @classmethod
    def failed(cls, name: str, message: str) -> StepOutcome:
        return cls(Event("error", {"name": name, "message": message}))

    @property
    def output(self) -> Message | None:
        return self.event.payload if self.event.kind == "data" else None

    @property
    def failure(self) -> dict[str, Any] | None:
        """The error event's payload (its ``name``, ``message`` and details), when it failed."""
        return self.event.payload if self.event.is_failure else None

    @property
    def rebounded(self) -> bool:
        return self.event.kind == "rebound"


@dataclass(frozen=True)
class StepClaim:
    """What a store says when a step comes to run: ``decided``, an outcome an earlier run
    recorded (nothing runs), or leave to run, collecting ``job`` when it is not None."""

    job: Any = None
    decided: StepOutcome | None = None


class StepStore(Protocol):
    """Where a step's claim and outcome are kept."""

    def calling(self) -> AbstractContextManager[None]:
        """Held from the claim to the record: the step's paid call is under way."""
        ...

    def claim(self, item: Any, step: str) -> StepClaim: ...

    def record_job(self, item: Any, step: str, job: Any) -> None:
        """The Picsart job the action started, the moment its id is known."""
        ...

    def finish(self, item: Any, step: str, output: Message, credits: int | None) -> Message:
        """Records the output; returns it as the step hands it on."""
        ...

    def fail(self, item: Any, step: str, error: dict[str, Any]) -> None: ...

    def rebound(self, item: Any, step: str, failure: dict[str, Any]) -> None:
        """The step is to be tried again later; a job it started is kept for that."""
        ...

    def crashed(self, item: Any, step: str, error: dict[str, Any]) -> None:
        """The executor raised (a bug, not an action's error): the call may have been made."""
        ...


def step_message_id(item: Any, step: str) -> str:
    """The same on every run of this step for this item, so that a job an interrupted run
    started is collected by the next (the snapshot names its message)."""
    return f"item-{item}-step-{step}"


@dataclass(frozen=True)
class StepEngine:
    """Runs flow steps through one executor; serves any number of threads and stores."""

    executor: Executor
    evaluator: ExpressionEvaluator

    def run(
        self,
        step: FlowStep,
        item: Any,
        document: Mapping[str, Any],
        cfg: Mapping[str, Any],
        store: StepStore,
    ) -> StepOutcome:
        """Runs ``step`` for ``item``; ``document`` holds the item's input and the earlier
        steps' outputs, ``cfg`` the run's configuration (the step's own overrides it)."""
        try:
            body = step.body.evaluate(document, self.evaluator)
        except MappingError as error:
            return StepOutcome.failed("MappingError", str(error))
        with store.calling():
            claim = store.claim(item, step.id)
            if claim.decided is not None:
                return claim.decided

            def record_job(event: Event) -> None:
                payload = event.payload
                if event.kind == "snapshot" and isinstance(payload, dict) and "job" in payload:
                    store.record_job(item, step.id, payload["job"])

            try:
                result = self.executor.run(
                    step.action,
                    Message(id=step_message_id(item, step.id), body=body),
                    {**cfg, **step.cfg},
                    {"job": claim.job} if claim.job is not None else None,
                    on_event=record_job,
                )
                return _recorded(result, item, step.id, store)
            except Exception as error:
                store.crashed(item, step.id, error_payload(error))
                raise


def _recorded(result: RunResult, item: Any, step: str, store: StepStore) -> StepOutcome:
    failure = result.failure
    if failure is not None:
        if failure.kind == "rebound":
            store.rebound(item, step, failure.payload)
        else:
            store.fail(item, step, failure.payload)
        return StepOutcome(failure)
    output = result.output
    if output is None:
        outcome = StepOutcome.failed(NO_OUTPUT, NO_OUTPUT_MESSAGE)
        store.fail(item, step, outcome.event.payload)
        return outcome
    credits = result.credits_left
    return StepOutcome(Event("data", store.finish(item, step, output, credits)), credits)
