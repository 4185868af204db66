"""A step's body: a JSONata expression (elastic.io's mapping language) or a fixed JSON object.

An expression is evaluated against ``{"input": <item>, "<earlier step id>": <its output>, ...}``.
It is parsed by ``flow validate`` (to find syntax errors and the names it reads), and once more
by each thread that evaluates it (``Jsonata`` objects are not shared between threads, whatever
the library keeps in them). A batch evaluates in child processes (``evaluation.py``).
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jsonata
from jsonata.parser import Parser

from ..runtime.errors import did_you_mean

EVALUATION_TIMEOUT_MS = 2000
EVALUATION_MAX_DEPTH = 500

JSONATA_FUNCTIONS: frozenset[str] = frozenset(jsonata.Jsonata.static_frame.bindings)
"""The functions JSONata itself offers (``lowercase`` for ``$lowercase``). The component
registers none of its own, so these are every function a mapping can call."""
NOT_A_FUNCTION_CODES = frozenset({"T1005", "T1006", "T1007", "T1008"})
"""JSONata's errors for calling (or partly applying) something that is not a function."""


class ExpressionSyntaxError(Exception):
    """The expression does not parse; the message says where."""


class MappingError(Exception):
    """Evaluating a body failed, or gave something that cannot be a step's input.

    ``code`` is JSONata's error code when JSONata raised it (``T1006``), else None.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def parse_expression(expression: str) -> Any:
    """The parsed expression (a ``jsonata.Jsonata``), or ``ExpressionSyntaxError``."""
    try:
        return jsonata.Jsonata(expression)
    except jsonata.JException as error:
        raise ExpressionSyntaxError(jsonata_message(error)) from None
    except (RecursionError, ValueError, TypeError, AttributeError, IndexError):
        # The parser has crashed on some malformed input rather than raising its own error.
        raise ExpressionSyntaxError(
            "cannot be parsed: JSONata's parser gave up on it; check its brackets and quotes"
        ) from None


_PORT_WORDING = re.compile(r"\bObject\b")
_UNFILLED = re.compile(r" ?\{\}| None\b")


def function_hint(name: str) -> str:
    """``"; did you mean '$lowercase'?"`` for a misspelt JSONata function, or ``""``."""
    return did_you_mean(f"${name}", (f"${known}" for known in JSONATA_FUNCTIONS))


def jsonata_message(error: jsonata.JException) -> str:
    """The error as JSONata reports it: its message, code and position (and the function's
    name, for a call of something that is not a function).

    The Python port writes "Object" where JSONata's messages say "function", and leaves the
    placeholders it had no value for: the words are put back, the placeholders dropped.
    """
    message = _UNFILLED.sub("", _PORT_WORDING.sub("function", str(error))).strip()
    code = getattr(error, "error", None)
    location = getattr(error, "location", None)
    token = getattr(error, "current", None)
    details = [f"JSONata error {code}" if isinstance(code, str) else "JSONata error"]
    if isinstance(location, int) and location >= 0:
        details.append(f"at character {location}")
    if code in NOT_A_FUNCTION_CODES and isinstance(token, str) and token:
        message = f"{message}: ${token}{function_hint(token)}"
    return f"{message} ({', '.join(details)})"


def root_names(expression: str) -> set[str]:
    """The top-level names an expression reads from the document it is evaluated against.

    Those are the first steps of paths evaluated in the root context (``input.url``,
    ``$.cutout.data``) and any path that starts at ``$$``. Names inside a filter, after the first
    step of a path, or in a lambda's body are relative to something else and are left out, so a
    name found here is one the step really looks up among ``input`` and the earlier steps.
    """
    found: set[str] = set()
    _collect(parse_expression(expression).ast, root=True, found=found, seen=set())
    return found


def _collect(node: Any, *, root: bool, found: set[str], seen: set[int]) -> None:
    if not isinstance(node, Parser.Symbol) or id(node) in seen:
        return
    seen.add(id(node))
    if node.type == "path" and node.steps:
        _collect_path(node, root=root, found=found, seen=seen)
        return
    if node.type == "name":
        if root and isinstance(node.value, str):
            found.add(node.value)
        return
    if node.type == "lambda":
        _collect(node.body, root=False, found=found, seen=seen)
        return
    for child in _children(node):
        _collect(child, root=root, found=found, seen=seen)


def _collect_path(node: Any, *, root: bool, found: set[str], seen: set[int]) -> None:
    steps = list(node.steps)
    first = steps[0]
    rest = steps[1:]
    second = rest[0] if rest else None
    second_name = (
        second.value if isinstance(second, Parser.Symbol) and second.type == "name" else None
    )
    if first.type == "variable" and first.value == "$":
        if isinstance(second_name, str):
            found.add(second_name)
    elif first.type == "variable" and first.value == "":
        if root and isinstance(second_name, str):
            found.add(second_name)
    elif first.type == "name":
        if root and isinstance(first.value, str):
            found.add(first.value)
        for child in _children(first):
            _collect(child, root=False, found=found, seen=seen)
    else:
        _collect(first, root=root, found=found, seen=seen)
    for step in rest:
        _collect(step, root=False, found=found, seen=seen)
    for child in _children(node, skip=("steps",)):
        _collect(child, root=False, found=found, seen=seen)


def _children(node: Any, skip: tuple[str, ...] = ()) -> Iterator[Any]:
    for name, value in vars(node).items():
        if name in skip or name in ("_outer_instance", "ancestor", "slot", "seeking_parent"):
            continue
        yield from _symbols(value)


def _symbols(value: Any) -> Iterator[Any]:
    if isinstance(value, Parser.Symbol):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _symbols(item)


@dataclass(frozen=True)
class ResultField:
    """A key the expression's result object is built with, written as a literal."""

    name: str
    position: int
    value: Any = None
    """The value, when it too is a literal (a string, number, boolean or null)."""
    literal_value: bool = False


