"""Fields of the video API's timelines (Concatenate videos and images, Video highlights): the
transition an item or a segment enters with."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

Transition = Literal[
    "none", "fade", "zoom_in", "zoom_out", "spin", "fly_in_from_left", "fly_in_from_right",
    "fly_in_from_top", "fly_in_from_bottom", "fly_out_to_left", "fly_out_to_right",
    "fly_out_to_bottom", "fly_out_to_top",
]  # fmt: skip
"""The video API's transitions, in its file's order."""


def transition_field(what: str) -> Any:
    return Field(
        None,
        title="Transition",
        description=(
            f"How {what} enters, over the end of what comes before it: none (a plain cut), "
            "fade, zoom_in, zoom_out, spin, or flying in from or out to a side (none when "
            "empty)."
        ),
        json_schema_extra={"default": "none"},
    )
