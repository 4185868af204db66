"""Enhance face: restore faces in old or blurry photos (detail, skin texture, colour)."""

from __future__ import annotations

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Enhance face"
DESCRIPTION = (
    "Restore the faces in old or blurry photos: sharper detail, cleaner skin, better colour."
)
HELP = (
    "Works best on portraits and selfies. Give the image by exactly one of Image, Image URL and "
    "Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-face-enhance"
EXAMPLE = {"image_url": "https://example.com/portrait.jpg"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    format: OutputFormat | None = format_field()


process = operation_process(
    "enhanceFace", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
