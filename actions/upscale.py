"""Upscale: enlarge an image 2, 4, 6 or 8 times."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import (
    MAX_UPSCALE_OUTPUT_SIDE,
    UPSCALE_INPUT_FORMATS,
    OutputFormat,
    UpscaleFactor,
)

from ..lib.context import PicsartContext as Context
from ..lib.errors import InputError, Problem
from ..lib.fields import DownloadResultConfig, ImageResultOutput, ImageSourceInput
from ..lib.operations import Sizes, operation_process

ACCEPTED_FORMATS = UPSCALE_INPUT_FORMATS
MAX_OUTPUT_SIDE = MAX_UPSCALE_OUTPUT_SIDE
QUOTED_OUTPUT_PIXELS = 16 * 1024 * 1024
RECOMMENDED_INPUT_SIDE = {2: 2000, 4: 1024, 6: 800, 8: 600}
TITLE = "Upscale"
DESCRIPTION = "Increase the resolution of an image by a factor of 2, 4, 6 or 8."
HELP = (
    "Results may be at most 4800x4800 pixels. Accepts JPG, PNG, TIFF and WEBP images. Give the "
    "image by exactly one of Image, Image URL and Image ID."
)
HELP_LINK = "https://docs.picsart.io/reference/image-upscale"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 2}


class Config(DownloadResultConfig):
    pass


class Input(ImageSourceInput):
    upscale_factor: UpscaleFactor = Field(
        title="Upscale Factor",
        description=(
            "How many times larger the result is: 2, 4, 6 or 8. The result may be at most "
            "4800x4800 pixels; the recommended largest inputs are 2000x2000 for 2, 1024x1024 "
            "for 4, 800x800 for 6 and 600x600 for 8."
        ),
    )
    format: OutputFormat | None = Field(
        None,
        title="Format",
        description="The result's image format: JPG, PNG or WEBP.",
        json_schema_extra={"default": "JPG"},
    )


class Output(ImageResultOutput):
    pass


def check_dimensions(body: Input, sizes: Sizes, context: Context) -> None:
    """Refuse outputs over 4800x4800 before paying for them; warn above the recommended input
    (known when the component fetched the image)."""
    if "image" not in sizes:
        return
    width, height = sizes["image"]
    factor, logger = body.upscale_factor, context.logger
    largest = MAX_OUTPUT_SIDE // factor
    if width * factor > MAX_OUTPUT_SIDE or height * factor > MAX_OUTPUT_SIDE:
        raise InputError(
            [
                Problem(
                    "$.upscale_factor",
                    f"upscaling a {width}x{height} image by {factor} would give "
                    f"{width * factor}x{height * factor}, over the {MAX_OUTPUT_SIDE}x"
                    f"{MAX_OUTPUT_SIDE} limit; with factor {factor} the largest input is "
                    f"{largest}x{largest}",
                )
            ]
        )
    recommended = RECOMMENDED_INPUT_SIDE[factor]
    if width > recommended or height > recommended:
        logger.warning(
            "the %dx%d input is above the recommended %dx%d for factor %d; "
            "the result may be less sharp",
            width,
            height,
            recommended,
            recommended,
            factor,
        )
    pixels = width * height * factor * factor
    if pixels > QUOTED_OUTPUT_PIXELS:
        logger.warning(
            "the result would have %.1f Mpx; Picsart quotes 16 Mpx as its output limit",
            pixels / (1 << 20),
        )


process = operation_process(
    "upscale",
    file_fields={"image": "image"},
    accepted_formats=ACCEPTED_FORMATS,
    check_sizes=check_dimensions,
)
