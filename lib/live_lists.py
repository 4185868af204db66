"""The names Picsart lists now (effects, AI effects), for the designer's dynamic metadata.

An action whose in-metadata field takes one of these names offers ``getMetaModel``: its
in-schema with the names Picsart lists as the field's enum. The field stays a mappable
in-metadata field; the list is the designer's help. The names come through the component's one
client, once per API key and base URL an hour (the cache is keyed by a hash of both, never the
key), and when the call fails the catalogue's list stands in, with the reason. Picsart's OpenAPI
files list names at these two GETs only: no model list has an endpoint.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel

from picsart_component.catalogue.choices import AI_EFFECT_NAMES, EFFECT_NAMES
from picsart_component.catalogue.operations import OPERATIONS
from picsart_component.runtime.designer import designer_schema
from picsart_component.runtime.errors import ComponentError

from .client import ClientSettings, PicsartClient
from .context import PicsartContext
from .credentials import read_credentials
from .errors import APIError

ListName = Literal["effects", "aiEffects"]
Source = Literal["live", "static"]

LIST_OPERATIONS: dict[ListName, str] = {"effects": "listEffects", "aiEffects": "listAiEffects"}
"""The catalogue's operation that lists each kind of name."""
LIST_PATHS: dict[ListName, str] = {
    which: next(op.path for op in OPERATIONS if op.name == name)
    for which, name in LIST_OPERATIONS.items()
}
"""Where the image API lists each kind of name (``GET``), relative to its base URL."""
STATIC_NAMES: dict[ListName, tuple[str, ...]] = {
    "effects": EFFECT_NAMES,
    "aiEffects": AI_EFFECT_NAMES,
}
"""The catalogue's lists, which stand in when Picsart's cannot be had."""
MAX_AGE_SECONDS = 3600.0
LIST_TIMEOUT_SECONDS = 10.0
"""A designer waits this long for a list, once, before the catalogue's stands in."""
MAX_NAMES = 5000
NAMES_SOURCE_KEYWORD = "x-picsart-names"


@dataclass(frozen=True)
class NameList:
    """A list of names and where it came from: ``live`` (Picsart, now or within the hour) or
    ``static`` (the catalogue's), with the reason the live one could not be had."""

    names: tuple[str, ...]
    source: Source
    reason: str | None = None


def cache_key(api_key: str, base_url: str) -> str:
    """What the cache knows a key and base URL by: a SHA-256 of both, never the key."""
    return hashlib.sha256(f"{api_key}\n{base_url}".encode()).hexdigest()


