"""Ultra enhance: enlarge an image 2 to 16 times with generated detail; good for denoising."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat
from picsart_component.runtime.messages import Message

from ..lib.context import PicsartContext as Context
from ..lib.errors import InputError, Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.jobs import OPERATIONS
from ..lib.operations import Sizes, run_operation
from ..lib.tool_fields import TOOL_FORMATS

MAX_OUTPUT_PIXELS = 64 * 1024 * 1024
TITLE = "Ultra enhance"
DESCRIPTION = "Enlarge an image 2 to 16 times with generated detail; it also removes noise."
HELP = (
    "Results may be at most 64 Mpx; when the component downloads the image itself, a larger result "
    "is refused before paying. Give the image by exactly one of Image, Image URL and Image ID "
    "(JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-ultra-enhance"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 2}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    upscale_factor: Literal[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] | None = Field(
        None,
        title="Upscale Factor",
        description="How many times larger the result is, from 2 to 16 (2 when empty); results "
        "may be at most 64 Mpx.",
        json_schema_extra={"default": 2},
    )
    format: OutputFormat | None = format_field()


def check_output(factor: int, sizes: Sizes) -> None:
    """Refuse, before paying, a result over 64 Mpx (known when the component fetched the image)."""
    if "image" not in sizes:
        return
    width, height = sizes["image"]
    if width * height * factor * factor > MAX_OUTPUT_PIXELS:
        largest = int((MAX_OUTPUT_PIXELS / (width * height)) ** 0.5)
        raise InputError(
            [
                Problem(
                    "$.upscale_factor",
                    f"enhancing a {width}x{height} image {factor} times would give more than "
                    f"64 Mpx; the largest factor for this image is {largest}",
                )
            ]
        )


def process(body: Input, config: Config, context: Context) -> Message:
    factor = body.upscale_factor or 2
    return run_operation(
        OPERATIONS["upscaleEnhance"],
        body,
        context=context,
        config=config,
        file_fields={"image": "image"},
        accepted_formats=TOOL_FORMATS,
        check_sizes=lambda sizes: check_output(factor, sizes),
    )
