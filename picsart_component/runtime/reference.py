"""The action reference of a component's documentation site, written by ``picsart-flow generate``.

A component with a documentation site (``mkdocs.yml`` beside the file ``component.json`` really
is, so that the package's link to the checkout's counts) gets ``docs/reference/actions.md``: one
entry per action, from the same entries and schemas that ``component.json`` and ``schemas/`` are
generated from, and the module's ``EXAMPLE`` as a command. The component may group the actions
with a hook of its hooks package (``REFERENCE_GROUPS_HOOK``: given the action names in order, it
returns ``(group title, names)`` pairs, every action in one); without one they form one group.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .manifest import MANIFEST_NAME, ManifestError, component_hook

SITE_CONFIG = "mkdocs.yml"
REFERENCE_PATH = Path("docs") / "reference" / "actions.md"
REFERENCE_GROUPS_HOOK = "reference_groups"
SHOWN_CHOICES = 12
"""A longer list of choices is shown by its first ``SHOWN_CHOICES - 2`` and its count."""
BOUNDS = (
    ("minimum", "at least {}"),
    ("exclusiveMinimum", "more than {}"),
    ("maximum", "at most {}"),
    ("exclusiveMaximum", "less than {}"),
    ("minLength", "at least {} character(s)"),
    ("maxLength", "at most {} character(s)"),
    ("minItems", "at least {} item(s)"),
    ("maxItems", "at most {} item(s)"),
    ("pattern", "matches the regular expression {}"),
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}#|])")


@dataclass(frozen=True)
class ActionDocument:
    """What the reference says of one action: its generated entry, schemas and example."""

    name: str
    entry: dict[str, Any]
    in_schema: dict[str, Any]
    out_schema: dict[str, Any]
    example: Any


def site_root(root: Path) -> Path | None:
    """The folder of the documentation site of the component at ``root``, if it has one."""
    folder = (root / MANIFEST_NAME).resolve().parent
    return folder if (folder / SITE_CONFIG).is_file() else None


def text(value: str) -> str:
    """``value`` as Markdown shows it literally, on one line."""
    flat = " ".join(value.split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("<", "&lt;").replace(">", "&gt;")


def code(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    fence = "``" if "`" in shown else "`"
    padding = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{padding}{shown}{padding}{fence}"


def choices_text(choices: list[Any]) -> str:
    whole = all(isinstance(choice, int) and not isinstance(choice, bool) for choice in choices)
    if whole and len(choices) > 3 and choices == list(range(choices[0], choices[-1] + 1)):
        return f"every whole number from {code(choices[0])} to {code(choices[-1])}"
    if len(choices) <= SHOWN_CHOICES:
        return ", ".join(code(choice) for choice in choices)
    shown = choices[: SHOWN_CHOICES - 2]
    return ", ".join(code(choice) for choice in shown) + f", … ({len(choices)} in all)"


def bound_text(words: str, value: Any) -> str:
    """``words`` with ``value`` (a pattern as code); a ``(s)`` is the plural's, dropped for one."""
    shown = code(value) if isinstance(value, str) else value
    return words.format(shown).replace("(s)", "" if value == 1 else "s")


