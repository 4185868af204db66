"""Reading ``component.json`` and loading the modules it names, as the platform does.

A component directory holds ``component.json``, ``actions/``, ``lib/`` and ``schemas/``; its
modules import each other relatively (``from ..lib.client import PicsartClient``), so the
directory is mounted as a package. The component bundled with this package (``COMPONENT_ROOT``)
is mounted as ``picsart_component`` however it is reached: through this package, or through the
checkout folder its files really live in. Any other directory gets a private name of its own.
Either way each module of a component is imported once, under one name.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import sys
import types
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import did_you_mean

COMPONENT_ROOT = Path(__file__).resolve().parents[1]
COMPONENT_PACKAGE = (__package__ or "picsart_component.runtime").rpartition(".")[0]
MANIFEST_NAME = "component.json"
VERIFY_CREDENTIALS_MAIN = "./verifyCredentials.py"
HOOKS_PACKAGE = "lib"
"""Where a component declares its hooks: functions of its ``lib`` package (``lib/__init__.py``),
imported under the name the component is loaded with (``component_hook``). The sailor calls
``sailor_services``; ``picsart-flow validate`` calls ``validate_problems``."""

_private_packages = itertools.count(1)
# In a checkout the bundled component's files live at the top of the repository, and this
# package links to them: both folders are the same component.
_mounted: dict[Path, str] = {
    COMPONENT_ROOT: COMPONENT_PACKAGE,
    (COMPONENT_ROOT / MANIFEST_NAME).resolve().parent: COMPONENT_PACKAGE,
}


class ManifestError(Exception):
    """``component.json`` or a file it names cannot be used."""


class Metadata(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    in_: str | None = Field(None, alias="in")
    out: str | None = None


class ActionSpec(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str
    description: str = ""
    main: str
    fields: dict[str, dict[str, Any]] = Field(default_factory=dict)
    metadata: Metadata = Field(default_factory=lambda: Metadata.model_validate({}))


LISTED_ACTIONS = 12
"""An unknown action's error lists the component's actions when there are at most this many."""


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str
    description: str = ""
    credentials: dict[str, Any] = Field(default_factory=dict)
    actions: dict[str, ActionSpec] = Field(default_factory=dict)

    def action(self, key: str) -> ActionSpec:
        try:
            return self.actions[key]
        except KeyError:
            raise ManifestError(f"unknown action {key!r}{self.unknown_action_hint(key)}") from None

    def unknown_action_hint(self, key: str) -> str:
        """``; did you mean 'x'?`` for a mistyped action, and the actions when they are few."""
        hint = did_you_mean(key, self.actions)
        if len(self.actions) > LISTED_ACTIONS:
            return hint or f"; it is none of the component's {len(self.actions)} actions"
        known = ", ".join(sorted(self.actions)) or "none"
        return f"{hint}{' The' if hint else '; the'} actions are: {known}"


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A ``json.loads`` ``object_pairs_hook``: a key given twice is an error, not a silent win."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object; keep one")
        result[key] = value
    return result


def _read_json_object(path: Path, missing: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(missing) from None
    except ValueError as error:
        raise ManifestError(f"{path.name} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path.name} must hold a JSON object")
    return data


def read_manifest_json(root: Path) -> dict[str, Any]:
    return _read_json_object(root / MANIFEST_NAME, f"no {MANIFEST_NAME} in {root}")


@cache
def load_manifest(root: Path = COMPONENT_ROOT) -> Manifest:
    return Manifest.model_validate(read_manifest_json(root))


def resolve_in_component(root: Path, relative: str) -> Path:
    """A path named in component.json, which must stay inside the component directory."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        raise ManifestError(f"{relative!r} must be a relative path inside the component")
    return root.joinpath(*[part for part in pure.parts if part != "."])


def module_name_for(root: Path, main: str) -> str:
    """The import name of the module at ``main``, with ``root`` mounted as a package."""
    path = resolve_in_component(root, main)
    if path.suffix != ".py":
        raise ManifestError(f"{main!r} must name a .py file")
    relative = path.relative_to(root).with_suffix("")
    return ".".join((mount_component(root), *relative.parts))


def mount_component(root: Path) -> str:
    """Make ``root`` importable as a package and return its name."""
    root = root.resolve()
    name = _mounted.get(root)
    if name is None:
        name = f"_picsart_component_{next(_private_packages)}"
        package = types.ModuleType(name)
        package.__path__ = [str(root)]
        package.__package__ = name
        sys.modules[name] = package
        _mounted[root] = name
    return name


def load_module(root: Path, main: str) -> types.ModuleType:
    """Import the module that ``main`` names, relative to the component directory ``root``."""
    path = resolve_in_component(root, main)
    if not path.is_file():
        raise ManifestError(f"{main!r} does not lead to a file")
    return importlib.import_module(module_name_for(root, main))


def load_schema(root: Path, relative: str) -> dict[str, Any]:
    path = resolve_in_component(root, relative)
    return _read_json_object(path, f"schema {relative!r} does not exist")


def has_hooks_package(root: Path) -> bool:
    """Whether the component at ``root`` has a hooks package (``HOOKS_PACKAGE``)."""
    return importlib.util.find_spec(f"{mount_component(root)}.{HOOKS_PACKAGE}") is not None


def component_hook(root: Path, name: str) -> Callable[..., Any] | None:
    """The function ``name`` that the component at ``root`` declares in its hooks package
    (``HOOKS_PACKAGE``), or None when it has no such package or declares no such name."""
    if not has_hooks_package(root):
        return None
    hook = getattr(importlib.import_module(f"{mount_component(root)}.{HOOKS_PACKAGE}"), name, None)
    if hook is not None and not callable(hook):
        raise ManifestError(f"{HOOKS_PACKAGE}.{name} must be a function, not {hook!r}")
    found: Callable[..., Any] | None = hook
    return found
