"""``picsart-flow describe ACTION``: an action's fields, config, output and a body that runs.

Everything comes from what the designer reads (the action's metadata schemas and config fields
in component.json) and from the action module's ``EXAMPLE``, so it cannot drift from the code.
"""

from __future__ import annotations

import json
import shlex
import textwrap
from typing import Any

from .runtime.executor import Executor
from .runtime.manifest import load_module, load_schema

WIDTH = 100
MANY_CHOICES = 10
"""More choices than this are listed under the field, wrapped, rather than on its first line."""


def describe_json(executor: Executor, action: str) -> dict[str, Any]:
    spec = executor.manifest.action(action)
    module = load_module(executor.root, spec.main)
    return {
        "action": action,
        "title": spec.title,
        "description": spec.description,
        "config": spec.fields,
        "in": load_schema(executor.root, spec.metadata.in_) if spec.metadata.in_ else {},
        "out": load_schema(executor.root, spec.metadata.out) if spec.metadata.out else {},
        "example": getattr(module, "EXAMPLE", None),
    }


def describe_text(executor: Executor, action: str) -> str:
    described = describe_json(executor, action)
    lines = [f"{action}: {described['title']}", *_wrapped(described["description"], "  ")]
    lines += ["", "Input (the message body):"]
    lines += _properties(described["in"].get("properties", {}))
    lines += ["", "Config (--cfg, besides the credentials):"]
    if not described["config"]:
        lines.append("  none")
    for name, field in described["config"].items():
        view = field.get("viewClass", "TextFieldView").removesuffix("View")
        choices = field.get("model")
        if isinstance(choices, dict):
            view += ", one of " + ", ".join(choices)
        lines.append(f"  {name}  {view}{', required' if field.get('required') else ''}")
        lines += _wrapped(field.get("note", field.get("label", "")), "      ")
    lines += ["", "Output (the data message's body):"]
    lines += _properties(described["out"].get("properties", {}))
    example = described["example"]
    if example is not None:
        body = json.dumps(example, ensure_ascii=False)
        lines += [
            "",
            "Example (runs as it is; without an API key the built-in sandbox answers):",
            f"  picsart-flow run {action} --body {shlex.quote(body)}",
        ]
    return "\n".join(lines)


def _properties(properties: dict[str, Any], indent: str = "  ") -> list[str]:
    if not properties:
        return [f"{indent}none"]
    lines = []
    for name, schema in properties.items():
        lines.append(f"{indent}{name}  {_summary(schema)}")
        lines += _wrapped(schema.get("description", ""), indent + "    ")
        enum = schema.get("enum", [])
        if len(enum) > MANY_CHOICES:
            lines += _wrapped(
                "choices: " + ", ".join(str(value) for value in enum), indent + "    "
            )
        items = schema.get("items")
        nested = items.get("properties") if isinstance(items, dict) else schema.get("properties")
        if isinstance(nested, dict):
            if isinstance(items, dict):
                lines.append(f"{indent}    each item:")
            lines += _properties(nested, indent + "    ")
    return lines


def _summary(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    parts = [f"{kind} ({schema['format']})" if "format" in schema else str(kind)]
    parts.append("required" if schema.get("required") else "optional")
    enum = schema.get("enum")
    if enum and len(enum) > MANY_CHOICES:
        parts.append(f"one of {len(enum)} choices (below)")
    elif enum:
        parts.append("one of " + ", ".join(str(value) for value in enum))
    for key, words in (("minimum", "at least"), ("maximum", "at most")):
        if key in schema:
            parts.append(f"{words} {schema[key]}")
    if "minItems" in schema:
        parts.append(f"at least {schema['minItems']} item(s)")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if "default" in schema:
        parts.append(f"default {json.dumps(schema['default'])}")
    return ", ".join(parts)


def _wrapped(text: str, indent: str) -> list[str]:
    if not text:
        return []
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )
