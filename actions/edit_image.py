"""Edit image: change an image the way a prompt says."""

from __future__ import annotations

from picsart_component.catalogue import choices
from picsart_component.catalogue.choices import OutputFormat
from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import WatermarkInput, count_field, format_field, model_field, prompt_field
from ..lib.jobs import OPERATIONS
from ..lib.operations import run_operation

OPERATION = OPERATIONS["editImage"]
TITLE = "Edit image with a prompt"
DESCRIPTION = "Change an image the way a prompt says: style, season, mood, details."
HELP = (
    "Optionally add a watermark to mark results as AI-made. Give the image by exactly one of "
    "Image, Image URL and Image ID (JPG, PNG or WEBP). Execution decides whether Picsart answers "
    "at once or runs a job that the action polls."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-image-edit"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "prompt": "make it look like a pencil sketch",
    "count": 1,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class EditFields(InputModel):
    prompt: str = prompt_field(
        "The change to make, in words (make it winter, turn it into a sketch)."
    )
    count: int | None = count_field("edited images")
    format: OutputFormat | None = format_field()
    model: str | None = model_field(choices.IMAGE_TO_IMAGE_MODELS, choices.IMAGE_TO_IMAGE_DEFAULT)


class Input(WatermarkInput, EditFields, ImageSourceInput):
    pass


def process(body: Input, config: Config, context: Context) -> Message:
    for note in body.ineffective_settings():
        context.logger.warning("has no effect: %s", note)
    return run_operation(
        OPERATION,
        body,
        context=context,
        config=config,
        file_fields={"image": "image"},
    )
