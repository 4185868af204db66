"""Text to video: a short video generated from a prompt."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from picsart_component.catalogue import choices
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import aimed_side_field, model_field, prompt_field
from ..lib.operations import operation_process

TITLE = "Text to video"
DESCRIPTION = "Generate a short video from a prompt."
HELP = (
    "One video per call, up to 20 seconds; models differ in the sizes, lengths and sound they "
    "support. Picsart runs it as a job; the action polls until the result is ready, unless Don't "
    "wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2video"
EXAMPLE = {"prompt": "waves rolling onto a pebble beach", "length": 2, "width": 320, "height": 240}

__all__ = ["Config", "Context", "Input", "Output", "VideoFields", "process"]


class VideoFields(InputModel):
    prompt: str = prompt_field("What happens in the video, in words.")
    width: int | None = aimed_side_field("Width")
    height: int | None = aimed_side_field("Height")
    quality: Literal["480p", "720p", "1080p"] | None = Field(
        None,
        title="Quality",
        description="The video's resolution class: 480p, 720p or 1080p (480p when empty).",
        json_schema_extra={"default": "480p"},
    )
    audio: bool | None = Field(
        None,
        title="Audio",
        description="Generate a sound track too (unchecked when empty; some models always do).",
        json_schema_extra={"default": False},
    )
    length: int | None = Field(
        None,
        title="Length",
        description=(
            "The video's length in seconds, from 1 to 20 (3 when empty); the model rounds it to "
            "a length it supports."
        ),
        ge=1,
        le=20,
        json_schema_extra={"default": 3},
    )


class Input(VideoFields):
    model: str | None = model_field(choices.TEXT_TO_VIDEO_MODELS, choices.TEXT_TO_VIDEO_DEFAULT)


process = operation_process("textToVideo")
