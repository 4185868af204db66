"""Vectorize: a raster image traced into an SVG vector graphic that scales without loss."""

from __future__ import annotations

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Vectorize"
DESCRIPTION = "Trace an image into an SVG vector graphic that scales without loss."
HELP = (
    "Works best on logos, icons and flat artwork. Give the image by exactly one of Image, Image "
    "URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-vectorize-raster-to-svg"
EXAMPLE = {"image_url": "https://example.com/logo.png", "downscale_to": 512}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    downscale_to: int | None = Field(
        None,
        title="Downscale To",
        description=(
            "The image's longer side is first scaled down to this many pixels (2048 when empty): "
            "smaller traces faster into simpler shapes."
        ),
        ge=1,
        json_schema_extra={"default": 2048},
    )


process = operation_process(
    "vectorizeImage", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
