"""Surface map: "print" a sticker onto a surface in an image, following its folds and light."""

from __future__ import annotations

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, SurfaceSourcesInput

TITLE = "Surface map"
DESCRIPTION = (
    "Print a sticker onto a surface in an image, following its folds and light: a print preview."
)
HELP = (
    "Give the mask (where to print, the image's size) and the sticker by one of their three fields "
    "each. Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, "
    "MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-surfacemap"
EXAMPLE = {
    "image_url": "https://example.com/tshirt.jpg",
    "mask_url": "https://example.com/tshirt-print-area.png",
    "sticker_url": "https://example.com/logo.png",
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(SurfaceSourcesInput, ImageSourceInput):
    format: OutputFormat | None = format_field()


process = operation_process(
    "surfaceMap",
    file_fields={"image": "image", "mask": "mask", "sticker": "sticker"},
    accepted_formats=TOOL_FORMATS,
)
