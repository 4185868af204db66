"""``picsart-flow sailor``: run this component on the elastic.io platform's message bus."""

from __future__ import annotations

import sys
from pathlib import Path

import click

PLATFORM_EXTRA_HINT = (
    "the sailor needs the 'platform' extra (aio-pika and cryptography): "
    "pip install 'picsart-component[platform]'"
)


def missing_platform_extra() -> str | None:
    """The hint to print when the sailor's libraries are not installed, else None."""
    try:
        import aio_pika  # noqa: F401
        import cryptography  # noqa: F401
    except ImportError:
        return PLATFORM_EXTRA_HINT
    return None


@click.group(invoke_without_command=True)
@click.option(
    "--step",
    "step_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the step's config and snapshot from this JSON file instead of the platform's "
    "API (to run a sailor on your machine).",
)
@click.pass_context
def sailor(ctx: click.Context, step_file: Path | None) -> None:
    """Run one flow step as the platform runs it, from the ELASTICIO_* environment.

    Consumes ELASTICIO_LISTEN_MESSAGES_ON, runs the action ELASTICIO_FUNCTION on each message
    and publishes what it emits to ELASTICIO_PUBLISH_MESSAGES_TO, as the platform's Node.js
    sailor does. SIGTERM or SIGINT finish the messages in processing, then exit 0. The
    component is ELASTICIO_COMPONENT_PATH (relative to the working folder), else this package's.
    """
    if ctx.invoked_subcommand is not None:
        return
    hint = missing_platform_extra()
    if hint:
        click.echo(f"error: {hint}", err=True)
        sys.exit(1)
    from .main import run_sailor

    sys.exit(run_sailor(step_file=step_file))


@sailor.command()
@click.argument("method", type=click.Choice(["verifyCredentials", "getMetaModel", "selectModel"]))
def service(method: str) -> None:
    """Answer one service call (as runService.js METHOD): read ELASTICIO_CFG and POST the
    result to ELASTICIO_POST_RESULT_URL."""
    hint = missing_platform_extra()
    if hint:
        click.echo(f"error: {hint}", err=True)
        sys.exit(1)
    from .main import run_service_call

    sys.exit(run_service_call(method))
