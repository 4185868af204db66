"""Checking a message body against an action's metadata schema, with formats checked.

The schemas are draft-03 style (``required: true`` on each property), as the elastic.io designer
reads them, so they are checked with jsonschema's ``Draft3Validator``. Every broken rule becomes
a ``Problem`` with a JSON path and a sentence a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema import Draft3Validator
from jsonschema.exceptions import ValidationError as SchemaError

from .lib.errors import Problem

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def compile_validator(schema: dict[str, Any]) -> Draft3Validator:
    Draft3Validator.check_schema(schema)
    return Draft3Validator(schema, format_checker=Draft3Validator.FORMAT_CHECKER)


def schema_problems(validator: Draft3Validator, instance: Any) -> list[Problem]:
    """Every rule ``instance`` breaks, sorted by path, each described once."""
    problems: list[Problem] = []
    for error in validator.iter_errors(instance):
        problems.extend(_describe(error))
    return sorted(set(problems), key=lambda p: (p.path, p.rule))


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
            Problem(json_path([*error.absolute_path, key]), "is not a field of this action")
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
        return "must be one of: " + ", ".join(_literal(v) for v in value)
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
