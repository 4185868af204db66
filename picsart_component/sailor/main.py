"""Starting a sailor as the platform starts one: from the ``ELASTICIO_*`` environment.

``run_sailor`` is the reference's ``run.js`` (connect, fetch the step, startup and init hooks,
consume until SIGTERM or SIGINT, then finish the messages in processing and exit 0);
``run_service`` in ``service.py`` is its ``runService.js``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..lib.store import MaesterStore
from ..runtime.documents import loads_json
from ..runtime.manifest import (
    COMPONENT_ROOT,
    HOOKS_PACKAGE,
    MANIFEST_NAME,
    ManifestError,
    component_hook,
    has_hooks_package,
)
from .core import ObjectStorage, Sailor
from .crypto import Encryptor
from .platform import PlatformApiError, StepData
from .service import run_service
from .settings import (
    LOG_LEVEL_VARIABLE,
    OPTIONAL,
    PREFIX,
    SailorSettings,
    SailorSettingsError,
    platform_environ,
)

log = logging.getLogger("picsart.sailor")

LOG_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "fatal": logging.CRITICAL,
}


class SailorStartError(RuntimeError):
    """The sailor cannot start (no component.json, say); the message says why."""


def configure_logging(environ: Mapping[str, str]) -> None:
    """Log lines to standard output, where the platform collects a container's log; the level
    from ``LOG_LEVEL`` (as the reference reads it), info by default."""
    level = LOG_LEVELS.get(environ.get(LOG_LEVEL_VARIABLE, "info").lower(), logging.INFO)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiormq logs every lost connection with a traceback; the sailor says it in one line.
    for noisy in ("aiormq", "aio_pika", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.ERROR))


def component_root(environ: Mapping[str, str], cwd: Path | None = None) -> Path:
    """The component folder: ``ELASTICIO_COMPONENT_PATH`` relative to the working folder, as the
    reference resolves it; when that is unset and the working folder has no component.json, the
    component this package bundles."""
    configured = environ.get(PREFIX + "COMPONENT_PATH", "")
    path = (cwd or Path.cwd()) / configured
    if (path / MANIFEST_NAME).is_file():
        return path.resolve()
    if not configured:
        return COMPONENT_ROOT
    raise SailorStartError(f"Failed to load component.json from {path}")


SERVICES_HOOK = "sailor_services"
"""The hook a component declares for the sailor: a function named so in its hooks package
(``lib/__init__.py``, found by the runtime's ``component_hook``), called once with the object
storage's URI and token (None without). It returns the services that every message's actions
share (handed to the executor), and the component's own object-storage client or None (the
sailor then uses its own). A component without a ``lib`` package shares no services; a ``lib``
without the hook, or a hook that fails, is a ``SailorStartError`` that names it."""

ServicesHook = Callable[[str | None, str | None], tuple[Any, Any]]


def services_hook(root: Path) -> ServicesHook | None:
    """The component's ``lib.sailor_services``, None when it has no ``lib`` package."""
    try:
        hook = component_hook(root, SERVICES_HOOK)
        has_package = hook is not None or has_hooks_package(root)
    except ManifestError:  # a sailor_services that is no function
        hook, has_package = None, True
    except Exception as error:  # a lib that does not import: say so in one line
        raise SailorStartError(
            f"the component at {root} has a {HOOKS_PACKAGE} package that does not load: "
            f"{type(error).__name__}: {error}"
        ) from None
    if hook is None and has_package:
        raise SailorStartError(
            f"the component at {root} has a {HOOKS_PACKAGE} package without the sailor's "
            f"hook: define {SERVICES_HOOK}(object_storage_uri, object_storage_token) in "
            f"{HOOKS_PACKAGE}/__init__.py, returning (services, object storage client or "
            "None); it builds what the actions of a step share across messages"
        )
    return hook


def shared_services(hook: ServicesHook, uri: str | None, token: str | None) -> tuple[Any, Any]:
    """What the hook returns, or a ``SailorStartError`` saying how it failed."""
    try:
        returned = hook(uri, token)
    except Exception as error:
        raise SailorStartError(
            f"{HOOKS_PACKAGE}.{SERVICES_HOOK} failed: {type(error).__name__}: {error}"
        ) from None
    if not (isinstance(returned, tuple) and len(returned) == 2):
        raise SailorStartError(
            f"{HOOKS_PACKAGE}.{SERVICES_HOOK} must return (services, object storage client or "
            f"None), not {type(returned).__name__}"
        )
    return returned


