"""Checking a message body against an action's metadata schema, with formats checked.

The schemas are draft-03 style (``required: true`` on each property), as the elastic.io designer
reads them, so they are checked with jsonschema's ``Draft3Validator``. Every broken rule becomes
a ``Problem`` with a JSON path and a sentence a person can act on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft3Validator, validators
from jsonschema.exceptions import ValidationError as SchemaError

from .documents import MAX_DEPTH
from .errors import Problem, did_you_mean

MAX_TEXT_LENGTH = 1 << 20

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _after_length(check: Any) -> Any:
    """A keyword that reads a string's characters (``format``, ``pattern``) runs only when the
    string is within the schema's ``maxLength``: a URI check on 20 MB of text costs gigabytes,
    and the length rule already says what is wrong."""

    def checked(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        limit = schema.get("maxLength")
        if isinstance(instance, str) and isinstance(limit, int) and len(instance) > limit:
            return
        yield from check(validator, value, instance, schema)

    return checked


LengthFirstValidator = validators.extend(  # type: ignore[no-untyped-call] # jsonschema's own typing
    Draft3Validator,
    {
        "format": _after_length(Draft3Validator.VALIDATORS["format"]),
        "pattern": _after_length(Draft3Validator.VALIDATORS["pattern"]),
    },
)


def compile_validator(schema: dict[str, Any]) -> Draft3Validator:
    Draft3Validator.check_schema(schema)
    validator: Draft3Validator = LengthFirstValidator(
        schema, format_checker=Draft3Validator.FORMAT_CHECKER
    )
    return validator


def schema_problems(validator: Draft3Validator, instance: Any) -> list[Problem]:
    """Every rule ``instance`` breaks, sorted by path, each described once."""
    problems: list[Problem] = []
    for error in validator.iter_errors(instance):
        problems.extend(_describe(error))
    return sorted(set(problems), key=lambda p: (p.path, p.rule))


def json_value_problems(instance: Any) -> list[Problem]:
    """Values no JSON document can hold, which the schema check and the actions cannot handle.

    Python's ``json`` module reads some of them (``NaN``, ``"\\ud800"``) and a ``Message`` built
    in code can hold any, but a lone surrogate cannot be encoded to UTF-8, NaN and Infinity are
    not JSON, and an integer over Python's digit limit cannot even be printed, which made
    jsonschema's error messages raise. Values too large to check cheaply (text over 1 MB,
    nesting over 64 levels) are refused here too, before any pattern reads them. Walked with a
    stack, so deep nesting cannot overflow, and each container once, so a cycle (possible only
    in code) cannot loop.
    """
    problems: list[Problem] = []
    pending: list[tuple[tuple[Any, ...], Any]] = [((), instance)]
    seen: set[int] = set()
    while pending:
        path, value = pending.pop()
        rule = _json_value_rule(value)
        if rule:
            problems.append(Problem(_safe_path(path), rule))
        elif isinstance(value, (dict, list)):
            if id(value) in seen:
                continue
            seen.add(id(value))
            if len(path) >= MAX_DEPTH:
                problems.append(
                    Problem(_safe_path(path), f"is nested more than {MAX_DEPTH} levels deep")
                )
                continue
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and not _is_unicode(key):
                    problems.append(Problem(_safe_path((*path, key)), "the name " + _SURROGATE))
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
    return sorted(problems, key=lambda p: p.path)


def _json_value_rule(value: Any) -> str | None:
    if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
        return f"is too long: {len(value)} characters, at most {MAX_TEXT_LENGTH}"
    if isinstance(value, str) and not _is_unicode(value):
        return _SURROGATE
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (JSON has no NaN or Infinity)"
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            str(value)
        except ValueError:
            return "is too large a number"
    return None


_SURROGATE = "must be valid Unicode text (it contains an unpaired surrogate)"


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _safe_path(parts: tuple[Any, ...]) -> str:
    """A JSON path that can itself be printed: unpaired surrogates in names are escaped."""
    return json_path(
        part.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(part, str) else part
        for part in parts
    )


def json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _describe(error: SchemaError) -> list[Problem]:
    path = json_path(error.absolute_path)
    keyword = error.validator
    value = error.validator_value
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {}))
        return [
            Problem(
                json_path([*error.absolute_path, key]),
                "is not a field of this action" + did_you_mean(key, known),
            )
            for key in error.instance
            if key not in known
        ]
    if keyword == "required":
        # Draft 3 reports a missing property at the property's own path.
        return [Problem(path, "is required")]
    return [Problem(path, _rule(keyword, value, error))]


def _rule(keyword: Any, value: Any, error: SchemaError) -> str:
    if keyword == "type":
        expected = [value] if isinstance(value, str) else list(value)
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        return f"must be {names}, not {_kind(error.instance)}"
    if keyword == "enum":
        rule = "must be one of: " + ", ".join(_literal(v) for v in value)
        if isinstance(error.instance, str):
            rule += did_you_mean(error.instance, [v for v in value if isinstance(v, str)])
        return rule
    if keyword == "minimum":
        return f"must be at least {value}"
    if keyword == "maximum":
        return f"must be at most {value}"
    if keyword == "minLength":
        return "must not be empty" if value == 1 else f"must be at least {value} characters long"
    if keyword == "maxLength":
        return f"must be at most {value} characters long"
    if keyword == "format":
        return f"must be a valid {value}"
    if keyword == "pattern":
        return f"must match the pattern {value}"
    return str(error.message)


def _kind(instance: Any) -> str:
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return "a boolean"
    if isinstance(instance, int):
        return "an integer"
    if isinstance(instance, float):
        return "a number"
    if isinstance(instance, str):
        return "a string"
    if isinstance(instance, list):
        return "an array"
    if isinstance(instance, dict):
        return "an object"
    return type(instance).__name__


def _literal(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)
