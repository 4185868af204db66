"""The request log behind ``GET /__sandbox/requests``: what clients sent, never their key."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from .options import mask_secret

API_KEY_HEADER = "X-Picsart-API-Key"
LOGGED_HEADERS = (
    "Accept",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "User-Agent",
    API_KEY_HEADER,
)


def scrub(value: Any, secret: str | None) -> Any:
    """``value`` with any copy of the client's key replaced, in case it was sent as a field too."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, mask_secret(secret))
    if isinstance(value, list):
        return [scrub(item, secret) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, secret) for key, item in value.items()}
    return value


def logged_headers(headers: Any) -> dict[str, str]:
    """The headers worth seeing in the log, with the API key reduced to its length."""
    shown: dict[str, str] = {}
    for name in LOGGED_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        shown[name] = mask_secret(value) if name == API_KEY_HEADER else value
    return shown


class RequestLog:
    """The last ``size`` requests, oldest first; each entry is a JSON-ready dict."""

    def __init__(self, size: int) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
