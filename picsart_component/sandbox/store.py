"""Results and uploads, kept in memory and forgotten oldest-first, like expiring Picsart URLs."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredFile:
    """One stored image; it is served at ``/results/<id>.<extension>``."""

    id: str
    data: bytes
    content_type: str
    extension: str

    @property
    def filename(self) -> str:
        return f"{self.id}.{self.extension}"


class FileStore:
    """A thread-safe LRU store capped by entry count and by total bytes.

    An evicted id behaves like an expired Picsart result: its URL answers 404 and using it as
    ``image_id`` fails.
    """

    def __init__(self, max_files: int, max_bytes: int) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self._files: OrderedDict[str, StoredFile] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, data: bytes, content_type: str, extension: str) -> StoredFile:
        stored = StoredFile(uuid.uuid4().hex, data, content_type, extension)
        with self._lock:
            self._files[stored.id] = stored
            self._bytes += len(data)
            while len(self._files) > 1 and (
                len(self._files) > self.max_files or self._bytes > self.max_bytes
            ):
                _, evicted = self._files.popitem(last=False)
                self._bytes -= len(evicted.data)
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            stored = self._files.get(file_id)
            if stored is not None:
                self._files.move_to_end(file_id)
            return stored

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._bytes = 0

    def usage(self) -> dict[str, int]:
        with self._lock:
            return {
                "files": len(self._files),
                "bytes": self._bytes,
                "max_files": self.max_files,
                "max_bytes": self.max_bytes,
            }
