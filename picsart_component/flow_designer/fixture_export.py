"""One step, exported as an elasticio-cli fixture for ``picsart-flow run --fixtures``.

The key is never written: a live designer writes the ``{{PICSART_API_KEY}}`` placeholder, which
``fixtures.load_fixture`` fills from the environment or ``.env``; in sandbox mode no key is
written at all, so the fixture runs on the sandbox as the step did.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..console import ENV_API_KEY
from ..runtime.documents import loads_json
from .errors import RequestError, bad
from .flow_files import write_atomically

NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def export_fixture(
    path: Path, name: Any, action: str, cfg: dict[str, Any], body: Any, *, live: bool = False
) -> dict[str, Any]:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise bad("name: must be 1 to 100 letters, digits, '_', '.' or '-'")
    if path.suffix.lower() != ".json":
        raise bad(f"path: a fixture file is JSON (.json), not {path.name}")
    if not path.parent.is_dir():
        raise RequestError(404, f"path: the folder {path.parent} does not exist")
    data: Any = {"fixtures": {}}
    if path.exists():
        try:
            data = loads_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise RequestError(
                422, f"path: {path} is not a readable fixture file: {error}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("fixtures"), dict):
            raise RequestError(422, f'path: {path} must hold {{"fixtures": {{NAME: ...}}}}')
    fixture_cfg = dict(cfg)
    if live:
        fixture_cfg["apiKey"] = "{{" + ENV_API_KEY + "}}"
    data["fixtures"][name] = {"cfg": fixture_cfg, "msg": {"body": body}}
    write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return {
        "path": str(path),
        "name": name,
        "command": f"picsart-flow run {action} --fixtures {path} --fixture {name}",
    }
