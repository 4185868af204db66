"""elastic.io's message model, and the events an action emits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field


class Attachment(BaseModel):
    """One entry of ``Message.attachments``, keyed there by file name."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    url: str
    size: int | None = None
    content_type: str | None = Field(None, alias="content-type")


class Message(BaseModel):
    """``{id, body, attachments, headers, metadata}``, as elastic.io passes between steps."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    body: dict[str, Any] = Field(default_factory=dict)
    attachments: dict[str, Attachment] = Field(default_factory=dict)
    headers: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


EventKind = Literal[
    "data", "error", "snapshot", "updateSnapshot", "rebound", "updateKeys", "httpReply"
]
FAILURE_KINDS: Final = frozenset({"error", "rebound"})
"""The events that end a run as a failure: an ``error`` (final) or a ``rebound`` (try later)."""


@dataclass(frozen=True)
class Event:
    """One thing an action emitted: a message, an error, a snapshot, a rebound."""

    kind: EventKind
    payload: Any

    @property
    def is_failure(self) -> bool:
        """Whether this event says its run failed; every front end asks this, none decides it."""
        return self.kind in FAILURE_KINDS

    def to_json(self) -> dict[str, Any]:
        if self.kind == "data":
            assert isinstance(self.payload, Message)
            return {"event": "data", "message": self.payload.to_json()}
        return {"event": self.kind, self.kind: self.payload}


def failure_of(events: Iterable[Event]) -> Event | None:
    """The event that says a run failed, or None: its first ``error``, else its first
    ``rebound`` (an error is final, so it wins over a request to try again)."""
    failures = [event for event in events if event.is_failure]
    return next((event for event in failures if event.kind == "error"), None) or next(
        iter(failures), None
    )
