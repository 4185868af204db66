"""Joining paths onto the base URL, and deciding which hosts may receive the API key.

``urllib.parse.urljoin("https://api.picsart.io/tools/1.0/", "/removebg")`` drops ``/tools/1.0``,
and Picsart answers 404 to ``/tools/1.0//removebg``, so joining is done by hand here.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from .errors import URLError

DEFAULT_BASE_URL = "https://api.picsart.io/tools/1.0/"
PICSART_DOMAIN = "picsart.io"


def normalize_base_url(base_url: str | None) -> str:
    """The base URL with exactly one trailing slash; the default when empty."""
    base = (base_url or "").strip() or DEFAULT_BASE_URL
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


def host_of(url: str) -> str:
    try:
        return (_split(url).hostname or "").lower().rstrip(".")
    except URLError:
        return ""


def is_picsart_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == PICSART_DOMAIN or host.endswith("." + PICSART_DOMAIN)


class KeyPolicy:
    """The API key goes only to the configured base URL's host and to Picsart's own hosts.

    Picsart's hosts are only trusted over https, so that the key never crosses the network in
    the clear; the configured base URL is trusted with its own scheme (a local sandbox is http).
    """

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(normalize_base_url(base_url))
        self._base_origin = (parts.scheme, (parts.hostname or "").lower(), parts.port)

    def allows(self, url: str) -> bool:
        try:
            parts = _split(url)
        except URLError:
            return False
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
        if (parts.scheme, host, port) == self._base_origin:
            return True
        return parts.scheme == "https" and is_picsart_host(host)

    def refusal(self, url: str) -> str:
        return (
            f"refusing to send the API key to {host_of(url) or url!r}: it is sent only to the "
            f"configured base URL's host and to https://*.{PICSART_DOMAIN}"
        )