@dataclass
class ExpressionFacts:
    """What can be known of an expression without evaluating it."""

    calls: list[tuple[str, int]] = field(default_factory=list)
    """Every ``$name(...)`` called, with JSONata's position of the call."""
    bound: set[str] = field(default_factory=set)
    """Names the expression binds itself (``$f := ...``, a function's parameters)."""
    result_fields: list[ResultField] = field(default_factory=list)

    def unknown_functions(self) -> list[tuple[str, int]]:
        """Calls of a name that is neither JSONata's function nor bound by the expression."""
        return [
            (name, position)
            for name, position in self.calls
            if name and name not in JSONATA_FUNCTIONS and name not in self.bound
        ]


_LITERAL_TYPES = ("string", "number", "value")


def expression_facts(expression: str) -> ExpressionFacts:
    """The functions an expression calls, the names it binds, and the literal keys of the
    object it gives (through blocks and both branches of a condition)."""
    facts = ExpressionFacts()
    ast = parse_expression(expression).ast
    _walk_calls(ast, facts, set())
    _result_objects(ast, facts)
    return facts


def facts_if_parsed(expression: str | None) -> ExpressionFacts | None:
    """``expression_facts``, or None for a fixed body (no expression) or an expression that does
    not parse (whoever parses or evaluates it reports why)."""
    if expression is None:
        return None
    try:
        return expression_facts(expression)
    except ExpressionSyntaxError:
        return None


def _walk_calls(node: Any, facts: ExpressionFacts, seen: set[int]) -> None:
    if not isinstance(node, Parser.Symbol) or id(node) in seen:
        return
    seen.add(id(node))
    if node.type in ("function", "partial"):
        procedure = node.procedure
        if isinstance(procedure, Parser.Symbol) and procedure.type == "variable":
            facts.calls.append((str(procedure.value), int(node.position or 0)))
    elif node.type == "bind":
        target = node.lhs
        if isinstance(target, Parser.Symbol) and target.type == "variable":
            facts.bound.add(str(target.value))
    elif node.type == "lambda":
        for argument in node.arguments or ():
            if isinstance(argument, Parser.Symbol):
                facts.bound.add(str(argument.value))
    for child in _children(node):
        _walk_calls(child, facts, seen)


def _result_objects(node: Any, facts: ExpressionFacts) -> None:
    if not isinstance(node, Parser.Symbol):
        return
    if node.type == "block" and node.expressions:
        _result_objects(node.expressions[-1], facts)
    elif node.type == "condition":
        _result_objects(node.then, facts)
        _result_objects(node._else, facts)
    elif node.type == "unary" and node.value == "{":
        for pair in node.lhs_object or ():
            key, value = pair[0], pair[1]
            if isinstance(key, Parser.Symbol) and key.type == "string":
                literal = isinstance(value, Parser.Symbol) and value.type in _LITERAL_TYPES
                facts.result_fields.append(
                    ResultField(
                        str(key.value),
                        int(key.position or 0),
                        value.value if literal else None,
                        literal,
                    )
                )


