"""``picsart-flow flow``: check a flow file, and run it over a batch of items.

The flow modules (jsonata, rich, yaml, the executor) are imported inside the commands, so that
``picsart-flow --help`` stays fast.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource
from pydantic import SecretStr

from ..console import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REBOUND,
    REDACTOR,
    api_target,
    cfg_option,
    check_cfg_keys,
    configure_logging,
    emit_json,
    environment,
    merge_cfg,
    read_json_object,
    usage_error,
    verbose_option,
)
from ..frontend_settings import BROKER_URL_VARIABLE, FrontEndSettings
from .failures import DEFAULT_STOP_AFTER_SAME_ERROR
from .sizing import MOST as MOST_WORKERS
from .sizing import START as START_WORKERS

if TYPE_CHECKING:
    from ..lib.settings import ComponentSettings
    from ..runtime.executor import Executor
    from .inputs import InputItem
    from .model import Flow
    from .runner import RunSummary

EXIT_CREDITS = 3
DEFAULT_WORKERS = 4
"""Messages a ``flow worker`` runs at once per step, unless told otherwise."""
BROKER_RUNNER = "picsart.broker_runner"
"""Where the command line puts the broker mode's runner in the click context's ``meta``."""
DEFAULT_WINDOW = 1000


def worker_count(ctx: click.Context, param: click.Parameter, value: str) -> int | None:
    """``--workers``: ``auto`` (``None``: the run chooses) or a whole number from 1 to the most."""
    text = value.strip().lower()
    if text == "auto":
        return None
    if not (text.isdigit() and 1 <= int(text) <= MOST_WORKERS):
        rule = f"is not auto or a whole number from 1 to {MOST_WORKERS}"
        raise click.BadParameter(f"{value!r} {rule}.", ctx, param)
    return int(text)


RUN_EPILOG = """\b
Exit codes: 0 every item done; 1 some item failed, the flow is invalid, the run could not
start, or it stopped after --stop-after-same-error failures in a row; 2 usage error (an option,
or a file that cannot be read or parsed); 3 stopped by --max-credits or the balance before
every item started; 75 an item rebounded (a rate limit that did not lift in time): --resume
after the time it names; 130 stopped by Ctrl-C or SIGTERM.

