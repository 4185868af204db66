"""Edit video: crop, fit and re-encode a video in one call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import (
    EXTENDED_EXPORT_DEFAULT,
    CropSettings,
    ExtendedExportSettings,
    FitSettings,
    VideoInput,
    fit_problems,
    nested,
)

TITLE = "Edit video"
DESCRIPTION = "Crop a video, fit it into a new shape and choose how it is encoded, in one call."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it), and any of: Crop (the part kept, "
    "as in Crop video), Fit (the new shape and background, as in Fit video; applied after the "
    "crop) and Export (format, quality, codecs, frame rate, bitrate, colour space and a size to "
    "aim for). Picsart runs it as a job; the action polls until the result is ready, unless "
    "Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-edit"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "crop": {"width": 48, "height": 48, "start_x": 8, "start_y": 8},
    "fit": {"ratio": 0.5625, "bg_color": "#203040"},
    "export": {"quality": "high"},
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    crop: CropSettings | None = Field(
        None,
        title="Crop",
        description="The part of the picture kept: its size, and where it starts.",
    )
    fit: FitSettings | None = Field(
        None,
        title="Fit",
        description="The shape the (cropped) video is fitted into, and its background.",
    )
    export: ExtendedExportSettings | None = Field(
        None,
        title="Export",
        description=(
            "How the result is encoded (MP4, medium quality, the source's codecs, 30 frames a "
            "second, SRGB when empty)."
        ),
        json_schema_extra={"default": EXTENDED_EXPORT_DEFAULT},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *fit_problems(nested(body, "fit"), "$.fit")]


process = operation_process("editVideo")
