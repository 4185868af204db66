"""Colours as Picsart accepts them: ``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa`` or a name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import webcolors

from .errors import Problem

_HEX = re.compile(r"#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
COLOR_NAMES = frozenset(webcolors.names(webcolors.CSS3)) | {"rebeccapurple", "transparent"}


def color_rule_broken(value: str, *, hash_optional: bool) -> str | None:
    """Why ``value`` is not a colour Picsart accepts, or None when it is one."""
    if value.lower() in COLOR_NAMES:
        return None
    if _HEX.fullmatch(value) and (hash_optional or value.startswith("#")):
        return None
    forms = "#rgb, #rgba, #rrggbb or #rrggbbaa" + (", the # optional" if hash_optional else "")
    return f"must be a hex colour ({forms}) or a CSS colour name such as blue"


def color_problems(body: Mapping[str, Any], fields: Mapping[str, bool]) -> list[Problem]:
    """A problem for each colour field of ``body`` that is no colour; ``fields`` says for each
    whether its ``#`` is optional."""
    problems = []
    for key, hash_optional in fields.items():
        value = body.get(key)
        if isinstance(value, str) and (
            broken := color_rule_broken(value, hash_optional=hash_optional)
        ):
            problems.append(Problem(f"$.{key}", broken))
    return problems
