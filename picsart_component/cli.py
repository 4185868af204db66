"""``picsart-flow``: run the component's actions, check it, and serve a local sandbox.

Events go to stdout as one JSON object per line; logs go to stderr. Heavy modules are imported
inside the commands so that ``picsart-flow --help`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .console import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REBOUND,
    api_target,
    attach_local_files,
    cfg_option,
    check_cfg_keys,
    configure_logging,
    emit_json,
    environment,
    make_executor,
    merge_cfg,
    read_json_object,
    read_json_option,
    stop_cleanly_on_sigterm,
    usage_error,
    verbose_option,
)

if TYPE_CHECKING:
    from .runtime.executor import Executor, RunResult


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="picsart-flow")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Run the Picsart component's actions from the command line.

    \b
    Examples:
      picsart-flow actions
      picsart-flow describe removeBackground
      picsart-flow run makeRawRequest --body '{"url": "balance", "method": "GET"}'
      picsart-flow verify --sandbox
    """
    from .distributed.command import run_on_broker
    from .flows.command import BROKER_RUNNER

    ctx.meta[BROKER_RUNNER] = run_on_broker
    ctx.call_on_close(stop_cleanly_on_sigterm())


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def actions(as_json: bool) -> None:
    """List the component's actions: key and title.

    \b
    Example:
      picsart-flow actions
    """
    from .runtime.manifest import load_manifest

    manifest = load_manifest()
    if as_json:
        emit_json([{"key": key, "title": a.title} for key, a in manifest.actions.items()])
        return
    width = max(len(key) for key in manifest.actions)
    for key, action in manifest.actions.items():
        click.echo(f"{key.ljust(width)}  {action.title}")


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def validate(directory: Path | None) -> None:
    """Check a component directory as elastic.io's cmp:validate does, and more.

    Checks component.json (labels, view classes, names, titles, descriptions, help, that every
    main and schema file exists), that every schema property has a title and a description, that
    every action module exports process() and is used, that every EXAMPLE is a body its action
    accepts, that generated files are current, and the component's own checks (for this one:
    every action module declares TITLE, DESCRIPTION, HELP, HELP_LINK and EXAMPLE, and optional
    input fields default to None, so that only what the user sets is sent).
    DIRECTORY defaults to this installed component. Exits 1 when anything is wrong.

    \b
    Example:
      picsart-flow validate .
    """
    from .runtime.checks import check_component
    from .runtime.manifest import COMPONENT_ROOT

    root = (directory or COMPONENT_ROOT).resolve()
    problems = check_component(root)
    if problems:
        for problem in problems:
            click.echo(problem)
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"{root}: component is valid")


