"""Turn pydantic models into what the elastic.io flow designer reads.

The designer expects draft-03 style JSON Schemas: ``required: true`` on each property, no
``$ref``, no ``anyOf`` for optional values, and a ``title`` and ``description`` on every property.
Config and credential fields become ``component.json`` field entries with a ``label`` and a
``viewClass``. Everything here is derived from the models, so nothing is written twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

from pydantic import BaseModel

DYNAMIC_METADATA_METHOD = "getMetaModel"
"""An action module that exports this function has dynamic metadata: its entry says
``"dynamicMetadata": true`` and the designer asks the function for the in- and out-schemas (the
platform's ``getMetaModel`` service call)."""
SELECT_MODEL_VIEWS = frozenset({"SelectView", "MultiSelectView"})
"""View classes whose ``model`` may name a function of the action's module, which gives the
choices (the platform's ``selectModel`` service call)."""

_PROPERTY_KEY_ORDER = (
    "type",
    "title",
    "description",
    "required",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "format",
    "pattern",
    "items",
    "properties",
    "additionalProperties",
)
_DROPPED_KEYS = {"anyOf", "$ref", "$defs", "viewClass", "placeholder", "note", "model"}


def designer_schema(model: type[BaseModel], *, closed: bool) -> dict[str, Any]:
    """The model as a designer metadata schema. ``closed`` refuses unknown keys."""
    raw = model.model_json_schema()
    definitions = raw.get("$defs", {})
    schema = _object_schema(raw, definitions)
    if closed:
        schema["additionalProperties"] = False
    return schema


def _object_schema(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    required = set(node.get("required", []))
    properties = {
        name: _property_schema(prop, definitions, name in required)
        for name, prop in node.get("properties", {}).items()
    }
    return {"type": "object", "properties": properties}


def _property_schema(
    node: dict[str, Any], definitions: dict[str, Any], required: bool
) -> dict[str, Any]:
    merged = dict(_resolve(node, definitions))
    for key in ("title", "description", "default"):
        if key in node:
            merged[key] = node[key]
    if merged.get("default", "absent") is None:
        del merged["default"]
    if merged.get("type") == "object" and "properties" in merged:
        nested = _object_schema(merged, definitions)
        merged["properties"] = nested["properties"]
        merged.pop("required", None)
    if "items" in merged:
        merged["items"] = _property_schema(merged["items"], definitions, False)
        merged["items"].pop("required", None)
    if isinstance(merged.get("additionalProperties"), dict):
        values = _property_schema(merged["additionalProperties"], definitions, False)
        merged["additionalProperties"] = {k: v for k, v in values.items() if k != "required"}
    if "type" not in merged:
        merged["type"] = "any"
    if required:
        merged["required"] = True
    else:
        merged.pop("required", None)
    return _ordered({k: v for k, v in merged.items() if k not in _DROPPED_KEYS})


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` and drop the ``null`` branch of ``X | None``."""
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        return {**_resolve(target, definitions), **{k: v for k, v in node.items() if k != "$ref"}}
    branches = node.get("anyOf")
    if branches:
        concrete = [b for b in branches if b.get("type") != "null"]
        outer = {k: v for k, v in node.items() if k != "anyOf"}
        if len(concrete) == 1:
            return {**_resolve(concrete[0], definitions), **outer}
        if all(set(branch) == {"type"} for branch in concrete):
            # Draft 3 says "one of these types" with a list of them.
            return {"type": [branch["type"] for branch in concrete], **outer}
        return outer
    return node


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    known = {k: schema[k] for k in _PROPERTY_KEY_ORDER if k in schema}
    return {**known, **{k: v for k, v in schema.items() if k not in known}}


def designer_fields(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """The model's fields as ``component.json`` field entries (``label``, ``viewClass``, ...)."""
    fields: dict[str, dict[str, Any]] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        entry: dict[str, Any] = {
            "label": info.title or name,
            "required": info.is_required(),
            "viewClass": extra.get("viewClass", "TextFieldView"),
        }
        for key in ("placeholder", "model", "prompt"):
            if key in extra:
                entry[key] = extra[key]
        if info.description:
            entry["note"] = info.description
        fields[name] = entry
    return fields


def module_method_problems(
    where: str, entry: Mapping[str, Any], module: ModuleType, main: str
) -> Iterator[str]:
    """What an action's entry asks of its module's functions and the module lacks: a
    ``getMetaModel`` for ``dynamicMetadata``, and the function a select's string ``model``
    names."""
    if entry.get("dynamicMetadata") and not callable(
        getattr(module, DYNAMIC_METADATA_METHOD, None)
    ):
        yield (
            f"{where}: dynamicMetadata needs {main} to export "
            f"{DYNAMIC_METADATA_METHOD}(cfg, context)"
        )
    fields = entry.get("fields")
    for name, field in (fields if isinstance(fields, Mapping) else {}).items():
        if not isinstance(field, Mapping) or field.get("viewClass") not in SELECT_MODEL_VIEWS:
            continue
        model = field.get("model")
        if isinstance(model, str) and not callable(getattr(module, model, None)):
            yield (
                f"{where}.fields.{name}: model {model!r} names no function {main} exports "
                "(the platform calls it for the choices)"
            )
