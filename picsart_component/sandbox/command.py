"""``picsart-flow sandbox``: serve the local Picsart stand-in until Ctrl-C.

Only the option checks run at import time; werkzeug and Pillow load when the server starts, so
that ``picsart-flow --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import textwrap
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from picsart_component.catalogue import operations as catalogue

from .faults import FaultSpecError, parse_fault_spec
from .limits import RESET_TIME_FORMS
from .operations import GROUPS
from .options import MAX_IMAGE_PROCESSES, MAX_JOB_SECONDS, MIB, RATELIMIT_BODIES
from .production import ANSWERS

if TYPE_CHECKING:
    from .server import RunningSandbox

API_KEY_ENV = "PICSART_SANDBOX_API_KEY"
DEFAULT_IMAGE_PROCESSES = min(os.cpu_count() or 1, 8)


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 95, break_on_hyphens=False))


def _paths(api: str) -> str:
    paths = dict.fromkeys(op.path for op in catalogue.OPERATIONS if op.api == api)
    return ", ".join(paths)


def _targets(api: str) -> str:
    return ", ".join(op.target for op in catalogue.OPERATIONS if op.api == api)


_SERVED = _wrapped(
    "Image API: every operation of Picsart's image tools file under /tools/1.0/ "
    f"({_paths('image')}). GenAI: the GenAI API is served at http://127.0.0.1:8700/v1/ "
    f"({_paths('genai')}). Video: the video API (https://video-api.picsart.io/v1/) is served "
    f"at http://127.0.0.1:8700/video/v1/ ({_paths('video')}). Variable Data: the VD API "
    f"(https://vd-api.picsart.io/v1/) is served at http://127.0.0.1:8700/vd/v1/ ({_paths('vd')})."
)
_TARGETS = _wrapped(
    f"TARGET: {', '.join(GROUPS)} (api is the default), results, an image API operation "
    f"({_targets('image')}), a GenAI operation ({_targets('genai')}), a video API operation "
    f"({_targets('video')}), a VD API operation ({_targets('vd')}) or a poll "
    f"({', '.join(poll.target for poll in catalogue.POLLS)})."
)
EPILOG = f"""\b
Example:
  picsart-flow sandbox --port 8700 --credits 50 --faults "503:next=2;slow:ms=1500,next=1"
  PICSART_BASE_URL=http://127.0.0.1:8700/tools/1.0/ PICSART_API_KEY=anything \\
    picsart-flow run removeBackground --body '{{"image_url": "https://example.com/mug.jpg"}}'

\b
{_SERVED}
Ultra Upscale and Design Import (design2replay) run as jobs too. Jobs pend --job-seconds
before their polls give results; 'Prefer: respond-async' turns a synchronous operation into a
job. Videos need pip install "picsart-component[video]" (501 without it).

\b
Faults: KIND[:NAME=VALUE,...] joined by ';'. KIND is a status code (400-599) or one of
drop, reset, truncate, html, slow, available0, endless, trickle, or a job kind:
job-fail (word=), job-stuck, job-word (word=, phase=pending|done), job-late (ms=).
Parameters: next=N, p=F, path=TARGET, and per kind ms=, status=,
reset=epoch-ms|epoch-s|seconds|none, reset_in=SECONDS, body=fault|code, headers=true|false.
{_TARGETS}
For instance: "job-fail:next=1,path=text2image,word=failed;job-late:ms=800,path=genai".