@main.command()
@click.argument("action")
@click.option("--json", "as_json", is_flag=True, help="Print the schemas, config and example.")
def describe(action: str, as_json: bool) -> None:
    """Show ACTION's fields (types, defaults, allowed values, rules), config, output and an
    example body that runs as it is.

    \b
    Examples:
      picsart-flow describe removeBackground
      picsart-flow describe upscale --json
    """
    from .describe import describe_json, describe_text
    from .runtime.manifest import ManifestError

    executor, _ = make_executor()
    try:
        executor.manifest.action(action)
    except ManifestError as error:
        usage_error(f"{error} (picsart-flow actions lists them all)")
    if as_json:
        emit_json(describe_json(executor, action))
    else:
        click.echo(describe_text(executor, action))


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only report out-of-date files; exit 1 if any.")
def generate(directory: Path | None, check: bool) -> None:
    """Write every action's component.json entry and schemas/*.json from its module.

    An entry's title, description, help, fields and metadata come from the action module: its
    models and its TITLE, DESCRIPTION, HELP and HELP_LINK. A module of actions/ that no entry
    names yet is added as an action named after its file (trim_video.py: trimVideo).
    DIRECTORY defaults to this installed component.

    \b
    Example:
      picsart-flow generate --check
    """
    from .runtime.generate import stale_files, write_generated
    from .runtime.manifest import COMPONENT_ROOT

    root = (directory or COMPONENT_ROOT).resolve()
    try:
        if check:
            stale = stale_files(root)
            for path in stale:
                click.echo(f"out of date: {path.relative_to(root)}")
            sys.exit(EXIT_FAILED if stale else EXIT_OK)
        for path in write_generated(root):
            click.echo(f"wrote {path.relative_to(root)}")
    except Exception as error:  # an action module that does not load: say which, no traceback
        click.echo(f"picsart-flow: cannot generate: {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_FAILED)


@main.command()
@cfg_option
@click.option(
    "--sandbox",
    "use_sandbox",
    is_flag=True,
    help='Check against the built-in sandbox instead (says so with "sandbox": true).',
)
@verbose_option
def verify(cfg_value: str | None, use_sandbox: bool, verbose: bool) -> None:
    """Check the credentials by asking Picsart for the account balance.

    Prints {"verified": true, "credits": N} and exits 0, or {"verified": false, "reason": ...}
    and exits 1. With no API key configured there is nothing to verify: it says how to set one
    and exits 1. It never falls back to the sandbox unless --sandbox asks for it.

    \b
    Examples:
      PICSART_API_KEY=... picsart-flow verify
      picsart-flow verify --sandbox
    """
    configure_logging(verbose)
    given = read_json_object(cfg_value, "--cfg")
    executor, services = make_executor()
    check_cfg_keys(given, credential_fields(executor), "--cfg")
    cfg = merge_cfg(given, settings=environment())
    if not use_sandbox and not cfg.get("apiKey"):
        emit_json({"verified": False, "reason": NO_KEY_REASON})
        sys.exit(EXIT_FAILED)
    with api_target(cfg, services, sandbox=use_sandbox) as target:
        result = executor.verify_credentials(target.cfg)
    if use_sandbox:
        result["sandbox"] = True
    emit_json(result)
    sys.exit(EXIT_OK if result.get("verified") else EXIT_FAILED)


NO_KEY_REASON = (
    "no API key is configured, so there is nothing to verify: set PICSART_API_KEY (or give "
    'apiKey in --cfg \'{"apiKey": "..."}\'); picsart-flow verify --sandbox checks against the '
    "built-in sandbox instead"
)


@main.command()
@click.argument("action")
@click.option("--body", "body_value", metavar="JSON|@FILE", help="The message body.")
@click.option(
    "--msg",
    "msg_file",
    metavar="FILE",
    help="A whole message as JSON: {body, attachments, headers, metadata}; - for stdin.",
)
@click.option("--fixture", "fixture_name", metavar="NAME", help="A fixture from --fixtures.")
@click.option(
    "--fixtures",
    "fixture_file",
    default="test/fixture.json",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The elasticio-cli fixture file; {{VAR}} is filled from the environment and .env.",
)
@cfg_option
@verbose_option
def run(
    action: str,
    body_value: str | None,
    msg_file: str | None,
    fixture_name: str | None,
    fixture_file: Path,
    cfg_value: str | None,
    verbose: bool,
) -> None:
    """Run ACTION once on one message and print each event as a JSON line.

    Give the input with exactly one of --body, --msg and --fixture. Exits 0 after data, 1 after
    an error, 75 after a rebound (rate limit not lifted in time: try again later), 2 on a usage
    error.

    \b
    Examples:
      picsart-flow run makeRawRequest --body '{"url": "balance", "method": "GET"}'
      picsart-flow run removeBackground --body '{"image_url": "https://example.com/a.jpg"}'
      picsart-flow run upscale --body '{"image": "picsart-demo/portrait.png", "upscale_factor": 2}'
      PICSART_API_KEY=... picsart-flow run makeRawRequest --fixture balance
    """
    from pydantic import ValidationError

    from .fixtures import FixtureError, load_fixture
    from .runtime.errors import ComponentError, error_payload
    from .runtime.manifest import ManifestError
    from .runtime.messages import Event, Message

    configure_logging(verbose)
    given = [
        name
        for name, v in (("--body", body_value), ("--msg", msg_file), ("--fixture", fixture_name))
        if v is not None
    ]
    if len(given) != 1:
        usage_error("give exactly one of --body, --msg and --fixture")
    settings = environment()
    executor, services = make_executor()
    try:
        executor.manifest.action(action)
    except ManifestError as error:
        usage_error(f"{error} (picsart-flow actions lists them all)")
    fixture_cfg: dict[str, Any] = {}
    snapshot: dict[str, Any] = {}
    if fixture_name is not None:
        try:
            fixture = load_fixture(fixture_name, fixture_file)
        except FixtureError as error:
            usage_error(str(error))
        fixture_cfg, raw_msg, snapshot = fixture.cfg, fixture.msg, fixture.snapshot
    elif msg_file is not None:
        raw_msg = read_json_object(msg_file if msg_file == "-" else "@" + msg_file, "--msg")
        if "body" not in raw_msg:
            usage_error("--msg: a message needs a body")
    else:
        assert body_value is not None
        raw_body = read_json_option(body_value, "--body")
        raw_msg = {"body": raw_body}
    cfg_given = read_json_object(cfg_value, "--cfg")
    allowed = [*credential_fields(executor), *executor.manifest.action(action).fields]
    check_cfg_keys(fixture_cfg, allowed, f"fixture {fixture_name!r}: cfg")
    check_cfg_keys(cfg_given, allowed, "--cfg")
    cfg = merge_cfg(fixture_cfg, cfg_given, settings=settings)
    body = raw_msg.get("body", {})
    try:
        msg = Message.model_validate({**raw_msg, "body": {}})
    except ValidationError as error:
        usage_error(f"the message is not an elastic.io message: {error.errors()[0]['msg']}")
    # The body is set after validation so that any JSON reaches the executor's own checks.
    try:
        msg.body = attach_local_files(executor, services, action, body)
    except ComponentError as error:
        print_events([Event("error", error_payload(error))])
        sys.exit(EXIT_FAILED)
    with api_target(cfg, services) as target:
        result = executor.run(action, msg, target.cfg, snapshot)
        print_events(result.events)
        target.report_sandbox_use(result.events)
    sys.exit(exit_code(result))


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="picsart-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the sample images and their results.",
)
@verbose_option
def demo(out_dir: Path, verbose: bool) -> None:
    """Remove the background of three sample images, then upscale each cutout 2x.

    Both steps run with "Download result", as a two-step flow would. Without PICSART_API_KEY
    the embedded sandbox answers and nothing leaves this machine; with it, the real Picsart API
    is used (six paid calls) and the command says so.

    \b
    Example:
      picsart-flow demo --out ./picsart-demo
    """
    from .demo import run_demo

    configure_logging(verbose)
    cfg = merge_cfg(settings=environment())
    executor, services = make_executor()
    with api_target(cfg, services) as target:
        if target.sandbox is None:
            click.echo(
                "picsart-flow: using the configured API at "
                f"{cfg.get('imageApiBaseUrl') or 'https://api.picsart.io/tools/1.0/'}; "
                "on Picsart the demo makes six paid calls",
                err=True,
            )
        report = run_demo(executor, services.attachment_store(), target.cfg, out_dir, click.echo)
    click.echo(
        f"wrote {len(report.written)} files to {out_dir.resolve()}"
        + (f"; credits left: {report.credits_left}" if report.credits_left is not None else "")
    )
    sys.exit(EXIT_FAILED if report.failures else EXIT_OK)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def attach(files: tuple[Path, ...]) -> None:
    """Copy image files into the attachment store and print the URL of each.

    The `image` and `bg_image` fields accept those URLs, so a local photo can go through the
    same download-and-upload path a flow uses. One JSON line per file; exits 1 if a file is
    missing or is not an image.

    \b
    Example:
      picsart-flow attach picsart-demo/portrait.png
    """
    from .lib.errors import ComponentError
    from .lib.formats import IMAGE_FORMATS, sniff_file
    from .lib.store import store_for

    store = store_for(environment())
    failed = False
    for path in files:
        try:
            if sniff_file(path) not in IMAGE_FORMATS:
                click.echo(f"picsart-flow: {path}: not an image Picsart accepts", err=True)
                failed = True
                continue
            stored = store.save_file(path)
        except OSError as error:
            click.echo(f"picsart-flow: {path}: {error.strerror}", err=True)
            failed = True
            continue
        except ComponentError as error:
            click.echo(f"picsart-flow: {path}: {error}", err=True)
            failed = True
            continue
        emit_json({"file": str(path), **stored.attachment()})
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _register_commands() -> None:
    from .distributed.command import add_broker_mode
    from .flow_designer.command import designer
    from .flows.command import flow
    from .limits_commands import limits
    from .sailor.command import sailor
    from .sandbox.command import sandbox
    from .store_commands import store

    main.add_command(sailor)
    main.add_command(sandbox)
    add_broker_mode(flow)
    main.add_command(flow)
    main.add_command(store)
    main.add_command(limits)
    main.add_command(designer)


_register_commands()


def credential_fields(executor: Executor) -> list[str]:
    return list(executor.manifest.credentials.get("fields", {}))


def print_events(events: Iterable[Any]) -> None:
    for event in events:
        emit_json(event.to_json())


def exit_code(result: RunResult) -> int:
    failure = result.failure
    if failure is None:
        return EXIT_OK
    return EXIT_REBOUND if failure.kind == "rebound" else EXIT_FAILED
