"""What every ``picsart-flow`` command shares: output, logging, secrets, options and the API target.

Events go to stdout as one JSON object per line; logs and notices go to stderr. Known secrets are
masked in both.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from .lib.context import Services
    from .lib.settings import ComponentSettings
    from .lib.store import StoredFile
    from .runtime.executor import Executor
    from .sandbox import RunningSandbox

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REBOUND = 75
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

ENV_API_KEY = "PICSART_API_KEY"
ENV_BASE_URL = "PICSART_BASE_URL"
ENV_GENAI_BASE_URL = "PICSART_GENAI_BASE_URL"
ENV_VIDEO_BASE_URL = "PICSART_VIDEO_BASE_URL"
ENV_VD_BASE_URL = "PICSART_VD_BASE_URL"
TARGET_KEYS = ("apiKey", "imageApiBaseUrl", "genaiApiBaseUrl", "videoApiBaseUrl", "vdApiBaseUrl")
"""The credentials that say where requests go: with none of them set, the sandbox answers."""
TARGET_VARIABLES = (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_GENAI_BASE_URL,
    ENV_VIDEO_BASE_URL,
    ENV_VD_BASE_URL,
)
"""The variables that stand for ``TARGET_KEYS`` when ``--cfg`` does not give them."""


class Redactor(logging.Filter):
    """Replaces known secrets in log records and output; a second line of defence for the key."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add(self, secret: Any) -> None:
        if isinstance(secret, str) and len(secret.strip()) >= 4:
            self.secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "********")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self.redact(record.getMessage())
            record.args = None
            if record.exc_info:
                record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


REDACTOR = Redactor()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so that configuring again replaces it and leaves other handlers alone."""


def configure_logging(verbose: bool) -> None:
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("picsart-flow: %(levelname)s %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StderrHandler)]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if verbose:
        for noisy in ("urllib3", "PIL", "werkzeug"):
            logging.getLogger(noisy).setLevel(logging.INFO)


def emit_json(data: Any) -> None:
    click.echo(REDACTOR.redact(json.dumps(data, ensure_ascii=False, default=str)))


def usage_error(message: str) -> NoReturn:
    raise click.UsageError(message)


def read_json_option(value: str, option: str) -> Any:
    """A JSON value given inline, as ``@FILE``, or as ``-`` for stdin; at most 16 MB, nested at
    most 64 levels deep."""
    from .runtime.documents import MAX_DOCUMENT_BYTES, DocumentError, loads_json

    text: str | bytes
    if value == "-":
        text = sys.stdin.read(MAX_DOCUMENT_BYTES + 1)
    elif value.startswith("@"):
        try:
            with Path(value[1:]).open("rb") as handle:
                text = handle.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            usage_error(f"{option}: cannot read {value[1:]}: {error.strerror}")
    else:
        text = value
    try:
        return loads_json(text)
    except DocumentError as error:
        usage_error(f"{option} {error}")
    except ValueError as error:
        usage_error(f"{option} is not valid JSON: {error}")


def read_json_object(value: str | None, option: str) -> dict[str, Any]:
    if value is None:
        return {}
    data = read_json_option(value, option)
    if not isinstance(data, dict):
        usage_error(f"{option} must be a JSON object")
    return data


def stop_cleanly_on_sigterm() -> Callable[[], None]:
    """Make SIGTERM, which platforms send to stop a process, end a command as Ctrl-C does:
    ``finally`` blocks run and temporary files go. Returns what restores the previous handler."""

    def on_terminate(signum: int, frame: Any) -> None:
        raise SystemExit(EXIT_TERMINATED)

    try:
        previous = signal.signal(signal.SIGTERM, on_terminate)
    except ValueError:
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def environment() -> ComponentSettings:
    """The component's settings from the environment; a variable it cannot use is a usage error."""
    from .lib.errors import SettingsError
    from .lib.settings import ComponentSettings

    try:
        return ComponentSettings.from_environ()
    except SettingsError as error:
        usage_error(str(error))


def check_cfg_keys(given: Mapping[str, Any], allowed: Iterable[str], option: str) -> None:
    """A usage error for a key that is no credential or config field: on the command line a typo
    (``downloadResults``) must not be ignored. (The platform adds keys of its own to ``cfg``, so
    the executor itself takes any.)"""
    from .runtime.errors import did_you_mean

    known = sorted(set(allowed))
    for key in given:
        if key not in known:
            usage_error(
                f"{option}: {key!r} is not a credential or config field here"
                f"{did_you_mean(key, known) or ';'} the fields are: {', '.join(known)}"
            )


def merge_cfg(*layers: Mapping[str, Any], settings: ComponentSettings) -> dict[str, Any]:
    """The environment's ``PICSART_API_KEY``, ``PICSART_BASE_URL``, ``PICSART_GENAI_BASE_URL``
    ``PICSART_VIDEO_BASE_URL`` and ``PICSART_VD_BASE_URL``, under each later layer."""
    cfg: dict[str, Any] = {}
    if settings.api_key is not None:
        cfg["apiKey"] = settings.api_key.get_secret_value()
    if settings.base_url is not None:
        cfg["imageApiBaseUrl"] = settings.base_url
    if settings.genai_base_url is not None:
        cfg["genaiApiBaseUrl"] = settings.genai_base_url
    if settings.video_base_url is not None:
        cfg["videoApiBaseUrl"] = settings.video_base_url
    if settings.vd_base_url is not None:
        cfg["vdApiBaseUrl"] = settings.vd_base_url
    for layer in layers:
        cfg.update(layer)
    REDACTOR.add(cfg.get("apiKey"))
    return cfg


