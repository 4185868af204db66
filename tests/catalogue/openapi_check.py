"""Reading the vendored OpenAPI files, and comparing an action's fields with a request schema.

A comparison yields ``Finding``s; ``differences.matching`` tells a knowing difference from a
mismatch. The fields' texts are not compared here (``test_field_texts_are_our_own`` is).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from picsart_component.catalogue.differences import UNOFFERED_FILES, FileApi, Kind
from picsart_component.catalogue.operations import APIS, Api, Operation
from picsart_component.runtime.manifest import COMPONENT_ROOT
from tests.conftest import OPENAPI_DIR

FILES: dict[FileApi, str] = {
    **{api: described.openapi_file for api, described in APIS.items()},
    **UNOFFERED_FILES,
}
METHODS = ("get", "post", "put", "patch", "delete")
COMPATIBLE_TYPES = {
    ("number", "integer"),
    ("number", "number"),
    ("integer", "integer"),
    ("string", "string"),
    ("boolean", "boolean"),
    ("array", "array"),
    ("object", "object"),
}
"""The file's type, and the in-schema types that send a value it takes."""
EXACT_BOUNDS = ("minimum", "maximum", "maxLength", "minItems", "uniqueItems")
"""Bounds the in-schema must state as the file does. It may add its own (a URL's length, a
non-empty prompt): the component refuses some input Picsart would refuse anyway, before paying."""
CONTENT_TYPES = {"json": "application/json", "multipart": "multipart/form-data"}


@dataclass(frozen=True)
class Finding:
    """One way an action or row differs from its file."""

    api: Api
    method: str
    path: str
    kind: Kind
    subject: str
    detail: str


@cache
def document(api: FileApi) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((OPENAPI_DIR / FILES[api]).read_text("utf-8"))
    return loaded


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations_of(api: FileApi) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each operation of a file: ``(METHOD, path, operation)``."""
    for path, item in document(api)["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def file_path(api: Api, path: str) -> str:
    """A catalogue path as the file writes it: ``image/{id}`` is ``/image/{transaction_id}``."""
    return "/" + path.replace("{id}", "{" + APIS[api].job_id_field + "}")


def operation_of(row: Operation) -> dict[str, Any]:
    found: dict[str, Any] = document(row.api)["paths"][file_path(row.api, row.path)]
    return resolve(document(row.api), found[row.method.lower()])


def responses(api: Api, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    doc = document(api)
    return {status: resolve(doc, answer) for status, answer in operation["responses"].items()}


def json_schema(api: Api, answer: dict[str, Any]) -> dict[str, Any]:
    return resolve(document(api), answer["content"]["application/json"]["schema"])


def request_schema(row: Operation) -> tuple[str, dict[str, dict[str, Any]], set[str]]:
    """The request's content type, its properties (``allOf`` merged, each resolved) and the
    names it requires."""
    doc = document(row.api)
    ((content_type, content),) = operation_of(row)["requestBody"]["content"].items()
    schema = resolve(doc, content["schema"])
    properties: dict[str, dict[str, Any]] = {}
    required: set[str] = set()
    for part in schema.get("allOf", [schema]):
        resolved = resolve(doc, part)
        for name, field in resolved.get("properties", {}).items():
            properties[name] = resolve(doc, field)
        required.update(resolved.get("required", []))
    return content_type, properties, required


def in_schema(action: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (COMPONENT_ROOT / "schemas" / f"{action}.in.json").read_text(encoding="utf-8")
    )
    return loaded


def compare_fields(
    row: Operation,
    theirs: dict[str, dict[str, Any]],
    required: set[str],
    ours: dict[str, dict[str, Any]],
) -> list[Finding]:
    """How an action's in-schema ``ours`` differs from the request schema ``theirs``."""
    found: list[Finding] = []
    path = file_path(row.api, row.path)

    def note(kind: Kind, name: str, detail: str) -> None:
        found.append(Finding(row.api, row.method, path, kind, name, detail))

    for name in sorted(set(theirs) - set(ours)):
        note("field not offered", name, "the file has it, the action not")
    for name in sorted(set(ours) - set(theirs)):
        note("field added", name, "the action has it, the file not")
    for name in sorted(set(ours) & set(theirs)):
        for kind, detail in _field_differences(row.api, theirs[name], ours[name]):
            note(kind, name, detail)
    for name in sorted(required & set(ours)):
        if not ours[name].get("required"):
            note("required", name, "required in the file, optional in the action")
    return found


def _field_differences(
    api: Api, spec: dict[str, Any], field: dict[str, Any]
) -> Iterator[tuple[Kind, str]]:
    if spec.get("format") == "binary":
        if (field.get("type"), field.get("format")) != ("string", "uri"):
            yield "type", "a file is given by its URL: a string of format uri"
        return
    if (spec.get("type"), field.get("type")) not in COMPATIBLE_TYPES:
        yield "type", f"{spec.get('type')} in the file, {field.get('type')} in the action"
    yield from _enum_differences(spec, field)
    if "items" in spec:
        items = resolve(document(api), spec["items"])
        ours = field.get("items", {})
        if (items.get("type"), ours.get("type")) not in COMPATIBLE_TYPES:
            yield "type", f"items: {items.get('type')} in the file, {ours.get('type')} here"
        for kind, detail in _enum_differences(items, ours):
            yield kind, "items: " + detail
    for bound in EXACT_BOUNDS:
        if bound in spec and field.get(bound) != spec[bound]:
            yield "bound", f"{bound} {spec[bound]!r} in the file, {field.get(bound)!r} here"
    if field.get("minLength", 0) < spec.get("minLength", 0):
        yield "bound", f"minLength {spec['minLength']} in the file, {field.get('minLength')}"
    if spec.get("default") is not None and field.get("default") != spec["default"]:
        yield "default", f"{spec['default']!r} in the file, {field.get('default')!r} here"
    if bool(spec.get("deprecated")) != bool(field.get("deprecated")):
        yield "deprecated", f"deprecated {bool(spec.get('deprecated'))} in the file"


def _enum_differences(spec: dict[str, Any], field: dict[str, Any]) -> Iterator[tuple[Kind, str]]:
    if "enum" not in spec or field.get("enum") == spec["enum"]:
        return
    ours = field.get("enum")
    if ours is not None and sorted(map(str, ours)) == sorted(map(str, spec["enum"])):
        yield "enum order", f"{spec['enum']} in the file, {ours} here"
    else:
        yield "enum", f"{spec['enum']} in the file, {ours} here"


def status_enums(api: FileApi) -> set[str]:
    """Every value a ``status`` property of the file may take."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            status = node.get("properties", {}).get("status") if "properties" in node else None
            if isinstance(status, dict):
                words.update(map(str, resolve(document(api), status).get("enum", [])))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document(api))
    return words


def content_types(api: FileApi) -> set[str]:
    """Every content type an answer of the file may have."""
    doc = document(api)
    return {
        content_type
        for _, _, operation in operations_of(api)
        for answer in operation["responses"].values()
        for content_type in resolve(doc, answer).get("content", {})
    }
