"""Adjust audio: a video's sound made louder or quieter, with another sound mixed in."""

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
from ..lib.video_fields import (
    ExportSettings,
    VideoInput,
    export_field,
    video_url_field,
    volume_field,
)

TITLE = "Adjust audio"
DESCRIPTION = "Change a video's sound volume and mix another sound into it."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it). Video volume sets its own sound, "
    "from 0 (silent) to 100 (as it is). Audio URL adds a sound file to the video, at Audio "
    "volume (0 to 100), which only applies with an Audio URL. Export chooses the file's format, "
    "frame rate and bitrate. Picsart runs it as a job; the action polls until the result is "
    "ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-adjust-audio"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "audio_url": "https://example.com/music.mp3",
    "audio_volume": 60,
    "video_volume": 30,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    video_url: str = video_url_field("whose sound to adjust")
    audio_url: str | None = Field(
        None,
        title="Audio URL",
        description=(
            "The http(s) URL of a sound file to mix into the video, which Picsart fetches "
            "itself (at most 2083 characters)."
        ),
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    audio_volume: int | None = volume_field(
        "Audio volume",
        "The added sound's volume, from 0 to 100 (100 when empty), with Audio URL.",
    )
    video_volume: int | None = volume_field(
        "Video volume",
        "The video's own sound's volume, from 0 (silent) to 100 (100 when empty).",
    )
    export: ExportSettings | None = export_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *http_url_problems(body, ("audio_url",))]


process = operation_process("adjustAudio")
