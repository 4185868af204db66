"""Write ``schemas/*.json`` and the actions of ``component.json`` from the action modules.

An action module is the single source of truth for its entry: the models give every field's
name, type, range, enum and default, and its constants (``DECLARED_TEXTS``: ``TITLE``,
``DESCRIPTION``, ``HELP``, ``HELP_LINK``) the texts the designer shows. A module of ``actions/``
that no action's ``main`` names yet becomes an action named after its file
(``trim_video.py``: ``trimVideo``), with its schemas beside the others. ``component.json`` keeps
by hand only the component's own title, description and links, and each action's ``main``
(which also fixes the order of the actions); an action module without the constants keeps the
texts its entry has. A module that exports ``getMetaModel`` has dynamic metadata
(``"dynamicMetadata": true``). ``picsart-flow generate --check`` (and a test) fail when a file is
out of date. A component with a documentation site also gets its action reference
(``reference.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from .designer import DYNAMIC_METADATA_METHOD, designer_fields, designer_schema
from .manifest import (
    MANIFEST_NAME,
    ManifestError,
    load_module,
    read_manifest_json,
    resolve_in_component,
)
from .models import is_model_class
from .reference import ActionDocument, reference_file, site_root

CREDENTIALS_MODULE = "./lib/credentials.py"
ACTIONS_FOLDER = "actions"
DECLARED_TEXTS = {"title": "TITLE", "description": "DESCRIPTION"}
"""Entry key: the module constant that gives it."""
HELP_TEXTS = {"description": "HELP", "link": "HELP_LINK"}
"""The keys of an entry's ``help`` (what the designer shows beside the action, and where to read
more): the module constant that gives each."""
ENTRY_ORDER = ("title", "description", "help", "main", "fields", "dynamicMetadata", "metadata")
"""The order of an action entry's keys; keys of other names follow, as the entry had them."""


def render_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def action_name(module_file: str) -> str:
    """The action a module of ``actions/`` becomes when no entry names it: ``trim_video.py``
    is ``trimVideo``."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), Path(module_file).stem)


def action_modules(root: Path) -> list[str]:
    """The ``main`` of every module in ``actions/``, sorted."""
    folder = root / ACTIONS_FOLDER
    if not folder.is_dir():
        return []
    return [
        f"./{ACTIONS_FOLDER}/{path.name}"
        for path in sorted(folder.glob("*.py"))
        if not path.name.startswith("_")
    ]


def _string_constant(module: ModuleType, main: str, name: str) -> str | None:
    value = getattr(module, name, None)
    if value is not None and not isinstance(value, str):
        raise ManifestError(f"{main}: {name} must be a string, not {type(value).__name__}")
    return value


def declared_texts(module: ModuleType, main: str) -> dict[str, Any]:
    """The entry keys that ``module``'s constants give: title, description and help."""
    texts: dict[str, Any] = {}
    for key, constant in DECLARED_TEXTS.items():
        value = _string_constant(module, main, constant)
        if value is not None:
            texts[key] = value
    help_entry = {}
    for key, constant in HELP_TEXTS.items():
        value = _string_constant(module, main, constant)
        if value is not None:
            help_entry[key] = value
    if help_entry:
        texts["help"] = help_entry
    return texts


def default_metadata(name: str, module: ModuleType) -> dict[str, str]:
    """Where an action's schemas go when its entry does not say: ``schemas/<name>.in.json`` for
    its ``Input`` and ``.out.json`` for its ``Output``."""
    return {
        direction: f"./schemas/{name}.{direction}.json"
        for direction, model_name in (("in", "Input"), ("out", "Output"))
        if is_model_class(getattr(module, model_name, None))
    }


def _actions(root: Path, declared: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The entries ``component.json`` has, then one for each module no entry names yet."""
    actions = dict(declared)
    named = {
        resolve_in_component(root, entry["main"]).resolve()
        for entry in actions.values()
        if isinstance(entry.get("main"), str)
    }
    for main in action_modules(root):
        if resolve_in_component(root, main).resolve() in named:
            continue
        name = action_name(main)
        if name in actions:
            raise ManifestError(
                f"{main} would be the action {name!r}, which component.json already names with "
                f"another main ({actions[name].get('main')!r})"
            )
        actions[name] = {"main": main}
    return actions


def action_entry(
    root: Path, name: str, entry: dict[str, Any], files: dict[Path, str]
) -> dict[str, Any]:
    """The entry of the action ``name`` as its module gives it, its schemas added to ``files``."""
    module = load_module(root, entry["main"])
    texts = declared_texts(module, entry["main"])
    if isinstance(entry.get("help"), dict) and "help" in texts:
        texts["help"] = {**entry["help"], **texts["help"]}
    entry = {**entry, **texts}
    if "metadata" not in entry and default_metadata(name, module):
        entry["metadata"] = default_metadata(name, module)
    if callable(getattr(module, DYNAMIC_METADATA_METHOD, None)):
        entry["dynamicMetadata"] = True
    else:
        entry.pop("dynamicMetadata", None)
    config = getattr(module, "Config", None)
    if is_model_class(config):
        entry["fields"] = designer_fields(config)
    metadata = entry.get("metadata", {})
    for direction, model_name in (("in", "Input"), ("out", "Output")):
        model = getattr(module, model_name, None)
        if direction in metadata and is_model_class(model):
            path = resolve_in_component(root, metadata[direction])
            files[path] = render_json(designer_schema(model, closed=True))
    known = {key: entry[key] for key in ENTRY_ORDER if key in entry}
    return {**known, **{key: value for key, value in entry.items() if key not in known}}


def generated_files(root: Path) -> dict[Path, str]:
    """Every generated file under ``root``, with the text it should have."""
    manifest = read_manifest_json(root)
    files: dict[Path, str] = {}
    if resolve_in_component(root, CREDENTIALS_MODULE).is_file():
        credentials = getattr(load_module(root, CREDENTIALS_MODULE), "Credentials", None)
        if is_model_class(credentials):
            manifest.setdefault("credentials", {})["fields"] = designer_fields(credentials)
    actions = {
        name: action_entry(root, name, entry, files)
        for name, entry in _actions(root, manifest.get("actions", {})).items()
    }
    if actions:
        manifest["actions"] = actions
    files[root / MANIFEST_NAME] = render_json(manifest)
    site = site_root(root)
    if site is not None:
        path, text = reference_file(root, site, action_documents(root, actions, files))
        files[path] = text
    return files


def _schema(root: Path, metadata: dict[str, Any], direction: str, files: dict[Path, str]) -> Any:
    if not isinstance(metadata.get(direction), str):
        return {}
    path = resolve_in_component(root, metadata[direction])
    if path in files:
        return json.loads(files[path])
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def action_documents(
    root: Path, actions: dict[str, dict[str, Any]], files: dict[Path, str]
) -> list[ActionDocument]:
    """What the action reference says of each action: its generated entry and schemas, and its
    module's ``EXAMPLE``."""
    documents = []
    for name, entry in actions.items():
        metadata = entry.get("metadata") or {}
        documents.append(
            ActionDocument(
                name=name,
                entry=entry,
                in_schema=_schema(root, metadata, "in", files),
                out_schema=_schema(root, metadata, "out", files),
                example=getattr(load_module(root, entry["main"]), "EXAMPLE", None),
            )
        )
    return documents


def stale_files(root: Path) -> list[Path]:
    """Generated files whose committed text differs from what the models give."""
    return [
        path
        for path, text in generated_files(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_generated(root: Path) -> list[Path]:
    changed = stale_files(root)
    for path, text in generated_files(root).items():
        if path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return changed
