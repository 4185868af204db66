"""Smart background: keep the subject and paint a new background behind it from a prompt.

Unlike Remove background's Background Image, which puts a given picture behind the subject,
this generates the backdrop from words.
"""

from __future__ import annotations

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import count_field, format_field, negative_prompt_field, prompt_field
from ..lib.operations import operation_process

TITLE = "Smart background"
DESCRIPTION = "Keep an image's subject and generate a new background behind it from a prompt."
HELP = (
    "Unlike Remove background, which puts a given picture or colour behind the subject, this "
    "paints the backdrop a prompt describes. Give the image by exactly one of Image, Image URL and "
    "Image ID (JPG, PNG or WEBP). Execution decides whether Picsart answers at once or runs a job "
    "that the action polls."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-smart-background"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "prompt": "on a marble kitchen counter, morning light",
    "count": 1,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    prompt: str = prompt_field("The new background, in words (a beach at dusk, a white studio).")
    negative_prompt: str | None = negative_prompt_field()
    count: int | None = count_field("results")
    format: OutputFormat | None = format_field()


process = operation_process("smartBackground", file_fields={"image": "image"})
