"""Running one step, and batches, for the page.

A step runs through the executor as ``picsart-flow run`` runs it (local files attached first,
the same cfg layers, the same target). With a live key nothing is sent until the page has shown
the balance and the sandbox's price as an estimate and the user has confirmed; afterwards the
credits the balance header says were spent are reported.

A batch is ``picsart-flow flow run``: the same checks, journal, results file, lock and runner
(``flows.batch.run_batch``), in a thread; ``flow run --resume`` continues a run the page started,
and Stop does what the first SIGTERM does (no new item starts; running items end).
"""

from __future__ import annotations

import datetime
import json
import secrets
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalogue.operations import BY_NAME
from ..console import REDACTOR, attach_local_files
from ..flows.batch import BatchError, BatchOptions, run_batch
from ..flows.dryrun import placeholder_output, preflight
from ..flows.evaluation import IsolatedEvaluator
from ..flows.failures import DEFAULT_STOP_AFTER_SAME_ERROR
from ..flows.inputs import InputSourceError, open_input, takeable_files
from ..flows.journal import (
    JournalError,
    RunLock,
    journal_path,
    lock_path,
    plan_run,
    run_header,
)
from ..flows.mapping import StepBody
from ..flows.model import FlowFileError, FlowStep, flow_problems, load_flow
from ..flows.runner import BatchRunner, RunSummary, prepare_input
from ..lib.errors import ComponentError
from ..runtime.errors import InputError, error_payload
from ..runtime.messages import Event, Message
from .errors import RequestError, bad
from .flow_files import problem_json, within_roots

if TYPE_CHECKING:
    from .session import Session

ESTIMATE_NOTE = "the sandbox's price, an estimate: Picsart publishes no per-call price"
MAX_BATCH_RESULTS = 200
STATUS_EVERY = 3600.0
"""The page polls for progress; the runner's status lines (kept as messages) are rare."""


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def price_of(action: str) -> int:
    operation = BY_NAME.get(action)
    return operation.price if operation is not None else 0


def event_json(event: Event, step: str) -> dict[str, Any]:
    payload: Any = event.payload
    if isinstance(payload, Message):
        payload = payload.to_json()
    return {"kind": event.kind, "time": now(), "step": step, "payload": payload}


def check_cfg(session: Session, action: str, cfg: Any) -> dict[str, Any]:
    if cfg is None:
        return {}
    if not isinstance(cfg, dict):
        raise bad("cfg: must be an object of the action's config fields")
    credentials = set(session.executor.manifest.credentials.get("fields", {}))
    given = sorted(credentials & set(cfg))
    if given:
        raise bad(
            f"cfg: {', '.join(given)} is a credential; set it with the credentials form "
            "(POST /api/credentials), never in a step's cfg"
        )
    fields = session.executor.manifest.action(action).fields
    unknown = sorted(set(cfg) - set(fields))
    if unknown:
        known = ", ".join(fields) or "none"
        raise bad(f"cfg: {', '.join(unknown)} is not a config field of {action}; they are: {known}")
    return dict(cfg)


def local_paths_within_roots(session: Session, body: Any) -> None:
    """A local path in a body may name only a file inside the designer's folders."""
    if not isinstance(body, dict):
        return
    for name, value in body.items():
        values = value.values() if isinstance(value, dict) else [value]
        for text in values:
            if isinstance(text, str) and text and "://" not in text and len(text) < 4096:
                try:
                    exists = Path(text).exists()
                except (OSError, ValueError):
                    exists = False
                if exists:
                    within_roots(session.roots, text, f"body.{name}")


