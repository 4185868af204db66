"""The files the page may reach: the roots, listing folders, and opening and saving flow files.

Only the folder the designer was started in and the folder of its flow file are reachable
(symbolic links resolved first). A YAML flow file is read and written by ruamel.yaml's round
trip: saved unchanged it is not written at all, and saved with changes it keeps its comments,
its key order and its indentation. A JSON flow file is written as JSON with two-space indents.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from ..flows.model import FlowFileError, flow_problems, read_flow_document
from ..runtime.documents import MAX_DOCUMENT_BYTES
from .errors import RequestError, bad

if TYPE_CHECKING:
    from ..runtime.executor import Executor

FLOW_SUFFIXES = (".yaml", ".yml", ".json")
MAX_ENTRIES = 2000


def within_roots(roots: list[Path], value: Any, field: str, *, base: Path | None = None) -> Path:
    """``value`` (relative to the first root, or absolute) as a resolved path inside a root;
    403 naming the rule otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise bad(f"{field}: must be a non-empty string (a path)")
    if "\0" in value:
        raise bad(f"{field}: must not hold a NUL character")
    given = Path(value)
    if ".." in given.parts:
        raise RequestError(403, f"{field}: '..' is not allowed; give a path inside {_roots(roots)}")
    start = base or roots[0]
    resolved = (given if given.is_absolute() else start / given).resolve()
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        raise RequestError(
            403, f"{field}: {value} is outside the folders the designer may reach ({_roots(roots)})"
        )
    return resolved


def _roots(roots: list[Path]) -> str:
    return " and ".join(str(root) for root in roots)


def list_folder(roots: list[Path], value: Any) -> dict[str, Any]:
    folder = within_roots(roots, value or str(roots[0]), "dir")
    if not folder.is_dir():
        raise RequestError(404, f"dir: {folder} is not a folder")
    entries = []
    try:
        for child in sorted(folder.iterdir(), key=lambda path: path.name.lower()):
            if child.name.startswith("."):
                continue
            entries.append({"name": child.name, "kind": "dir" if child.is_dir() else "file"})
            if len(entries) >= MAX_ENTRIES:
                break
    except OSError as error:
        raise RequestError(403, f"dir: cannot list {folder}: {error.strerror}") from None
    return {"dir": str(folder), "entries": entries}


def open_flow(path: Path, executor: Executor) -> dict[str, Any]:
    """The steps of a flow file, as plain JSON, and what ``flow validate`` says of them."""
    if not path.is_file():
        raise RequestError(404, f"path: {path} is not a file")
    try:
        document = read_flow_document(path)
    except FlowFileError as error:
        raise RequestError(422, f"path: {error}") from None
    return {
        "path": str(path),
        "steps": document,
        "problems": [problem_json(p) for p in flow_problems(document, executor)],
    }


def problem_json(problem: Any) -> dict[str, str]:
    return {"path": problem.path, "message": problem.rule}


def check_steps(steps: Any) -> list[Any]:
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise bad("steps: must be a list of step objects ({id, action, body, cfg?})")
    try:
        json.dumps(steps, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise bad(f"steps: must be JSON data: {error}") from None
    return steps


def save_flow(path: Path, steps: list[Any]) -> bool:
    """Writes ``steps`` to ``path`` unless the file already holds them; whether it wrote."""
    if path.suffix.lower() not in FLOW_SUFFIXES:
        raise bad(f"path: a flow file is named .yaml, .yml or .json, not {path.name}")
    if not path.parent.is_dir():
        raise RequestError(404, f"path: the folder {path.parent} does not exist")
    old_text = _read_text(path)
    if path.suffix.lower() == ".json":
        if old_text is not None and _same_json(old_text, steps):
            return False
        write_atomically(path, json.dumps(steps, indent=2, ensure_ascii=False) + "\n")
        return True
    text = yaml_text(old_text, steps)
    if text is None:
        return False
    write_atomically(path, text)
    return True


def _read_text(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise RequestError(413, f"path: {path} is larger than a flow file may be")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RequestError(422, f"path: {path} cannot be read: {error}") from None


def _same_json(text: str, steps: list[Any]) -> bool:
    try:
        return bool(json.loads(text) == steps)
    except ValueError:
        return False


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def yaml_text(old_text: str | None, steps: list[Any]) -> str | None:
    """The YAML for ``steps``: the old document changed only where the steps differ (its
    comments, order, quotes and indentation kept), or None when nothing differs."""
    yaml = _round_trip()
    document: Any = None
    if old_text is not None and old_text.strip():
        try:
            document, indent, block_indent = load_yaml_guess_indent(old_text)
            document = yaml.load(old_text)
        except YAMLError:
            document = None
        else:
            yaml.indent(mapping=indent or 2, sequence=indent or 2, offset=block_indent or 0)
    if isinstance(document, CommentedSeq):
        if _plain(document) == steps:
            return None
        _merge_steps(document, steps)
    else:
        document = CommentedSeq([_fresh(step) for step in steps])
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def _merge_steps(document: CommentedSeq, steps: list[Any]) -> None:
    """Each new step onto the old step with its id (or, for a renamed step, the old one in its
    place), so that the comments inside a step travel with it."""
    old_steps = list(document)
    new_ids = {step.get("id") for step in steps}
    by_id = {step.get("id"): step for step in old_steps if isinstance(step, CommentedMap)}
    used: set[int] = set()
    merged: list[Any] = []
    for index, step in enumerate(steps):
        old = by_id.get(step.get("id"))
        if old is None or id(old) in used:
            old = _renamed_from(old_steps, index, step, new_ids, used)
        if old is None:
            merged.append(_fresh(step))
            continue
        used.add(id(old))
        merged.append(_merge(old, step))
    for index, item in enumerate(merged):
        if index < len(document):
            if document[index] is not item:
                document[index] = item
        else:
            document.append(item)
    del document[len(merged) :]


def _renamed_from(
    old_steps: list[Any], index: int, step: dict[str, Any], new_ids: set[Any], used: set[int]
) -> CommentedMap | None:
    """The old step a step with a new id was, if any: one whose id is gone and whose action is
    the same, preferably in the same place."""
    candidates = [
        (abs(place - index), old)
        for place, old in enumerate(old_steps)
        if isinstance(old, CommentedMap)
        and id(old) not in used
        and old.get("id") not in new_ids
        and old.get("action") == step.get("action")
    ]
    return min(candidates, key=lambda pair: pair[0])[1] if candidates else None


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [key for key in old if key not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else _fresh(value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        for index, value in enumerate(new):
            if index < len(old):
                old[index] = _merge(old[index], value)
            else:
                old.append(_fresh(value))
        del old[len(new) :]
        return old
    if type(old) is type(new) and old == new:
        return old
    if isinstance(old, str) and isinstance(new, str) and str(old) == new:
        return old
    return _fresh(new)


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((key, _fresh(item)) for key, item in value.items())
    if isinstance(value, list):
        return CommentedSeq(_fresh(item) for item in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def write_atomically(path: Path, text: str) -> None:
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as handle:
            handle.write(text)
        os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except OSError as error:
        raise RequestError(403, f"path: cannot write {path}: {error.strerror}") from None
