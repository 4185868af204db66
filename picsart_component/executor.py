"""Running one action on one message: validate in, run, validate out, emit.

Whatever happens inside an action ends as events, never as a traceback on the user's screen:
bad input is one ``error`` event naming every broken rule (and nothing is sent), a Picsart error
is an ``error`` event with its status and correlation id, an exhausted rate limit is a
``rebound`` event with the time to try again, and a bug is an ``error`` event whose traceback is
logged at debug level (``--verbose``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema import Draft3Validator
from pydantic import BaseModel, ValidationError

from .lib.client import ClientSettings, PicsartClient
from .lib.credentials import read_credentials
from .lib.download import Resolver, URLPolicy, resolve_host
from .lib.errors import APIError, InputError, PicsartError, Problem, RateLimitError
from .lib.files import FileServices, max_image_bytes
from .lib.ratelimit import Throttle
from .lib.retry import RetryPolicy
from .lib.store import AttachmentStore, store_from_env
from .manifest import (
    COMPONENT_ROOT,
    VERIFY_CREDENTIALS_MAIN,
    Manifest,
    load_manifest,
    load_module,
    load_schema,
)
from .messages import Event, EventKind, Message
from .models import InputModel, is_model_class, problems_from
from .validation import compile_validator, json_value_problems, schema_problems

log = logging.getLogger("picsart.executor")


@dataclass
class Services:
    """What the executor gives actions: clients, the attachment store, download rules.

    The waits and the throttle are injectable, so tests take no time and a batch shares one
    throttle across its workers.
    """

    settings: ClientSettings = field(default_factory=ClientSettings.from_env)
    throttle: Throttle | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    store: AttachmentStore | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    resolver: Resolver = resolve_host

    def client(self, cfg: Mapping[str, Any]) -> PicsartClient:
        credentials = read_credentials(cfg)
        return PicsartClient(
            credentials.apiKey,
            credentials.base_url,
            settings=self.settings,
            throttle=self.throttle,
            sleep=self.sleep,
            clock=self.clock,
        )

    def attachment_store(self) -> AttachmentStore:
        if self.store is None:
            self.store = store_from_env(self.environ)
        return self.store

    def files(self, cfg: Mapping[str, Any]) -> FileServices:
        credentials = read_credentials(cfg)
        return FileServices(
            store=self.attachment_store(),
            policy=URLPolicy.from_env(
                self.environ, extra_allow_hosts=credentials.allowHosts, resolver=self.resolver
            ),
            retry=RetryPolicy(self.settings.retry, clock=self.clock, sleep=self.sleep),
            timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            max_image_bytes=max_image_bytes(self.environ),
        )


class ActionContext:
    """What an action's ``process(msg, cfg, context)`` gets besides the message and config."""

    def __init__(
        self,
        action: str,
        cfg: Mapping[str, Any],
        emit: Callable[[EventKind, Any], None],
        services: Services,
        snapshot: Mapping[str, Any] | None = None,
    ) -> None:
        self.action = action
        self.cfg = cfg
        self._emit = emit
        self._services = services
        self.snapshot = dict(snapshot or {})
        self.logger = logging.getLogger(f"picsart.actions.{action}")

    @cached_property
    def client(self) -> PicsartClient:
        """The Picsart client for this run's credentials (built on first use)."""
        return self._services.client(self.cfg)

    @cached_property
    def files(self) -> FileServices:
        """The attachment store and the rules for fetching images."""
        return self._services.files(self.cfg)

    def emit(self, kind: EventKind, payload: Any) -> None:
        self._emit(kind, payload)


@dataclass
class RunResult:
    events: list[Event]

    @property
    def ok(self) -> bool:
        return any(e.kind == "data" for e in self.events) and not self.failed

    @property
    def failed(self) -> bool:
        return any(e.kind in ("error", "rebound") for e in self.events)

    def of_kind(self, kind: EventKind) -> list[Any]:
        return [e.payload for e in self.events if e.kind == kind]


@dataclass
class _LoadedAction:
    module: ModuleType
    in_validator: Draft3Validator | None
    out_validator: Draft3Validator | None
    input_model: type[InputModel] | None
    config_model: type[BaseModel] | None


