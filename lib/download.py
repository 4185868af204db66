"""Fetching files from URLs users give: only http(s), only public hosts unless allowed, capped.

A user-given URL is checked before connecting, on every redirect, and again on the address the
connection really reached, so a DNS answer that changes between the check and the connection
cannot lead the component to a private address. The size cap is enforced while streaming.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import TooLargeError, URLError, URLRefusedError, build_status_error
from .retry import RetryPolicy
from .transport import body_chunks, transport_error
from .urls import URLParts, split_url

MAX_REDIRECTS = 5
USER_AGENT = "picsart-component (image download)"

T = TypeVar("T")
Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _non_public_reason(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    )
    return next((f"{label} address {ip}" for label, hit in checks if hit), None)


@dataclass(frozen=True)
class URLPolicy:
    """Which URLs a user may make the component fetch.

    ``allow_hosts`` (host names or addresses) may be non-public; ``trusted_origins`` (scheme,
    host, port) are always allowed: the configured API's own host. Nothing else is trusted for
    where it comes from, not even a message's attachments (the store reads its own files itself).
    """

    allow_hosts: frozenset[str] = frozenset()
    trusted_origins: frozenset[tuple[str, str, int | None]] = frozenset()
    resolver: Resolver = field(default=resolve_host, compare=False)

    def with_trusted(self, urls: Iterable[str]) -> URLPolicy:
        origins = self.trusted_origins | {origin_of(url) for url in urls}
        return URLPolicy(self.allow_hosts, frozenset(origins), self.resolver)

    def _trusted(self, parts: URLParts) -> bool:
        return parts.origin in self.trusted_origins or parts.host in self.allow_hosts

    def check_url(self, url: str) -> None:
        scheme = urlsplit(url).scheme.lower() if ":" in url else ""
        if scheme not in ("http", "https"):
            raise URLRefusedError(f"only http and https URLs can be fetched, not {scheme!r}")
        parts = _parts(url)
        if not parts.host:
            raise URLRefusedError("the URL has no host")
        if self._trusted(parts):
            return
        try:
            addresses = self.resolver(parts.host, parts.origin[2] or 0)
        except (OSError, UnicodeError):
            raise URLRefusedError(f"the host {parts.host!r} could not be resolved") from None
        for address in addresses:
            self.check_address(url, address)

    def check_address(self, url: str, address: str) -> None:
        parts = _parts(url)
        host = parts.host
        if self._trusted(parts) or address.lower() in self.allow_hosts:
            return
        reason = _non_public_reason(address)
        if reason:
            raise URLRefusedError(
                f"{host} resolves to a {reason}; downloads from non-public addresses are "
                f"refused unless the host is listed in PICSART_ALLOW_HOSTS"
            )


def _parts(url: str) -> URLParts:
    try:
        return split_url(url)
    except URLError as error:
        raise URLRefusedError(str(error)) from None


def origin_of(url: str) -> tuple[str, str, int | None]:
    """The (scheme, host, port) a URL is sent to; one that matches nothing for a refused URL."""
    try:
        return split_url(url).origin
    except URLError:
        return ("", "", None)


@functools.lru_cache(maxsize=64)
def _checked_pool_classes(policy: URLPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose connections check the address they really reached.

    The check runs right after the TCP connection is made, before any request is sent, so a
    DNS answer that changed since ``URLPolicy.check_url`` cannot lead anywhere it refuses.
    Cached per policy: building classes for every download would cost more than the download.
    """

    def check(scheme: str, host: str, port: int, address: str) -> None:
        shown = f"[{host}]" if ":" in host else host
        policy.check_address(f"{scheme}://{shown}:{port}/", address)

    class CheckedHTTPConnection(HTTPConnection):
        def connect(self) -> None:
            super().connect()
            check("http", self.host, self.port, str(self.sock.getpeername()[0]))

    class CheckedHTTPSConnection(HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            check("https", self.host, self.port, str(self.sock.getpeername()[0]))

    class CheckedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    return {"http": CheckedHTTPConnectionPool, "https": CheckedHTTPSConnectionPool}


class _PeerCheckingAdapter(HTTPAdapter):
    def __init__(self, policy: URLPolicy) -> None:
        self._policy = policy
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _checked_pool_classes(self._policy)


def policy_session(policy: URLPolicy) -> requests.Session:
    """A session whose every connection is checked against ``policy`` once it is made."""
    session = requests.Session()
    adapter = _PeerCheckingAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass(frozen=True)
class Fetched:
    """One response being streamed: its final URL, content type and size-capped chunks."""

    url: str
    content_type: str
    content_length: int | None
    chunks: Iterator[bytes]


class Downloader:
    """GETs files under a ``URLPolicy`` with timeouts, retries and a size cap.

    ``fetch(url, consume)`` hands the chunks to ``consume``; a failure anywhere (including in
    the middle of the body) repeats the whole fetch, so ``consume`` must be safe to run again.
    """

    def __init__(
        self,
        policy: URLPolicy,
        retry: RetryPolicy,
        *,
        timeout: tuple[float, float] = (10.0, 120.0),
        max_bytes: int | None = None,
        deadline: float = 600.0,
        headers: Mapping[str, str] | None = None,
        route: Callable[[str], str] | None = None,
    ) -> None:
        self.policy = policy
        self.retry = retry
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.route = route
        self._session: requests.Session | None = None
        # Each file is fetched by a downloader made for it, whose session nobody closes: asking
        # the server to end the connection keeps a kept-alive socket from waiting for the GC.
        self._headers = {"User-Agent": USER_AGENT, "Connection": "close", **(headers or {})}

    def trusting(self, urls: Iterable[str]) -> Downloader:
        """A copy that also admits these URLs' origins, whatever their addresses."""
        return Downloader(
            self.policy.with_trusted(urls),
            self.retry,
            timeout=self.timeout,
            max_bytes=self.max_bytes,
            deadline=self.deadline,
            headers=self._headers,
            route=self.route,
        )

    def fetch(self, url: str, consume: Callable[[Fetched], T]) -> T:
        result: T = self.retry.retrying()(self._fetch_once, url, consume)
        return result

    def _fetch_once(self, url: str, consume: Callable[[Fetched], T]) -> T:
        deadline = time.monotonic() + self.deadline
        response = self._open(url)
        with response:
            if response.status_code >= 400:
                raise build_status_error(
                    status=response.status_code,
                    method="GET",
                    url=response.url,
                    headers=response.headers,
                    body=_excerpt(response),
                )
            length_header = response.headers.get("Content-Length")
            length = int(length_header) if length_header and length_header.isdigit() else None
            if self.max_bytes is not None and length is not None and length > self.max_bytes:
                raise TooLargeError(_too_large(self.max_bytes, length))
            fetched = Fetched(
                url=response.url,
                content_type=response.headers.get("Content-Type", "").split(";")[0].strip(),
                content_length=length,
                chunks=body_chunks(
                    response,
                    limit=self.max_bytes,
                    deadline=deadline,
                    read_timeout=self.timeout[1],
                    method="GET",
                    url=url,
                    too_large=lambda limit: TooLargeError(_too_large(limit)),
                ),
            )
            return consume(fetched)

    def _open(self, url: str) -> requests.Response:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if self.route is not None:
                current = self.route(current)
            self.policy.check_url(current)
            try:
                if self._session is None:
                    self._session = policy_session(self.policy)
                response = self._session.get(
                    current,
                    stream=True,
                    allow_redirects=False,
                    timeout=self.timeout,
                    headers=self._headers,
                )
            except requests.RequestException as error:
                raise transport_error(error, "GET", current) from None
            if response.is_redirect and "Location" in response.headers:
                current = urljoin(current, response.headers["Location"])
                response.close()
                continue
            return response
        raise URLRefusedError(f"more than {MAX_REDIRECTS} redirects from {url}")


def _excerpt(response: requests.Response) -> bytes:
    data = b""
    try:
        for chunk in response.iter_content(4096):
            data += chunk
            if len(data) >= 4096:
                break
    except requests.RequestException:
        pass
    return data


def _too_large(limit: int, size: int | None = None) -> str:
    """Why a file is refused; ``size`` is what the server said it would send, when it said so
    (a file refused that way was not read at all)."""
    over = f"larger than the limit of {limit / (1 << 20):g} MB"
    return f"{size_in_words(size)} (its Content-Length), {over}" if size is not None else over


def size_in_words(size: int) -> str:
    """``4.66 GB``, ``12.5 MB``, ``1000 MB``, ``800 kB``, ``12 bytes``: in binary units, as the
    limits are given, to three figures (or whole units from a hundred)."""
    for unit, scale in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"
    return f"{size} bytes"