def component_services(settings: SailorSettings, root: Path) -> tuple[Any, ObjectStorage | None]:
    """The services the component's actions share across messages (for this component: one
    Picsart client and throttle), and object storage for lightweight bodies, sharing the
    component's own client when it has one (``SERVICES_HOOK``); without one, this package's
    Maester client."""
    encryptor = Encryptor(
        settings.get("MESSAGE_CRYPTO_PASSWORD"), settings.get("MESSAGE_CRYPTO_IV")
    )
    uri, token = settings.get("OBJECT_STORAGE_URI"), settings.get("OBJECT_STORAGE_TOKEN")
    uri, token = (str(uri), str(token)) if uri and token else (None, None)
    hook = services_hook(root)
    services, store = shared_services(hook, uri, token) if hook is not None else (None, None)
    if uri is None or token is None:
        return services, None
    key = "OBJECT_STORAGE_BODY_SIZE_LIMIT"
    limit = int(settings.get(key, OPTIONAL[key]))
    return services, ObjectStorage(
        store or MaesterStore(uri, token), encryptor, max_body_bytes=limit
    )


async def _sail(settings: SailorSettings, root: Path, step: StepData | None) -> int:
    services, object_storage = component_services(settings, root)
    sailor = Sailor(
        settings,
        component_root=root,
        services=services,
        object_storage=object_storage,
        step=step,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if settings["HOOK_SHUTDOWN"]:
        try:
            await sailor.prepare()
            await sailor.run_shutdown_hook()
        except Exception as error:
            log.critical("the shutdown hook failed: %s", error)
            return 1
        return 0
    try:
        await sailor.connect()
        await sailor.prepare()
        if settings["STARTUP_REQUIRED"]:
            await sailor.startup()
        await sailor.init()
        await sailor.run()
    except Exception as error:
        log.critical("the sailor could not start: %s", error)
        log.debug("start failure", exc_info=True)
        if not sailor.amqp.closed:
            try:
                await sailor.report_error(error)
            except Exception as report_error:
                log.error("reporting the start failure failed: %s", report_error)
            await sailor.disconnect()
        return 1
    log.info("Fully initialized and waiting for messages")
    await stop.wait()
    log.info("Stopping: finishing %d message(s) in processing", sailor.in_flight)
    await sailor.schedule_shutdown()
    await sailor.disconnect()
    log.info("Successfully disconnected")
    return 0


def read_step_file(path: Path) -> StepData:
    """The step's data from a JSON file (``{"config": ..., "snapshot": ...}``), for a sailor run
    on a developer's machine without the platform's API."""
    try:
        record = loads_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SailorStartError(f"cannot read the step file {path}: {error.strerror}") from None
    except ValueError as error:
        raise SailorStartError(f"the step file {path} is not JSON: {error}") from None
    try:
        return StepData.from_json(record)
    except PlatformApiError:
        raise SailorStartError(f"the step file {path} must hold a JSON object") from None


def run_sailor(environ: Mapping[str, str] | None = None, step_file: Path | None = None) -> int:
    """Run one step's sailor until SIGTERM or SIGINT; the exit status. ``step_file`` stands in
    for the platform's step API."""
    environ = platform_environ(environ)
    configure_logging(environ)
    try:
        settings = SailorSettings.from_environ(environ)
        root = component_root(environ)
        step = read_step_file(step_file) if step_file is not None else None
    except (SailorSettingsError, SailorStartError) as error:
        log.critical("%s", error)
        return 1
    try:
        return asyncio.run(_sail(settings, root, step))
    except (ManifestError, SailorStartError) as error:
        log.critical("%s", error)
        return 1


def run_service_call(method: str, environ: Mapping[str, str] | None = None) -> int:
    """Run one service call (``verifyCredentials``, ``getMetaModel``, ``selectModel``)."""
    environ = platform_environ(environ)
    configure_logging(environ)
    try:
        root = component_root(environ)
        services, _ = component_services(SailorSettings({}), root)
    except SailorStartError as error:
        log.critical("%s", error)
        return 1
    return run_service(method, environ, root, services)
