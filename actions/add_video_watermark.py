"""Add watermark to video: a watermark image placed on every frame of a video."""

from __future__ import annotations

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, WatermarkInput
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

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(WatermarkInput, VideoInput):
    pass


process = operation_process(
    "addVideoWatermark", file_fields={"watermark": "watermark"}, accepted_formats=TOOL_FORMATS
)
