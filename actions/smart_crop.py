"""Smart crop: crop an image around a part named in words (the product, a hat, a face)."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat, Ratio

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, segment_field

TITLE = "Smart crop"
DESCRIPTION = "Crop an image around a part named in words: the product, a hat, a face."
HELP = (
    "Name the part in Segment; choose a ratio or a size, and a margin. Give the image by exactly "
    "one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-smart-crop"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "segment": "foreground", "ratio": "1:1"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    segment: str = segment_field(
        "What to crop around, in a few words (foreground, the shoes, the logo); at most 90 "
        "characters."
    )
    ratio: Ratio | None = Field(
        None, title="Ratio", description="The crop's width to height ratio."
    )
    width: int | None = Field(
        None, title="Width", description="The result's width in pixels.", ge=0
    )
    height: int | None = Field(
        None, title="Height", description="The result's height in pixels.", ge=0
    )
    margin: int | None = Field(
        None,
        title="Margin",
        description="Room left around the part, in percent, from 0 to 100 (0 when empty).",
        ge=0,
        le=100,
        json_schema_extra={"default": 0},
    )
    format: OutputFormat | None = format_field()


process = operation_process(
    "smartCrop", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