def type_text(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    shown = " or ".join(str(part) for part in kinds)
    if "array" in kinds and isinstance(schema.get("items"), dict):
        shown += f" of {type_text(schema['items'])}"
    if isinstance(schema.get("format"), str):
        shown += f" ({schema['format']})"
    return shown


def field_lines(properties: dict[str, Any], prefix: str = "") -> list[str]:
    """One list item per field, nested objects' fields after their object, as dotted names."""
    lines: list[str] = []
    for name, schema in properties.items():
        if not isinstance(schema, dict):
            continue
        key = f"{prefix}{name}"
        facts = [type_text(schema), "required" if schema.get("required") else "optional"]
        if schema.get("deprecated"):
            facts.append("deprecated")
        parts = [f"- **{code(key)}** ({', '.join(facts)})"]
        title = schema.get("title")
        description = schema.get("description", "")
        if title:
            parts.append(f": {text(title)}.")
        if description:
            parts.append(f" {text(description)}")
        details = []
        if isinstance(schema.get("enum"), list):
            details.append(f"Choices: {choices_text(schema['enum'])}.")
        if "const" in schema:
            details.append(f"Always {code(schema['const'])}.")
        items = schema.get("items")
        if isinstance(items, dict) and isinstance(items.get("enum"), list):
            details.append(f"Each one of: {choices_text(items['enum'])}.")
        bounds = [bound_text(words, schema[bound]) for bound, words in BOUNDS if bound in schema]
        if bounds:
            details.append(f"Bounds: {', '.join(bounds)}.")
        if "default" in schema:
            details.append(f"Default: {code(schema['default'])}.")
        lines.append("".join(parts) + "".join(f" {detail}" for detail in details))
        if isinstance(schema.get("properties"), dict):
            lines += field_lines(schema["properties"], f"{key}.")
    return lines


def config_lines(fields: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, field in fields.items():
        if not isinstance(field, dict):
            continue
        view = field.get("viewClass", "TextFieldView")
        required = "required" if field.get("required") else "optional"
        line = f"- **{code(name)}** ({view}, {required}): {text(field.get('label', name))}."
        if field.get("note"):
            line += f" {text(field['note'])}"
        model = field.get("model")
        if isinstance(model, dict):
            line += " Choices: " + "; ".join(
                f"{code(key)} ({text(str(label))})" for key, label in model.items()
            )
            line += "."
        elif isinstance(model, str):
            line += f" Choices: from the action's {code(model)}."
        if "default" in field:
            line += f" Default: {code(field['default'])}."
        lines.append(line)
    return lines


def example_command(name: str, example: Any) -> str:
    body = json.dumps(example, ensure_ascii=False)
    return f"picsart-flow run {name} --body {shlex.quote(body)}"


def action_section(document: ActionDocument) -> list[str]:
    entry = document.entry
    title = entry.get("title") or document.name
    lines = [f"### {text(title)} {{#{document.name}}}", "", f"Key: {code(document.name)}."]
    help_block: dict[str, Any] = entry["help"] if isinstance(entry.get("help"), dict) else {}
    if entry.get("description"):
        lines += ["", text(entry["description"])]
    if help_block.get("description"):
        lines += ["", text(help_block["description"])]
    if help_block.get("link"):
        lines += ["", f"More: <{help_block['link']}>"]
    lines += ["", "**Input** (the message body):", ""]
    properties = document.in_schema.get("properties") or {}
    lines += field_lines(properties) or ["- none"]
    if entry.get("dynamicMetadata"):
        lines += [
            "",
            "The lists of names are fetched when the flow is designed (dynamic metadata); "
            "shown here is the list the component falls back on.",
        ]
    lines += ["", "**Config** (`--cfg`, besides the credentials):", ""]
    lines += config_lines(entry.get("fields") or {}) or ["- none"]
    lines += ["", "**Output** (the data message's body):", ""]
    lines += field_lines(document.out_schema.get("properties") or {}) or ["- none"]
    if document.example is not None:
        lines += [
            "",
            "**Example** (runs as it is; without an API key the built-in sandbox answers):",
            "",
            "```sh",
            example_command(document.name, document.example),
            "```",
        ]
    return [*lines, ""]


def groups(root: Path, names: list[str]) -> list[tuple[str, list[str]]]:
    hook = component_hook(root, REFERENCE_GROUPS_HOOK)
    if hook is None:
        return [("Actions", names)]
    grouped = [(str(title), list(members)) for title, members in hook(names) if members]
    placed = [name for _, members in grouped for name in members]
    if sorted(placed) != sorted(names):
        raise ManifestError(
            f"{REFERENCE_GROUPS_HOOK} must place every action once; it placed {placed}"
        )
    return grouped


def render_reference(
    documents: Iterable[ActionDocument], grouping: list[tuple[str, list[str]]]
) -> str:
    by_name = {document.name: document for document in documents}
    lines = [
        "# Action reference",
        "",
        "<!-- Generated by `picsart-flow generate` from the action modules; do not edit. -->",
        "",
        f"Every action of the component ({len(by_name)}), with its fields, config and output, "
        "as `component.json` and `schemas/` give them, and its example as a command.",
        "",
    ]
    for title, names in grouping:
        lines += [f"## {text(title)}", ""]
        lines += [
            f"- [{text(by_name[name].entry.get('title') or name)}](#{name})" for name in names
        ]
        lines.append("")
        for name in names:
            lines += action_section(by_name[name])
    return "\n".join(lines).rstrip("\n") + "\n"


def reference_file(root: Path, site: Path, documents: list[ActionDocument]) -> tuple[Path, str]:
    """The reference's path, as seen from ``root`` (``../docs/…`` from the package's links),
    and its text."""
    grouping = groups(root, [document.name for document in documents])
    path = root / os.path.relpath(site / REFERENCE_PATH, root)
    return path, render_reference(documents, grouping)
