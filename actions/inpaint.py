"""Inpaint: repaint an area inside an image as a prompt says."""

from __future__ import annotations

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import (
    MaskSourceInput,
    count_field,
    format_field,
    negative_prompt_field,
    prompt_field,
)
from ..lib.operations import operation_process

TITLE = "Inpaint"
DESCRIPTION = "Repaint an area inside an image as a prompt says."
HELP = (
    "The area is the mask's white part (Mask, Mask URL or Mask ID; the image's size), or without a "
    "mask the image's transparent part. Give the image by exactly one of Image, Image URL and "
    "Image ID (JPG, PNG or WEBP). Execution decides whether Picsart answers at once or runs a job "
    "that the action polls."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-image-inpainting"
EXAMPLE = {
    "image_url": "https://example.com/room.png",
    "mask_image_url": "https://example.com/room-mask.png",
    "prompt": "a green armchair",
    "count": 1,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(MaskSourceInput, ImageSourceInput):
    prompt: str = prompt_field(
        "What to paint into the area: the mask's white part, or without a mask the image's "
        "transparent part."
    )
    negative_prompt: str | None = negative_prompt_field()
    count: int | None = count_field("results")
    format: OutputFormat | None = format_field()


process = operation_process("inpaint", file_fields={"image": "image", "mask_image": "mask_image"})
