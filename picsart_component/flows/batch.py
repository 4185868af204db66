"""Putting a batch run together: one throttle and executor, the balance, the journal, Ctrl-C.

``picsart-flow flow run`` parses its options and calls ``run_batch``; everything a run needs
besides them is assembled here. A run that cannot start, or cannot go on writing its records,
raises ``BatchError``, whose message says why.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from ..console import EXIT_INTERRUPTED
from ..lib.client import ClientSettings, Route
from ..lib.context import Services
from ..lib.credentials import read_credentials
from ..lib.errors import ComponentError
from ..lib.ratelimit import ThrottleState
from ..lib.shared_limit import shared_state
from ..lib.sources import remove_temporary_files
from ..runtime.executor import Executor
from .evaluation import IsolatedEvaluator
from .failures import DEFAULT_STOP_AFTER_SAME_ERROR
from .journal import JournalError, Recorder, RunPlan, now_iso
from .model import Flow
from .pacing import BatchThrottle
from .progress import ProgressReporter, make_progress
from .runner import BatchRunner, CreditMeter, RunSettings, RunSummary
from .saving import ResultSaver

Echo = Callable[[str], None]
# Mappings take microseconds; a few processes serve many workers.
MAPPING_PROCESSES = 4


class BatchError(Exception):
    """The run could not start, or stopped because a record could not be written.

    ``usage`` marks a problem with what the user asked for (exit code 2 on the command line).
    """

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def _shared_limit(settings: ClientSettings, cfg: dict[str, Any]) -> ThrottleState | None:
    """The limit shared through Redis with every process using this key, when
    ``PICSART_REDIS_URL`` is set; a Redis that does not answer stops the run before it starts."""
    if settings.redis_url is None:
        return None
    try:
        credentials = read_credentials(cfg)
        return shared_state(settings.redis_url, credentials.apiKey, credentials.base_url)
    except (ComponentError, ValueError) as error:
        raise BatchError(f"nothing was run: {error}") from None


@dataclass(frozen=True)
class BatchOptions:
    workers: int | None
    max_credits: int | None
    retry_interrupted: bool
    status_every: float
    save_to: Path | None = None
    stop_after_same_error: int = DEFAULT_STOP_AFTER_SAME_ERROR


def run_batch(
    flow: Flow,
    plan: RunPlan,
    header: dict[str, Any],
    out_path: Path,
    cfg: dict[str, Any],
    settings: ClientSettings,
    options: BatchOptions,
    *,
    echo: Echo,
    resume_command: str,
    redact: Callable[[str], str] | None = None,
    route: Route | None = None,
    on_runner: Callable[[BatchRunner], None] | None = None,
) -> RunSummary:
    """Run ``plan``'s items through ``flow``; the summary counts earlier runs' items too.

    ``on_runner`` is handed the runner before it starts, for a front end that stops it another
    way than Ctrl-C (``stop_starting``, what the first SIGTERM does)."""
    throttle = BatchThrottle(settings.spike_limit, state=_shared_limit(settings, cfg))
    services = Services(settings=settings, throttle=throttle, route=route)
    executor = Executor(services=services)
    try:
        balance = services.client(cfg).balance()
    except (ComponentError, ValueError) as error:
        raise BatchError(f"cannot read the account balance, so nothing was run: {error}") from None
    if plan.resumed:
        echo(
            f"resuming {out_path}: {len(plan.finished)} item(s) already have a line, "
            f"{len(plan.works)} to go"
            + (
                f" ({plan.retried_interrupted} interrupted, sent again)"
                if plan.retried_interrupted
                else ""
            )
        )
    try:
        recorder = Recorder(out_path, redact=redact)
    except JournalError as error:
        raise BatchError(str(error), usage=True) from None
    progress = make_progress(echo, options.status_every)
    evaluator = IsolatedEvaluator(min(options.workers or MAPPING_PROCESSES, MAPPING_PROCESSES))
    try:
        if not plan.resumed:
            recorder.journal({**header, "created": now_iso()})
        recorder.journal({"type": "run", "balance": balance, "at": now_iso()})
        runner = BatchRunner(
            flow=flow,
            executor=executor,
            store=services.attachment_store(),
            evaluator=evaluator,
            cfg=cfg,
            recorder=recorder,
            throttle=throttle,
            credits=CreditMeter(
                balance,
                len(flow.steps),
                max_credits=options.max_credits,
                spent_before=plan.credits_spent_before,
            ),
            progress=progress,
            settings=RunSettings(
                options.workers,
                options.max_credits,
                options.retry_interrupted,
                options.stop_after_same_error,
            ),
            saver=_saver(options.save_to, services, cfg),
        )
        if on_runner is not None:
            on_runner(runner)
        with _ctrl_c(runner, progress, echo, resume_command):
            summary = runner.run(plan.works)
    except JournalError as error:
        raise BatchError(f"stopped: {error}") from None
    finally:
        recorder.close()
        evaluator.close()
    summary.items = len(plan.finished) + len(plan.works)
    finished_before = list(plan.finished.values())
    summary.done = summary.done_now + sum(1 for line in finished_before if line["status"] == "done")
    summary.failed = summary.failed_now + sum(
        1 for line in finished_before if line["status"] == "failed"
    )
    return summary


def _saver(folder: Path | None, services: Services, cfg: dict[str, Any]) -> ResultSaver | None:
    if folder is None:
        return None
    base_url = services.client(cfg).base_url
    return ResultSaver(folder, services.files(cfg), services.attachment_store(), base_url)


@contextmanager
def _ctrl_c(
    runner: BatchRunner, progress: ProgressReporter, echo: Echo, resume_command: str
) -> Iterator[None]:
    """First Ctrl-C (or SIGTERM): start nothing new and let running items end. Second: stop at
    once, leaving no temporary file behind."""
    presses = 0

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        nonlocal presses
        presses += 1
        if presses == 1:
            runner.stop_starting()
            echo(
                f"stopping: no new item starts; waiting for the {runner.running} running item(s) "
                "to end (Ctrl-C again stops at once)"
            )
            return
        progress.stop()
        remove_temporary_files()
        in_flight = runner.calls_in_flight
        echo(
            "stopped at once. Items that were running get their line when you resume; a step "
            "that was in flight is not sent again"
            + (
                f", and the {in_flight} call(s) in flight count as spent (Picsart may have "
                "charged them)"
                if in_flight
                else ""
            )
            + f". To resume: {resume_command}"
        )
        os._exit(EXIT_INTERRUPTED)

    try:
        previous = {
            signum: signal.signal(signum, on_interrupt)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
