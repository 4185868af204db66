"""The palette and each action as the page draws it, from component.json, the schemas, the
catalogue and the action's own checks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..catalogue.operations import BY_NAME
from ..lib.groups import GROUPS, group_of
from ..runtime.manifest import load_schema
from .errors import RequestError

if TYPE_CHECKING:
    from ..runtime.executor import Executor

_EXACTLY_ONE = re.compile(r"exactly one of (.+) is required")


def _summary(executor: Executor, name: str) -> dict[str, Any]:
    action = executor.manifest.actions[name]
    help_block = (action.model_extra or {}).get("help")
    if not isinstance(help_block, dict):
        help_block = {}
    return {
        "name": name,
        "title": action.title,
        "description": action.description,
        "help": help_block.get("description", ""),
        "helpLink": help_block.get("link", ""),
        "api": (BY_NAME[name].api if name in BY_NAME else None),
    }


def palette(executor: Executor) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in GROUPS}
    for name in executor.manifest.actions:
        groups[group_of(name)].append(_summary(executor, name))
    return {
        "groups": [{"key": key, "title": title, "actions": groups[key]} for key, title in GROUPS]
    }


def known_action(executor: Executor, name: Any, field: str = "action") -> str:
    if not isinstance(name, str) or name not in executor.manifest.actions:
        raise RequestError(
            404 if field == "name" else 400,
            f"{field}: {name!r} is not an action of this component "
            "(GET /api/palette lists them all)",
        )
    return name


def schemas(executor: Executor, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    meta = executor.manifest.action(name).metadata
    in_schema = load_schema(executor.root, meta.in_) if meta.in_ else {}
    out_schema = load_schema(executor.root, meta.out) if meta.out else {}
    return in_schema, out_schema


def exactly_one_groups(executor: Executor, name: str) -> list[list[str]]:
    """The "exactly one of" groups, as the action's own check words them for an empty body."""
    groups = []
    for problem in executor.input_problems(name, {}):
        found = _EXACTLY_ONE.search(problem.rule)
        if found:
            groups.append([part.strip() for part in found.group(1).split(",")])
    return groups


def action_details(executor: Executor, name: str) -> dict[str, Any]:
    spec = executor.manifest.action(name)
    fields = dict(spec.fields)
    in_schema, out_schema = schemas(executor, name)
    return {
        **_summary(executor, name),
        "fields": fields,
        "dynamicMetadata": bool((spec.model_extra or {}).get("dynamicMetadata")),
        "in": in_schema,
        "out": out_schema,
        "exactlyOne": exactly_one_groups(executor, name),
        "selectModels": {
            field: spec["model"]
            for field, spec in fields.items()
            if isinstance(spec, dict) and isinstance(spec.get("model"), str)
        },
    }
