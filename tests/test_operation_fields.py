"""Each job-capable action's fields against its operation in Picsart's OpenAPI files: the same
names, compatible types, the same enums and bounds, and every required field required.

Skipped, saying why, when ../shared/spec is absent.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from picsart_component.lib.jobs import OPERATIONS
from picsart_component.runtime.manifest import COMPONENT_ROOT

SPEC_FILES = {"genai": "picsart-genai-openapi.yml", "image": "picsart-image-tools-openapi.yml"}
ACTIONS = list(OPERATIONS)


def not_offered(theirs: dict[str, dict[str, Any]]) -> set[str]:
    """The deprecated ``mode`` (sync or async), which the Prefer header replaces; Edit's own
    ``mode`` (resize or crop) is offered."""
    mode = theirs.get("mode", {})
    return {"mode"} if "sync" in mode.get("enum", []) else set()


COMPATIBLE_TYPES = {
    ("number", "integer"),
    ("number", "number"),
    ("integer", "integer"),
    ("string", "string"),
    ("boolean", "boolean"),
    ("array", "array"),
    ("object", "object"),
}


@cache
def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(document, target)
    return node


def request_schema(spec: Path, action: str) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The operation's request properties (allOf merged) and its required names."""
    operation = OPERATIONS[action]
    document = _load(spec / SPEC_FILES[operation.api])
    post = document["paths"]["/" + operation.path]["post"]
    (content,) = post["requestBody"]["content"].values()
    schema = _resolve(document, content["schema"])
    properties: dict[str, dict[str, Any]] = {}
    required: set[str] = set()
    for part in schema.get("allOf", [schema]):
        resolved = _resolve(document, part)
        properties.update(resolved.get("properties", {}))
        required.update(resolved.get("required", []))
    return properties, required


def our_schema(action: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (COMPONENT_ROOT / "schemas" / f"{action}.in.json").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize("action", ACTIONS)
def test_the_action_offers_every_field_of_its_operation_and_nothing_else(
    spec_path: Path, action: str
) -> None:
    theirs, _ = request_schema(spec_path, action)
    ours = our_schema(action)["properties"]
    assert set(ours) == set(theirs) - not_offered(theirs)


@pytest.mark.parametrize("action", ACTIONS)
def test_types_enums_and_bounds_match(spec_path: Path, action: str) -> None:
    theirs, _ = request_schema(spec_path, action)
    ours = our_schema(action)["properties"]
    for name, field in ours.items():
        spec_field = theirs[name]
        where = f"{action}.{name}"
        if spec_field.get("format") == "binary":
            assert field["type"] == "string", where
            assert field.get("format") == "uri", f"{where}: a file is given by its URL"
            continue
        assert (spec_field["type"], field["type"]) in COMPATIBLE_TYPES, where
        if "enum" in spec_field:
            assert field["enum"] == spec_field["enum"], where
        for bound in ("minimum", "maximum", "maxLength"):
            if bound in spec_field:
                assert field.get(bound) == spec_field[bound], f"{where}: {bound}"
        for key in ("minItems", "uniqueItems"):
            if key in spec_field:
                assert field.get(key) == spec_field[key], f"{where}: {key}"
        if "minLength" in spec_field:
            assert field.get("minLength", 0) >= spec_field["minLength"], where
        if spec_field.get("default") is not None and name != "model" and not field.get("required"):
            # A model's default is named in the description only: Picsart may change it. A
            # required field (bleed_size) has no default to show, whatever the file says.
            assert field.get("default") == spec_field["default"], f"{where}: default"
        if spec_field.get("deprecated"):
            assert field.get("deprecated") is True, f"{where} is deprecated in the file"


@pytest.mark.parametrize("action", ACTIONS)
def test_every_required_field_is_required(spec_path: Path, action: str) -> None:
    _, required = request_schema(spec_path, action)
    ours = our_schema(action)["properties"]
    assert {name for name in required if ours[name].get("required")} == required


def test_chat_messages_items_match(spec_path: Path) -> None:
    theirs, _ = request_schema(spec_path, "chatCompletions")
    items = our_schema("chatCompletions")["properties"]["messages"]["items"]["properties"]
    assert set(items) == set(theirs["messages"]["items"]["properties"])


@pytest.mark.parametrize("action", ACTIONS)
def test_field_texts_are_our_own(spec_path: Path, action: str) -> None:
    """A description copied from the file would tie our help to Picsart's wording."""
    theirs, _ = request_schema(spec_path, action)
    for name, field in our_schema(action)["properties"].items():
        spec_text = " ".join(str(theirs[name].get("description", "")).split())
        if len(spec_text) > 30:
            assert spec_text not in " ".join(field["description"].split()), f"{action}.{name}"


@pytest.mark.parametrize("action", ACTIONS)
def test_poll_paths_are_the_files_result_paths(spec_path: Path, action: str) -> None:
    operation = OPERATIONS[action]
    if not operation.asynchronous:
        return
    document = _load(spec_path / SPEC_FILES[operation.api])
    path = "/" + operation.poll_path.replace("{id}", "{" + operation.job_id_field + "}")
    if operation.api == "genai":
        path = path.replace("{transaction_id}", "{inference_id}")
    assert path in document["paths"], path
    assert "202" in document["paths"]["/" + operation.path]["post"]["responses"]
    offers_sync = "200" in document["paths"]["/" + operation.path]["post"]["responses"]
    assert offers_sync == operation.sync
