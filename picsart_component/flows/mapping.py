"""A step's body: a JSONata expression (elastic.io's mapping language) or a fixed JSON object.

An expression is evaluated against ``{"input": <item>, "<earlier step id>": <its output>, ...}``.
It is parsed by ``flow validate`` (to find syntax errors and the names it reads), and once more
by each thread that evaluates it (``Jsonata`` objects are not shared between threads, whatever
the library keeps in them). A batch evaluates in child processes (``evaluation.py``).
"""

from __future__ import annotations

import copy
import json
import math
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jsonata
from jsonata.parser import Parser

EVALUATION_TIMEOUT_MS = 2000
EVALUATION_MAX_DEPTH = 500


class ExpressionSyntaxError(Exception):
    """The expression does not parse; the message says where."""


class MappingError(Exception):
    """Evaluating a body failed, or gave something that cannot be a step's input."""


def parse_expression(expression: str) -> Any:
    """The parsed expression (a ``jsonata.Jsonata``), or ``ExpressionSyntaxError``."""
    try:
        return jsonata.Jsonata(expression)
    except jsonata.JException as error:
        raise ExpressionSyntaxError(_located(error, expression)) from None
    except (RecursionError, ValueError, TypeError, AttributeError, IndexError) as error:
        # The parser has crashed on some malformed input rather than raising its own error.
        raise ExpressionSyntaxError(f"cannot be parsed ({type(error).__name__})") from None


def _located(error: jsonata.JException, expression: str) -> str:
    message = str(error)
    location = getattr(error, "location", None)
    if isinstance(location, int) and 0 <= location <= len(expression):
        return f"{message} (at character {location})"
    return message


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
        raise MappingError(f"the body expression failed: {error}") from None
    except RecursionError:
        raise MappingError("the body expression recursed too deeply") from None
    return as_input_object(result)


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
