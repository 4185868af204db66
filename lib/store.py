"""Where "Download result" puts files: a local folder, or elastic.io's object storage (Maester).

Both backends stream: a file is written from an iterator of chunks and read back as one, never
held whole in memory (a video result of a gigabyte passes through in pieces of 64 kB). A file whose
given type says nothing (``application/octet-stream``, or a type without a known extension) is
typed by its first bytes, so that a video a CDN serves as ``binary/octet-stream`` is kept as the
MP4 it is. Ids are generated here and never taken from input, and a URL is accepted as ours only
when it names a file this store could have written.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

from .errors import StoreError, TransientStoreError, URLError
from .formats import (
    CONTENT_TYPE_BY_EXTENSION,
    EXTENSION_BY_CONTENT_TYPE,
    GENERIC_CONTENT_TYPE,
    SNIFF_BYTES,
    content_type_of_file,
    format_info,
    sniff_format,
)
from .settings import ComponentSettings
from .urls import split_url

_OBJECT_ID = re.compile(r"[A-Za-z0-9_.-]+")
_LOCAL_NAME = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,5})?")


@dataclass(frozen=True)
class StoredFile:
    url: str
    size: int
    content_type: str
    filename: str

    def attachment(self) -> dict[str, object]:
        """The entry for an elastic.io message's ``attachments`` map."""
        return {"url": self.url, "size": self.size, "content-type": self.content_type}


class AttachmentStore:
    """One small interface for both backends."""

    def save(self, chunks: Iterable[bytes], content_type: str) -> StoredFile:
        raise NotImplementedError

    def owns(self, url: str) -> bool:
        raise NotImplementedError

    def save_file(self, path: Path, chunk_size: int = 1 << 16) -> StoredFile:
        """Copy a local file into the store, streaming it; its type comes from its contents."""
        content_type = content_type_of_file(path)
        with path.open("rb") as handle:
            return self.save(iter(lambda: handle.read(chunk_size), b""), content_type)

    def local_path(self, url: str) -> Path | None:
        """The file behind a URL of this store, when it is on this machine."""
        return None

    @contextlib.contextmanager
    def read(self, url: str) -> Iterator[Iterator[bytes]]:
        """The chunks of a file this store owns."""
        raise NotImplementedError
        yield iter(())


@dataclass(frozen=True)
class StoreEntry:
    """One file of the local store, as ``picsart-flow store list`` shows it."""

    name: str
    path: Path
    size: int
    content_type: str
    modified: float

    @property
    def url(self) -> str:
        return self.path.as_uri()