\b
Control API (JSON; send the sandbox's key in X-Picsart-API-Key, to 127.0.0.1 or localhost):
GET /__sandbox/state, POST /__sandbox/reset, GET|POST|DELETE /__sandbox/faults,
GET|DELETE /__sandbox/requests, POST /__sandbox/credits.
"""


def _check_faults(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        try:
            parse_fault_spec(value)
        except FaultSpecError as error:
            raise click.BadParameter(str(error)) from None
    return value


@click.command("sandbox", epilog=EPILOG)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8700,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--api-key",
    envvar=API_KEY_ENV,
    default=None,
    help=f"Accept only this key (also read from {API_KEY_ENV}); without it any non-empty key.",
)
@click.option(
    "--credits", type=click.IntRange(min=0), default=1000, show_default=True, help="Balance."
)
@click.option(
    "--spike-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Calls allowed per second before a 429.",
)
@click.option(
    "--quota",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Calls allowed per window.",
)
@click.option(
    "--window",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Quota window in seconds.",
)
@click.option(
    "--latency",
    "latency_ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Milliseconds added to every answer.",
)
@click.option(
    "--job-seconds",
    type=click.FloatRange(0, MAX_JOB_SECONDS),
    default=3.0,
    show_default=True,
    envvar="PICSART_SANDBOX_JOB_SECONDS",
    help=(
        "Seconds a job pends before its polls give results (a sync call to it takes as long); "
        "also from PICSART_SANDBOX_JOB_SECONDS."
    ),
)
@click.option(
    "--image-processes",
    type=click.IntRange(0, MAX_IMAGE_PROCESSES),
    default=DEFAULT_IMAGE_PROCESSES,
    show_default="one per CPU, at most 8",
    help="Worker processes for Remove background and upscale; 0 keeps them in this process.",
)
@click.option("--faults", callback=_check_faults, help="Faults to inject (syntax below).")
@click.option(
    "--reset-time-form",
    type=click.Choice(RESET_TIME_FORMS),
    default="epoch-ms",
    show_default=True,
    help="How X-Picsart-Ratelimit-Reset-Time is written.",
)
@click.option(
    "--ratelimit-body",
    type=click.Choice(RATELIMIT_BODIES),
    default="auto",
    show_default=True,
    help="429 body: gateway 'fault' shape, 'code' shape, or auto (fault for quota).",
)
@click.option(
    "--max-upload-bytes",
    type=click.IntRange(min=1),
    default=100 * MIB,
    show_default=True,
    help="Largest request body accepted (413 above).",
)
@click.option(
    "--answers",
    type=click.Choice(ANSWERS),
    default="file",
    show_default=True,
    help=(
        "Answer with the OpenAPI files' shapes, or with the ones production gives instead "
        "(ACCEPTED/FINISHED, DONE, queued, ...), for code written against production."
    ),
)
@click.option("--seed", type=int, default=None, help="Seed for faults with a probability.")
@click.option(
    "--strict",
    "strict",
    is_flag=True,
    help=(
        "Refuse a URL off this machine (422, or 400 where the file lists no 422) instead of a "
        "generated stand-in."
    ),
)
@click.option("--quiet", is_flag=True, help="Do not log each request to stderr.")
def sandbox(strict: bool, **settings: Any) -> None:
    """Serve a local stand-in for Picsart's image, GenAI, video and Variable Data APIs.

    It answers every operation of the image API under /tools/1.0/ and of the GenAI API under /v1/,
    the video API's under /video/v1/ and the Variable Data API's under /vd/v1/, with real results,
    like Picsart does (shapes, headers, errors, rate limits,
    credits, asynchronous jobs) without going online, and serves results at /results/. It runs until
    Ctrl-C.
    """
    from .options import SandboxOptions
    from .server import serve_forever

    options = SandboxOptions(**settings, stand_ins=not strict)
    problems = options.problems()
    if problems:
        raise click.UsageError("; ".join(problems))
    if not options.quiet:
        _log_requests_to_stderr()
    _stop_on_sigterm()
    serve_forever(options, on_ready=lambda running: _announce(running, options.api_key))
    click.echo("Picsart sandbox stopped.", err=True)


def _announce(running: RunningSandbox, api_key: str | None) -> None:
    key = "<your --api-key>" if api_key else "anything"
    click.echo(f"Picsart sandbox serving {running.base_url}", err=True)
    click.echo("Point a client at it:", err=True)
    click.echo(
        f"  PICSART_BASE_URL={running.base_url} PICSART_API_KEY={key} picsart-flow run ...",
        err=True,
    )
    click.echo(f"GenAI API: {running.genai_base_url}", err=True)
    click.echo(f"Video API: {running.video_base_url}", err=True)
    click.echo(f"Variable Data API: {running.vd_base_url}", err=True)
    click.echo(f"Control API: {running.control_url}state   (Ctrl-C stops)", err=True)


def _log_requests_to_stderr() -> None:
    logger = logging.getLogger("picsart.sandbox")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("sandbox: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _stop_on_sigterm() -> None:
    """Makes ``kill`` end the server as quietly as Ctrl-C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGTERM, interrupt)
