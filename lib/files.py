"""How actions reach files: the attachment store, input images, and result downloads."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .client import env_number
from .download import Downloader, Fetched, TooLargeError, URLPolicy, URLRefusedError
from .errors import APIError, PicsartError
from .retry import RetryPolicy
from .sources import DEFAULT_MAX_IMAGE_BYTES, ImageSources
from .store import EXTENSIONS, AttachmentStore, StoredFile, StoreError

MAX_IMAGE_MB_ENV = "PICSART_MAX_IMAGE_MB"


class ResultDownloadError(PicsartError):
    """Picsart made the result, but it could not be copied into the attachment store.

    The paid call is not repeated; the message names Picsart's result URL so the file can still
    be fetched by hand while it lives (about 24 hours).
    """


def max_image_bytes(environ: Mapping[str, str]) -> int:
    megabytes = env_number(environ, MAX_IMAGE_MB_ENV, DEFAULT_MAX_IMAGE_BYTES / (1 << 20))
    return int(megabytes * (1 << 20))


@dataclass
class FileServices:
    """The store and the download rules one action run works with."""

    store: AttachmentStore
    policy: URLPolicy
    retry: RetryPolicy
    timeout: tuple[float, float]
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES

    def image_sources(self, api_base_url: str, trusted_urls: Iterable[str] = ()) -> ImageSources:
        """Sources for input images.

        ``trusted_urls`` are the incoming message's attachments; the configured API's own host
        (a local sandbox, say) is trusted as well.
        """
        downloader = Downloader(
            self.policy, self.retry, timeout=self.timeout, max_bytes=self.max_image_bytes
        ).trusting([api_base_url])
        return ImageSources(self.store, downloader, trusted_urls=trusted_urls)

    def save_result(self, url: str, api_base_url: str) -> StoredFile:
        """Stream Picsart's result file into the store, retrying the download, never the call."""
        downloader = Downloader(self.policy, self.retry, timeout=self.timeout).trusting(
            [api_base_url]
        )

        def consume(fetched: Fetched) -> StoredFile:
            return self.store.save(fetched.chunks, _content_type(fetched))

        try:
            return downloader.fetch(url, consume)
        except (APIError, URLRefusedError, TooLargeError, StoreError) as error:
            raise ResultDownloadError(
                f"Picsart made the result, but it could not be saved to the attachment store: "
                f"{error}. The result stays at {url} for about 24 hours."
            ) from None


def _content_type(fetched: Fetched) -> str:
    if fetched.content_type in EXTENSIONS:
        return fetched.content_type
    suffix = os.path.splitext(unquote(urlsplit(fetched.url).path))[1].lower()
    by_suffix = {ext: kind for kind, ext in EXTENSIONS.items()} | {".jpeg": "image/jpeg"}
    return by_suffix.get(suffix, fetched.content_type or "application/octet-stream")
