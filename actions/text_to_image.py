"""Text to image: pictures generated from a prompt."""

from __future__ import annotations

from picsart_component.catalogue import choices
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import (
    aimed_side_field,
    count_field,
    model_field,
    negative_prompt_field,
    prompt_field,
)
from ..lib.operations import operation_process

TITLE = "Text to image"
DESCRIPTION = "Generate pictures from a prompt."
HELP = (
    "Up to 10 pictures of up to 1024x1024 pixels per call. Picsart runs it as a job; the action "
    "polls until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2image"
EXAMPLE = {"prompt": "a lighthouse on a cliff at sunset, watercolour", "count": 1}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    prompt: str = prompt_field("What the pictures show, in words: subject, style, light, mood.")
    negative_prompt: str | None = negative_prompt_field()
    width: int | None = aimed_side_field("Width")
    height: int | None = aimed_side_field("Height")
    count: int | None = count_field("pictures")
    model: str | None = model_field(choices.TEXT_TO_IMAGE_MODELS, choices.TEXT_TO_IMAGE_DEFAULT)


process = operation_process("textToImage")
