"""``picsart-flow validate``: the checks elastic.io's ``cmp:validate`` makes, and ours.

elasticio-cli only warns about some of these (a missing label or description); here every one is
a problem, because the designer renders the component from this file. These are the runtime's
checks, true of any component: ``component.json`` and the files it names, the schemas, each
action's ``help`` and ``EXAMPLE`` where it has them, and that generated files are current. A
component adds its own through a hook (``VALIDATE_HOOK`` in its hooks package), which runs once
the component loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft3Validator
from jsonschema.exceptions import SchemaError
from pydantic import ValidationError

from .designer import designer_schema, module_method_problems
from .errors import Problem
from .executor import context_type_of
from .generate import action_modules, stale_files
from .manifest import (
    HOOKS_PACKAGE,
    MANIFEST_NAME,
    VERIFY_CREDENTIALS_MAIN,
    ManifestError,
    component_hook,
    load_module,
    reject_duplicate_keys,
    resolve_in_component,
)
from .models import InputModel, is_model_class, problems_from
from .validation import compile_validator, schema_problems

VIEW_CLASSES = frozenset(
    {
        "TextFieldView",
        "TextFieldWithNoteView",
        "PasswordFieldView",
        "CheckBoxView",
        "CodeFieldView",
        "TextAreaView",
        "TextAreaWithNoteView",
        "SelectView",
        "MultiSelectView",
        "SelectTreeView",
        "SelectPropertyView",
        "OAuthFieldView",
        "WebHookPayloadView",
        "OutMetadataView",
        "InMetadataExtensionView",
        "CSVReadView",
        "CSVWriteView",
        "JSONataView",
        "RESTAPIView",
        "HTTPAuthView",
        "WebhookAuthView",
    }
)
NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
HTTP_LINK = re.compile(r"https?://[^\s/]+\S*")
VALIDATE_HOOK = "validate_problems"
"""The hook by which a component adds its own checks: ``validate_problems(root)`` in its hooks
package, returning each problem as a line (an empty list when there is none)."""


def check_component(root: Path) -> list[str]:
    """Every problem found in the component at ``root``; an empty list means it is clean."""
    path = root / MANIFEST_NAME
    try:
        manifest = json.loads(
            path.read_text(encoding="utf-8"), object_pairs_hook=reject_duplicate_keys
        )
    except FileNotFoundError:
        return [f"{MANIFEST_NAME}: not found in {root}"]
    except ValueError as error:
        return [f"{MANIFEST_NAME}: {error}"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST_NAME}: must hold a JSON object"]
    problems = list(_manifest_problems(root, manifest))
    if problems:
        return problems
    return _generated_problems(root) + _component_problems(root)


def _manifest_problems(root: Path, manifest: dict[str, Any]) -> Iterator[str]:
    for key in ("title", "description"):
        if not _nonempty_string(manifest.get(key)):
            yield f"{MANIFEST_NAME}: the component has no {key}"
    credential_fields = (manifest.get("credentials") or {}).get("fields")
    if not isinstance(credential_fields, dict):
        yield f"{MANIFEST_NAME}: credentials must be wrapped in credentials.fields"
    else:
        yield from _field_problems("credentials.fields", credential_fields)
    if not (root / VERIFY_CREDENTIALS_MAIN).is_file():
        yield f"{VERIFY_CREDENTIALS_MAIN}: not found (the platform calls it to check credentials)"
    else:
        yield from _export_problems(root, VERIFY_CREDENTIALS_MAIN, "verify")
    actions = manifest.get("actions")
    if not isinstance(actions, dict) or not actions:
        yield f"{MANIFEST_NAME}: no actions are declared"
        return
    triggers = manifest.get("triggers") or {}
    for name in sorted(set(actions) & set(triggers)):
        yield f"{MANIFEST_NAME}: {name!r} is both a trigger and an action; names must be unique"
    referenced: set[Path] = set()
    for name, action in {**triggers, **actions}.items():
        where = f"actions.{name}" if name in actions else f"triggers.{name}"
        if not NAME_PATTERN.fullmatch(name):
            yield f"{where}: names must start with a letter and hold only letters, digits and _"
        if not isinstance(action, dict):
            yield f"{where}: must be an object"
            continue
        yield from _action_problems(root, where, action, referenced)
    yield from _unreferenced_modules(root, referenced)


def _action_problems(
    root: Path, where: str, action: dict[str, Any], referenced: set[Path]
) -> Iterator[str]:
    for key in ("title", "description"):
        if not _nonempty_string(action.get(key)):
            yield f"{where}: has no {key}"
    if "help" in action:
        yield from _help_problems(where, action["help"])
    fields = action.get("fields", {})
    if not isinstance(fields, dict):
        yield f"{where}.fields: must be an object"
    else:
        yield from _field_problems(f"{where}.fields", fields)
    main = action.get("main")
    if not isinstance(main, str) or not main.strip():
        yield f"{where}: has no main"
    else:
        problem = _file_problem(root, main)
        if problem:
            yield f"{where}.main: {problem}"
        else:
            referenced.add(resolve_in_component(root, main).resolve())
            yield from _export_problems(root, main, "process", where)
            yield from _method_problems(root, main, where, action)
            yield from _example_problems(root, main, where)
    metadata = action.get("metadata")
    if not isinstance(metadata, dict) or not metadata:
        yield f"{where}: has no metadata"
        return
    for direction in ("in", "out"):
        schema_path = metadata.get(direction)
        if schema_path is None:
            yield f"{where}.metadata: has no {direction!r} schema"
            continue
        if not isinstance(schema_path, str):
            continue
        problem = _file_problem(root, schema_path)
        if problem:
            yield f"{where}.metadata.{direction}: {problem}"
            continue
        yield from _schema_problems(root, schema_path)


def _help_problems(where: str, help_entry: Any) -> Iterator[str]:
    """``help`` is what the designer shows beside an action: a text, and a link to read more."""
    if not isinstance(help_entry, dict):
        yield f"{where}.help: must be an object with a description and a link"
        return
    if not _nonempty_string(help_entry.get("description")):
        yield f"{where}.help: has no description"
    link = help_entry.get("link")
    if link is not None and not (isinstance(link, str) and HTTP_LINK.fullmatch(link)):
        yield f"{where}.help.link: must be an http(s) URL, not {link!r}"


def _example_problems(root: Path, main: str, where: str) -> Iterator[str]:
    """An action's ``EXAMPLE``, where it declares one, is a body the action accepts: it passes
    the in-schema the models give, the cross-field rules and the model, as the executor checks
    a message."""
    try:
        module = load_module(root, main)
    except Exception:  # reported by _export_problems
        return
    if not hasattr(module, "EXAMPLE"):
        return
    example = module.EXAMPLE
    if not isinstance(example, dict):
        yield f"{where}: EXAMPLE must be a dict (a message body), not {type(example).__name__}"
        return
    model = getattr(module, "Input", None)
    if not (is_model_class(model) and issubclass(model, InputModel)):
        return
    body = model.normalized(example)
    problems: list[Problem] = schema_problems(
        compile_validator(designer_schema(model, closed=True)), body
    )
    problems += model.cross_field_problems(body)
    if not problems:
        try:
            model.model_validate(body)
        except ValidationError as error:
            problems += problems_from(error, "$")
    for problem in dict.fromkeys(problems):
        yield f"{where}: EXAMPLE is refused: {problem.path} {problem.rule}"


def _field_problems(where: str, fields: dict[str, Any]) -> Iterator[str]:
    for name, field in fields.items():
        if not isinstance(field, dict):
            yield f"{where}.{name}: must be an object"
            continue
        if not _nonempty_string(field.get("label")):
            yield f"{where}.{name}: has no label"
        view_class = field.get("viewClass")
        if view_class is None:
            yield f"{where}.{name}: has no viewClass"
        elif view_class not in VIEW_CLASSES:
            yield f"{where}.{name}: viewClass {view_class!r} is not one the platform knows"
        if view_class == "SelectView" and not isinstance(field.get("model"), dict | str):
            yield f"{where}.{name}: a SelectView needs a model"


def _file_problem(root: Path, relative: str) -> str | None:
    try:
        path = resolve_in_component(root, relative)
    except ManifestError as error:
        return str(error)
    if not path.is_file():
        return f"{relative!r} does not lead to a file"
    return None


def _export_problems(root: Path, main: str, export: str, where: str | None = None) -> Iterator[str]:
    label = where or main
    try:
        module = load_module(root, main)
    except Exception as error:
        yield f"{label}: {main} cannot be imported: {type(error).__name__}: {error}"
        return
    if not callable(getattr(module, export, None)):
        yield f"{label}: {main} does not export {export}()"
    try:
        context_type_of(module)
    except ManifestError as error:
        yield f"{label}: {error}"


def _method_problems(root: Path, main: str, where: str, action: dict[str, Any]) -> Iterator[str]:
    try:
        module = load_module(root, main)
    except Exception:  # reported by _export_problems
        return
    yield from module_method_problems(where, action, module, main)


def _schema_problems(root: Path, relative: str) -> Iterator[str]:
    path = resolve_in_component(root, relative)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        yield f"{relative}: not valid JSON: {error}"
        return
    try:
        Draft3Validator.check_schema(schema)
    except SchemaError as error:
        yield f"{relative}: not a valid JSON Schema: {error.message}"
        return
    yield from _property_doc_problems(relative, schema, "$")


def _property_doc_problems(relative: str, schema: Any, path: str) -> Iterator[str]:
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        where = f"{path}.{name}"
        for key in ("title", "description"):
            if not isinstance(prop, dict) or not _nonempty_string(prop.get(key)):
                yield f"{relative}: property {where} has no {key}"
        yield from _property_doc_problems(relative, prop, where)
    items = schema.get("items")
    if isinstance(items, dict):
        yield from _property_doc_problems(relative, items, f"{path}[]")


def _unreferenced_modules(root: Path, referenced: set[Path]) -> Iterator[str]:
    for main in action_modules(root):
        if resolve_in_component(root, main).resolve() not in referenced:
            yield (
                f"{main.removeprefix('./')}: no action's main names this module; "
                "picsart-flow generate adds it as an action"
            )


def _generated_problems(root: Path) -> list[str]:
    try:
        stale = stale_files(root)
    except Exception as error:
        return [f"generated files could not be checked: {type(error).__name__}: {error}"]
    return [
        f"{path.relative_to(root)}: out of date with the models; run picsart-flow generate"
        for path in stale
    ]


def _component_problems(root: Path) -> list[str]:
    """What the component's own checks find (``VALIDATE_HOOK``), when it declares them."""
    try:
        hook = component_hook(root, VALIDATE_HOOK)
        if hook is None:
            return []
        found = hook(root)
    except Exception as error:
        return [
            f"{HOOKS_PACKAGE}.{VALIDATE_HOOK}: the component's own checks failed: "
            f"{type(error).__name__}: {error}"
        ]
    if not (isinstance(found, list) and all(isinstance(line, str) for line in found)):
        return [f"{HOOKS_PACKAGE}.{VALIDATE_HOOK}: must return a list of strings"]
    return found


def _nonempty_string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
