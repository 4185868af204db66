"""Set video thumbnail: the video with a picture of your choice as its thumbnail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import IMAGE_URL_MAX_LENGTH, http_url_problems
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import VideoInput, video_url_field

TITLE = "Set video thumbnail"
DESCRIPTION = "Give a video a picture of your choice as its thumbnail."
HELP = (
    "Give the video and the picture by their http(s) URLs (Picsart fetches both). The result "
    "is the video carrying the picture as its thumbnail, the one players and file browsers "
    "show. Picsart runs it as a job; the action polls until the result is ready, unless Don't "
    "wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-set-thumbnail"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "image_url": "https://example.com/cover.jpg",
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    video_url: str = video_url_field("to give the thumbnail")
    image_url: str = Field(
        title="Image URL",
        description=(
            "The http(s) URL of the picture to set as the thumbnail, which Picsart fetches "
            "itself (at most 2083 characters)."
        ),
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *http_url_problems(body, ("image_url",))]


process = operation_process("setVideoThumbnail")
