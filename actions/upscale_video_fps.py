"""Upscale video FPS: a video made smoother, at 60 frames a second."""

from __future__ import annotations

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import VideoInput

TITLE = "Upscale video FPS"
DESCRIPTION = "Raise a video's frame rate to 60 frames a second, with new frames in between."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it). Picsart's generative AI adds "
    "frames between the video's own, so that the result plays at 60 frames a second, as long "
    "as the video (the sandbox blends neighbouring frames instead). Picsart runs it as a job; "
    "the action polls until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-upscale-fps"
EXAMPLE = {"video_url": "https://example.com/clip.mp4"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    pass


process = operation_process("upscaleVideoFps")