def run_step(
    session: Session,
    action: str,
    cfg: dict[str, Any],
    body: Any,
    *,
    confirmed: bool,
    step_id: str | None = None,
) -> dict[str, Any]:
    """Runs ``action`` once, as the step ``step_id`` (the events name it; the action when there
    is none). With a live key and no confirmation it only asks (a body the action refuses is
    answered with its error at once: nothing would be sent)."""
    executor, services = session.executor, session.services
    step = step_id or action
    estimate = price_of(action)
    target = session.target()
    run_cfg = {**cfg, **target.cfg}
    local_paths_within_roots(session, body)
    notes: list[dict[str, Any]] = []
    try:
        attached = attach_local_files(
            executor,
            services,
            action,
            body,
            lambda value, stored: notes.append(
                {"kind": "note", "time": now(), "step": step, "payload": f"attached {value}"}
            ),
        )
    except ComponentError as error:
        events = [event_json(Event("error", error_payload(error)), step)]
        session.record_events(events)
        return _step_answer(session, events, None, estimate, None, None)
    if target.sandbox is None and not confirmed:
        problems = executor.input_problems(action, attached, run_cfg)
        if not problems:
            return {
                "needsConfirmation": {
                    "balance": _balance(session, run_cfg),
                    "estimate": estimate,
                    "estimateNote": ESTIMATE_NOTE,
                }
            }
        events = [event_json(Event("error", error_payload(InputError(problems))), step)]
        session.record_events(events)
        return _step_answer(session, events, None, estimate, None, None)
    balance = _balance(session, run_cfg)
    message = Message(body={})
    message.body = attached
    result = executor.run(action, message, run_cfg)
    events = notes + [event_json(event, step) for event in result.events]
    session.record_events(events)
    output = result.output.body if result.output is not None else None
    return _step_answer(session, events, output, estimate, balance, result.credits_left)


def _balance(session: Session, cfg: dict[str, Any]) -> int | None:
    try:
        return session.services.client(cfg).balance()
    except (ComponentError, ValueError):
        return None


def _step_answer(
    session: Session,
    events: list[dict[str, Any]],
    output: Any,
    estimate: int,
    balance: int | None,
    credits_left: int | None,
) -> dict[str, Any]:
    spent = balance - credits_left if balance is not None and credits_left is not None else None
    return {
        "events": events,
        "output": output,
        "credits": {
            "estimate": estimate,
            "spent": spent,
            "balance": credits_left if credits_left is not None else balance,
        },
        "media": session.media.collect(output),
    }


def stub_output(session: Session, action: str, step_id: str | None) -> dict[str, Any]:
    step = FlowStep(id=step_id or action, action=action, body=StepBody(fixed={}))
    return {"output": placeholder_output(session.executor, step)}


def item_sample(session: Session, path: Path) -> dict[str, Any]:
    try:
        source = open_input(path)
        items = source.read()
    except InputSourceError as error:
        raise RequestError(422, f"path: {error}") from None
    if source.kind == "folder":
        items, _ = takeable_files(items)
    first = next((item for item in items if item.problem is None), None)
    if first is None:
        raise RequestError(422, f"path: {path} has no readable item")
    return {"item": prepare_input(first, session.services.attachment_store())}


@dataclass
class BatchRun:
    run_id: str
    flow_path: Path
    input_path: Path
    out_path: Path
    total: int = 0
    state: str = "running"
    summary: str | None = None
    error: str | None = None
    messages: list[str] = field(default_factory=list)
    summary_json: dict[str, Any] | None = None
    runner: BatchRunner | None = None
    stop_asked: bool = False
    thread: threading.Thread | None = None

    def stop(self) -> None:
        self.stop_asked = True
        if self.runner is not None:
            self.runner.stop_starting()


