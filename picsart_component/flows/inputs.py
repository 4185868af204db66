"""The items of a batch: lines of a JSONL file, rows of a CSV file, or the files of a folder.

Every item has a key that stays the same from one run to the next, so that a resumed run can
tell which items are finished: the line number in a JSONL file, the row number in a CSV file (1
for the first row under the header) and the path relative to the folder for a file. An item that
cannot be read (a line that is not JSON, a row with too many values) is still an item: it ends
as a failed line in the results, so nothing in the input goes missing.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..lib.errors import InputError
from ..lib.formats import IMAGE, FileKind, checked_format
from ..lib.store import AttachmentStore
from ..runtime.documents import loads_json

InputKind = Literal["jsonl", "csv", "folder"]
INPUT_KINDS: tuple[InputKind, ...] = ("jsonl", "csv", "folder")
ItemKey = int | str

_SUFFIX_KINDS: dict[str, InputKind] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_CHUNK = 1 << 16


class InputSourceError(Exception):
    """The input as a whole cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class InputItem:
    """One item. ``problem`` is set when it cannot be read; ``file`` for a folder's files."""

    key: ItemKey
    value: Any = None
    file: Path | None = None
    problem: str | None = None


@dataclass(frozen=True)
class ItemSource:
    kind: InputKind
    path: Path
    exclude: frozenset[Path] = frozenset()

    def read(self) -> list[InputItem]:
        """All items, in a stable order; ``InputSourceError`` if the input cannot be read."""
        try:
            if self.kind == "jsonl":
                return list(_jsonl_items(self.path))
            if self.kind == "csv":
                return list(_csv_items(self.path))
            return [
                InputItem(key=relative, file=self.path / relative)
                for relative in self._folder_files()
            ]
        except OSError as error:
            raise InputSourceError(f"{self.path}: cannot be read: {error.strerror}") from None

    def fingerprint(self) -> str:
        """Changes when the items could change: the file's bytes, or the folder's files."""
        digest = hashlib.sha256(self.kind.encode())
        try:
            if self.kind == "folder":
                for relative in self._folder_files():
                    size = (self.path / relative).stat().st_size
                    digest.update(f"\n{relative}\0{size}".encode())
            else:
                with self.path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(_CHUNK), b""):
                        digest.update(chunk)
        except OSError as error:
            raise InputSourceError(f"{self.path}: cannot be read: {error.strerror}") from None
        return digest.hexdigest()

    def _folder_files(self) -> list[str]:
        excluded = {path.resolve() for path in self.exclude}
        found = []
        for path in self.path.rglob("*"):
            relative = path.relative_to(self.path)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if path.is_file() and path.resolve() not in excluded:
                found.append(relative.as_posix())
        return sorted(found)


def open_input(path: Path, kind: str | None = None, exclude: Collection[Path] = ()) -> ItemSource:
    """The item source at ``path``; its kind from ``kind`` or else from the path."""
    if not path.exists():
        raise InputSourceError(f"{path} does not exist")
    if kind is None:
        if path.is_dir():
            kind = "folder"
        else:
            kind = _SUFFIX_KINDS.get(path.suffix.lower())
            if kind is None:
                raise InputSourceError(
                    f"cannot tell what kind of input {path.name} is: name it .jsonl, .ndjson or "
                    ".csv, give a folder of images, or say --input-format jsonl|csv"
                )
    if kind not in INPUT_KINDS:
        raise InputSourceError(f"unknown input format {kind!r}; use jsonl, csv or folder")
    if (kind == "folder") != path.is_dir():
        raise InputSourceError(
            f"{path} is a folder; only a folder input can be one"
            if path.is_dir()
            else f"{path} is a file, not a folder"
        )
    return ItemSource(kind, path, frozenset(exclude))


def _jsonl_items(path: Path) -> Iterator[InputItem]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            raw = line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield InputItem(number, problem=f"line {number} is not UTF-8 (byte {error.start})")
                continue
            try:
                value = loads_json(text, parse_constant=_refuse_constant)
            except ValueError as error:
                yield InputItem(number, problem=f"line {number} is not valid JSON: {error}")
                continue
            yield InputItem(number, value=value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _csv_items(path: Path) -> Iterator[InputItem]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                return
            _check_header(path, header)
            for number, row in enumerate((row for row in reader if row), start=1):
                if len(row) != len(header):
                    yield InputItem(
                        number,
                        problem=(
                            f"row {number} (line {reader.line_num}) has {len(row)} values, "
                            f"but the header has {len(header)} columns"
                        ),
                    )
                    continue
                yield InputItem(number, value=dict(zip(header, row, strict=True)))
        except UnicodeDecodeError as error:
            raise InputSourceError(f"{path} is not UTF-8 text (byte {error.start})") from None
        except csv.Error as error:
            raise InputSourceError(f"{path}, line {reader.line_num}: {error}") from None


def _check_header(path: Path, header: list[str]) -> None:
    for index, name in enumerate(header, start=1):
        if not name.strip():
            raise InputSourceError(
                f"{path}: column {index} of the header has no name; every column needs one, "
                "because it becomes the item's key"
            )
        if header.index(name) != index - 1:
            raise InputSourceError(f"{path}: the header names the column {name!r} twice")


def takeable_files(
    items: list[InputItem], kind: FileKind = IMAGE
) -> tuple[list[InputItem], list[tuple[InputItem, str]]]:
    """A folder's items split, by each file's bytes, into those a field of ``kind`` can take
    and those it cannot (each with what its bytes are); other items are all kept."""
    kept: list[InputItem] = []
    skipped: list[tuple[InputItem, str]] = []
    for item in items:
        if item.file is None:
            kept.append(item)
            continue
        try:
            checked_format(item.file, "$.image", kind)
        except InputError as error:
            skipped.append((item, error.problems[0].rule))
        except OSError as error:
            kept.append(InputItem(item.key, file=item.file, problem=f"cannot read: {error}"))
        else:
            kept.append(item)
    return kept, skipped


def folder_item_input(item: InputItem, store: AttachmentStore) -> dict[str, Any]:
    """Copies a folder's file into the attachment store: ``{"image": <its url>, "file": key}``."""
    assert item.file is not None
    stored = store.save_file(item.file)
    return {"image": stored.url, "file": item.key}


def dry_run_item_input(item: InputItem) -> Any:
    """What a dry run maps from: the item, and for a file its own ``file://`` URL (not copied)."""
    if item.file is not None:
        return {"image": item.file.resolve().as_uri(), "file": item.key}
    return item.value
