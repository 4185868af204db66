"""The one HTTP client every action uses: auth, URL joining, throttling, retries and typed errors.

Actions never touch ``requests`` themselves; they call ``PicsartClient.request`` (or ``get`` and
``post``) with a path and a body recipe, and get back a ``PicsartResponse`` or a typed error.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
import requests.adapters
from pydantic import SecretStr

from picsart_component import __version__
from picsart_component.runtime.documents import loads_json

from . import shared_limit
from .body import RequestBody
from .errors import (
    CORRELATION_ID_HEADER,
    APIError,
    HeldTooLong,
    RateLimitError,
    ResponseTooLargeError,
    URLError,
    build_status_error,
)
from .ratelimit import DEFAULT_SPIKE_LIMIT, Clock, RateLimitInfo, Sleep, Throttle
from .retry import RetryPolicy, RetrySettings
from .transport import body_chunks, transport_error
from .urls import KeyPolicy, join_url, normalize_base_url

log = logging.getLogger("picsart.client")

API_KEY_HEADER = "X-Picsart-API-Key"
USER_AGENT = (
    f"picsart-component/{__version__} (elastic.io component; requests/{requests.__version__})"
)


Route = Callable[[str], str]


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts, retry limits and the spike-arrest limit (``ComponentSettings`` reads them)."""

    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    spike_limit: float = DEFAULT_SPIKE_LIMIT
    redis_url: SecretStr | None = None
    """Where the limit is shared with every other process using the key (``PICSART_REDIS_URL``)."""
    max_response_bytes: int = 10 << 20
    call_deadline: float = 600.0
    retry: RetrySettings = field(default_factory=RetrySettings)


@dataclass(frozen=True)
class PicsartResponse:
    """A successful (or explicitly accepted) answer, with its body parsed when it is JSON."""

    method: str
    url: str
    status_code: int
    headers: dict[str, str]
    body: Any
    rate_limit: RateLimitInfo

    @property
    def correlation_id(self) -> str | None:
        return self.headers.get(CORRELATION_ID_HEADER)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class _KeyGuardSession(requests.Session):
    """Drops the API key when a redirect leads to a host the key must not reach.

    It keeps no cookies (a session is shared by every client with the same key policy), and it
    reads the CA bundle variables once, when it is made; requests reads the environment on every
    request (a scan of every variable) only when a proxy variable is set.
    """

    def __init__(self, policy: KeyPolicy) -> None:
        super().__init__()
        self._key_policy = policy
        self.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.trust_env = _proxies_configured()
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.verify = bundle
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=SESSION_POOL_SIZE)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]
        if prepared_request.url and not self._key_policy.allows(prepared_request.url):
            prepared_request.headers.pop(API_KEY_HEADER, None)


SESSION_POOL_SIZE = 64
"""Connections kept per host: a batch's workers (at most 64) each keep theirs alive."""


def _proxies_configured() -> bool:
    """Whether a proxy variable is set, so that requests must read them (and ``no_proxy``)."""
    return any(name.lower().endswith("_proxy") for name in os.environ)


_shared_sessions: dict[frozenset[tuple[str, str, int | None]], _KeyGuardSession] = {}
_shared_sessions_lock = threading.Lock()


def shared_session(policy: KeyPolicy) -> requests.Session:
    """One session (one pool of kept-alive connections) per key policy in the process."""
    with _shared_sessions_lock:
        session = _shared_sessions.get(policy.origins)
        if session is None:
            session = _shared_sessions[policy.origins] = _KeyGuardSession(policy)
        return session


def forget_shared_sessions() -> None:
    """Close and drop every shared session (tests, and embedders that change the environment)."""
    with _shared_sessions_lock:
        for session in _shared_sessions.values():
            session.close()
        _shared_sessions.clear()


_shared_throttles: dict[tuple[str, float, str], Throttle] = {}
_shared_throttles_lock = threading.Lock()


def shared_throttle(
    base_url: str,
    spike_limit: float,
    *,
    api_key: SecretStr | None = None,
    redis_url: SecretStr | None = None,
) -> Throttle:
    """One throttle per API origin and limit, shared by every client in the process; with
    ``redis_url``, its state is in Redis, shared by every process using the same key."""
    base = normalize_base_url(base_url)
    namespace = shared_limit.namespace(api_key, base) if redis_url and api_key else ""
    key = (base, spike_limit, namespace)
    with _shared_throttles_lock:
        throttle = _shared_throttles.get(key)
        if throttle is None:
            state = (
                shared_limit.shared_state(redis_url, api_key, base)
                if redis_url and api_key
                else None
            )
            throttle = _shared_throttles[key] = Throttle(spike_limit, state=state)
        return throttle


def forget_shared_throttles() -> None:
    """Drop every shared throttle (and its holds); for tests and long-lived embedders."""
    with _shared_throttles_lock:
        _shared_throttles.clear()
    shared_limit.forget_shared_states()


