"""How actions reach files: the attachment store, input images, and result downloads."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .client import Route
from .download import Downloader, Fetched, URLPolicy
from .errors import (
    APIError,
    InputError,
    Problem,
    ResultDownloadError,
    StoreError,
    TooLargeError,
    URLRefusedError,
)
from .formats import (
    CONTENT_TYPE_BY_EXTENSION,
    EXTENSION_BY_CONTENT_TYPE,
    IMAGE,
    MEDIA,
    FileKind,
    checked_format,
)
from .retry import RetryPolicy
from .sources import DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_VIDEO_BYTES, ImageSources
from .store import AttachmentStore, StoredFile

DEFAULT_MAX_RESULT_BYTES = 1 << 30


@dataclass
class FileServices:
    """The store and the download rules one action run works with."""

    store: AttachmentStore
    policy: URLPolicy
    retry: RetryPolicy
    timeout: tuple[float, float]
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_video_bytes: int = DEFAULT_MAX_VIDEO_BYTES
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    deadline: float = 600.0
    route: Route | None = None

    def _downloader(self, max_bytes: int, api_base_url: str) -> Downloader:
        """Downloads under this run's rules, trusting the configured API's own host."""
        return Downloader(
            self.policy,
            self.retry,
            timeout=self.timeout,
            max_bytes=max_bytes,
            deadline=self.deadline,
            route=self.route,
        ).trusting([api_base_url])

    def image_sources(self, api_base_url: str) -> ImageSources:
        """Sources for input images: the store's own files, read through the store, and any
        other URL under the download rules, which trust only the configured API's own host (a
        local sandbox, say). A message's attachments get no more trust than any URL: on the
        platform, the store is the object storage, and its files are the ones to trust."""
        downloader = self._downloader(self.max_image_bytes, api_base_url)
        return ImageSources(self.store, downloader)

    def video_sources(self, api_base_url: str, kind: FileKind = MEDIA) -> ImageSources:
        """Sources for the videos and sounds a request uploads (the video API's Upload files),
        as for images but capped by ``PICSART_MAX_VIDEO_MB`` and checked by their bytes to be of
        ``kind`` (a video or a sound, ``formats.MEDIA``; Upload files also takes pictures)."""
        downloader = self._downloader(self.max_video_bytes, api_base_url)
        return ImageSources(self.store, downloader, kind=kind)

    def save_result(self, url: str, api_base_url: str) -> StoredFile:
        """Stream Picsart's result file into the store, retrying the download, never the call.

        Whatever goes wrong, the error names Picsart's result URL: the call is paid for.
        """
        downloader = self._downloader(self.max_result_bytes, api_base_url)

        def consume(fetched: Fetched) -> StoredFile:
            return self.store.save(fetched.chunks, _content_type(fetched))

        try:
            return downloader.fetch(url, consume)
        except TooLargeError as error:
            reason = f"the result is {error}, which PICSART_MAX_RESULT_MB sets"
        except (APIError, URLRefusedError, StoreError) as error:
            reason = str(error)
        raise ResultDownloadError(
            f"Picsart made the result, but it could not be saved to the attachment store: "
            f"{reason}. The result stays at {url} for about 24 hours."
        )


def _content_type(fetched: Fetched) -> str:
    if fetched.content_type in EXTENSION_BY_CONTENT_TYPE:
        return fetched.content_type
    suffix = os.path.splitext(unquote(urlsplit(fetched.url).path))[1].lower()
    by_suffix = {**CONTENT_TYPE_BY_EXTENSION, ".jpeg": "image/jpeg"}
    return by_suffix.get(suffix, fetched.content_type or "application/octet-stream")


ATTACH_HINT = (
    "give the path of an image file, an http(s) URL, or the URL that "
    "picsart-flow attach FILE prints"
)


def attach_local_files(
    body: Mapping[str, Any],
    properties: Mapping[str, Any],
    store: AttachmentStore,
    on_attached: Callable[[str, StoredFile], None] | None = None,
    kind: FileKind = IMAGE,
) -> dict[str, Any]:
    """For the command line: each file path given where the component downloads a file (a
    property of the in-schema ``properties`` whose format is ``uri``, or an object of them such
    as Make Raw Request's ``files``; not a ``*_url`` field, which Picsart fetches itself) is put
    into the attachment store and replaced by its URL; ``on_attached`` hears of each.

    A path that names no file, or a file that is not of ``kind`` by its bytes (an image, or for
    the video API's Upload files a video or sound), is an ``InputError`` naming each such field,
    and then nothing is stored.
    """
    found: list[tuple[str, str | None, str, Path]] = []
    problems: list[Problem] = []
    for name, value in body.items():
        schema = properties.get(name)
        values: dict[str | None, str]
        if isinstance(value, str) and _is_downloaded(name, schema):
            values = {None: value}
        elif isinstance(value, Mapping) and isinstance(schema, Mapping):
            if not _is_downloaded(name, schema.get("additionalProperties")):
                continue
            values = {key: item for key, item in value.items() if isinstance(item, str)}
        else:
            continue
        for key, text in values.items():
            field = f"$.{name}" if key is None else f"$.{name}.{key}"
            path = _local_path(text)
            if path is None:
                continue
            problem = _local_file_problem(path, text, field, kind)
            if problem is None:
                found.append((name, key, text, path))
            else:
                problems.append(problem)
    if problems:
        raise InputError(problems)
    attached = {
        name: dict(value) if isinstance(value, Mapping) else value for name, value in body.items()
    }
    for name, key, text, path in found:
        try:
            stored = store.save_file(path)
        except OSError as error:  # the file went, or became unreadable, since it was checked
            field = f"$.{name}" if key is None else f"$.{name}.{key}"
            reason = error.strerror or type(error).__name__
            raise InputError([Problem(field, f"cannot read {text}: {reason}")]) from None
        if on_attached is not None:
            on_attached(text, stored)
        if key is None:
            attached[name] = stored.url
        else:
            attached[name][key] = stored.url
    return attached


def _is_downloaded(name: str, schema: object) -> bool:
    return (
        isinstance(schema, Mapping) and schema.get("format") == "uri" and not name.endswith("_url")
    )


def _local_path(value: str) -> Path | None:
    """The file a value names when it is written as a path rather than a URL (no scheme; a
    drive letter is a Windows path, not a scheme)."""
    if "://" in value or not value.strip():
        return None
    try:
        scheme = urlsplit(value).scheme
    except ValueError:
        return None
    if len(scheme) > 1:
        return None
    try:
        return Path(value).expanduser()
    except RuntimeError:  # "~someone" whose home cannot be found
        return Path(value)


def _local_file_problem(path: Path, value: str, field: str, kind: FileKind) -> Problem | None:
    """Why the file at ``path`` cannot be attached for ``field``, or None."""
    try:
        exists = path.exists()
    except ValueError:  # a NUL character: no file has such a name
        exists = False
    except OSError as error:
        return Problem(field, f"cannot read {value}: {error.strerror or type(error).__name__}")
    if not exists:
        return Problem(field, f"no such file: {value}; {ATTACH_HINT}")
    if not path.is_file():
        return Problem(field, f"is not a file: {value}; {ATTACH_HINT}")
    try:
        checked_format(path, field, kind)
    except InputError as error:
        return error.problems[0]
    except OSError as error:
        return Problem(field, f"cannot read {value}: {error.strerror or type(error).__name__}")
    return None
