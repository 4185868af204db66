"""Remove video background: the subject of a video kept, its background replaced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from ..lib.colors import color_problems
from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import IMAGE_URL_MAX_LENGTH, at_most_one, http_url_problems
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import VideoInput

TITLE = "Remove video background"
DESCRIPTION = "Remove the background of a video, or replace it with a colour or a picture."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and at most one new background: a "
    "colour, or the http(s) URL of a picture. Without either, the background becomes green "
    "(#008800), ready for keying. transparent (or a colour with transparency, #00000000) keeps "
    "the background see-through; the result is then a WEBM. Picsart runs it as a job; the "
    "action polls until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-remove-background"
EXAMPLE = {"video_url": "https://example.com/talk.mp4", "bg_color": "#1e90ff"}
ONLY_ONE = "Fill at most one of Background color and Background image URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    bg_color: str | None = Field(
        None,
        title="Background color",
        description=(
            "The new background: a hex colour (#82d5fa, #fff, or #18d4ff87 with transparency), "
            "a colour name (blue), or transparent (#008800 when empty). " + ONLY_ONE
        ),
        min_length=1,
        json_schema_extra={"default": "#008800"},
    )
    bg_image_url: str | None = Field(
        None,
        title="Background image URL",
        description="The http(s) URL of a picture for the new background. " + ONLY_ONE,
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *at_most_one(body, ("bg_color", "bg_image_url")),
            *color_problems(body, {"bg_color": False}),
            *http_url_problems(body, ("bg_image_url",)),
        ]


process = operation_process("removeVideoBackground")
