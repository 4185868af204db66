"""Remove object: erase what a mask covers and fill the gap from its surroundings."""

from __future__ import annotations

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import MaskSourceInput, format_field
from ..lib.operations import operation_process

TITLE = "Remove object"
DESCRIPTION = "Erase what a mask covers from an image and fill the gap from its surroundings."
HELP = (
    "The mask (exactly one of Mask, Mask URL and Mask ID) is white over the object and black "
    "elsewhere, the image's size. Give the image by exactly one of Image, Image URL and Image ID "
    "(JPG, PNG or WEBP). Execution decides whether Picsart answers at once or runs a job that the "
    "action polls."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-remove-object"
EXAMPLE = {
    "image_url": "https://example.com/beach.jpg",
    "mask_image_url": "https://example.com/beach-mask.png",
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(MaskSourceInput, ImageSourceInput):
    format: OutputFormat | None = format_field()

    @classmethod
    def mask_is_required(cls) -> bool:
        return True


process = operation_process(
    "removeObject", file_fields={"image": "image", "mask_image": "mask_image"}
)
