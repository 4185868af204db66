"""Base classes for the pydantic models that action modules declare.

An action module's ``Input``, ``Output`` and ``Config`` models are the single source of truth for
its fields: ``schemas/*.json`` and the ``fields`` of ``component.json`` are generated from them
(``picsart-flow generate``), and a test proves the committed files are current.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypeGuard, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import Problem


@dataclass(frozen=True)
class ChoiceAliases:
    """Other names a field's choices go by, each with its choice (``{"bottom-right":
    "right-bottom"}``), declared as ``Annotated[..., ChoiceAliases(...)]`` metadata: a body's
    text that is one, in any case, is written as its choice before the schema check, as another
    case is. Not part of the schema: the designer offers the choices alone."""

    names: Mapping[str, str]


class InputModel(BaseModel):
    """An action's in-metadata. Unknown keys are refused, as the generated schema does."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def normalized(cls, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with each text that names one of a field's choices in another case (``png``)
        or by an alias (``ChoiceAliases``) written as the choice (``PNG``): what is checked and
        sent is the API's own spelling."""
        choices = _text_choices(cls)
        changed = dict(body)
        for name, value in body.items():
            known = choices.get(name)
            if known is None:
                continue
            if isinstance(value, str):
                changed[name] = known.get(value.lower(), value)
            elif isinstance(value, list):
                changed[name] = [
                    known.get(item.lower(), item) if isinstance(item, str) else item
                    for item in value
                ]
        return changed

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        """Rules that span several fields, checked on the raw body after the schema.

        Must tolerate values of the wrong type: the schema reports those.
        """
        return []


class OutputModel(BaseModel):
    """An action's out-metadata."""

    model_config = ConfigDict(extra="forbid")


class ConfigModel(BaseModel):
    """An action's (or the credentials') configuration fields, as shown in the designer.

    ``cfg`` also carries the credentials and whatever else the platform adds, so unknown keys
    are ignored here.
    """

    model_config = ConfigDict(extra="ignore")


def is_model_class(candidate: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def problems_from(error: ValidationError, root: str) -> list[Problem]:
    """pydantic's errors as problems, without the offending values (they may be secrets)."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        path = root + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        )
        rule = "is required" if item["type"] == "missing" else item["msg"]
        problems.append(Problem(path, rule.removeprefix("Value error, ")))
    return problems


@cache
def _text_choices(model: type[BaseModel]) -> dict[str, dict[str, str]]:
    """For each field whose values are a fixed set of texts, each choice by its lower case and by
    its aliases' lower case."""
    found: dict[str, dict[str, str]] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        items = extra.get("items")
        listed = extra.get("enum", items.get("enum") if isinstance(items, dict) else None)
        values = [*_literal_values(info.annotation), *(listed if isinstance(listed, list) else [])]
        texts = [value for value in values if isinstance(value, str)]
        if texts:
            by_alias = {
                alias: choice
                for aliases in info.metadata
                if isinstance(aliases, ChoiceAliases)
                for alias, choice in _aliases_by_lower(name, aliases, texts).items()
            }
            found[name] = {**by_alias, **{text.lower(): text for text in texts}}
    return found


def _aliases_by_lower(field: str, aliases: ChoiceAliases, texts: list[str]) -> dict[str, str]:
    unknown = sorted(choice for choice in aliases.names.values() if choice not in texts)
    if unknown:
        raise TypeError(f"{field}: aliases name {', '.join(unknown)}, which are not its choices")
    return {alias.lower(): choice for alias, choice in aliases.names.items()}


def _literal_values(annotation: Any) -> list[Any]:
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return [value for argument in get_args(annotation) for value in _literal_values(argument)]
