"""Reading JSON and YAML that someone else wrote: bounded in size, nesting and alias expansion.

Python's parsers take any document: JSON nested a hundred thousand levels deep ends in a
``RecursionError``, and a YAML file of a few lines can repeat one alias into billions of values
(a "billion laughs"), which every later walk over the data then pays for. Everything that reads a
document given to us goes through here and gets a ``DocumentError`` that says what was too much.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml

MAX_DEPTH = 64
MAX_DOCUMENT_BYTES = 16 << 20
MAX_YAML_VALUES = 100_000


class DocumentError(ValueError):
    """A document that is too large, too deeply nested, or not valid; the message says which."""


def check_size(text: str | bytes, *, limit: int = MAX_DOCUMENT_BYTES) -> None:
    if len(text) > limit:
        raise DocumentError(f"is larger than {limit >> 20} MB")


def loads_json(
    text: str | bytes,
    *,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    parse_constant: Callable[[str], Any] | None = None,
    max_depth: int = MAX_DEPTH,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> Any:
    """``json.loads``, refusing documents over ``max_bytes`` (16 MB) or nested deeper than
    ``max_depth``.

    ``json.JSONDecodeError`` (a ``ValueError``) still says where a document is malformed.
    """
    check_size(text, limit=max_bytes)
    try:
        value = json.loads(text, object_pairs_hook=object_pairs_hook, parse_constant=parse_constant)
    except RecursionError:
        raise DocumentError(f"is nested more than {max_depth} levels deep") from None
    check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """``DocumentError`` when lists and objects nest deeper than ``max_depth``; walked with a
    stack, so the check itself cannot overflow."""
    if depth_exceeds(value, max_depth):
        raise DocumentError(f"is nested more than {max_depth} levels deep")


def depth_exceeds(value: Any, max_depth: int) -> bool:
    pending: list[tuple[Any, int]] = [(value, 0)]
    seen: set[int] = set()
    while pending:
        current, depth = pending.pop()
        if not isinstance(current, dict | list) or id(current) in seen:
            continue
        if depth >= max_depth:
            return True
        seen.add(id(current))
        children = current.values() if isinstance(current, dict) else current
        pending.extend((child, depth + 1) for child in children)
    return False


def load_yaml(text: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """YAML through a safe loader, refusing documents that expand to more than 100,000 values
    (aliases repeat what they name) or that nest deeper than ``MAX_DEPTH``."""
    check_size(text)
    instance = loader(text)
    try:
        try:
            node = instance.get_single_node()
        except RecursionError:
            raise DocumentError(f"is nested more than {MAX_DEPTH} levels deep") from None
        if node is None:
            return None
        _check_expansion(node)
        return instance.construct_document(node)
    finally:
        instance.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Counts the values the document expands to (a shared node once per use) and its depth,
    children before parents, without expanding anything."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            depths[key] = 1 + max((depths[id(child)] for child in children), default=0)
            if sizes[key] > MAX_YAML_VALUES:
                raise DocumentError(
                    f"expands to more than {MAX_YAML_VALUES} values (its aliases repeat what "
                    "they name); write it out without nested aliases"
                )
            if depths[key] > MAX_DEPTH + 1:
                raise DocumentError(f"is nested more than {MAX_DEPTH} levels deep")
            continue
        if key in sizes or key in in_progress:
            continue
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                raise DocumentError("refers to itself through an alias")
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