class Batches:
    """The batches this designer started, by id."""

    def __init__(self, session: Session, status_every: float = 3600.0) -> None:
        self.session = session
        self.status_every = status_every
        self._runs: dict[str, BatchRun] = {}
        self._lock = threading.Lock()

    def start(self, request: dict[str, Any]) -> BatchRun:
        roots = self.session.roots
        flow_path = within_roots(roots, request.get("flowPath"), "flowPath")
        input_path = within_roots(roots, request.get("input"), "input")
        out_value = request.get("out")
        out_path = (
            within_roots(roots, out_value, "out")
            if out_value is not None
            else input_path.with_name(f"{flow_path.stem}-results.jsonl")
        )
        resume = request.get("resume", False)
        if not isinstance(resume, bool):
            raise bad("resume: must be true or false")
        options = _batch_options(request.get("options"))
        if not out_path.parent.is_dir():
            raise bad(f"out: the folder {out_path.parent} does not exist")
        if out_path.exists() and out_path == input_path:
            raise bad("out: must not be the input file")
        try:
            loaded = load_flow(flow_path, self.session.executor)
        except FlowFileError as error:
            problems = "; ".join(str(p) for p in error.problems)
            raise RequestError(422, f"flowPath: {flow_path} cannot run: {problems}") from None
        excluded = [out_path, journal_path(out_path), lock_path(out_path)]
        try:
            source = open_input(input_path, None, exclude=excluded)
            items = source.read()
        except InputSourceError as error:
            raise RequestError(422, f"input: {error}") from None
        if source.kind == "folder":
            items, _ = takeable_files(items)
        if not items:
            raise RequestError(422, f"input: {input_path} has no items; nothing was run")
        target = self.session.target()
        cfg = dict(target.cfg)
        _refuse_blocking_mappings(self.session, loaded, items, cfg)
        header = run_header(loaded, flow_path, source.fingerprint(), input_path)
        try:
            run_lock = RunLock(out_path).acquire()
        except JournalError as error:
            raise RequestError(409, f"out: {error}") from None
        try:
            plan = plan_run(out_path, items, header, resume=resume, retry_interrupted=False)
        except JournalError as error:
            run_lock.release()
            raise RequestError(409, f"out: {error}") from None
        run = BatchRun(secrets.token_urlsafe(12), flow_path, input_path, out_path)
        run.total = len(plan.finished) + len(plan.works)
        resume_command = _resume_command(flow_path, input_path, out_path, options)

        def work() -> None:
            try:
                with run_lock:
                    summary = run_batch(
                        loaded,
                        plan,
                        header,
                        out_path,
                        cfg,
                        self.session.services.client_settings(),
                        options,
                        echo=lambda text: run.messages.append(REDACTOR.redact(text)),
                        resume_command=resume_command,
                        redact=REDACTOR.redact,
                        route=target.sandbox.route if target.sandbox is not None else None,
                        on_runner=_on_runner(run),
                    )
                run.summary_json = summary.to_json()
                run.summary = _summary_text(summary)
                run.state = _final_state(summary, run)
                self.session.record_events(batch_events(_result_lines(out_path)))
            except BatchError as error:
                run.error = REDACTOR.redact(str(error))
                run.state = "failed"
            except Exception as error:  # a bug must end the run's state, not hang the page
                run.error = REDACTOR.redact(f"{type(error).__name__}: {error}")
                run.state = "failed"

        run.thread = threading.Thread(target=work, name=f"designer-batch-{run.run_id}", daemon=True)
        with self._lock:
            self._runs[run.run_id] = run
        run.thread.start()
        return run

    def running(self) -> bool:
        with self._lock:
            return any(run.state == "running" for run in self._runs.values())

    def get(self, run_id: str) -> BatchRun:
        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            raise RequestError(404, f"runId: no batch {run_id!r} in this designer")
        return run

    def progress(self, run: BatchRun) -> dict[str, Any]:
        lines = _result_lines(run.out_path)
        results: list[dict[str, Any]] = []
        done = failed = 0
        for line in lines:
            ok = line.get("status") == "done"
            done += ok
            failed += not ok
            if len(results) < MAX_BATCH_RESULTS:
                error = line.get("error")
                results.append(
                    {
                        "item": line.get("item"),
                        "ok": ok,
                        "media": self.session.media.collect(line.get("steps")),
                        "error": error.get("message") if isinstance(error, dict) else None,
                    }
                )
        return {
            "state": run.state,
            "done": done,
            "total": run.total,
            "failed": failed,
            "credits": _batch_credits(run),
            "results": results,
            "summary": run.summary or run.error,
            "messages": run.messages[-20:],
        }

    def stop_all(self) -> None:
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.stop()
        for run in runs:
            if run.thread is not None:
                run.thread.join(timeout=30)


