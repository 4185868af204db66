"""Renaming a step: later steps' mappings follow, rewritten at JSONata's token positions.

A name is rewritten only where the expression reads it from the document the body is
evaluated against: the first step of a path at the top (``cutout.data.url``), after ``$`` or
``$$`` (``$.cutout``), as ``flows.mapping.root_names`` finds the names a step reads. Where the
old name appears in a way that may or may not mean the step (in a lambda's body, whose context
is whatever calls it, or inside a string, as ``$lookup($$, "cutout")`` would use it), the rename
is refused with the place and the reason: a mapping is never changed on a guess.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from jsonata.parser import Parser

from ..flows.mapping import ExpressionSyntaxError, _children, parse_expression, root_names
from ..flows.model import ID_RULE, INPUT_NAME

ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RenameRefused(Exception):
    """The rename is not certain; the message says where and why."""


@dataclass
class _Found:
    rewrite: list[int] = field(default_factory=list)
    """End positions of the name tokens that read the step."""
    uncertain: list[tuple[int, str]] = field(default_factory=list)


def rename_step(steps: list[dict[str, Any]], index: int, new_id: str) -> list[dict[str, Any]]:
    """``steps`` with step ``index`` called ``new_id`` and every later mapping that reads it
    rewritten; ``RenameRefused`` (or ``ValueError`` for a bad request) otherwise."""
    if not 0 <= index < len(steps):
        raise ValueError(f"index: must be from 0 to {len(steps) - 1}, got {index}")
    if not isinstance(new_id, str) or not ID_PATTERN.fullmatch(new_id):
        raise ValueError(f"newId: {new_id!r} {ID_RULE}")
    if new_id == INPUT_NAME:
        raise ValueError(f"newId: {INPUT_NAME!r} is the item's own name; choose another")
    old_id = steps[index].get("id")
    if not isinstance(old_id, str):
        raise ValueError(f"steps[{index}].id: must be a string to be renamed")
    if new_id != old_id and any(step.get("id") == new_id for step in steps):
        raise ValueError(f"newId: another step is already called {new_id!r}")
    renamed = copy.deepcopy(steps)
    renamed[index]["id"] = new_id
    if new_id == old_id:
        return renamed
    for later, step in enumerate(renamed[index + 1 :], start=index + 1):
        body = step.get("body")
        if isinstance(body, str):
            step["body"] = rename_in_expression(body, old_id, new_id, f"steps[{later}].body")
    return renamed


def rename_in_expression(expression: str, old: str, new: str, where: str) -> str:
    try:
        ast = parse_expression(expression).ast
        names_before = root_names(expression)
    except ExpressionSyntaxError as error:
        if old not in expression:
            return expression
        raise RenameRefused(
            f"{where} does not parse, so where it reads {old!r} is not certain: {error}"
        ) from None
    found = _Found()
    _collect(ast, root=True, old=old, found=found, seen=set())
    for position, reason in found.uncertain:
        raise RenameRefused(
            f"{where}: {old!r} at character {position} {reason}, so whether it means the step "
            "is not certain; rename it there by hand, or rename the step back"
        )
    text = expression
    for end in sorted(set(found.rewrite), reverse=True):
        start, stop = _token_span(text, end, old, where)
        text = text[:start] + new + text[stop:]
    names_after = root_names(text)
    expected = (names_before - {old}) | ({new} if old in names_before else set())
    if names_after != expected:
        raise RenameRefused(
            f"{where}: the rewritten mapping would read {sorted(names_after)} instead of "
            f"{sorted(expected)}; it is left as it was"
        )
    return text


def _token_span(text: str, end: int, old: str, where: str) -> tuple[int, int]:
    """Where the name ending at ``end`` is written (inside backquotes when it is quoted)."""
    if text[end - 1 : end] == "`" and text[end - len(old) - 2 : end] == f"`{old}`":
        return end - len(old) - 1, end - 1
    if text[end - len(old) : end] == old:
        return end - len(old), end
    raise RenameRefused(f"{where}: cannot find {old!r} where JSONata says it ends ({end})")


def _collect(node: Any, *, root: bool, old: str, found: _Found, seen: set[int]) -> None:
    """As ``flows.mapping._collect`` walks, recording where ``old`` is read."""
    if not isinstance(node, Parser.Symbol) or id(node) in seen:
        return
    seen.add(id(node))
    if node.type == "path" and node.steps:
        _collect_path(node, root=root, old=old, found=found, seen=seen)
        return
    if node.type == "name":
        _name(node, root=root, old=old, found=found)
        return
    if node.type == "string" and isinstance(node.value, str) and old in node.value:
        if re.search(rf"\b{re.escape(old)}\b", node.value):
            found.uncertain.append((int(node.position or 0), "is inside a string"))
        return
    if node.type == "lambda":
        _collect_lambda(node.body, old=old, found=found, seen=seen)
        return
    for child in _children(node):
        _collect(child, root=root, old=old, found=found, seen=seen)


def _name(node: Any, *, root: bool, old: str, found: _Found) -> None:
    if node.value == old and root:
        found.rewrite.append(int(node.position))


def _collect_lambda(node: Any, *, old: str, found: _Found, seen: set[int]) -> None:
    """In a lambda's body a top-level name reads whatever the lambda is called with."""
    inner = _Found()
    _collect(node, root=True, old=old, found=inner, seen=seen)
    found.uncertain.extend(
        (position, "is read inside a function's body") for position in inner.rewrite
    )
    found.uncertain.extend(inner.uncertain)


def _collect_path(node: Any, *, root: bool, old: str, found: _Found, seen: set[int]) -> None:
    steps = list(node.steps)
    first, rest = steps[0], steps[1:]
    second = rest[0] if rest else None
    second_is_name = isinstance(second, Parser.Symbol) and second.type == "name"
    if first.type == "variable" and first.value in ("$", "") and second_is_name:
        if first.value == "$" or root:
            _name(second, root=True, old=old, found=found)
        seen.add(id(second))
        for child in _children(second):
            _collect(child, root=False, old=old, found=found, seen=seen)
        rest = rest[1:]
    elif first.type == "name":
        _name(first, root=root, old=old, found=found)
        seen.add(id(first))
        for child in _children(first):
            _collect(child, root=False, old=old, found=found, seen=seen)
    else:
        _collect(first, root=root, old=old, found=found, seen=seen)
    for step in rest:
        _collect(step, root=False, old=old, found=found, seen=seen)
    for child in _children(node, skip=("steps",)):
        _collect(child, root=False, old=old, found=found, seen=seen)
