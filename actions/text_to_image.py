"""Text to image: pictures generated from a prompt."""

from __future__ import annotations

from picsart_component.runtime.models import InputModel

from ..lib import ai_models
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

EXAMPLE = {"prompt": "a lighthouse on a cliff at sunset, watercolour", "count": 1}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    prompt: str = prompt_field("What the pictures show, in words: subject, style, light, mood.")
    negative_prompt: str | None = negative_prompt_field()
    width: int | None = aimed_side_field("Width")
    height: int | None = aimed_side_field("Height")
    count: int | None = count_field("pictures")
    model: str | None = model_field(ai_models.TEXT_TO_IMAGE_MODELS, ai_models.TEXT_TO_IMAGE_DEFAULT)


process = operation_process("textToImage")
