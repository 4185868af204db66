"""``flow run --save-to DIR``: each finished item's final image, in a folder, named after it.

results.jsonl says what happened; this folder is what a user wants to open. The file is the last
step's result: the stored copy when that step had "Download result", otherwise Picsart's result
URL, fetched under the same rules as every download. A name comes from the item's input (a
folder item's file name, or the file part of its URL), else from its line number.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..lib.files import FileServices
from ..lib.store import AttachmentStore
from .inputs import ItemKey

_NAME_FIELDS = ("file", "image", "image_url", "url")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class SaveError(Exception):
    """The item's result could not be written to the folder; the message says why."""


class ResultSaver:
    def __init__(
        self, folder: Path, files: FileServices, store: AttachmentStore, api_base_url: str
    ) -> None:
        self.folder = folder
        self._files = files
        self._store = store
        self._api_base_url = api_base_url
        self._names: dict[str, ItemKey] = {}
        self._lock = threading.Lock()

    def save(self, key: ItemKey, item_input: Any, output: Any) -> Path:
        url = _result_url(output)
        if url is None:
            raise SaveError("the last step gave no file to save")
        if not self._store.owns(url):
            url = self._files.save_result(url, self._api_base_url).url
        target = self.folder / (self._name(key, item_input) + _suffix(url))
        partial = target.with_name(f".{target.name}.partial")
        try:
            with self._store.read(url) as chunks, partial.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            os.replace(partial, target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise SaveError(f"cannot write {target}: {error.strerror}") from None
        return target

    def _name(self, key: ItemKey, item_input: Any) -> str:
        stem = _stem(item_input) or str(key)
        with self._lock:
            owner = self._names.setdefault(stem, key)
        return stem if owner == key else f"{stem}-{key}"


def _result_url(output: Any) -> str | None:
    if not isinstance(output, dict):
        return None
    if isinstance(output.get("attachmentUrl"), str):
        return str(output["attachmentUrl"])
    data = output.get("data")
    if isinstance(data, dict) and isinstance(data.get("url"), str):
        return str(data["url"])
    return None


def _stem(item_input: Any) -> str | None:
    if not isinstance(item_input, dict):
        return None
    for field in _NAME_FIELDS:
        value = item_input.get(field)
        if isinstance(value, str) and value:
            stem = PurePosixPath(unquote(urlsplit(value).path)).stem
            safe = _SAFE.sub("-", stem).strip(".-")[:80]
            if safe:
                return safe
    return None


def _suffix(url: str) -> str:
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"