class LocalStore(AttachmentStore):
    """Files in one folder, named ``<32 hex digits><extension>``, addressed by ``file://`` URLs.

    The digits are the start of the content's SHA-256: the same content is stored once and
    always has the same URL, and a file is never rewritten with other content.
    """

    def __init__(self, directory: Path, chunk_size: int = 1 << 16) -> None:
        self.directory = directory.expanduser().resolve()
        self.chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"LocalStore({str(self.directory)!r})"

    def save(self, chunks: Iterable[bytes], content_type: str) -> StoredFile:
        chunks, content_type = typed_by_bytes(chunks, content_type)
        digest = hashlib.sha256()
        size = 0
        with self._writing():
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed or removed below
                dir=self.directory, prefix=".partial-", delete=False
            )
        try:
            for chunk in chunks:
                with self._writing():
                    handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            name = _name(digest.hexdigest(), content_type)
            target = self.directory / name
            with self._writing():
                handle.close()
                if target.is_file():
                    Path(handle.name).unlink()
                    os.utime(target)
                else:
                    os.replace(handle.name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                handle.close()
            Path(handle.name).unlink(missing_ok=True)
            raise
        return StoredFile(target.as_uri(), size, content_type, name)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A failure to write (a full disk, say) as a ``StoreError`` that says where."""
        try:
            yield
        except OSError as error:
            raise StoreError(
                f"cannot write to the attachment store in {self.directory}: "
                f"{error.strerror or type(error).__name__}"
            ) from None

    def entries(self) -> list[StoreEntry]:
        """Every file of the store, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.iterdir():
            if not _LOCAL_NAME.fullmatch(path.name) or not path.is_file():
                continue
            status = path.stat()
            content_type = CONTENT_TYPE_BY_EXTENSION.get(path.suffix, GENERIC_CONTENT_TYPE)
            found.append(StoreEntry(path.name, path, status.st_size, content_type, status.st_mtime))
        return sorted(found, key=lambda entry: (entry.modified, entry.name))

    def find(self, name_or_url: str) -> StoreEntry | None:
        """A file by its name, its id (the name without extension), its URL, or the local file
        it is a copy of (found by content, as it was stored)."""
        path = self.path_of(name_or_url)
        wanted = path.name if path is not None else name_or_url
        original = Path(name_or_url).expanduser()
        if path is None and original.is_file():
            wanted = _content_name(original, content_type_of_file(original))
        for entry in self.entries():
            if wanted in (entry.name, entry.path.stem):
                return entry
        return None

    def remove(self, entry: StoreEntry) -> None:
        with self._writing():
            entry.path.unlink(missing_ok=True)

    def path_of(self, url: str) -> Path | None:
        """The file a URL names, when it is one of ours; None otherwise."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path))
        if path.parent != self.directory or not _LOCAL_NAME.fullmatch(path.name):
            return None
        return path

    def owns(self, url: str) -> bool:
        return self.path_of(url) is not None

    def local_path(self, url: str) -> Path | None:
        path = self.path_of(url)
        return path if path is not None and path.is_file() else None

    @contextlib.contextmanager
    def read(self, url: str) -> Iterator[Iterator[bytes]]:
        path = self.path_of(url)
        if path is None:
            raise StoreError(f"{url} is not a file of the attachment store in {self.directory}")
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise StoreError(f"the attachment store has no file {path.name}") from None
        with handle:
            yield iter(lambda: handle.read(self.chunk_size), b"")


def typed_by_bytes(chunks: Iterable[bytes], content_type: str) -> tuple[Iterator[bytes], str]:
    """The chunks, unchanged, and their type: ``content_type`` when it has a known extension,
    else what the first bytes say (an image, video or audio format), else ``content_type``.
    Only the first piece or two are looked at, before anything is written."""
    stream = iter(chunks)
    if content_type in EXTENSION_BY_CONTENT_TYPE:
        return stream, content_type
    head: list[bytes] = []
    seen = 0
    for chunk in stream:
        head.append(chunk)
        seen += len(chunk)
        if seen >= SNIFF_BYTES:
            break
    known = format_info(sniff_format(b"".join(head)) or "")
    return itertools.chain(head, stream), known.content_type if known else content_type


def _name(hex_digest: str, content_type: str) -> str:
    """A stored file's name: the start of its content's SHA-256, and its type's extension."""
    return hex_digest[:32] + EXTENSION_BY_CONTENT_TYPE.get(content_type, ".bin")


def _content_name(path: Path, content_type: str) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return _name(digest.hexdigest(), content_type)


class MaesterStore(AttachmentStore):
    """elastic.io's object storage: ``POST {uri}/objects`` with a bearer token.

    A failed upload is not retried here: its source stream is spent, so the caller repeats the
    whole transfer (``FileServices.save_result`` downloads the result again).
    """

    def __init__(
        self,
        uri: str,
        token: str,
        *,
        timeout: tuple[float, float] = (10.0, 120.0),
        session: requests.Session | None = None,
    ) -> None:
        self.uri = uri.rstrip("/")
        self._token = token
        self.timeout = timeout
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"MaesterStore({self.uri!r})"

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", **extra}

    def save(self, chunks: Iterable[bytes], content_type: str) -> StoredFile:
        chunks, content_type = typed_by_bytes(chunks, content_type)
        counted = _Counted(chunks)
        object_id = self._upload(counted, content_type)
        url = f"{self.uri}/objects/{object_id}?storage_type=maester"
        filename = object_id + EXTENSION_BY_CONTENT_TYPE.get(content_type, ".bin")
        return StoredFile(url, counted.size, content_type, filename)

    def put_object(self, data: bytes) -> str:
        """Store ``data`` as one object and return its id (the sailor's lightweight messages)."""
        return self._upload(data, "application/octet-stream")

    def _upload(self, data: Iterable[bytes] | bytes, content_type: str) -> str:
        """``POST /objects``: the new object's id."""
        try:
            response = self._session.post(
                f"{self.uri}/objects",
                data=data,
                headers=self._headers(**{"Content-Type": content_type}),
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise TransientStoreError(
                f"object storage is unreachable ({type(error).__name__})"
            ) from None
        if response.status_code >= 500:
            raise TransientStoreError(f"object storage failed the upload ({response.status_code})")
        if response.status_code >= 400:
            raise StoreError(f"object storage refused the upload ({response.status_code})")
        try:
            object_id = str(response.json()["objectId"])
        except (ValueError, KeyError, TypeError):
            raise StoreError("object storage answered without an objectId") from None
        if not _is_object_id(object_id):
            raise StoreError("object storage answered with an unusable objectId")
        return object_id

    def get_object(self, object_id: str) -> bytes:
        """The bytes of the object ``object_id``."""
        if not _is_object_id(object_id):
            raise StoreError(f"{object_id!r} is not an object id")
        try:
            response = self._session.get(
                f"{self.uri}/objects/{object_id}", headers=self._headers(), timeout=self.timeout
            )
        except requests.RequestException as error:
            raise TransientStoreError(
                f"object storage is unreachable ({type(error).__name__})"
            ) from None
        if response.status_code >= 400:
            raise StoreError(f"object storage answered {response.status_code} for {object_id}")
        return response.content

    def owns(self, url: str) -> bool:
        """Whether ``url`` is one object of this storage: the bearer token goes only there.

        The object id must be one plain path segment: no dot segments, no encoded slashes or
        dots, which a server would resolve to another path than the one checked here.
        """
        try:
            parts = split_url(url)
            base = split_url(self.uri)
        except URLError:
            return False
        prefix = base.path.rstrip("/") + "/objects/"
        object_id = parts.path[len(prefix) :] if parts.path.startswith(prefix) else ""
        return (
            parts.origin == base.origin
            and _is_object_id(object_id)
            and "storage_type=maester" in parts.query.split("&")
        )

    @contextlib.contextmanager
    def read(self, url: str) -> Iterator[Iterator[bytes]]:
        if not self.owns(url):
            raise StoreError(f"{url} is not an object of this object storage")
        try:
            response = self._session.get(
                url, headers=self._headers(), timeout=self.timeout, stream=True
            )
        except requests.RequestException as error:
            raise TransientStoreError(
                f"object storage is unreachable ({type(error).__name__})"
            ) from None
        with response:
            if response.status_code >= 400:
                raise StoreError(f"object storage answered {response.status_code} for {url}")
            yield response.iter_content(1 << 16)


def _is_object_id(text: str) -> bool:
    """One plain path segment: no dot segments, no encoded slashes or dots."""
    return _OBJECT_ID.fullmatch(text) is not None and text not in (".", "..")


class _Counted:
    """An iterator of chunks that counts the bytes passing through."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._chunks)
        self.size += len(chunk)
        return chunk


def store_for(settings: ComponentSettings) -> AttachmentStore:
    """Maester when the platform's object-storage variables are set, else the local folder."""
    if settings.object_storage_uri and settings.object_storage_token:
        return MaesterStore(
            settings.object_storage_uri, settings.object_storage_token.get_secret_value()
        )
    return LocalStore(settings.attachments_folder)
