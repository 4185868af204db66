"""Fit video: a video fitted whole into a new shape, with a background around it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import FitFields, VideoInput, fit_problems

TITLE = "Fit video"
DESCRIPTION = "Fit a whole video into another shape (a ratio, or a width and height)."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and the new shape: a ratio (width "
    "divided by height), a width, a height, or a width and height. The video is scaled to fit "
    "inside, uncut; the space around it shows a blurred mirror of the video, or the one "
    "background you give: a colour, a picture or a video (blurred by Background blur). The "
    "result is an MP4 at 30 frames a second. Picsart runs it as a job; the action polls until "
    "the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-fit"
EXAMPLE = {"video_url": "https://example.com/clip.mp4", "ratio": 1.7778, "bg_blur": 40}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(FitFields, VideoInput):
    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *fit_problems(body)]


process = operation_process("fitVideo")
