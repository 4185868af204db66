"""Running one action on one message: validate in, run, validate out, emit.

Whatever happens inside an action ends as events, never as a traceback on the user's screen:
bad input is one ``error`` event naming every broken rule (and the action does not run), a
``ComponentError`` becomes the event it asks for (an ``error``, or a ``rebound`` for a failure
that passes with time), and a bug is an ``error`` event whose traceback is logged at debug level
(``--verbose``).

The executor knows nothing of what a component does. An action module may declare ``Input``,
``Config`` and ``Output`` models and a ``Context`` class (a subclass of ``ActionContext``);
``process(body, config, context)`` then gets the validated ``Input`` and ``Config`` instances and
a ``Context`` built with the ``services`` object the front end handed the executor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from jsonschema import Draft3Validator
from pydantic import BaseModel, ValidationError

from .errors import ComponentError, InputError, Problem, error_payload
from .manifest import (
    COMPONENT_ROOT,
    VERIFY_CREDENTIALS_MAIN,
    Manifest,
    ManifestError,
    load_manifest,
    load_module,
    load_schema,
)
from .messages import Event, EventKind, Message, failure_of
from .models import InputModel, is_model_class, problems_from
from .validation import compile_validator, json_value_problems, schema_problems

log = logging.getLogger("picsart.executor")

Emit = Callable[[EventKind, Any], None]


class ActionContext:
    """What an action gets besides its input and config: the message, ``emit``, the snapshot.

    ``services`` is whatever the front end gave the executor (clients, stores, clocks); only the
    component's own ``Context`` subclass knows what it is.
    """

    def __init__(
        self,
        action: str,
        message: Message,
        cfg: Mapping[str, Any],
        emit: Emit,
        *,
        snapshot: Mapping[str, Any] | None = None,
        services: object = None,
    ) -> None:
        self.action = action
        self.message = message
        self.cfg = cfg
        self._emit = emit
        self.snapshot = dict(snapshot or {})
        self.services = services
        self.logger = logging.getLogger(f"picsart.actions.{action}")

    def emit(self, kind: EventKind, payload: Any) -> None:
        self._emit(kind, payload)

    @property
    def credits_left(self) -> int | None:
        """What the service said is left of the account's credits after its last answer in
        this run; None when it did not say, or the component's context does not know."""
        return None

    def error_event(self, error: ComponentError) -> Event:
        """The event ``error`` ends the run with: what the error asks for (an ``error``, or a
        ``rebound``). A component's context may choose otherwise (a user's error policy); a
        ``data`` event it chooses carries ``{"error": ...}``, the one field of the out-schema
        then checked."""
        return Event(error.event_kind, error_payload(error))


@dataclass
class RunResult:
    """The events of one run, and the context the action ran with (None when it did not run)."""

    events: list[Event]
    context: ActionContext | None = None

    @property
    def failure(self) -> Event | None:
        """The ``error`` or ``rebound`` that says the run failed (``messages.failure_of``)."""
        return failure_of(self.events)

    @property
    def failed(self) -> bool:
        return self.failure is not None

    @property
    def output(self) -> Message | None:
        """The run's first output message (whether or not the run failed); None without one."""
        payload = next((e.payload for e in self.events if e.kind == "data"), None)
        if payload is None or isinstance(payload, Message):
            return payload
        return Message.model_validate(payload)

    @property
    def ok(self) -> bool:
        return self.output is not None and not self.failed

    @property
    def credits_left(self) -> int | None:
        """The credits left after the run's last answer, as the action's context tells them."""
        return self.context.credits_left if self.context is not None else None

    def of_kind(self, kind: EventKind) -> list[Any]:
        return [e.payload for e in self.events if e.kind == kind]


def _error_data_fits(loaded: _LoadedAction, payload: Any) -> bool:
    """Whether an error emitted as data is what the action's out-schema says an ``error`` is."""
    body = payload.body if isinstance(payload, Message) else None
    if loaded.out_validator is None or not isinstance(body, dict) or set(body) != {"error"}:
        return False
    out_schema = loaded.out_validator.schema
    properties = out_schema.get("properties") if isinstance(out_schema, Mapping) else None
    schema = properties.get("error") if isinstance(properties, dict) else None
    if not isinstance(schema, dict):
        log.warning("%s has no error in its out-schema", loaded.module.__name__)
        return False
    return not schema_problems(compile_validator(schema), body["error"])


@dataclass
class _LoadedAction:
    module: ModuleType
    in_validator: Draft3Validator | None
    out_validator: Draft3Validator | None
    input_model: type[InputModel] | None
    config_model: type[BaseModel] | None
    context_type: type[ActionContext]


@dataclass
class _Checked:
    problems: list[Problem]
    body: Any = None
    config: Any = None


def context_type_of(module: ModuleType) -> type[ActionContext]:
    """The ``Context`` class a module declares, or ``ActionContext``."""
    declared = getattr(module, "Context", ActionContext)
    if not (isinstance(declared, type) and issubclass(declared, ActionContext)):
        raise ManifestError(
            f"{module.__name__}.Context must be a subclass of ActionContext, not {declared!r}"
        )
    return declared