def names_in(body: Any) -> tuple[str, ...]:
    """The names of Picsart's answer (``{"data": [{"name": ...}, ...]}``); ``ValueError`` when
    it is not that shape."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data or len(data) > MAX_NAMES:
        raise ValueError("the answer is not a list of names")
    names = [item.get("name") if isinstance(item, dict) else None for item in data]
    if not all(isinstance(name, str) and name for name in names):
        raise ValueError("the answer is not a list of names")
    return tuple(dict.fromkeys(str(name) for name in names))


def _quick(settings: ClientSettings) -> ClientSettings:
    """One attempt within ``LIST_TIMEOUT_SECONDS``: a designer shows the catalogue's list rather
    than wait on retries."""
    return replace(
        settings,
        read_timeout=min(settings.read_timeout, LIST_TIMEOUT_SECONDS),
        connect_timeout=min(settings.connect_timeout, LIST_TIMEOUT_SECONDS),
        call_deadline=min(settings.call_deadline, LIST_TIMEOUT_SECONDS),
        retry=replace(
            settings.retry,
            max_attempts=1,
            max_total_wait=min(settings.retry.max_total_wait, LIST_TIMEOUT_SECONDS),
        ),
    )


def _reason(error: Exception, path: str) -> str:
    if isinstance(error, APIError) and error.status is not None:
        return f"Picsart answered {error.status} to GET {path}"
    if isinstance(error, APIError):
        return f"GET {path} failed: {error.message}"
    return f"GET {path}: {error}"


class LiveLists:
    """The lists by key and base URL, each kept ``max_age`` seconds of ``clock``. A failed call
    is not kept: the next asks Picsart again."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_age: float = MAX_AGE_SECONDS
    ) -> None:
        self._clock = clock
        self._max_age = max_age
        self._lists: dict[tuple[ListName, str], tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._lists.clear()

    def cached_keys(self) -> list[tuple[ListName, str]]:
        with self._lock:
            return list(self._lists)

    def names(self, which: ListName, context: PicsartContext) -> NameList:
        """The names Picsart lists for ``which`` with the context's credentials, or the
        catalogue's with the reason."""
        path = LIST_PATHS[which]
        static = STATIC_NAMES[which]
        try:
            credentials = read_credentials(context.cfg)
        except ComponentError as error:
            given = context.cfg.get("apiKey")
            if not (isinstance(given, str) and given.strip()):
                return NameList(static, "static", "no API key is configured")
            return NameList(static, "static", _scrubbed(str(error), given))
        secret = credentials.apiKey.get_secret_value()
        try:
            services = context.picsart
            quick = replace(services, settings=_quick(services.client_settings()))
            client: PicsartClient = quick.client(context.cfg)
        except (ComponentError, ValueError, TypeError) as error:
            return NameList(
                static, "static", _scrubbed(f"the client cannot be built: {error}", secret)
            )
        key = (which, cache_key(secret, client.base_url))
        now = self._clock()
        with self._lock:
            kept = self._lists.get(key)
            if kept is not None and now - kept[0] < self._max_age:
                return NameList(kept[1], "live")
        try:
            found = names_in(client.get(path).body)
        except (ComponentError, ValueError) as error:
            return NameList(static, "static", _scrubbed(_reason(error, path), secret))
        with self._lock:
            self._lists[key] = (now, found)
        return NameList(found, "live")


def _scrubbed(text: str, secret: str) -> str:
    return text.replace(secret, "****") if secret else text


LIVE_LISTS = LiveLists()
"""The process's lists: a designer (or a sailor's service call) asks Picsart once an hour."""


def meta_model(
    input_model: type[BaseModel],
    output_model: type[BaseModel],
    context: PicsartContext,
    names_by_field: dict[str, ListName],
    *,
    lists: LiveLists | None = None,
) -> dict[str, Any]:
    """``getMetaModel``'s answer, ``{"in", "out"}`` as the platform reads it: the action's schema
    files, each field of ``names_by_field`` (or its items, for a list) with the names Picsart
    lists as its enum, and where they came from in ``NAMES_SOURCE_KEYWORD`` beside it (an
    annotation, which JSON Schema validators ignore; ``names_source`` reads it)."""
    lists = lists or LIVE_LISTS
    in_schema = designer_schema(input_model, closed=True)
    for field, which in names_by_field.items():
        found = lists.names(which, context)
        target = in_schema["properties"][field]
        if target.get("type") == "array":
            target = target["items"]
        target["enum"] = list(found.names)
        target[NAMES_SOURCE_KEYWORD] = {"source": found.source, "reason": found.reason}
    return {"in": in_schema, "out": designer_schema(output_model, closed=True)}


def names_source(meta: Mapping[str, Any]) -> tuple[Source, str | None]:
    """Whether every listed name in a ``getMetaModel`` answer is live, and if not, why."""
    reasons: list[str] = []
    for prop in meta.get("in", {}).get("properties", {}).values():
        for target in (prop, prop.get("items") or {}):
            annotation = target.get(NAMES_SOURCE_KEYWORD)
            if annotation and annotation.get("reason"):
                reasons.append(annotation["reason"])
    return ("static" if reasons else "live"), "; ".join(dict.fromkeys(reasons)) or None
