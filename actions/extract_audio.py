"""Extract audio: a video's sound track as a sound file."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import VideoInput, video_url_field

TITLE = "Extract audio"
DESCRIPTION = "Save a video's sound track as an MP3, M4A, WAV or FLAC file."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it); it must have sound. Format "
    "chooses the sound file's: mp3 (the default), m4a, wav or flac. Picsart runs it as a job; "
    "the action polls until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-extract-audio"
EXAMPLE = {"video_url": "https://example.com/clip.mp4", "format": "wav"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    video_url: str = video_url_field("whose sound to extract")
    format: Literal["mp3", "m4a", "wav", "flac"] | None = Field(
        None,
        title="Format",
        description="The sound file's format: mp3, m4a, wav or flac (mp3 when empty).",
        json_schema_extra={"default": "mp3"},
    )


process = operation_process("extractAudio")
