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
    "Prefer",
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


LOGGED_TEXT_CHARS = 200
LOGGED_ITEMS = 50
LOGGED_DEPTH = 4


def clipped(value: Any, depth: int = 0) -> Any:
    """``value`` as the log keeps it: long texts cut to 200 characters, at most 50 items per list
    or object, 4 levels deep, so that the log of large requests stays small."""
    if isinstance(value, str):
        if len(value) <= LOGGED_TEXT_CHARS:
            return value
        return f"{value[:LOGGED_TEXT_CHARS]}… ({len(value)} characters)"
    if isinstance(value, list | dict) and depth >= LOGGED_DEPTH:
        return f"({type(value).__name__} of {len(value)} items)"
    if isinstance(value, list):
        return [clipped(item, depth + 1) for item in value[:LOGGED_ITEMS]]
    if isinstance(value, dict):
        return {
            clipped(str(key)): clipped(item, depth + 1)
            for key, item in list(value.items())[:LOGGED_ITEMS]
        }
    return value


def logged_headers(headers: Any) -> dict[str, str]:
    """The headers worth seeing in the log, with the API key reduced to its length."""
    shown: dict[str, str] = {}
    for name in LOGGED_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        shown[name] = mask_secret(value) if name == API_KEY_HEADER else clipped(value)
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
