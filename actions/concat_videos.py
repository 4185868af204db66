"""Concatenate videos and images: clips and pictures one after another, as one video."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import IMAGE_URL_MAX_LENGTH, exactly_one, http_url_problems
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import ExportSettings, export_field, volume_field
from ..lib.video_timeline_fields import Transition, transition_field

TITLE = "Concatenate videos and images"
DESCRIPTION = "Join videos and images, with transitions, into one video (a slideshow, an intro)."
HELP = (
    "List from 1 to 10 items, each a video (Video URL) or an image (Image URL), never both: "
    "Picsart fetches them and plays them in order. An image shows for its Duration in "
    "milliseconds (1000 when empty), fitted into the frame or filling it (Scale); a video plays "
    "whole, its sound at its Volume. Each item's Transition is how it enters. A background "
    "sound (Background audio URL) can play under everything, repeated or once, at its own "
    "volume. Export chooses the file's format, frame rate and bitrate. Picsart runs it as a "
    "job; the action polls until the result is ready, unless Don't wait for the result is "
    "checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-concat"
EXAMPLE = {
    "items": [
        {"video_url": "https://example.com/clip.mp4"},
        {"image_url": "https://example.com/photo.jpg", "duration": 500, "transition": "fade"},
    ]
}
ONLY_ONE = "Fill exactly one of Video URL and Image URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


def _url_field(title: str, what: str) -> Any:
    return Field(
        None,
        title=title,
        description=f"The http(s) URL of {what}, which Picsart fetches itself.",
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )


class ConcatItem(BaseModel):
    """One video or image of the sequence."""

    model_config = ConfigDict(extra="forbid", title="Item")

    video_url: str | None = _url_field("Video URL", "a video to play. " + ONLY_ONE)
    image_url: str | None = _url_field("Image URL", "an image to show. " + ONLY_ONE)
    volume: int | None = Field(
        None,
        title="Volume",
        description="A video's sound level, from 0 (muted) to 100 (as it is; 100 when empty).",
        ge=0,
        le=100,
        json_schema_extra={"default": 100},
    )
    scale: Literal["fit", "fill"] | None = Field(
        None,
        title="Scale",
        description=(
            "How an image meets the frame: fit shows all of it, fill covers the frame and "
            "crops the rest (fit when empty)."
        ),
        json_schema_extra={"default": "fit"},
    )
    duration: int | None = Field(
        None,
        title="Duration",
        description="How long an image shows, in milliseconds, at least 1 (1000 when empty).",
        ge=1,
        json_schema_extra={"default": 1000},
    )
    transition: Transition | None = transition_field("the item")


class Input(InputModel):
    items: list[ConcatItem] = Field(
        title="Items",
        description="The videos and images to join, from 1 to 10, in the order they play.",
        min_length=1,
        max_length=10,
    )
    bg_audio_url: str | None = _url_field(
        "Background audio URL", "a sound to play under the whole video"
    )
    bg_audio_repeat: bool | None = Field(
        None,
        title="Repeat background audio",
        description=(
            "Whether the background sound starts again until the video ends (checked when "
            "empty), or plays once."
        ),
        json_schema_extra={"default": True},
    )
    bg_audio_volume: int | None = volume_field(
        "Background audio volume",
        "The background sound's level, from 0 (muted) to 100 (100 when empty).",
    )
    export: ExportSettings | None = export_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = [
            *super().cross_field_problems(body),
            *http_url_problems(body, ("bg_audio_url",)),
        ]
        items = body.get("items")
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, Mapping):
                continue
            sources = ("video_url", "image_url")
            for problem in [*exactly_one(item, sources), *http_url_problems(item, sources)]:
                path = f"$.items[{index}]" + problem.path.removeprefix("$")
                problems.append(Problem(path, problem.rule))
        return problems


process = operation_process("concatVideos")