\b
Files: RESULTS gets one JSON line per item when it ends; RESULTS.journal (beside it) records
each paid call before and after it is made, so that --resume never pays for a step twice.
"""


def _executor() -> Executor:
    """An executor for checks only (its clients are never used)."""
    from ..runtime.executor import Executor

    return Executor()


def _echo_err(text: str) -> None:
    click.echo(REDACTOR.redact(f"picsart-flow: {text}"), err=True)


@click.group(
    "flow", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
def flow() -> None:
    """Run several actions in a row over a batch of items (a flow file).

    \b
    Examples:
      picsart-flow flow validate examples/cutout-then-upscale.yaml
      picsart-flow flow run examples/cutout-then-upscale.yaml --input picsart-demo --out demo.jsonl
    """


@flow.command("validate")
@click.argument("flow_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_flow(flow_file: Path) -> None:
    """Check FLOW_FILE: its shape, that every action exists, that every JSONata body parses and
    reads only input and earlier steps, and every fixed body and cfg. Sends nothing.

    Prints one line per problem and exits 1, or exits 0 when the flow is valid; a file that
    cannot be read or parsed is a usage error (exit 2).

    \b
    Example:
      picsart-flow flow validate examples/cutout-then-upscale.yaml
    """
    from .model import FlowFileError, load_flow

    try:
        loaded = load_flow(flow_file, _executor())
    except FlowFileError as error:
        if error.unreadable:
            usage_error(str(error))
        for problem in error.problems:
            click.echo(f"{flow_file}: {problem}")
        click.echo(f"{len(error.problems)} problem(s) in {flow_file}", err=True)
        sys.exit(EXIT_FAILED)
    steps = ", ".join(f"{step.id} ({step.action})" for step in loaded.steps)
    click.echo(f"{flow_file}: flow is valid: {steps}")


@flow.command("run", epilog=RUN_EPILOG)
@click.argument("flow_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="The items: a .jsonl file (one JSON value a line), a .csv file (one row an item, "
    "columns as keys) or a folder (each image file an item).",
)
@click.option(
    "--input-format",
    type=click.Choice(["jsonl", "csv", "folder"]),
    help="The kind of --input, when its name does not say.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="RESULTS.jsonl: one line per item. Required, except with --dry-run.",
)
@click.option(
    "--workers",
    metavar="auto|N",
    default="auto",
    callback=worker_count,
    show_default=True,
    help=f"Items run at the same time, 1 to {MOST_WORKERS}; all share one rate limit. auto "
    f"starts with {START_WORKERS} and adds workers (up to {MOST_WORKERS}) when the answers' "
    "latency, not the rate limit, is what holds the run back.",
)
@click.option(
    "--save-to",
    "save_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each finished item's final image into this folder, named after the item.",
)
@click.option("--resume", is_flag=True, help="Finish an earlier run into the same --out.")
@click.option(
    "--retry-interrupted",
    is_flag=True,
    help="With --resume: send again the steps that were in flight when a run stopped "
    "(Picsart may have charged them once already).",
)
@click.option(
    "--max-credits",
    type=click.IntRange(min=0),
    help="Start no item that could take the credits spent on this --out past N.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="An --input with no items (an empty file, a CSV with only its header, an empty "
    "folder) is a success (exit 0) rather than a failure.",
)
@click.option(
    "--stop-after-same-error",
    metavar="N",
    type=click.IntRange(min=0),
    default=DEFAULT_STOP_AFTER_SAME_ERROR,
    show_default=True,
    help="Stop starting items once N in a row (as they finish) failed with the same error at "
    "the same step, rather than pay the steps before it for the rest; 0 never stops.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Evaluate every mapping and check every step's input for every item; send nothing.",
)
@click.option(
    "--status-every",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Seconds between status lines when stderr is not a terminal.",
)
@click.option(
    "--broker",
    metavar="AMQP_URL",
    help=f"Run on RabbitMQ: publish the items for `picsart-flow flow worker` processes on any "
    f"machine, and collect their results here (default: ${BROKER_URL_VARIABLE}; without "
    "either, the run is local).",
)
@click.option(
    "--run",
    "run_name",
    metavar="NAME",
    help="With --broker: a name that keeps this run apart from other runs of the same flow.",
)
@click.option(
    "--window",
    type=click.IntRange(1, 100000),
    default=DEFAULT_WINDOW,
    show_default=True,
    help="With --broker: items on the broker at once.",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="REDIS_URL",
    help="Share the key's rate limit (and, with --broker, the record of paid calls) through "
    "this Redis (default: $PICSART_REDIS_URL).",
)
@cfg_option
@verbose_option
def run_flow(
    flow_file: Path,
    input_path: Path,
    input_format: str | None,
    out_path: Path | None,
    workers: int | None,
    save_to: Path | None,
    resume: bool,
    retry_interrupted: bool,
    max_credits: int | None,
    allow_empty: bool,
    stop_after_same_error: int,
    dry_run: bool,
    status_every: float,
    broker: str | None,
    run_name: str | None,
    window: int,
    redis_url: str | None,
    cfg_value: str | None,
    verbose: bool,
) -> None:
    """Run FLOW_FILE over every item of --input, writing one line per item to --out.

    Items run --workers at a time, as fast as Picsart's rate limits allow. After a kill, run the
    same command with --resume: finished items are not run again, and no paid call is repeated.
    With --broker, `picsart-flow flow worker` processes run the items instead (see "Several
    machines" in the docs).

    \b
    Examples:
      picsart-flow flow run examples/cutout-then-upscale.yaml --input examples/items.csv \\
        --out results.jsonl
      picsart-flow flow run examples/cutout-then-upscale.yaml --input examples/items.csv \\
        --out results.jsonl --resume
      picsart-flow flow run examples/cutout-then-upscale.yaml --input picsart-demo \\
        --out photos.jsonl --max-credits 500 --save-to cutouts
      picsart-flow flow run examples/cutout-then-upscale.yaml --input examples/items.csv --dry-run
    """
    from .batch import BatchError, BatchOptions, run_batch
    from .inputs import InputSourceError, open_input
    from .journal import JournalError, RunLock, journal_path, lock_path, plan_run, run_header

    configure_logging(verbose)
    if retry_interrupted and not resume:
        usage_error("--retry-interrupted goes with --resume")
    if out_path is None and not dry_run:
        usage_error("--out RESULTS.jsonl is required (except with --dry-run)")
    environ = with_redis(environment(), redis_url)
    frontend = FrontEndSettings.from_environ()
    broker = broker or frontend.broker_url
    given = read_json_object(cfg_value, "--cfg")
    loaded = load_flow_or_exit(flow_file)
    manifest = _executor().manifest
    allowed = [*manifest.credentials.get("fields", {})]
    allowed += [name for step in loaded.steps for name in manifest.action(step.action).fields]
    check_cfg_keys(given, allowed, "--cfg")
    cfg = merge_cfg(given, settings=environ)
    excluded = (
        [out_path, journal_path(out_path), lock_path(out_path)] if out_path is not None else []
    )
    try:
        source = open_input(input_path, input_format, exclude=excluded)
        items = source.read()
    except InputSourceError as error:
        usage_error(f"--input: {error}")
    if source.kind == "folder":
        items = _takeable(items, loaded)
    if not items:
        _echo_err(
            f"{input_path} has no items"
            + ("" if allow_empty else "; nothing was run (--allow-empty makes that a success)")
        )
        sys.exit(EXIT_OK if allow_empty else EXIT_FAILED)
    if dry_run:
        sys.exit(_dry_run(loaded, items, cfg))
    assert out_path is not None
    context = click.get_current_context()
    window_given = context.get_parameter_source("window") == ParameterSource.COMMANDLINE
    if broker is None and (run_name is not None or window_given):
        usage_error(f"--run and --window go with --broker (or {BROKER_URL_VARIABLE})")
    if broker is not None:
        if context.get_parameter_source("workers") == ParameterSource.COMMANDLINE:
            usage_error(
                "--workers does not go with --broker: each `picsart-flow flow worker` takes its "
                "own --workers"
            )
        runner = context.find_root().meta.get(BROKER_RUNNER)
        if runner is None:
            usage_error("--broker needs the picsart-flow command line")
        _check_out(out_path, input_path)
        if save_to is not None:
            _make_folder(save_to)
        _preflight(loaded, items, cfg)
        runner(
            BrokerRequest(
                flow_file=flow_file,
                flow=loaded,
                input_path=input_path,
                input_format=input_format,
                input_fingerprint=source.fingerprint(),
                items=items,
                out_path=out_path,
                cfg=cfg,
                cfg_value=cfg_value,
                environ=environ,
                frontend=frontend,
                save_to=save_to,
                resume=resume,
                retry_interrupted=retry_interrupted,
                max_credits=max_credits,
                status_every=status_every,
                broker=broker,
                broker_given=context.get_parameter_source("broker") == ParameterSource.COMMANDLINE,
                run_name=run_name,
                window=window,
                stop_after_same_error=stop_after_same_error,
            )
        )
        return
    _check_out(out_path, input_path)
    if save_to is not None:
        _make_folder(save_to)
    header = run_header(loaded, flow_file, source.fingerprint(), input_path)
    try:
        run_lock = RunLock(out_path).acquire()
    except JournalError as error:
        _echo_err(str(error))
        sys.exit(EXIT_FAILED)
    with run_lock:
        _preflight(loaded, items, cfg)
        try:
            plan = plan_run(
                out_path, items, header, resume=resume, retry_interrupted=retry_interrupted
            )
        except JournalError as error:
            usage_error(str(error))
        again = ResumeCommand(
            flow_file, input_path, out_path, input_format, workers, cfg_value, save_to
        )
        options = BatchOptions(
            workers, max_credits, retry_interrupted, status_every, save_to, stop_after_same_error
        )
        try:
            with api_target(cfg) as target:
                summary = run_batch(
                    loaded,
                    plan,
                    header,
                    out_path,
                    target.cfg,
                    environ.client_settings(),
                    options,
                    echo=_echo_err,
                    resume_command=again.text(max_credits),
                    redact=REDACTOR.redact,
                    route=target.sandbox.route if target.sandbox is not None else None,
                )
                target.report_sandbox_use()
        except BatchError as error:
            if error.usage:
                usage_error(str(error))
            _echo_err(str(error))
            sys.exit(EXIT_FAILED)
    report(summary, out_path, again.text, max_credits)
    sys.exit(exit_code(summary))


@dataclass(frozen=True)
class BrokerRequest:
    """A ``flow run --broker``, its options checked, for the broker mode's runner."""

    flow_file: Path
    flow: Flow
    input_path: Path
    input_format: str | None
    input_fingerprint: Any
    items: list[InputItem]
    out_path: Path
    cfg: dict[str, Any]
    cfg_value: str | None
    environ: ComponentSettings
    frontend: FrontEndSettings
    save_to: Path | None
    resume: bool
    retry_interrupted: bool
    max_credits: int | None
    status_every: float
    broker: str
    broker_given: bool
    run_name: str | None
    window: int
    stop_after_same_error: int = DEFAULT_STOP_AFTER_SAME_ERROR


def with_redis(settings: ComponentSettings, redis_url: str | None) -> ComponentSettings:
    """The environment's settings, with ``--redis`` in place of ``PICSART_REDIS_URL``."""
    if redis_url is None:
        return settings
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        usage_error("--redis must be a redis://, rediss:// or unix:// URL")
    return settings.model_copy(update={"redis_url": SecretStr(redis_url)})


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        usage_error(f"--save-to: cannot create {folder}: {error.strerror}")


def load_flow_or_exit(flow_file: Path) -> Flow:
    from .model import FlowFileError, load_flow

    try:
        return load_flow(flow_file, _executor())
    except FlowFileError as error:
        if error.unreadable:
            usage_error(str(error))
        for problem in error.problems:
            _echo_err(f"{flow_file}: {problem}")
        _echo_err(
            f"{flow_file} has {len(error.problems)} problem(s), listed above; nothing was run "
            "(picsart-flow flow validate checks a flow on its own)"
        )
        sys.exit(EXIT_FAILED)


def _check_out(out_path: Path, input_path: Path) -> None:
    if not out_path.parent.is_dir():
        usage_error(f"--out: the folder {out_path.parent} does not exist")
    if out_path.exists() and out_path.resolve() == input_path.resolve():
        usage_error("--out must not be the --input file")


@dataclass(frozen=True)
class ResumeCommand:
    """The command that resumes this run, as the user typed it (the key masked) plus --resume."""

    flow_file: Path
    input_path: Path
    out_path: Path
    input_format: str | None
    workers: int | None
    cfg_value: str | None
    save_to: Path | None = None
    extra: tuple[str, ...] = ()

    def text(self, max_credits: int | None) -> str:
        parts = ["picsart-flow", "flow", "run", str(self.flow_file)]
        parts += ["--input", str(self.input_path), "--out", str(self.out_path)]
        if self.input_format:
            parts += ["--input-format", self.input_format]
        if self.workers is not None:
            parts += ["--workers", str(self.workers)]
        if max_credits is not None:
            parts += ["--max-credits", str(max_credits)]
        if self.cfg_value is not None:
            parts += ["--cfg", self.cfg_value]
        if self.save_to is not None:
            parts += ["--save-to", str(self.save_to)]
        parts += self.extra
        parts.append("--resume")
        return REDACTOR.redact(shlex.join(parts))


def report(
    summary: RunSummary,
    out_path: Path,
    again: Callable[[int | None], str],
    max_credits: int | None,
) -> None:
    """The run's summary: lines on stderr, one JSON line on stdout."""
    from .journal import journal_path
    from .progress import format_duration

    _echo_err(
        f"{summary.items} items: {summary.done} done, {summary.failed} failed, "
        + (f"{summary.rebounded_now} rebounded, " if summary.rebounded_now else "")
        + f"{summary.not_started} not started (this run: {summary.done_now} done, "
        f"{summary.failed_now} failed"
        + (f", {summary.interrupted_now} interrupted" if summary.interrupted_now else "")
        + ")"
    )
    if summary.failed:
        for count, (step, name, message) in commonest_errors(out_path):
            _echo_err(f"  {count} x {name} at step {step}: {message}")
    spent_all = summary.credits_spent_before + summary.credits_spent
    _echo_err(
        f"credits: {summary.credits_spent} spent in this run"
        + (f", {spent_all} in all runs" if summary.credits_spent_before else "")
        + f" (balance {summary.balance} at the start); {summary.requests} requests in "
        f"{format_duration(summary.seconds)} ({summary.seconds:.1f}s) = "
        f"{summary.request_rate:.1f} requests/s (spike limit {summary.spike_limit:g}/s, "
        f"{summary.workers} workers at most); {summary.rate_limited} answered 429"
    )
    _echo_err(f"results: {out_path} (journal: {journal_path(out_path)})")
    if summary.stop_reason == "interrupted":
        _echo_err(
            f"interrupted with {summary.not_started} item(s) not started. To resume: "
            + again(max_credits)
        )
    elif summary.stop_reason == "max-credits":
        enough = spent_all + summary.not_started * summary.credits_per_item
        _echo_err(
            f"stopped before {summary.not_started} item(s): the next one could have taken the "
            f"spending past --max-credits ({spent_all} spent so far, about "
            f"{summary.credits_per_item} per item). To continue, run again with --resume and a "
            f"higher --max-credits; for all of them about {enough}: {again(enough)}"
        )
    elif summary.stop_reason == "balance":
        _echo_err(
            f"stopped before {summary.not_started} item(s): the balance would not cover the next "
            f"one. Top up the account, then: {again(max_credits)}"
        )
    elif summary.stop_reason == "same-error" and summary.same_error is not None:
        step, name, message = summary.same_error
        _echo_err(
            f"stopped before {summary.not_started} item(s): {summary.same_error_count} items in "
            f"a row failed with the same error at step {step} ({name}: {message}), so the rest "
            "would most likely fail too, after paying for the steps before it. Fix the cause, "
            f"then: {again(max_credits)} (--stop-after-same-error 0 never stops)"
        )
    if summary.rebounded_now:
        when = f" after {summary.retry_at}" if summary.retry_at else " later"
        _echo_err(
            f"{summary.rebounded_now} item(s) rebounded (Picsart asked to be tried later; "
            "nothing was paid twice, and a job that started is collected, not sent again) and "
            f"{summary.not_started} were not started. Try again{when}: {again(max_credits)}"
        )
    emit_json({"summary": summary.to_json()})


def commonest_errors(out_path: Path) -> list[tuple[int, tuple[str, str, str]]]:
    """The errors most failed items of this results file share, with how many share each."""
    from .failures import commonest
    from .journal import JournalError, read_results

    try:
        lines = read_results(out_path)
    except JournalError:
        return []
    return commonest(
        line["error"]
        for line in lines.values()
        if line.get("status") == "failed" and isinstance(line.get("error"), dict)
    )


def exit_code(summary: RunSummary) -> int:
    if summary.stop_reason == "interrupted":
        return EXIT_INTERRUPTED
    if summary.rebounded_now or summary.stop_reason == "rebound":
        return EXIT_REBOUND
    if summary.stop_reason in ("max-credits", "balance"):
        return EXIT_CREDITS
    if summary.failed:
        return EXIT_FAILED
    return EXIT_OK


def _takeable(items: list[InputItem], loaded: Flow) -> list[InputItem]:
    """A folder's files that the first step can take (judged by their bytes); the others are
    named once on stderr and left out."""
    from .inputs import takeable_files

    kept, skipped = takeable_files(items)
    if skipped:
        first = loaded.steps[0]
        shown = "; ".join(f"{item.key} ({rule})" for item, rule in skipped[:10])
        more = f"; and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        _echo_err(
            f"skipped {len(skipped)} file(s) of the folder that step {first.id} ({first.action}) "
            f"cannot take, judged by their bytes: {shown}{more}"
        )
    return kept