class PicsartClient:
    """Talks to the Picsart API on behalf of every action.

    ``clock``, ``sleep`` and ``jitter`` are injectable so that retry tests take no time.
    """

    def __init__(
        self,
        api_key: str | SecretStr,
        base_url: str | None = None,
        *,
        settings: ClientSettings | None = None,
        throttle: Throttle | None = None,
        session: requests.Session | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        jitter: Callable[[], float] = random.random,
        on_response: Callable[[RateLimitInfo], None] | None = None,
        route: Route | None = None,
        key_hosts: Iterable[str] = (),
    ) -> None:
        key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        if not key.get_secret_value().strip():
            raise ValueError("an API key is required")
        self._api_key = key
        self.base_url = normalize_base_url(base_url)
        self.settings = settings or ClientSettings()
        self.key_policy = KeyPolicy(self.base_url, *key_hosts)
        self._session = session or shared_session(self.key_policy)
        self._clock = clock
        self._throttle = throttle or shared_throttle(
            self.base_url,
            self.settings.spike_limit,
            api_key=key,
            redis_url=self.settings.redis_url,
        )
        self._retry = RetryPolicy(self.settings.retry, clock=clock, sleep=sleep, jitter=jitter)
        self._on_response = on_response
        self._route = route

    def __repr__(self) -> str:
        return f"PicsartClient(base_url={self.base_url!r})"

    @property
    def throttle(self) -> Throttle:
        return self._throttle

    def resolve(self, path_or_url: str) -> str:
        """The absolute URL for a path or URL, or ``URLError`` if the key may not go there."""
        url = join_url(self.base_url, path_or_url)
        refusal = self.key_policy.refusal_reason(url)
        if refusal is not None:
            raise URLError(refusal)
        return url

    def get(self, path_or_url: str, **kwargs: Any) -> PicsartResponse:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs: Any) -> PicsartResponse:
        return self.request("POST", path_or_url, **kwargs)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        body: RequestBody | None = None,
        accept_statuses: Collection[int] = (),
        headers: Mapping[str, str] | None = None,
    ) -> PicsartResponse:
        """Send one request, with retries, and return the answer or raise a typed ``APIError``.

        A status in ``accept_statuses`` is returned instead of raised (never retried).
        ``headers`` are sent as well; they can never replace the key header.
        """
        url = self.resolve(path_or_url)
        method = method.upper()
        fallbacks = itertools.count()
        extra = {
            name: value
            for name, value in (headers or {}).items()
            if name.lower() != API_KEY_HEADER.lower()
        }
        return self._retry.retrying()(
            self._attempt, method, url, body, accept_statuses, fallbacks, extra
        )

    def balance(self) -> int:
        """The credits left on the account (``GET balance``)."""
        response = self.get("balance")
        credits = response.body.get("credits") if isinstance(response.body, dict) else None
        if not isinstance(credits, int):
            raise APIError(
                "the balance response has no integer 'credits'",
                method="GET",
                url=response.url,
                status=response.status_code,
                correlation_id=response.correlation_id,
            )
        return credits

    def _attempt(
        self,
        method: str,
        url: str,
        body: RequestBody | None,
        accept_statuses: Collection[int],
        fallbacks: Iterator[int],
        extra_headers: Mapping[str, str],
    ) -> PicsartResponse:
        """One attempt. ``fallbacks`` counts this request's 429s that came without a reset time."""
        try:
            self._throttle.acquire(max_wait=self.settings.retry.max_total_wait)
        except HeldTooLong as held:
            raise RateLimitError(
                "the rate limit is exhausted until its reset time; nothing was sent",
                method=method,
                url=url,
                status=429,
                retry_at=held.until,
            ) from None
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **extra_headers,
            API_KEY_HEADER: self._api_key.get_secret_value(),
        }
        settings = self.settings
        opened = body.open() if body is not None else None
        started = time.monotonic()
        try:
            if opened is not None:
                headers.update(opened.headers)
            raw = self._session.request(
                method,
                self._route(url) if self._route is not None else url,
                data=opened.data if opened is not None else None,
                headers=headers,
                timeout=(
                    settings.connect_timeout,
                    min(settings.read_timeout, settings.call_deadline),
                ),
                stream=True,
            )
            with raw:
                content = b"".join(
                    body_chunks(
                        raw,
                        limit=settings.max_response_bytes,
                        deadline=started + settings.call_deadline,
                        read_timeout=settings.read_timeout,
                        method=method,
                        url=url,
                        too_large=lambda limit: ResponseTooLargeError(
                            f"the answer is larger than {limit / (1 << 20):g} MB, the limit "
                            "PICSART_MAX_RESPONSE_MB sets; the rest was not read",
                            method=method,
                            url=url,
                            status=raw.status_code,
                            correlation_id=raw.headers.get(CORRELATION_ID_HEADER),
                        ),
                    )
                )
        except requests.RequestException as error:
            raise transport_error(error, method, url) from None
        finally:
            if opened is not None:
                opened.close()
        elapsed = time.monotonic() - started
        response_headers = dict(raw.headers)
        info = RateLimitInfo.from_headers(raw.headers, self._clock(), status=raw.status_code)
        self._throttle.observe(info)
        if self._on_response is not None:
            self._on_response(info)
        log.debug(
            "%s %s -> %d in %.3fs [correlation id %s]",
            method,
            url,
            raw.status_code,
            elapsed,
            raw.headers.get(CORRELATION_ID_HEADER, "-"),
        )
        if raw.status_code >= 400 and raw.status_code not in accept_statuses:
            retry_at = None
            if raw.status_code == 429:
                retry_at = info.reset_at
                if retry_at is None:
                    retry_at = self._clock() + self.settings.retry.fallback_wait(next(fallbacks))
                self._throttle.hold_until(retry_at)
            raise build_status_error(
                status=raw.status_code,
                method=method,
                url=url,
                headers=raw.headers,
                body=content,
                retry_at=retry_at,
            )
        return PicsartResponse(
            method=method,
            url=url,
            status_code=raw.status_code,
            headers=response_headers,
            body=_decode_body(content, raw.headers.get("Content-Type", "")),
            rate_limit=info,
        )


def _decode_body(content: bytes, content_type: str) -> Any:
    """JSON when it parses as JSON, else text; an empty body is None."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type.lower() or text.lstrip()[:1] in ("{", "["):
        try:
            return loads_json(text)
        except ValueError:
            return text
    return text
