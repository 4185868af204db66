"""What one designer keeps in memory: its token, the key, where requests go, and the media the
page may show.

The key typed into the page lives in an ``ApiKey`` here and nowhere else: its repr hides it,
the console's redaction filter knows it, and no route sends it back. Where requests go is
decided as ``picsart-flow run`` decides it (``console.api_target``): the embedded sandbox when
no key and no base URL is configured, the configured API otherwise.
"""

from __future__ import annotations

import hmac
import mimetypes
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from ..console import REDACTOR, TARGET_KEYS, ApiTarget, api_target

if TYPE_CHECKING:
    from ..lib.context import Services
    from ..runtime.executor import Executor

BASE_URL_FIELDS = ("imageApiBaseUrl", "genaiApiBaseUrl", "videoApiBaseUrl", "vdApiBaseUrl")
COOKIE_NAME = "picsart_designer"


class ApiKey:
    """An API key held in memory only; ``str``, ``repr`` and pickling never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        REDACTOR.add(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "ApiKey('********')"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("an API key is never pickled")


@dataclass
class Credentials:
    """The key and base URLs requests use, and where they came from."""

    key: ApiKey | None = None
    base_urls: dict[str, str] = field(default_factory=dict)
    source: str = "sandbox"

    @classmethod
    def from_cfg(cls, cfg: Mapping[str, Any]) -> Credentials:
        """From the environment's layer of ``merge_cfg`` (``PICSART_API_KEY`` and the URLs)."""
        key = cfg.get("apiKey")
        urls = {name: str(cfg[name]) for name in BASE_URL_FIELDS if cfg.get(name)}
        configured = bool(key) or bool(urls)
        return cls(
            ApiKey(str(key)) if key else None, urls, "environment" if configured else "sandbox"
        )

    def cfg(self) -> dict[str, Any]:
        cfg: dict[str, Any] = dict(self.base_urls)
        if self.key is not None:
            cfg["apiKey"] = self.key.reveal()
        return cfg

    @property
    def live(self) -> bool:
        """As ``api_target`` decides: any key or base URL means the configured API."""
        return any(self.cfg().get(name) for name in TARGET_KEYS)

    def public(self) -> dict[str, Any]:
        """What the page may know: whether a key is configured, never the key."""
        return {
            "configured": self.key is not None,
            "source": self.source if self.live else "sandbox",
            **{name: self.base_urls.get(name, "") for name in BASE_URL_FIELDS},
        }


@dataclass(frozen=True)
class MediaLink:
    url: str
    type: str


class MediaLinks:
    """The result URLs the API returned in this session, by an unguessable id: the only
    addresses ``/api/media/<id>`` fetches."""

    def __init__(self) -> None:
        self._by_id: dict[str, MediaLink] = {}
        self._by_url: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, url: str) -> dict[str, str] | None:
        """The page's address for ``url`` and its type, or None for a URL that is not http(s)."""
        if urlsplit(url).scheme not in ("http", "https"):
            return None
        kind = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
        with self._lock:
            media_id = self._by_url.get(url)
            if media_id is None:
                media_id = secrets.token_urlsafe(16)
                self._by_id[media_id] = MediaLink(url, kind)
                self._by_url[url] = media_id
        return {"url": f"/api/media/{media_id}", "type": kind}

    def get(self, media_id: str) -> MediaLink | None:
        with self._lock:
            return self._by_id.get(media_id)

    def collect(self, value: Any) -> list[dict[str, str]]:
        """Every result URL in an action's output (``url``, ``attachmentUrl`` and the lists of
        them), registered."""
        found: list[dict[str, str]] = []
        for url in _result_urls(value):
            link = self.add(url)
            if link is not None and link not in found:
                found.append(link)
        return found


_URL_KEYS = ("url", "attachmentUrl", "attachmentUrls", "urls")


def _result_urls(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 32:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _URL_KEYS and isinstance(item, str):
                yield item
            elif key in _URL_KEYS and isinstance(item, list):
                yield from (text for text in item if isinstance(text, str))
            else:
                yield from _result_urls(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _result_urls(item, depth + 1)


class Session:
    """One designer's state. Thread-safe: werkzeug serves each request in its own thread."""

    def __init__(
        self,
        executor: Executor,
        services: Services,
        credentials: Credentials,
        roots: list[Path],
        flow_file: Path | None = None,
    ) -> None:
        self.executor = executor
        self.services = services
        self.credentials = credentials
        self.roots = [root.resolve() for root in roots]
        self.flow_file = flow_file
        self.token = secrets.token_urlsafe(32)
        self.cookie_secret = secrets.token_urlsafe(32)
        REDACTOR.add(self.token)
        REDACTOR.add(self.cookie_secret)
        self.media = MediaLinks()
        self.events: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self._launch_codes: set[str] = set()
        self._sandbox_stack: ExitStack | None = None
        self._sandbox_target: ApiTarget | None = None

    def token_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def new_launch_code(self) -> str:
        """A code that signs one browser in, once: the browser is opened on it rather than on the
        token, because a browser's command line is there for every user of the machine to read
        (``ps``), for as long as the browser runs."""
        code = secrets.token_urlsafe(32)
        REDACTOR.add(code)
        with self._lock:
            self._launch_codes.add(code)
        return code

    def use_launch_code(self, given: str | None) -> bool:
        """Whether ``given`` is a launch code not used yet; it is used up either way."""
        if given is None:
            return False
        with self._lock:
            for code in self._launch_codes:
                if hmac.compare_digest(given.encode(), code.encode()):
                    self._launch_codes.discard(code)
                    return True
        return False

    def cookie_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(
            given.encode(), self.cookie_secret.encode()
        )

    @property
    def mode(self) -> str:
        return "live" if self.credentials.live else "sandbox"

    def set_credentials(self, key: str | None, base_urls: Mapping[str, str | None]) -> None:
        """``key``: None leaves it, ``""`` forgets it. A base URL given empty is forgotten."""
        with self._lock:
            if key is not None:
                self.credentials.key = ApiKey(key) if key else None
            for name, value in base_urls.items():
                if value:
                    self.credentials.base_urls[name] = value
                else:
                    self.credentials.base_urls.pop(name, None)
            self.credentials.source = "form"

    def target(self) -> ApiTarget:
        """Where requests go now: the configured API, or the embedded sandbox, started on first
        use and kept while the designer runs (so that its result URLs stay fetchable)."""
        with self._lock:
            cfg = self.credentials.cfg()
            if self.credentials.live:
                self._stop_sandbox()
                return ApiTarget(cfg)
            if self._sandbox_target is None:
                stack = ExitStack()
                self._sandbox_target = stack.enter_context(api_target(cfg, self.services))
                self._sandbox_stack = stack
            return self._sandbox_target

    def record_events(self, events: list[dict[str, Any]]) -> None:
        with self._lock:
            self.events = events

    def last_events(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.events)

    def _stop_sandbox(self) -> None:
        if self._sandbox_stack is not None:
            self._sandbox_stack.close()
        self._sandbox_stack = None
        self._sandbox_target = None

    def close(self) -> None:
        with self._lock:
            self._stop_sandbox()
