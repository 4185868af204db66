"""Results and uploads, forgotten oldest-first like expiring Picsart URLs; in memory, or in a
folder where they outlive the process (the sandbox ``picsart-flow`` starts for one command)."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "heic": "image/heic",
    "svg": "image/svg+xml",
    "json": "application/json",
    "wav": "audio/wav",
    "mp4": "video/mp4",
}
_FILE_NAME = re.compile(r"([0-9a-f]{32})\.([a-z0-9]+)")


@dataclass(frozen=True)
class StoredFile:
    """One stored image, sound, video or document; it is served at
    ``/results/<id>.<extension>``. Its bytes are held in memory, or read from ``path`` when the
    store keeps a folder."""

    id: str
    content_type: str
    extension: str
    size: int
    content: bytes | None = None
    path: Path | None = None

    @property
    def filename(self) -> str:
        return f"{self.id}.{self.extension}"

    @property
    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path.read_bytes()


class FileStore:
    """A thread-safe LRU store capped by entry count and by total bytes.

    An evicted id behaves like an expired Picsart result: its URL answers 404 and using it as
    ``image_id`` fails. With ``directory``, files are written there (and the ones already there,
    oldest first, are known at start), so a result outlives the process that made it.
    """

    def __init__(self, max_files: int, max_bytes: int, directory: Path | None = None) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.directory = directory
        self._files: OrderedDict[str, StoredFile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            for path in sorted(directory.iterdir(), key=_modified):
                match = _FILE_NAME.fullmatch(path.name)
                if match is not None and path.is_file():
                    file_id, extension = match.groups()
                    content_type = CONTENT_TYPES.get(extension, "application/octet-stream")
                    self._add(
                        StoredFile(file_id, content_type, extension, path.stat().st_size, path=path)
                    )

    def put(self, data: bytes, content_type: str, extension: str) -> StoredFile:
        file_id = uuid.uuid4().hex
        if self.directory is None:
            stored = StoredFile(file_id, content_type, extension, len(data), content=data)
        else:
            path = self.directory / f"{file_id}.{extension}"
            partial = path.with_name(f".{path.name}.partial")
            partial.write_bytes(data)
            os.replace(partial, path)
            stored = StoredFile(file_id, content_type, extension, len(data), path=path)
        with self._lock:
            self._add(stored)
        return stored

    def _add(self, stored: StoredFile) -> None:
        self._files[stored.id] = stored
        self._bytes += stored.size
        while len(self._files) > 1 and (
            len(self._files) > self.max_files or self._bytes > self.max_bytes
        ):
            _, evicted = self._files.popitem(last=False)
            self._bytes -= evicted.size
            if evicted.path is not None:
                evicted.path.unlink(missing_ok=True)

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            stored = self._files.get(file_id)
            if stored is not None:
                self._files.move_to_end(file_id)
        if stored is not None and stored.path is not None and not stored.path.is_file():
            return None
        return stored

    def usage(self) -> dict[str, int]:
        with self._lock:
            return {
                "files": len(self._files),
                "bytes": self._bytes,
                "max_files": self.max_files,
                "max_bytes": self.max_bytes,
            }


def _modified(path: Path) -> float:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime
    return 0.0
