"""Trim video: the part of a video between two moments, as a new video."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import IMAGE_URL_MAX_LENGTH, http_url_problems
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import ExportSettings, export_field

TITLE = "Trim video"
DESCRIPTION = "Cut a video down to the part between a start and an end time."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and the start and end of the part "
    "to keep, in milliseconds; the end must come after the start and be at least 1000. Export "
    "chooses the file's format (MP4 when empty), frame rate and bitrate. Picsart runs it as a "
    "job; the action polls until the result is ready, unless Don't wait for the result is "
    "checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-trim"
EXAMPLE = {"video_url": "https://example.com/clip.mp4", "start": 250, "end": 1250}

__all__ = ["Config", "Context", "ExportSettings", "Input", "Output", "process"]


class Input(InputModel):
    video_url: str = Field(
        title="Video URL",
        description=(
            "The http(s) URL of the video to trim, which Picsart fetches itself (at most 2083 "
            "characters)."
        ),
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    start: int = Field(
        title="Start",
        description="Where the kept part begins, in milliseconds from the video's start.",
        ge=0,
    )
    end: int = Field(
        title="End",
        description=(
            "Where the kept part ends, in milliseconds from the video's start: after Start, "
            "and at least 1000."
        ),
        ge=1000,
    )
    export: ExportSettings | None = export_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = [*super().cross_field_problems(body), *http_url_problems(body, ("video_url",))]
        start, end = body.get("start"), body.get("end")
        if isinstance(start, int) and isinstance(end, int) and end <= start:
            problems.append(Problem("$.end", "must be greater than start"))
        return problems


process = operation_process("trimVideo")