class Executor:
    """Runs a component's actions. One executor can serve many messages and threads.

    ``services`` is handed to every action's context as it is; the runtime never looks inside.
    """

    def __init__(self, root: Path = COMPONENT_ROOT, *, services: object = None) -> None:
        self.root = root
        self.manifest: Manifest = load_manifest(root)
        self.services = services
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
                context_type=context_type_of(module),
            )
            self._loaded[action_key] = loaded
        return loaded

    def action_module(self, action_key: str) -> ModuleType:
        """The module of an action (a front end calls its hooks: ``startup``, ``init``,
        ``shutdown``, where it has them); ``ManifestError`` for an unknown action."""
        return self._load(action_key).module

    def call_module_method(
        self,
        action_key: str,
        name: str,
        cfg: Mapping[str, Any],
        services: object = None,
    ) -> Any:
        """Call ``name(cfg, context)`` of an action's module, as the platform's service calls
        do (``getMetaModel``, a select model's method): the context is the action's ``Context``,
        with no message and an ``emit`` that drops what it is given, and ``services`` (the
        executor's when None). A method the module lacks is an ``AssertionError`` in the
        reference sailor's words; whatever the method raises goes to the caller."""
        module = self.action_module(action_key)
        method = getattr(module, name, None)
        if not callable(method):
            raise AssertionError(
                f'Method "{name}" is not found in "{action_key}" action or trigger'
            )
        context = context_type_of(module)(
            action_key,
            Message(),
            cfg,
            lambda kind, payload: None,
            services=self.services if services is None else services,
        )
        return method(cfg, context)

    def input_problems(
        self, action_key: str, body: Any, cfg: Mapping[str, Any] | None = None
    ) -> list[Problem]:
        """Everything wrong with a body (and config, unless None) for this action, without running
        it."""
        return self._check(self._load(action_key), body, cfg).problems

    def _check(self, loaded: _LoadedAction, body: Any, cfg: Mapping[str, Any] | None) -> _Checked:
        """The problems of a body and config, and when there are none, their model instances."""
        problems: list[Problem] = []
        if isinstance(body, dict):
            # Values no JSON can hold are reported alone: the schema check cannot describe them.
            problems = json_value_problems(body)
            if not problems and loaded.input_model is not None:
                body = loaded.input_model.normalized(body)
        elif json_value_problems(body):
            # Only the type of a body that is not an object matters, and jsonschema cannot print
            # a 5000-digit number: an empty value of the same type stands in for it.
            body = type(body)()
        if not problems:
            if loaded.in_validator is not None:
                problems.extend(schema_problems(loaded.in_validator, body))
            if loaded.input_model is not None and isinstance(body, dict):
                problems.extend(loaded.input_model.cross_field_problems(body))
        checked = _Checked(problems, body, cfg)
        if not problems and loaded.input_model is not None:
            try:
                checked.body = loaded.input_model.model_validate(body)
            except ValidationError as error:
                problems.extend(problems_from(error, "$"))
        if loaded.config_model is not None and cfg is not None:
            try:
                checked.config = loaded.config_model.model_validate(cfg)
            except ValidationError as error:
                problems.extend(problems_from(error, "cfg"))
        checked.problems = list(dict.fromkeys(problems))
        return checked

    def run(
        self,
        action_key: str,
        msg: Message,
        cfg: Mapping[str, Any],
        snapshot: Mapping[str, Any] | None = None,
        *,
        on_event: Callable[[Event], None] | None = None,
    ) -> RunResult:
        """Run one action on one message. ``on_event`` hears each event the moment it is
        emitted (a snapshot in the middle of a long call, say), before ``run`` returns them all.
        """
        events: list[Event] = []

        def emit(kind: EventKind, payload: Any) -> None:
            event = Event(kind, payload)
            events.append(event)
            if on_event is not None:
                on_event(event)

        loaded = self._load(action_key)
        checked = self._check(loaded, msg.body, cfg)
        if checked.problems:
            emit("error", error_payload(InputError(checked.problems)))
            return RunResult(events)
        context = loaded.context_type(
            action_key, msg, cfg, emit, snapshot=snapshot, services=self.services
        )
        try:
            result = loaded.module.process(checked.body, checked.config, context)
        except ComponentError as error:
            log.debug("action %s failed", action_key, exc_info=True)
            event = context.error_event(error)
            if event.kind == "data" and not _error_data_fits(loaded, event.payload):
                event = Event(error.event_kind, error_payload(error))
            emit(event.kind, event.payload)
            return RunResult(events, context)
        except Exception as error:
            log.debug("action %s raised", action_key, exc_info=True)
            emit("error", error_payload(error))
            return RunResult(events, context)
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
        return RunResult(events, context)

    def verify_credentials(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``verifyCredentials.py``: ``{"verified": bool, ...}``, never an exception."""
        module = load_module(self.root, VERIFY_CREDENTIALS_MAIN)
        context = context_type_of(module)(
            "verifyCredentials", Message(), cfg, lambda kind, payload: None, services=self.services
        )
        try:
            result = module.verify(cfg, context)
        except ComponentError as error:
            return {"verified": False, "reason": str(error)}
        except Exception as error:
            log.debug("verifyCredentials raised", exc_info=True)
            return {"verified": False, "reason": f"{type(error).__name__}: {error}"}
        return dict(result) if isinstance(result, Mapping) else {"verified": bool(result)}
