"""The ``image`` and ``bg_image`` source mode, and the video and audio files a request uploads:
fetch a URL to a temporary file and check it.

The file comes from the attachment store (read through the store, which alone knows its
address and credentials) or from an external http(s) URL, which must pass the download address
rules. An attachment of the incoming message is no exception: one the store does not own is an
external URL like any other, so a message cannot make the component fetch a private address. The
file is streamed to a temporary file (never held in memory), identified by its magic bytes, and
removed when the request is done, whether it succeeded, failed or was interrupted. Images are
capped by ``PICSART_MAX_IMAGE_MB``, videos and audio by ``PICSART_MAX_VIDEO_MB`` (the downloader's
``max_bytes``, which the ``FileServices`` that builds the sources sets).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from PIL import Image

from .body import FilePart
from .download import Downloader, Fetched
from .errors import (
    APIError,
    InputError,
    NotFoundError,
    Problem,
    SourceImageError,
    StoreError,
    TooLargeError,
    URLRefusedError,
)
from .formats import IMAGE, FileKind, checked_format, display_name, format_info
from .store import AttachmentStore

DEFAULT_MAX_IMAGE_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_VIDEO_BYTES = 100 * 1024 * 1024

_temporary_files: set[Path] = set()
_temporary_files_lock = threading.Lock()


@contextlib.contextmanager
def temporary_file(directory: Path | None = None) -> Iterator[Path]:
    """A temporary file for a source image, removed when the block ends, and also by
    ``remove_temporary_files`` when the process must stop at once (its ``finally`` blocks then
    do not run)."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed in the finally below
        prefix="picsart-source-", dir=directory, delete=False
    )
    handle.close()
    path = Path(handle.name)
    with _temporary_files_lock:
        _temporary_files.add(path)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
        with _temporary_files_lock:
            _temporary_files.discard(path)


def remove_temporary_files() -> None:
    """Remove every source-image copy still on disk; for an exit that skips ``finally``."""
    with _temporary_files_lock:
        paths = list(_temporary_files)
        _temporary_files.clear()
    for path in paths:
        path.unlink(missing_ok=True)


MAX_DECODED_PIXELS = 178_956_970


@dataclass(frozen=True)
class LocalImage:
    """A fetched image (or video, or audio file) on disk, ready to be sent as one multipart
    part."""

    path: Path
    filename: str
    format: str
    size: int
    field: str

    @property
    def content_type(self) -> str:
        known = format_info(self.format)
        return known.content_type if known else "application/octet-stream"

    def part(self, name: str) -> FilePart:
        return FilePart(name, self.path, self.filename, self.content_type)

    def dimensions(self) -> tuple[int, int]:
        """Width and height, read from the header; a decompression bomb is an input error."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(self.path) as image:
                    width, height = image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputError(
                [Problem(self.field, "the image has too many pixels to be decoded safely")]
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow's errors for a damaged file name our temporary copy; the field says which.
            raise InputError(
                [
                    Problem(
                        self.field,
                        f"is a damaged {display_name(self.format)} image ({_kind(error)})",
                    )
                ]
            ) from None
        if width * height > MAX_DECODED_PIXELS:
            raise InputError(
                [Problem(self.field, "the image has too many pixels to be decoded safely")]
            )
        return width, height


class ImageSources:
    """Turns the URL in an ``image``-style field into a checked local file: a file of ``kind``
    (an image unless told otherwise), at most the downloader's ``max_bytes``."""

    def __init__(
        self,
        store: AttachmentStore,
        downloader: Downloader,
        *,
        temp_dir: Path | None = None,
        kind: FileKind = IMAGE,
    ) -> None:
        self.store = store
        self.downloader = downloader
        self.temp_dir = temp_dir
        self.kind = kind

    @property
    def _noun(self) -> str:
        """``image``, ``video``: the kind without its article."""
        return self.kind.noun.split(" ", 1)[-1]

    def _too_large(self, field: str, limit: int) -> InputError:
        return InputError(
            [Problem(field, f"the source {self._noun} is larger than {_megabytes(limit)} MB")]
        )

    @contextlib.contextmanager
    def fetch(self, url: str, field: str, accepted: frozenset[str]) -> Iterator[LocalImage]:
        """The image at ``url`` as a local file; a temporary copy is removed when the block ends.

        A file of the local attachment store is used where it lies: its name is generated and
        it is never rewritten, so no copy is needed.
        """
        stored = self.store.local_path(url)
        if stored is not None:
            size = stored.stat().st_size
            limit = self.downloader.max_bytes
            if limit is not None and size > limit:
                raise self._too_large(field, limit)
            image_format = checked_format(stored, field, self.kind, accepted)
            filename = _filename(url, image_format, self._noun)
            yield LocalImage(stored, filename, image_format, size, field)
            return
        with temporary_file(self.temp_dir) as path:
            size = self._copy_to(url, field, path)
            image_format = checked_format(path, field, self.kind, accepted)
            filename = _filename(url, image_format, self._noun)
            yield LocalImage(path, filename, image_format, size, field)

    def _copy_to(self, url: str, field: str, path: Path) -> int:
        if self.store.owns(url):
            try:
                with self.store.read(url) as chunks:
                    return self._write(chunks, path, self.downloader.max_bytes, field)
            except StoreError as error:
                raise SourceImageError(
                    f"{field}: the source {self._noun} could not be read: {error}"
                ) from None
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise InputError(
                [Problem(field, "must be an http(s) URL or a URL of the attachment store")]
            )

        def consume(fetched: Fetched) -> int:
            return self._write(fetched.chunks, path, None, field)

        try:
            return self.downloader.fetch(url, consume)
        except URLRefusedError as error:
            raise InputError([Problem(field, f"cannot be downloaded: {error}")]) from None
        except TooLargeError as error:
            raise InputError([Problem(field, f"the source {self._noun} is {error}")]) from None
        except NotFoundError:
            raise SourceImageError(
                f"{field}: the source {self._noun} could not be fetched from {url}: "
                "the server answered 404 Not Found"
            ) from None
        except APIError as error:
            reason = f"the server answered {error.status}" if error.status else error.message
            raise SourceImageError(
                f"{field}: the source {self._noun} could not be fetched from {url}: {reason}"
            ) from None

    def _write(self, chunks: Iterable[bytes], path: Path, limit: int | None, field: str) -> int:
        size = 0
        with path.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise self._too_large(field, limit)
                out.write(chunk)
        return size


def _megabytes(limit: int) -> str:
    return f"{limit / (1 << 20):g}"


_SAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


def _filename(url: str, file_format: str, noun: str = "image") -> str:
    stem = PurePosixPath(unquote(urlsplit(url).path)).stem
    stem = _SAFE_STEM.sub("-", stem).strip(".-")[:80] or noun
    known = format_info(file_format)
    return stem + (known.extension if known else ".bin")


def _kind(error: BaseException) -> str:
    """What went wrong reading an image, without the file's (temporary) path."""
    text = str(error)
    if "/" in text or "\\" in text:
        return type(error).__name__
    return text or type(error).__name__
