"""Text to sticker: stickers (a subject on a transparent background) generated from a prompt."""

from __future__ import annotations

from picsart_component.catalogue import choices

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import count_field, model_field, prompt_field
from ..lib.operations import operation_process
from .text_to_image import Input as PictureInput

TITLE = "Text to sticker"
DESCRIPTION = "Generate stickers (a subject on a transparent background) from a prompt."
HELP = (
    "Up to 10 stickers per call. Picsart runs it as a job; the action polls until the result is "
    "ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2sticker"
EXAMPLE = {"prompt": "a smiling cactus wearing sunglasses", "count": 1}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(PictureInput):
    """Text to image's fields, for stickers."""

    prompt: str = prompt_field("What the sticker shows, in words.")
    count: int | None = count_field("stickers")
    model: str | None = model_field(choices.TEXT_TO_STICKER_MODELS, choices.TEXT_TO_STICKER_DEFAULT)


process = operation_process("textToSticker")