SANDBOX_NOTICE = (
    "sandbox mode: no API key or base URL is configured, so a local sandbox answers instead "
    "of Picsart (its image, GenAI, video and Variable Data APIs); nothing leaves this machine "
    "and results are simulated. Set PICSART_API_KEY (or apiKey in --cfg) to use the real API."
)
SANDBOX_API_KEY = "sandbox-key"


@dataclass
class ApiTarget:
    """Where a command's requests go: ``cfg`` for the action, and the embedded sandbox if any."""

    cfg: dict[str, Any]
    sandbox: RunningSandbox | None = None

    def report_sandbox_use(self, events: Iterable[Any] = ()) -> None:
        """Tells on stderr which URLs got made-up stand-ins, and where the sandbox keeps
        the results that ``events`` name (their URLs die with the command)."""
        if self.sandbox is None:
            return
        for url in self.sandbox.state().get("stand_ins", []):
            click.echo(
                f"picsart-flow: sandbox mode: {url} cannot be fetched offline, so a generated "
                "stand-in was used in its place (a picture, or a short clip for a video)",
                err=True,
            )
        for url in _result_urls(events):
            kept = self.sandbox.result_file(url)
            if kept is not None:
                click.echo(
                    f"picsart-flow: sandbox mode: the result is kept at {kept} (its URL works "
                    "only while the command runs)",
                    err=True,
                )


def _result_urls(events: Iterable[Any]) -> list[str]:
    urls = []
    for event in events:
        body = getattr(getattr(event, "payload", None), "body", None)
        data = body.get("data") if isinstance(body, dict) else None
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                urls.append(item["url"])
    return urls


@contextmanager
def api_target(
    cfg: dict[str, Any], services: Services | None = None, *, sandbox: bool = False
) -> Iterator[ApiTarget]:
    """``cfg`` as given, or pointing at an embedded sandbox when it names no key and no URL (or
    when ``sandbox`` asks for one). A user who has set a key (or a base URL) never silently gets
    the sandbox. In sandbox mode ``services`` send every request to it, so nothing leaves the
    machine, and its results are kept in a folder where they outlive the command."""
    if not sandbox and any(cfg.get(key) for key in TARGET_KEYS):
        yield ApiTarget(cfg)
        return
    from .frontend_settings import SANDBOX_ANSWERS_VARIABLE, FrontEndSettings
    from .sandbox import start_sandbox
    from .sandbox.production import ANSWERS

    folder = environment().sandbox_results_folder
    answers = FrontEndSettings.from_environ().sandbox_answers
    if answers not in ANSWERS:
        usage_error(
            f"{SANDBOX_ANSWERS_VARIABLE} must be one of {', '.join(ANSWERS)}, not {answers!r}"
        )
    with start_sandbox(quiet=True, results_dir=str(folder), answers=answers) as running:
        click.echo(f"picsart-flow: {SANDBOX_NOTICE}", err=True)
        if services is not None:
            services.route = running.route
        try:
            yield ApiTarget(
                {
                    **cfg,
                    "apiKey": SANDBOX_API_KEY,
                    "imageApiBaseUrl": running.base_url,
                    "genaiApiBaseUrl": running.genai_base_url,
                    "videoApiBaseUrl": running.video_base_url,
                    "vdApiBaseUrl": running.vd_base_url,
                },
                running,
            )
        finally:
            if services is not None:
                services.route = None


def make_executor() -> tuple[Executor, Services]:
    """The bundled component's executor, and the services it hands its actions."""
    from .lib.context import Services
    from .runtime.executor import Executor

    services = Services()
    return Executor(services=services), services


def attach_local_files(
    executor: Executor,
    services: Services,
    action: str,
    body: Any,
    on_attached: Callable[[str, StoredFile], None] | None = None,
) -> Any:
    """On the command line (and the designer) only: a path to a file on this machine, in a
    field the component downloads (``image``, ``bg_image``, Make Raw Request's ``files``), is
    put into the attachment store and given as its URL; a missing file or one that is not an
    image (a video or sound for an action whose ``ACCEPTED_FORMATS`` take one, as Upload video
    or audio's) is an ``InputError``, as it is in a flow. ``on_attached`` hears of each (by
    default a line on stderr)."""
    from .lib.files import attach_local_files as attach_to_store
    from .lib.formats import kind_accepting
    from .runtime.manifest import load_module, load_schema

    spec = executor.manifest.action(action)
    if not isinstance(body, dict) or not spec.metadata.in_:
        return body
    properties = load_schema(executor.root, spec.metadata.in_).get("properties", {})
    accepted: frozenset[str] = getattr(
        load_module(executor.root, spec.main), "ACCEPTED_FORMATS", frozenset()
    )
    return attach_to_store(
        body,
        properties,
        services.attachment_store(),
        on_attached
        or (
            lambda value, stored: click.echo(
                f"picsart-flow: attached {value} as {stored.url}", err=True
            )
        ),
        kind=kind_accepting(accepted),
    )


def verbose_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-v", "--verbose", is_flag=True, help="Log every request and show tracebacks on stderr."
    )(function)


def cfg_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--cfg",
        "cfg_value",
        metavar="JSON|@FILE",
        help=(
            'Credentials and config fields, e.g. \'{"apiKey": "...", "downloadResult": true}\'. '
            "Without apiKey/imageApiBaseUrl/genaiApiBaseUrl/videoApiBaseUrl/vdApiBaseUrl, "
            f"{ENV_API_KEY}, {ENV_BASE_URL}, {ENV_GENAI_BASE_URL}, {ENV_VIDEO_BASE_URL} and "
            f"{ENV_VD_BASE_URL} are used."
        ),
    )(function)
