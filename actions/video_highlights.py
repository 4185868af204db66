"""Video highlights: chosen parts of a video, one after another, as a new video."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import ExportSettings, VideoInput, export_field
from ..lib.video_timeline_fields import Transition, transition_field

TITLE = "Video highlights"
DESCRIPTION = "Join chosen parts of a video, with transitions, into a highlights video."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and from 2 to 10 segments, each a "
    "Start and an End in milliseconds from the video's start (End after Start): they play in "
    "the order listed, each entering with its Transition. Export chooses the file's format, "
    "frame rate and bitrate. Picsart runs it as a job; the action polls until the result is "
    "ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-concat-highlights"
EXAMPLE = {
    "video_url": "https://example.com/match.mp4",
    "trim_segments": [
        {"start": 0, "end": 500},
        {"start": 1000, "end": 1500, "transition": "fade"},
    ],
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class TrimSegment(BaseModel):
    """One part of the video to keep."""

    model_config = ConfigDict(extra="forbid", title="Segment")

    start: int = Field(
        title="Start",
        description="Where the part begins, in milliseconds from the video's start.",
        ge=0,
        json_schema_extra={"default": 0},
    )
    end: int = Field(
        title="End",
        description="Where the part ends, in milliseconds from the video's start: after Start.",
        ge=1,
    )
    transition: Transition | None = transition_field("the segment")


class Input(VideoInput):
    trim_segments: list[TrimSegment] = Field(
        title="Segments",
        description="The parts of the video to keep, from 2 to 10, in the order they play.",
        min_length=2,
        max_length=10,
    )
    export: ExportSettings | None = export_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = super().cross_field_problems(body)
        segments = body.get("trim_segments")
        for index, segment in enumerate(segments if isinstance(segments, list) else []):
            if not isinstance(segment, Mapping):
                continue
            start, end = segment.get("start"), segment.get("end")
            if isinstance(start, int) and isinstance(end, int) and end <= start:
                problems.append(
                    Problem(f"$.trim_segments[{index}].end", "must be greater than start")
                )
        return problems


process = operation_process("videoHighlights")
