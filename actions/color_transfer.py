"""Color transfer: give an image the colours of a reference image."""

from __future__ import annotations

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ReferenceSourceInput

TITLE = "Color transfer"
DESCRIPTION = "Give an image the colours of a reference image."
HELP = (
    "Give the reference by exactly one of Reference Image, Reference Image URL and Reference Image "
    "ID. Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO "
    "or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-transfer-color"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "reference_image_url": "https://example.com/sunset.jpg",
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ReferenceSourceInput, ImageSourceInput):
    format: OutputFormat | None = format_field()


process = operation_process(
    "colorTransfer",
    file_fields={"image": "image", "reference_image": "reference_image"},
    accepted_formats=TOOL_FORMATS,
)
