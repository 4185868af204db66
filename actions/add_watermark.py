"""Add watermark: a watermark image placed on a photo, or repeated over it."""

from __future__ import annotations

from picsart_component.catalogue.choices import (
    OutputFormat,
)

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, WatermarkInput

TITLE = "Add watermark"
DESCRIPTION = "Place a watermark image on a photo, or repeat it over the whole photo."
HELP = (
    "Give the watermark by exactly one of Watermark and Watermark URL. Give the image by exactly "
    "one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-add-watermark"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "watermark_url": "https://example.com/logo.png",
    "anchor_point": "right-bottom",
    "watermark_opacity": 60,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(WatermarkInput, ImageSourceInput):
    format: OutputFormat | None = format_field()


process = operation_process(
    "addWatermark",
    file_fields={"image": "image", "watermark": "watermark"},
    accepted_formats=TOOL_FORMATS,
)
