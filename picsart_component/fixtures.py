"""elasticio-cli fixtures: ``test/fixture.json``, ``{"fixtures": {NAME: {cfg, msg, snapshot}}}``.

``{{VAR}}`` placeholders are filled from the environment and a ``.env`` file. They are filled
inside string values after the JSON is parsed, so a value can never add JSON structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from .frontend_settings import environment_variables
from .runtime.documents import loads_json

DEFAULT_FIXTURE_FILE = Path("test") / "fixture.json"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class FixtureError(Exception):
    """The fixture file or one of its fixtures cannot be used."""


@dataclass
class Fixture:
    name: str
    cfg: dict[str, Any] = field(default_factory=dict)
    msg: dict[str, Any] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)


def fixture_variables(
    fixture_file: Path, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment, over the ``.env`` beside the component (the folder holding ``test/``)."""
    env_file = fixture_file.resolve().parent.parent / ".env"
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(environment_variables(environ))
    return values


def substitute(value: Any, variables: Mapping[str, str], missing: set[str]) -> Any:
    """``value`` with each ``{{VAR}}`` in its strings replaced; unknown names go to ``missing``."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in variables:
                missing.add(name)
                return match.group(0)
            return variables[name]

        return _PLACEHOLDER.sub(replace, value)
    if isinstance(value, list):
        return [substitute(item, variables, missing) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, variables, missing) for key, item in value.items()}
    return value


def load_fixture(
    name: str, fixture_file: Path = DEFAULT_FIXTURE_FILE, environ: Mapping[str, str] | None = None
) -> Fixture:
    try:
        data = loads_json(fixture_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FixtureError(f"no fixture file at {fixture_file}") from None
    except ValueError as error:
        raise FixtureError(f"{fixture_file} is not valid JSON: {error}") from None
    fixtures = data.get("fixtures") if isinstance(data, dict) else None
    if not isinstance(fixtures, dict):
        raise FixtureError(f'{fixture_file} must hold {{"fixtures": {{NAME: ...}}}}')
    if name not in fixtures:
        known = ", ".join(sorted(fixtures)) or "none"
        raise FixtureError(f"no fixture named {name!r} in {fixture_file}; there are: {known}")
    raw = fixtures[name]
    if not isinstance(raw, dict):
        raise FixtureError(f"fixture {name!r} must be an object")
    missing: set[str] = set()
    filled = substitute(raw, fixture_variables(fixture_file, environ), missing)
    if missing:
        names = ", ".join("{{" + variable + "}}" for variable in sorted(missing))
        raise FixtureError(
            f"fixture {name!r} uses {names}, set neither in the environment nor in .env"
        )
    parts = {}
    for key in ("cfg", "msg", "snapshot"):
        part = filled.get(key) or {}
        if not isinstance(part, dict):
            raise FixtureError(f"fixture {name!r}: {key} must be an object")
        parts[key] = part
    return Fixture(name=name, **parts)
