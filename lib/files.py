"""How actions reach files: the attachment store, input images, and result downloads."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .client import Route
from .download import Downloader, Fetched, URLPolicy
from .errors import (
    APIError,
    ResultDownloadError,
    StoreError,
    TooLargeError,
    URLRefusedError,
)
from .formats import CONTENT_TYPE_BY_EXTENSION, EXTENSION_BY_CONTENT_TYPE
from .retry import RetryPolicy
from .sources import DEFAULT_MAX_IMAGE_BYTES, ImageSources
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

    def image_sources(self, api_base_url: str, trusted_urls: Iterable[str] = ()) -> ImageSources:
        """Sources for input images.

        ``trusted_urls`` are the incoming message's attachments; the configured API's own host
        (a local sandbox, say) is trusted as well.
        """
        downloader = self._downloader(self.max_image_bytes, api_base_url)
        return ImageSources(self.store, downloader, trusted_urls=trusted_urls)

    def save_result(self, url: str, api_base_url: str) -> StoredFile:
        """Stream Picsart's result file into the store, retrying the download, never the call.

        Whatever goes wrong, the error names Picsart's result URL: the call is paid for.
        """
        downloader = self._downloader(self.max_result_bytes, api_base_url)

        def consume(fetched: Fetched) -> StoredFile:
            return self.store.save(fetched.chunks, _content_type(fetched))

        try:
            return downloader.fetch(url, consume)
        except TooLargeError:
            reason = (
                f"the result is larger than {self.max_result_bytes / (1 << 20):g} MB, the limit "
                "PICSART_MAX_RESULT_MB sets"
            )
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
