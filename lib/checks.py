"""This component's own checks for ``picsart-flow validate``, beyond the runtime's: what every
action of it declares, so that a new one is whole before its tests run. ``lib/__init__.py``
declares them as the hook ``validate_problems``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from picsart_component.runtime.manifest import load_module, read_manifest_json
from picsart_component.runtime.models import is_model_class

DECLARED = ("TITLE", "DESCRIPTION", "HELP", "HELP_LINK", "EXAMPLE")
"""What each action module declares (ARCHITECTURE.md, "Add an action"): ``picsart-flow
generate`` writes the texts into component.json, and ``EXAMPLE`` is the body that
``picsart-flow describe`` shows and the tests run in sandbox mode."""
DOCS_SITE = "https://docs.picsart.io/"


def validate_problems(root: Path) -> list[str]:
    """Every problem of the component at ``root`` that only this component's rules find."""
    problems: list[str] = []
    for name, entry in read_manifest_json(root).get("actions", {}).items():
        where = f"actions.{name}"
        module = load_module(root, entry["main"])
        missing = [constant for constant in DECLARED if not hasattr(module, constant)]
        if missing:
            problems.append(f"{where}: {entry['main']} does not declare {', '.join(missing)}")
        link = getattr(module, "HELP_LINK", None)
        if isinstance(link, str) and not link.startswith(DOCS_SITE):
            problems.append(f"{where}: HELP_LINK must lead to Picsart's documents ({DOCS_SITE})")
        problems += _set_default_problems(where, getattr(module, "Input", None))
    return problems


def _set_default_problems(where: str, model: Any) -> list[str]:
    """An optional input field defaults to None, so that a request carries only what the user
    set and Picsart applies its own defaults; the default Picsart applies is shown to the user
    through ``json_schema_extra={"default": ...}``."""
    if not is_model_class(model):
        return []
    return [
        f"{where}: Input.{field} defaults to {info.default!r}; an optional field defaults to "
        "None so that only what the user sets is sent (show Picsart's default with "
        'json_schema_extra={"default": ...})'
        for field, info in model.model_fields.items()
        if not info.is_required() and (info.default is not None or info.default_factory)
    ]
