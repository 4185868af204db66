"""The broker mode of ``picsart-flow flow``: ``flow run --broker`` and ``flow worker``.

``flows/command.py`` parses ``flow run``'s options and hands a broker run to ``run_on_broker``
(through the click context, as the flows layer cannot import this one); ``worker`` is added to the
``flow`` group. aio-pika, redis and cryptography (the ``platform`` extra) load inside the commands.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import click

from ..console import (
    EXIT_FAILED,
    REDACTOR,
    TARGET_KEYS,
    cfg_option,
    check_cfg_keys,
    configure_logging,
    environment,
    merge_cfg,
    read_json_object,
    usage_error,
    verbose_option,
)
from ..flows.command import (
    DEFAULT_WORKERS,
    BrokerRequest,
    ResumeCommand,
    exit_code,
    report,
    with_redis,
)
from ..frontend_settings import BROKER_URL_VARIABLE, FrontEndSettings

if TYPE_CHECKING:
    from ..flows.model import Flow
    from ..lib.settings import ComponentSettings

EMBEDDED_SANDBOX_REFUSED = (
    "broker mode needs a configured API: the built-in sandbox lives inside one process, where "
    "workers in other processes or on other machines cannot reach it. Set PICSART_API_KEY for "
    "Picsart, or start `picsart-flow sandbox` where every worker reaches it and set "
    "PICSART_BASE_URL (and PICSART_API_KEY to the key it prints) on every machine"
)
PLATFORM_EXTRA_HINT = (
    "broker mode needs the platform extra (aio-pika, redis, cryptography): "
    "pip install 'picsart-component[platform]'"
)


def _echo_err(text: str) -> None:
    click.echo(REDACTOR.redact(f"picsart-flow: {text}"), err=True)


def _require_platform_extra() -> None:
    try:
        import aio_pika  # noqa: F401
        import cryptography  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        usage_error(PLATFORM_EXTRA_HINT)


def _masked(url: str) -> str:
    """A broker URL as it may be shown: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:****@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _check_api(cfg: dict[str, Any]) -> None:
    if not any(cfg.get(key) for key in TARGET_KEYS):
        usage_error(EMBEDDED_SANDBOX_REFUSED)


@dataclass(frozen=True)
class _Contract:
    amqp_url: str
    run_name: str | None
    redis_url: str


def _contract(
    broker: str | None,
    run_name: str | None,
    settings: ComponentSettings,
    frontend: FrontEndSettings,
) -> _Contract:
    """What both commands need before anything starts (checked in the same order for both),
    as a usage error naming what is missing; the URLs' passwords join the redacted secrets."""
    from .contract import ContractError, broker_url, check_run_name, message_encryptor, redis_url

    try:
        amqp_url = broker_url(broker, frontend.broker_url)
        REDACTOR.add(urlsplit(amqp_url).password)
        checked_run = check_run_name(run_name)
        message_encryptor(frontend.platform)
        redis = redis_url(settings)
    except ContractError as error:
        usage_error(str(error))
    REDACTOR.add(urlsplit(redis).password)
    return _Contract(amqp_url, checked_run, redis)


def run_on_broker(request: BrokerRequest) -> NoReturn:
    """``flow run --broker``: publish, collect, report, exit."""
    _require_platform_extra()
    from ..flows.batch import BatchError, BatchOptions
    from ..flows.journal import JournalError, RunLock, plan_run, run_header
    from .collector import BrokerRun, Collector
    from .contract import FlowTopology

    _check_api(request.cfg)
    contract = _contract(request.broker, request.run_name, request.environ, request.frontend)
    amqp_url, run_name, redis = contract.amqp_url, contract.run_name, contract.redis_url
    topology = FlowTopology.of(request.flow, run_name)
    header = run_header(
        request.flow,
        request.flow_file,
        request.input_fingerprint,
        request.input_path,
        broker=topology.exchange,
    )
    extra: tuple[str, ...] = ()
    if request.broker_given:
        extra += ("--broker", _masked(amqp_url))
    if run_name is not None:
        extra += ("--run", run_name)
    again = ResumeCommand(
        request.flow_file,
        request.input_path,
        request.out_path,
        request.input_format,
        None,
        request.cfg_value,
        request.save_to,
        extra,
    )
    try:
        run_lock = RunLock(request.out_path).acquire()
    except JournalError as error:
        _echo_err(str(error))
        sys.exit(EXIT_FAILED)
    manifest_fields = _credential_fields()
    with run_lock:
        try:
            plan = plan_run(
                request.out_path,
                request.items,
                header,
                resume=request.resume,
                retry_interrupted=request.retry_interrupted,
            )
        except JournalError as error:
            usage_error(str(error))
        run = BrokerRun(
            flow=request.flow,
            topology=topology,
            plan=plan,
            header=header,
            out_path=request.out_path,
            cfg=request.cfg,
            credential_fields=manifest_fields,
            settings=request.environ.client_settings(),
            environ=request.frontend.platform,
            amqp_url=amqp_url,
            redis_url=redis,
            options=BatchOptions(
                None,
                request.max_credits,
                request.retry_interrupted,
                request.status_every,
                request.save_to,
                request.stop_after_same_error,
            ),
            window=request.window,
            redact=REDACTOR.redact,
        )
        try:
            summary = Collector(run, _echo_err, again.text(request.max_credits)).execute()
        except BatchError as error:
            if error.usage:
                usage_error(str(error))
            _echo_err(str(error))
            sys.exit(EXIT_FAILED)
    report(summary, request.out_path, again.text, request.max_credits)
    sys.exit(exit_code(summary))