def _preflight(loaded: Flow, items: list[InputItem], cfg: dict[str, Any]) -> None:
    """Every step's mapping for the first item, before anything is paid: a mistake that every
    item would meet stops the run here; one that may depend on the data is a warning."""
    from .dryrun import preflight
    from .evaluation import IsolatedEvaluator

    first = next((item for item in items if item.problem is None), None)
    if first is None:
        return
    with IsolatedEvaluator() as evaluator:
        findings = preflight(loaded, first, _executor(), cfg, evaluator)
    for finding in findings:
        if not finding.blocking:
            _echo_err(
                f"warning: {finding.describe()} (item {first.key!r}, with stand-ins for the "
                "earlier steps' outputs; it may depend on the data, so the run goes on)"
            )
    blocking = [finding for finding in findings if finding.blocking]
    for finding in blocking:
        _echo_err(f"{finding.describe()} (item {first.key!r})")
    if blocking:
        _echo_err(
            "these mistakes do not depend on the data, so every item would meet them; nothing "
            "was run and 0 credits were spent"
        )
        sys.exit(EXIT_FAILED)


def _dry_run(loaded: Flow, items: list[InputItem], cfg: dict[str, Any]) -> int:
    from .dryrun import DryRunItem, dry_run
    from .evaluation import IsolatedEvaluator

    def show(report: DryRunItem) -> None:
        if report.problems:
            emit_json(report.to_json())

    with IsolatedEvaluator() as evaluator:
        reports = dry_run(loaded, items, _executor(), cfg, evaluator, on_item=show)
    with_problems = sum(1 for report in reports if report.problems)
    _echo_err(
        f"dry run: {len(reports)} items, {with_problems} with problems"
        + (" (one JSON line each on stdout)" if with_problems else "")
        + "; nothing was sent"
    )
    emit_json({"dryRun": {"items": len(reports), "withProblems": with_problems}})
    return EXIT_FAILED if with_problems else EXIT_OK
