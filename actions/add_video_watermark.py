"""Add watermark to video: a watermark image placed on every frame of a video."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from picsart_component.catalogue.choices import WATERMARK_ANCHOR_ALIASES, WatermarkAnchor
from picsart_component.runtime.models import ChoiceAliases

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import downloaded_file_field, passed_url_field
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, source_problems
from ..lib.video_fields import VideoInput

TITLE = "Add watermark to video"
DESCRIPTION = "Place a watermark image on a video, or repeat it over the whole picture."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and the watermark by exactly one of "
    "Watermark (the component downloads it and uploads it) and Watermark URL (Picsart fetches "
    "it). Position, size, opacity, angle and padding place it as Add watermark does on a photo. "
    "The result is an MP4 at 30 frames a second. Picsart runs it as a job; the action polls "
    "until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-add-watermark"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "watermark_url": "https://example.com/logo.png",
    "anchor_point": "right-bottom",
    "watermark_width": 24,
    "watermark_opacity": 80,
}
ONLY_ONE = "Fill only one of Watermark and Watermark URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    watermark: str | None = downloaded_file_field(
        "Watermark",
        "The address of the watermark image, stored internally or externally; the component "
        "downloads it and uploads it. " + ONLY_ONE,
    )
    watermark_url: str | None = passed_url_field(
        "Watermark URL",
        "The http(s) URL of the watermark image, which Picsart fetches itself. " + ONLY_ONE,
    )
    anchor_point: Annotated[
        WatermarkAnchor | None, ChoiceAliases(WATERMARK_ANCHOR_ALIASES)
    ] = Field(
        None,
        title="Position",
        description=(
            "Where the watermark goes (center-middle when empty); pattern repeats it over the "
            "whole picture."
        ),
        json_schema_extra={"default": "center-middle"},
    )  # fmt: skip
    watermark_width: int | None = Field(
        None, title="Watermark width", description="The watermark's width in pixels.", ge=1
    )
    watermark_height: int | None = Field(
        None, title="Watermark height", description="The watermark's height in pixels.", ge=1
    )
    watermark_opacity: int | None = Field(
        None,
        title="Watermark opacity",
        description="From 0 (invisible) to 100 (opaque); 50 when empty.",
        ge=0,
        le=100,
        json_schema_extra={"default": 50},
    )
    watermark_angle: int | None = Field(
        None,
        title="Watermark angle",
        description="The watermark's rotation, from 0 to 360 degrees.",
        ge=0,
        le=360,
    )
    watermark_padding_x: int | None = Field(
        None,
        title="Watermark padding X",
        description="Space beside the watermark, in pixels (0 when empty).",
        ge=0,
        json_schema_extra={"default": 0},
    )
    watermark_padding_y: int | None = Field(
        None,
        title="Watermark padding Y",
        description="Space above and below the watermark, in pixels (0 when empty).",
        ge=0,
        json_schema_extra={"default": 0},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("watermark", "watermark_url")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]


process = operation_process(
    "addVideoWatermark", file_fields={"watermark": "watermark"}, accepted_formats=TOOL_FORMATS
)