class ExpressionEvaluator(Protocol):
    def evaluate(self, expression: str, document: Mapping[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class StepBody:
    """How one step's input is made: ``expression`` (JSONata) or ``fixed`` (a JSON object)."""

    expression: str | None = None
    fixed: Mapping[str, Any] | None = None

    def evaluate(
        self, document: Mapping[str, Any], evaluator: ExpressionEvaluator
    ) -> dict[str, Any]:
        """The step's input object for ``document`` (``input`` and the earlier outputs)."""
        if self.fixed is not None:
            return copy.deepcopy(dict(self.fixed))
        assert self.expression is not None
        return evaluator.evaluate(self.expression, document)


_parsed = threading.local()
PARSED_PER_THREAD = 64


def evaluate_expression(expression: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate in this thread, parsing each expression once; ``MappingError`` when it fails or
    gives no input object."""
    cache: dict[str, Any] = _parsed.__dict__.setdefault("expressions", {})
    try:
        parsed = cache.get(expression)
        if parsed is None:
            if len(cache) >= PARSED_PER_THREAD:
                cache.clear()
            parsed = cache[expression] = jsonata.Jsonata(expression)
        # The time and depth limits count from when they are set: once per evaluation.
        parsed.environment.set_runtime_bounds(EVALUATION_TIMEOUT_MS, EVALUATION_MAX_DEPTH)
        result = parsed.evaluate(dict(document), {})
    except jsonata.JException as error:
        raise MappingError(
            f"the body expression failed: {jsonata_message(error)}", getattr(error, "error", None)
        ) from None
    except RecursionError:
        raise MappingError("the body expression recursed too deeply") from None
    except MemoryError:
        raise
    except Exception as error:
        # One of JSONata's functions failed in Python rather than with a JSONata error.
        raise MappingError(
            f"the body expression failed: {_function_failure(expression, document, error)}"
        ) from None
    return as_input_object(result)


_FUNCTION_WORDING = {"number": "Unable to cast value to a number"}


def _function_failure(expression: str, document: Mapping[str, Any], error: Exception) -> str:
    """Which function failed and where, found by evaluating once more while watching the calls
    (only after a failure, so that a good evaluation pays nothing for it)."""
    calls: list[Any] = []

    def enter(node: Any, *_: Any) -> None:
        if isinstance(node, Parser.Symbol) and node.type == "function":
            calls.append(node)

    def leave(node: Any, *_: Any) -> None:
        if calls and calls[-1] is node:
            calls.pop()

    watched = jsonata.Jsonata(expression)
    watched.environment.set_evaluate_entry_callback(enter)
    watched.environment.set_evaluate_exit_callback(leave)
    with contextlib.suppress(Exception):  # the same failure again, watched this time
        watched.evaluate(dict(document), {})
    reason = str(error) or type(error).__name__
    if not calls:
        return f"{reason} (JSONata could not evaluate it)"
    call = calls[-1]
    procedure = call.procedure
    name = str(procedure.value) if isinstance(procedure, Parser.Symbol) else "?"
    wording = _FUNCTION_WORDING.get(name, f"${name} failed")
    return f"{wording}: {reason} (JSONata function ${name}, at character {call.position})"


def as_input_object(result: Any) -> dict[str, Any]:
    """``result`` as a step's input: a JSON object with integral numbers as integers.

    JSONata, like JavaScript, has only one number type, so ``2`` may come back as ``2.0``; JSON
    does not tell them apart, but the actions' schemas do (``upscale_factor`` is an integer).
    """
    if result is None:
        raise MappingError(
            "the body expression gave nothing (undefined); it must give a JSON object, "
            'for example {"image_url": input.url}'
        )
    if not isinstance(result, dict):
        raise MappingError(
            f"the body expression gave {_kind(result)}; it must give a JSON object, "
            'for example {"image_url": input.url}'
        )
    normalized = _normalized(result)
    try:
        json.dumps(normalized, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise MappingError(f"the body expression gave a value JSON cannot hold: {error}") from None
    assert isinstance(normalized, dict)
    return normalized


def _normalized(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalized(item) for item in value]
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return f"a value of type {type(value).__name__}"
