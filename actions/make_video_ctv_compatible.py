"""Make video CTV-compatible: a video re-encoded to play as an ad on connected TVs."""

from __future__ import annotations

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import VideoInput

TITLE = "Make video CTV-compatible"
DESCRIPTION = "Re-encode a video to meet the format requirements of connected-TV (CTV) ads."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it). Picsart converts it to what CTV "
    "ad platforms require (see its CTV ads format requirements): an MP4 at a constant frame "
    "rate, a 16:9 frame and a sound track. Picsart runs it as a job; the action polls until the "
    "result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-encode-ctv"
EXAMPLE = {"video_url": "https://example.com/ad.mp4"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    pass


process = operation_process("makeVideoCtvCompatible")
