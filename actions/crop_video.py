"""Crop video: a part of a video's picture, as a new video."""

from __future__ import annotations

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import CropFields, ExportSettings, VideoInput, export_field

TITLE = "Crop video"
DESCRIPTION = "Keep a rectangle of a video's picture, for its whole length."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it), the size of the part to keep and "
    "where it starts: Start X from the left edge, Start Y from the bottom edge, as Picsart "
    "measures it. Width and Height default to the video's own; a part reaching beyond the "
    "video is filled with a blurred mirror of it. Export chooses the file's format, frame rate "
    "and bitrate. Picsart runs it as a job; the action polls until the result is ready, unless "
    "Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-crop"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "width": 32,
    "height": 48,
    "start_x": 16,
    "start_y": 8,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(CropFields, VideoInput):
    export: ExportSettings | None = export_field()


process = operation_process("cropVideo")
