"""Extract colors: an image's key colours, most used first."""

from __future__ import annotations

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.fields import NoConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ValueOutput

TITLE = "Extract colors"
DESCRIPTION = "Find an image's key colours, most used first."
HELP = (
    "Up to five colours, as hex codes. Give the image by exactly one of Image, Image URL and Image "
    "ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-extract-colors"
EXAMPLE = {"image_url": "https://example.com/mug.jpg"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    pass


class Output(ValueOutput):
    data: list[str] = Field(
        title="Data", description="Up to five colours, most used first, as hex codes."
    )


process = operation_process(
    "extractColors", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
