"""Ultra upscale: enlarge an image 2 to 16 times while smoothing noise; best on small images."""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field

from picsart_component.catalogue.choices import UPSCALE_INPUT_FORMATS, OutputFormat
from picsart_component.runtime.messages import Message

from ..lib.context import PicsartContext as Context
from ..lib.errors import InputError, Problem
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import format_field
from ..lib.jobs import OPERATIONS
from ..lib.operations import Sizes, run_operation

OPERATION = OPERATIONS["ultraUpscale"]
ACCEPTED_FORMATS = UPSCALE_INPUT_FORMATS
MAX_INPUT_PIXELS = 2048 * 2048
MAX_OUTPUT_PIXELS = 64 * 1024 * 1024
ASYNC_FACTOR = 8
ASYNC_OUTPUT_PIXELS = 16 * 1024 * 1024
TITLE = "Ultra upscale"
DESCRIPTION = (
    "Enlarge an image 2 to 16 times with noise suppression; best on small images, faces and "
    "graphics."
)
HELP = (
    "Inputs of at most 4 Mpx (2048x2048) and results of at most 64 Mpx. Accepts JPG, PNG, TIFF and "
    "WEBP images. Large results and high factors run best as a job (Execution auto does that). "
    "Give the image by exactly one of Image, Image URL and Image ID."
)
HELP_LINK = "https://docs.picsart.io/reference/image-ultra-upscale"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 4}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    upscale_factor: Literal[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] | None = Field(
        None,
        title="Upscale Factor",
        description=(
            "How many times larger the result is, from 2 to 16 (2 when empty). Inputs may be "
            "at most 4 Mpx (2048x2048), results at most 64 Mpx."
        ),
        json_schema_extra={"default": 2},
    )
    image_type: Literal["product", "portrait", "nature", "graphics"] | None = Field(
        None,
        title="Image Type",
        description="What the image shows, so that Picsart picks the model that suits it best.",
    )
    product_type: Literal["product", "portrait", "nature", "graphics"] | None = Field(
        None,
        title="Product Type (deprecated)",
        description="The older name of Image Type, which Picsart has deprecated; use Image Type.",
        json_schema_extra={"deprecated": True},
    )
    format: OutputFormat | None = format_field()


def check_sizes(factor: int, sizes: Sizes, logger: logging.Logger) -> None:
    """Refuse, before paying, an input over 4 Mpx or a result over 64 Mpx."""
    if "image" not in sizes:
        return
    width, height = sizes["image"]
    if width * height > MAX_INPUT_PIXELS:
        raise InputError(
            [
                Problem(
                    "$.image",
                    f"is {width}x{height} ({width * height / 1e6:.1f} Mpx); Ultra upscale takes "
                    "images of at most 4 Mpx (2048x2048)",
                )
            ]
        )
    output = width * height * factor * factor
    if output > MAX_OUTPUT_PIXELS:
        largest = int((MAX_OUTPUT_PIXELS / (width * height)) ** 0.5)
        raise InputError(
            [
                Problem(
                    "$.upscale_factor",
                    f"upscaling a {width}x{height} image by {factor} would give "
                    f"{width * factor}x{height * factor} ({output / (1 << 20):.0f} Mpx), over "
                    f"the 64 Mpx limit; the largest factor for this image is {largest}",
                )
            ]
        )
    logger.debug("ultra upscale of %dx%d by %d", width, height, factor)


def recommend_async(factor: int, sizes: Sizes) -> bool:
    """Picsart recommends a job for high factors and large results."""
    if factor >= ASYNC_FACTOR:
        return True
    if "image" in sizes:
        width, height = sizes["image"]
        return width * height * factor * factor > ASYNC_OUTPUT_PIXELS
    return False


def process(body: Input, config: Config, context: Context) -> Message:
    factor = body.upscale_factor or 2
    return run_operation(
        OPERATION,
        body,
        context=context,
        config=config,
        file_fields={"image": "image"},
        accepted_formats=ACCEPTED_FORMATS,
        check_sizes=lambda sizes: check_sizes(factor, sizes, context.logger),
        recommend_async=lambda sizes: recommend_async(factor, sizes),
    )
