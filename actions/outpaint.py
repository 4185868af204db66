"""Outpaint: repaint everything around an area of an image as a prompt says."""

from __future__ import annotations

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import prompt_field
from ..lib.operations import operation_process
from .inpaint import Input as InpaintInput

TITLE = "Outpaint"
DESCRIPTION = "Repaint everything around an area of an image as a prompt says."
HELP = (
    "The area that stays is the mask's white part (Mask, Mask URL or Mask ID), or without a mask "
    "the image's opaque part. Give the image by exactly one of Image, Image URL and Image ID (JPG, "
    "PNG or WEBP). Execution decides whether Picsart answers at once or runs a job that the action "
    "polls."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-image-outpainting"
EXAMPLE = {
    "image_url": "https://example.com/room.png",
    "mask_image_url": "https://example.com/room-mask.png",
    "prompt": "a sunny beach behind the armchair",
    "count": 1,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InpaintInput):
    """Inpaint's fields; only what the prompt describes differs."""

    prompt: str = prompt_field(
        "What to paint around the part that stays: outside the mask's white part, or without "
        "a mask into the image's transparent part."
    )


process = operation_process("outpaint", file_fields={"image": "image", "mask_image": "mask_image"})