def _credential_fields() -> frozenset[str]:
    from ..runtime.executor import Executor

    return frozenset(Executor().manifest.credentials.get("fields", {}))


@click.command("worker")
@click.argument("flow_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--broker",
    metavar="AMQP_URL",
    help=f"The RabbitMQ of the run (default: ${BROKER_URL_VARIABLE}).",
)
@click.option(
    "--run",
    "run_name",
    metavar="NAME",
    help="The --run NAME the flow run was given, if any.",
)
@click.option(
    "--steps",
    metavar="ID,...",
    help="Run only these steps here (default: every step of the flow).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Messages each step runs at the same time in this process.",
)
@click.option(
    "--redis",
    "redis_option",
    metavar="REDIS_URL",
    help="The Redis every worker shares (default: $PICSART_REDIS_URL).",
)
@click.option(
    "--lease",
    type=click.FloatRange(0.5, 600),
    default=10.0,
    show_default=True,
    help="Seconds after which a worker that stopped answering counts as gone (its paid call in "
    "flight is then marked Interrupted).",
)
@cfg_option
@verbose_option
def worker(
    flow_file: Path,
    broker: str | None,
    run_name: str | None,
    steps: str | None,
    workers: int,
    redis_option: str | None,
    lease: float,
    cfg_value: str | None,
    verbose: bool,
) -> None:
    """Run FLOW_FILE's steps for a `flow run --broker`, on this machine or any other that
    reaches the broker, until Ctrl-C or SIGTERM (which finish the messages in hand first).

    Start as many as wanted, stop them at will: the broker gives a stopped worker's messages to
    the others, and Redis records every paid call, so that none is made twice. Every worker and
    the run share ELASTICIO_MESSAGE_CRYPTO_PASSWORD, ELASTICIO_MESSAGE_CRYPTO_IV,
    PICSART_REDIS_URL and the API settings (PICSART_API_KEY, PICSART_BASE_URL).

    \b
    On each machine, with those variables set ("Several machines" in the docs):
      picsart-flow flow worker examples/cutout-then-upscale.yaml --workers 8
    """
    import asyncio

    from ..flows.command import load_flow_or_exit

    configure_logging(verbose)
    _require_platform_extra()
    from .contract import FlowTopology
    from .worker import WorkerOptions, serve

    settings = with_redis(environment(), redis_option)
    frontend = FrontEndSettings.from_environ()
    loaded = load_flow_or_exit(flow_file)
    given = read_json_object(cfg_value, "--cfg")
    check_cfg_keys(given, _allowed_cfg(loaded), "--cfg")
    cfg = merge_cfg(given, settings=settings)
    _check_api(cfg)
    chosen = _chosen_steps(loaded, steps)
    contract = _contract(broker, run_name, settings, frontend)
    options = WorkerOptions(
        flow=loaded,
        topology=FlowTopology.of(loaded, contract.run_name),
        steps=chosen,
        amqp_url=contract.amqp_url,
        redis_url=contract.redis_url,
        cfg=cfg,
        settings=settings,
        environ=frontend.platform,
        workers=workers,
        lease_seconds=lease,
    )
    from ..lib.errors import ComponentError

    try:
        sys.exit(asyncio.run(serve(options, _echo_err)))
    except ComponentError as error:
        _echo_err(f"the worker could not start: {error}")
        sys.exit(EXIT_FAILED)
    except (OSError, ConnectionError) as error:
        _echo_err(f"the worker could not start: {error}")
        sys.exit(EXIT_FAILED)
    except Exception as error:
        if type(error).__module__.split(".")[0] not in ("aio_pika", "aiormq", "redis"):
            raise
        _echo_err(f"the worker could not start: {type(error).__name__}: {error}")
        sys.exit(EXIT_FAILED)


def _allowed_cfg(loaded: Flow) -> list[str]:
    from ..runtime.executor import Executor

    manifest = Executor().manifest
    allowed = [*manifest.credentials.get("fields", {})]
    allowed += [name for step in loaded.steps for name in manifest.action(step.action).fields]
    return allowed


def _chosen_steps(loaded: Flow, steps: str | None) -> tuple[str, ...]:
    known = loaded.step_ids()
    if steps is None:
        return tuple(known)
    chosen = tuple(step.strip() for step in steps.split(",") if step.strip())
    unknown = [step for step in chosen if step not in known]
    if unknown or not chosen:
        usage_error(
            f"--steps: {', '.join(unknown) or 'no step'} is not a step of {loaded.path}; its "
            f"steps are: {', '.join(known)}"
        )
    return chosen


def add_broker_mode(flow_group: click.Group) -> None:
    """Adds ``worker`` to the ``flow`` group."""
    flow_group.add_command(worker)
