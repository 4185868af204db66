"""Reading URLs as the HTTP library sends them, joining paths onto the base URL, and deciding
which hosts may receive the API key.

Every decision about where a request goes (the key's hosts, the download rules, the object
storage's ownership) reads the URL with ``split_url``. It takes the host that requests and urllib3
will connect to, and refuses a URL that ``urllib.parse`` reads another way:
``https://attacker.example\\@api.picsart.io/`` is ``api.picsart.io`` to ``urlsplit`` but
``attacker.example`` to urllib3, which is where the request would really go.

``urllib.parse.urljoin("https://api.picsart.io/tools/1.0/", "/removebg")`` drops ``/tools/1.0``,
and Picsart answers 404 to ``/tools/1.0//removebg``, so joining is done by hand here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from picsart_component.catalogue.operations import APIS

from .errors import URLError

DEFAULT_BASE_URL = APIS["image"].base_url
DEFAULT_GENAI_BASE_URL = APIS["genai"].base_url
DEFAULT_VIDEO_BASE_URL = APIS["video"].base_url
DEFAULT_VD_BASE_URL = APIS["vd"].base_url
PICSART_DOMAIN = "picsart.io"
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


@dataclass(frozen=True)
class URLParts:
    """An absolute URL's parts, as the HTTP library reads them; ``host`` is lower case, without
    IPv6 brackets or a trailing dot."""

    scheme: str
    host: str
    port: int | None
    path: str
    query: str

    @property
    def origin(self) -> tuple[str, str, int | None]:
        return (self.scheme, self.host, self.port or DEFAULT_PORTS.get(self.scheme))


DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=4096)
def split_url(url: str) -> URLParts:
    """An absolute URL as requests and urllib3 will send it, or ``URLError``.

    A URL with a backslash, whitespace or a control character, or one that ``urllib.parse`` and
    urllib3 read with different schemes, hosts or ports, is refused: no decision is made on a
    host the request might not go to.
    """
    if _UNSAFE_CHARACTERS.search(url):
        raise URLError(
            f"{_shown(url)} holds a backslash, a space or a control character; URLs with them "
            "are read differently by different programs, so they are refused"
        )
    try:
        ours = urlsplit(url)
        our_port = ours.port
        sent = parse_url(url)
    except (ValueError, LocationParseError) as error:
        raise URLError(f"{_shown(url)} is not a valid URL ({error})") from None
    if not ours.scheme or not ours.netloc:
        raise URLError(f"{_shown(url)} is not an absolute URL")
    our_reading = (ours.scheme.lower(), _host(ours.hostname), our_port)
    their_reading = ((sent.scheme or "").lower(), _host(sent.host), sent.port)
    if our_reading != their_reading:
        raise URLError(
            f"{_shown(url)} is read as two different addresses by different URL parsers, so it "
            "is refused"
        )
    if "%" in our_reading[1]:
        # requests decodes some escapes in a host before it connects; no real host needs them.
        raise URLError(f"{_shown(url)} has a percent-encoded host, which is refused")
    if our_port == 0:
        raise URLError(f"{_shown(url)} names port 0, where nothing can be reached")
    return URLParts(our_reading[0], our_reading[1], our_port, ours.path, ours.query)


def _host(host: str | None) -> str:
    return (host or "").lower().strip("[]").rstrip(".")


def _shown(url: str) -> str:
    return repr(url if len(url) <= 200 else url[:199] + "…")


@functools.lru_cache(maxsize=256)
def normalize_base_url(base_url: str | None) -> str:
    """The base URL with exactly one trailing slash; the default when empty."""
    base = (base_url or "").strip() or DEFAULT_BASE_URL
    try:
        split_url(base)
    except URLError as error:
        raise URLError(f"the base URL must be an absolute http(s) URL: {error}") from None
    parts = _split(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise URLError(f"the base URL must be an absolute http(s) URL, got {base!r}")
    if parts.query or parts.fragment:
        raise URLError(f"the base URL must not have a query or fragment, got {base!r}")
    path = "/".join(segment for segment in parts.path.split("/") if segment)
    return f"{parts.scheme}://{parts.netloc}/{path + '/' if path else ''}"


def _split(url: str) -> SplitResult:
    """``urlsplit`` that reports a malformed URL (``http://[``) as a ``URLError``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise URLError(f"{url!r} is not a valid URL ({error})") from None
    return parts


def is_absolute(url: str) -> bool:
    parts = _split(url)
    return bool(parts.scheme and parts.netloc)


def join_url(base_url: str, path_or_url: str) -> str:
    """Join a relative path onto the base URL, keeping the base path and never producing ``//``.

    An absolute http(s) URL is returned as given.
    """
    target = path_or_url.strip()
    if not target:
        raise URLError("the URL is empty")
    if is_absolute(target):
        if _split(target).scheme not in ("http", "https"):
            raise URLError(f"only http and https URLs are supported, got {target!r}")
        return target
    if target.startswith("//") or ":" in target.split("/", 1)[0]:
        raise URLError(f"{target!r} is neither a relative path nor an absolute http(s) URL")
    base = normalize_base_url(base_url)
    path, separator, rest = target.partition("?")
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        raise URLError(f"the path must not contain '.' or '..' segments, got {target!r}")
    joined = base + "/".join(segments)
    return joined + separator + rest


def is_picsart_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == PICSART_DOMAIN or host.endswith("." + PICSART_DOMAIN)


class KeyPolicy:
    """The API key goes only to the configured base URLs' hosts and to Picsart's own hosts.

    Picsart's hosts are only trusted over https, so that the key never crosses the network in
    the clear; a configured base URL (the image API's, the GenAI API's, the video API's or the
    VD API's) is trusted with its own scheme, since a local sandbox is http.
    """

    def __init__(self, *base_urls: str) -> None:
        self._base_origins = frozenset(
            split_url(normalize_base_url(base_url)).origin for base_url in base_urls
        )

    @property
    def origins(self) -> frozenset[tuple[str, str, int | None]]:
        """The configured base URLs' origins (scheme, host, port)."""
        return self._base_origins

    def allows(self, url: str) -> bool:
        return self.refusal_reason(url) is None

    def refusal_reason(self, url: str) -> str | None:
        """Why the key may not go to ``url``, or None when it may."""
        try:
            parts = split_url(url)
        except URLError as error:
            return f"refusing to send the API key: {error}"
        if parts.origin in self._base_origins:
            return None
        if parts.scheme == "https" and is_picsart_host(parts.host):
            return None
        return (
            f"refusing to send the API key to {parts.host or url!r}: it is sent only to the "
            f"configured base URLs' hosts and to https://*.{PICSART_DOMAIN}"
        )
