"""Text to sound: a sound effect or a piece of music generated from a prompt."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue import choices
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import model_field, prompt_field
from ..lib.operations import operation_process

TITLE = "Text to sound"
DESCRIPTION = "Generate a sound effect or music from a prompt."
HELP = (
    "From half a second to 22 seconds, optionally looping. Picsart runs it as a job; the action "
    "polls until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2sound"
EXAMPLE = {"prompt": "rain on a tin roof", "duration": 3}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    prompt: str = prompt_field("The sound or music to make, in words.")
    duration: float | None = Field(
        None,
        title="Duration",
        description=(
            "The length in seconds, from 0.5 to 22; when empty the model decides. Models differ "
            "in what they can make (some only 3 to 10 seconds)."
        ),
        ge=0.5,
        le=22,
    )
    loop: bool | None = Field(
        None,
        title="Loop",
        description=(
            "Make the sound loop seamlessly, its end running into its start (unchecked when "
            "empty; not every model can)."
        ),
        json_schema_extra={"default": False},
    )
    model: str | None = model_field(choices.TEXT_TO_SOUND_MODELS, choices.TEXT_TO_SOUND_DEFAULT)


process = operation_process("textToSound")