class Executor:
    """Runs the component's actions. One executor can serve many messages and threads."""

    def __init__(self, root: Path = COMPONENT_ROOT, *, services: Services | None = None) -> None:
        self.root = root
        self.manifest: Manifest = load_manifest(root)
        self.services = services or Services()
        self._loaded: dict[str, _LoadedAction] = {}

    def _load(self, action_key: str) -> _LoadedAction:
        loaded = self._loaded.get(action_key)
        if loaded is None:
            spec = self.manifest.action(action_key)
            module = load_module(self.root, spec.main)
            meta = spec.metadata
            input_model = getattr(module, "Input", None)
            config_model = getattr(module, "Config", None)
            loaded = _LoadedAction(
                module=module,
                in_validator=compile_validator(load_schema(self.root, meta.in_))
                if meta.in_
                else None,
                out_validator=compile_validator(load_schema(self.root, meta.out))
                if meta.out
                else None,
                input_model=input_model
                if is_model_class(input_model) and issubclass(input_model, InputModel)
                else None,
                config_model=config_model if is_model_class(config_model) else None,
            )
            self._loaded[action_key] = loaded
        return loaded

    def input_problems(
        self, action_key: str, body: Any, cfg: Mapping[str, Any] | None = None
    ) -> list[Problem]:
        """Everything wrong with a body (and config) for this action, without running it."""
        loaded = self._load(action_key)
        problems: list[Problem] = []
        if isinstance(body, dict):
            # Values no JSON can hold are reported alone: the schema check cannot describe them.
            problems = json_value_problems(body)
        elif json_value_problems(body):
            # Only the type of a body that is not an object matters, and jsonschema cannot print
            # a 5000-digit number: an empty value of the same type stands in for it.
            body = type(body)()
        if not problems:
            if loaded.in_validator is not None:
                problems.extend(schema_problems(loaded.in_validator, body))
            if loaded.input_model is not None and isinstance(body, dict):
                problems.extend(loaded.input_model.cross_field_problems(body))
        if loaded.config_model is not None and cfg is not None:
            try:
                loaded.config_model.model_validate(cfg)
            except ValidationError as error:
                problems.extend(problems_from(error, "cfg"))
        return list(dict.fromkeys(problems))

    def run(
        self,
        action_key: str,
        msg: Message,
        cfg: Mapping[str, Any],
        snapshot: Mapping[str, Any] | None = None,
    ) -> RunResult:
        events: list[Event] = []

        def emit(kind: EventKind, payload: Any) -> None:
            events.append(Event(kind, payload))

        loaded = self._load(action_key)
        problems = self.input_problems(action_key, msg.body, cfg)
        if problems:
            emit("error", error_payload(InputError(problems)))
            return RunResult(events)
        context = ActionContext(action_key, cfg, emit, self.services, snapshot)
        try:
            result = loaded.module.process(msg, cfg, context)
        except RateLimitError as error:
            log.debug("rate limit not lifted in time", exc_info=True)
            emit("rebound", rebound_payload(error))
            return RunResult(events)
        except PicsartError as error:
            log.debug("action %s failed", action_key, exc_info=True)
            emit("error", error_payload(error))
            return RunResult(events)
        except Exception as error:
            log.debug("action %s raised", action_key, exc_info=True)
            emit("error", error_payload(error))
            return RunResult(events)
        if result is not None:
            output = result if isinstance(result, Message) else Message(body=result)
            out_problems = (
                schema_problems(loaded.out_validator, output.body) if loaded.out_validator else []
            )
            if out_problems:
                emit(
                    "error",
                    error_payload(InputError(out_problems, "The action's output broke its schema")),
                )
            else:
                emit("data", output)
        return RunResult(events)

    def verify_credentials(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``verifyCredentials.py``: ``{"verified": bool, ...}``, never an exception."""
        module = load_module(self.root, VERIFY_CREDENTIALS_MAIN)
        context = ActionContext("verifyCredentials", cfg, lambda kind, payload: None, self.services)
        try:
            result = module.verify(cfg, context)
        except PicsartError as error:
            return {"verified": False, "reason": str(error)}
        except Exception as error:
            log.debug("verifyCredentials raised", exc_info=True)
            return {"verified": False, "reason": f"{type(error).__name__}: {error}"}
        return dict(result) if isinstance(result, Mapping) else {"verified": bool(result)}


def error_payload(error: BaseException) -> dict[str, Any]:
    """An error as the ``error`` event carries it: name, message, status, correlation id."""
    payload: dict[str, Any] = {"name": type(error).__name__, "message": str(error)}
    if isinstance(error, InputError):
        payload["problems"] = [{"path": p.path, "rule": p.rule} for p in error.problems]
    if isinstance(error, APIError):
        if error.status is not None:
            payload["status"] = error.status
        if error.correlation_id:
            payload["correlationId"] = error.correlation_id
    return payload


def rebound_payload(error: RateLimitError) -> dict[str, Any]:
    payload = error_payload(error)
    if error.retry_at is not None:
        payload["retryAt"] = datetime.fromtimestamp(error.retry_at, tz=timezone.utc).isoformat(
            timespec="seconds"
        )
    return payload
