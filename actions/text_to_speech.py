"""Text to speech: an audio file that reads a text aloud."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from picsart_component.catalogue import choices
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import NOT_BLANK, model_field
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process

MAX_TEXT_LENGTH = 5000
TITLE = "Text to speech"
DESCRIPTION = "Read a text aloud into an audio file."
HELP = (
    "Up to 5000 characters, in English or French. Picsart runs it as a job; the action polls until "
    "the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2speech"
EXAMPLE = {"text": "Your order has shipped and will arrive on Thursday.", "language": "en"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    text: str = Field(
        title="Text",
        description=f"What to say, at most {MAX_TEXT_LENGTH} characters.",
        min_length=1,
        max_length=MAX_TEXT_LENGTH,
        pattern=NOT_BLANK,
    )
    language: Literal["en", "fr"] | None = Field(
        None,
        title="Language",
        description="The language the text is in: en (English) or fr (French); en when empty.",
        json_schema_extra={"default": "en"},
    )
    model: str | None = model_field(choices.TEXT_TO_SPEECH_MODELS, choices.TEXT_TO_SPEECH_DEFAULT)
    voice: str | None = Field(
        None,
        title="Voice",
        description=(
            "The voice's name as the chosen model's maker names it (each maker has its own "
            "list). When empty, each model uses its default voice."
        ),
        min_length=1,
    )


process = operation_process("textToSpeech")
