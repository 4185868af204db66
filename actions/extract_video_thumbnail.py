"""Extract video thumbnail: the picture a video carries as its thumbnail, or frames of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.genai_fields import FilesOutput as Output
from ..lib.operations import operation_process
from ..lib.video_fields import VideoInput, video_url_field

TITLE = "Extract video thumbnail"
DESCRIPTION = "Get a video's thumbnail, or pictures of it at up to four moments."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it). Source chooses the pictures: "
    "container reads the thumbnail the file carries, timestamp takes the frames at the "
    "Timestamps (up to four, such as 2.5, 1500ms or 00:00:01.500), and auto (the default) lets "
    "Picsart choose. Picsart answers at once with the pictures' URLs; Download result stores "
    "them."
)
HELP_LINK = "https://docs.picsart.io/reference/video-get-thumbnail"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "source": "timestamp",
    "timestamps": ["0.5", "00:00:01.250"],
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    video_url: str = video_url_field("to take the thumbnail from")
    source: Literal["auto", "container", "timestamp"] | None = Field(
        None,
        title="Source",
        description=(
            "Where the pictures come from: container (the thumbnail the file carries), "
            "timestamp (frames at the Timestamps) or auto, Picsart's choice (auto when empty)."
        ),
        json_schema_extra={"default": "auto"},
    )
    timestamps: list[str] | None = Field(
        None,
        title="Timestamps",
        description=(
            "One to four moments to take frames at, in seconds (2.5, 1500ms) or as a clock "
            "time ([HH:]MM:SS[.mmm]); needed when Source is timestamp."
        ),
        min_length=1,
        max_length=4,
        json_schema_extra={"items": {"type": "string", "minLength": 1}},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = super().cross_field_problems(body)
        source, timestamps = body.get("source"), body.get("timestamps")
        if source == "timestamp" and not timestamps:
            problems.append(Problem("$.timestamps", "is required when source is timestamp"))
        if source == "container" and timestamps:
            problems.append(
                Problem(
                    "$.timestamps",
                    "cannot be given with source container, which reads the file's own thumbnail",
                )
            )
        return problems


process = operation_process("extractVideoThumbnail")
