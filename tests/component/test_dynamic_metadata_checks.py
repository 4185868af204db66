"""What ``picsart-flow validate`` and ``generate`` make of an action's functions: dynamic metadata
needs a callable ``getMetaModel``, and a select whose ``model`` is a string names a function of
the action's module (the platform's selectModel). A tiny throwaway component shows each case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from picsart_component.runtime.checks import check_component
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.generate import generated_files, write_generated

FUNCTIONS = {
    "process": "def process(body, config, context):\n    return body\n",
    "getMetaModel": (
        "def getMetaModel(cfg, context):\n"
        "    return {'in': {'type': 'object'}, 'out': {'type': 'object'}}\n"
    ),
    "listThings": "def listThings(cfg, context):\n    return {'a': 'Thing A'}\n",
}
SCHEMA = {
    "type": "object",
    "properties": {"thing": {"type": "string", "title": "Thing", "description": "A thing."}},
}


def write_component(
    root: Path,
    *,
    functions: dict[str, str],
    fields: dict[str, Any] | None = None,
    dynamic: bool | None = None,
) -> Path:
    (root / "actions").mkdir(parents=True)
    (root / "schemas").mkdir()
    (root / "verifyCredentials.py").write_text(
        "def verify(cfg, context):\n    return {'verified': True}\n"
    )
    (root / "actions" / "pick.py").write_text("\n\n".join(functions.values()))
    for direction in ("in", "out"):
        (root / "schemas" / f"pick.{direction}.json").write_text(json.dumps(SCHEMA))
    action: dict[str, Any] = {
        "title": "Pick",
        "description": "Picks a thing.",
        "main": "./actions/pick.py",
        "fields": fields or {},
        "metadata": {"in": "./schemas/pick.in.json", "out": "./schemas/pick.out.json"},
    }
    if dynamic is not None:
        action["dynamicMetadata"] = dynamic
    manifest = {
        "title": "Tiny",
        "description": "A throwaway component.",
        "credentials": {"fields": {"token": {"label": "Token", "viewClass": "TextFieldView"}}},
        "actions": {"pick": action},
    }
    (root / "component.json").write_text(json.dumps(manifest, indent=2))
    return root


SELECT = {"thing": {"label": "Thing", "viewClass": "SelectView", "model": "listThings"}}
MULTI = {"thing": {"label": "Thing", "viewClass": "MultiSelectView", "model": "listThings"}}
STATIC_SELECT = {"thing": {"label": "Thing", "viewClass": "SelectView", "model": {"a": "A"}}}
WITHOUT = {name: text for name, text in FUNCTIONS.items() if name == "process"}
NOT_CALLABLE = {
    **WITHOUT,
    "getMetaModel": "getMetaModel = 'later'\n",
    "listThings": "listThings = 1\n",
}
NO_META = (
    "actions.pick: dynamicMetadata needs ./actions/pick.py to export getMetaModel(cfg, context)"
)
NO_MODEL = (
    "actions.pick.fields.thing: model 'listThings' names no function ./actions/pick.py exports "
    "(the platform calls it for the choices)"
)


@pytest.mark.parametrize(
    ("functions", "fields", "dynamic", "expected"),
    [
        (FUNCTIONS, SELECT, True, []),
        (FUNCTIONS, MULTI, True, []),
        (WITHOUT, STATIC_SELECT, None, []),
        (WITHOUT, SELECT, None, [NO_MODEL]),
        (WITHOUT, MULTI, None, [NO_MODEL]),
        ({**WITHOUT, "listThings": FUNCTIONS["listThings"]}, SELECT, True, [NO_META]),
        (NOT_CALLABLE, SELECT, True, [NO_META, NO_MODEL]),
    ],
    ids=[
        "clean",
        "multi",
        "static model",
        "no select fn",
        "no multi fn",
        "no meta",
        "not callable",
    ],
)
def test_validate_checks_the_functions_an_entry_names(
    tmp_path: Path,
    functions: dict[str, str],
    fields: dict[str, Any],
    dynamic: bool | None,
    expected: list[str],
) -> None:
    root = write_component(tmp_path / "tiny", functions=functions, fields=fields, dynamic=dynamic)
    if not expected:
        write_generated(root)
    assert check_component(root) == expected


@pytest.mark.parametrize(("functions", "dynamic"), [(FUNCTIONS, True), (WITHOUT, None)])
def test_generate_says_dynamic_metadata_exactly_when_the_module_has_get_meta_model(
    tmp_path: Path, functions: dict[str, str], dynamic: bool | None
) -> None:
    # The entry says the opposite of the module; generate writes what the module says.
    root = write_component(
        tmp_path / "tiny", functions=functions, dynamic=None if dynamic else True
    )
    manifest = json.loads(generated_files(root)[root / "component.json"])
    assert manifest["actions"]["pick"].get("dynamicMetadata") is dynamic
    assert list(manifest["actions"]["pick"])[:6] == [
        "title",
        "description",
        "main",
        "fields",
        *(["dynamicMetadata"] if dynamic else []),
        "metadata",
    ]


def test_the_select_models_function_answers_through_the_runtime(tmp_path: Path) -> None:
    root = write_component(tmp_path / "tiny", functions=FUNCTIONS, fields=SELECT, dynamic=True)
    write_generated(root)
    executor = Executor(root)
    assert executor.call_module_method("pick", "listThings", {}) == {"a": "Thing A"}
    with pytest.raises(AssertionError, match='Method "nothing" is not found in "pick" action'):
        executor.call_module_method("pick", "nothing", {})
