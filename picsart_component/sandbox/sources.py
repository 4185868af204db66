"""Getting the bytes of an input image: a file part, a stored id, or a URL the sandbox may fetch.

The sandbox never reaches the network: it fetches only from loopback hosts, and answers any other
``image_url`` with a made-up stand-in image (unless stand-ins are off, then 422). Its own result
URLs are read straight from the store, so a server thread never waits on another one.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from .errors import ApiError
from .params import ImageSource
from .store import FileStore

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
RESULT_PATH = re.compile(r"/results/([0-9a-f]{32})\.([a-z0-9]+)")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuses redirects: one could lead off the loopback host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> None:
        return None


# One opener for every request: building one costs more than a loopback fetch, and its handlers
# keep no state between requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass(frozen=True)
class SourceReader:
    """Reads image sources for one request; ``own_port`` tells the sandbox's own URLs apart."""

    store: FileStore
    own_port: int
    max_bytes: int
    timeout: float
    stand_in: Callable[[str], bytes] | None = None

    def read(self, source: ImageSource) -> bytes:
        if source.kind == "file" and source.part is not None:
            return source.part.data
        if source.kind == "id":
            return self._stored(source.field, source.text)
        return self._fetch(source.field, source.text)

    def stands_in(self, source: ImageSource) -> bool:
        """Whether reading ``source`` gives a made-up stand-in rather than its real content."""
        if source.kind != "url" or self.stand_in is None:
            return False
        return (urlsplit(source.text).hostname or "").lower() not in LOOPBACK_HOSTS

    def _stored(self, field: str, file_id: str) -> bytes:
        stored = self.store.get(file_id)
        if stored is None:
            raise ApiError(
                422,
                f"{field} {file_id!r} is unknown: ids come from upload or from a result, "
                "and the sandbox forgets the oldest ones past its store limit.",
            )
        return stored.data

    def _fetch(self, field: str, url: str) -> bytes:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host not in LOOPBACK_HOSTS:
            if self.stand_in is not None:
                return self.stand_in(url)
            raise ApiError(
                422,
                f"Could not download {field}: the sandbox never goes online, so it only fetches "
                "from loopback hosts (127.0.0.1, ::1, localhost) and its own result URLs.",
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ApiError(422, f"Could not download {field}: its port is not valid.") from None
        own = RESULT_PATH.fullmatch(parts.path)
        if port == self.own_port and own is not None:
            stored = self.store.get(own.group(1))
            if stored is None or stored.extension != own.group(2):
                raise ApiError(
                    422, f"Could not download {field}: the result is gone (HTTP 404 at {url})."
                )
            return stored.data
        return self._download(field, url)

    def _download(self, field: str, url: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked by params
            url, headers={"User-Agent": "picsart-sandbox", "Accept": "image/*"}
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                data: bytes = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            raise ApiError(
                422, f"Could not download {field}: the server answered HTTP {error.code}."
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise ApiError(422, f"Could not download {field}: {reason}.") from None
        if len(data) > self.max_bytes:
            raise ApiError(
                413, f"The image at {field} is larger than the {self.max_bytes} bytes accepted."
            )
        return data