def batch_events(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A batch's events as the platform's logs show them: each step's data, then the error
    that ended an item, if one did."""
    events: list[dict[str, Any]] = []
    for line in lines:
        steps = line.get("steps")
        for step, output in steps.items() if isinstance(steps, dict) else []:
            events.append(
                {
                    "kind": "data",
                    "time": None,
                    "step": step,
                    "item": line.get("item"),
                    "payload": {"body": output},
                }
            )
        error = line.get("error")
        if isinstance(error, dict):
            events.append(
                {
                    "kind": "error",
                    "time": None,
                    "step": error.get("step"),
                    "item": line.get("item"),
                    "payload": error,
                }
            )
    return events


def _batch_credits(run: BatchRun) -> dict[str, Any]:
    """As the run's summary says (``balanceAtStart``, ``spent``, ``spentInAllRuns``), or so
    far, while it runs."""
    if run.summary_json is not None:
        credits: dict[str, Any] = run.summary_json["credits"]
        return credits
    if run.runner is not None:
        meter = run.runner.credits
        return {"balanceAtStart": meter.balance, "spent": meter.spent}
    return {"balanceAtStart": None, "spent": 0}


def _batch_options(value: Any) -> BatchOptions:
    options = value if value is not None else {}
    if not isinstance(options, dict):
        raise bad("options: must be an object")
    known = {"maxCredits", "workers", "stopAfterSameError"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise bad(f"options: {', '.join(unknown)} is unknown; use {', '.join(sorted(known))}")
    numbers: dict[str, int | None] = {}
    for name in known:
        number = options.get(name)
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int) or number < 0
        ):
            raise bad(f"options.{name}: must be a whole number, 0 or more")
        numbers[name] = number
    if numbers["workers"] == 0:
        raise bad("options.workers: must be 1 or more")
    stop_after = numbers["stopAfterSameError"]
    return BatchOptions(
        numbers["workers"],
        numbers["maxCredits"],
        retry_interrupted=False,
        status_every=STATUS_EVERY,
        stop_after_same_error=(DEFAULT_STOP_AFTER_SAME_ERROR if stop_after is None else stop_after),
    )


def _refuse_blocking_mappings(
    session: Session, loaded: Any, items: list[Any], cfg: dict[str, Any]
) -> None:
    """The preflight of ``flow run``: a mapping mistake every item would meet stops the run."""
    first = next((item for item in items if item.problem is None), None)
    if first is None:
        return
    with IsolatedEvaluator() as evaluator:
        findings = preflight(loaded, first, session.executor, cfg, evaluator)
    blocking = [finding.describe() for finding in findings if finding.blocking]
    if blocking:
        raise RequestError(
            422,
            "flowPath: " + "; ".join(blocking) + " (these mistakes do not depend on the data, so "
            "every item would meet them; nothing was run)",
        )


def _resume_command(flow: Path, items: Path, out: Path, options: BatchOptions) -> str:
    parts = ["picsart-flow", "flow", "run", str(flow), "--input", str(items), "--out", str(out)]
    if options.workers is not None:
        parts += ["--workers", str(options.workers)]
    if options.max_credits is not None:
        parts += ["--max-credits", str(options.max_credits)]
    return shlex.join([*parts, "--resume"])


def _summary_text(summary: RunSummary) -> str:
    return (
        f"{summary.items} items: {summary.done} done, {summary.failed} failed, "
        f"{summary.not_started} not started; {summary.credits_spent} credits spent"
    )


def _final_state(summary: RunSummary, run: BatchRun) -> str:
    if summary.stop_reason is not None or run.stop_asked:
        return "stopped"
    return "finished"


def _result_lines(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = []
    for raw in text.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # a line being written
        if isinstance(line, dict):
            lines.append(line)
    return lines


def _on_runner(run: BatchRun) -> Callable[[BatchRunner], None]:
    """What ``run_batch`` hands the runner to, so that Stop reaches it."""

    def keep(runner: BatchRunner) -> None:
        run.runner = runner
        if run.stop_asked:
            runner.stop_starting()

    return keep


def flow_check(session: Session, steps: Any) -> dict[str, Any]:
    return {"problems": [problem_json(p) for p in flow_problems(steps, session.executor)]}
