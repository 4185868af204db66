"""Inpaint: repaint an area inside an image as a prompt says."""

from __future__ import annotations

from typing import Literal

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
    format: Literal["JPG", "PNG", "WEBP"] | None = format_field()


process = operation_process("inpaint", file_fields={"image": "image", "mask_image": "mask_image"})
