"""Write ``schemas/*.json`` and the ``fields`` of ``component.json`` from the action models.

The models are the single source of truth for every field's name, type, range, enum and default;
``component.json`` keeps only what a person writes: titles, descriptions, help, ``main`` and the
metadata paths. ``picsart-flow generate --check`` (and a test) fail when a file is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .designer import designer_fields, designer_schema
from .manifest import MANIFEST_NAME, load_module, read_manifest_json, resolve_in_component
from .models import is_model_class

CREDENTIALS_MODULE = "./lib/credentials.py"


def render_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def generated_files(root: Path) -> dict[Path, str]:
    """Every generated file under ``root``, with the text it should have."""
    manifest = read_manifest_json(root)
    files: dict[Path, str] = {}
    if resolve_in_component(root, CREDENTIALS_MODULE).is_file():
        credentials = getattr(load_module(root, CREDENTIALS_MODULE), "Credentials", None)
        if is_model_class(credentials):
            manifest.setdefault("credentials", {})["fields"] = designer_fields(credentials)
    for action in manifest.get("actions", {}).values():
        module = load_module(root, action["main"])
        config = getattr(module, "Config", None)
        if is_model_class(config):
            action["fields"] = designer_fields(config)
        metadata = action.get("metadata", {})
        for direction, model_name in (("in", "Input"), ("out", "Output")):
            model = getattr(module, model_name, None)
            if direction in metadata and is_model_class(model):
                path = resolve_in_component(root, metadata[direction])
                files[path] = render_json(designer_schema(model, closed=True))
    files[root / MANIFEST_NAME] = render_json(manifest)
    return files


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
