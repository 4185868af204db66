"""Tags: hashtags that suit what an image shows."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.fields import NoConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ValueOutput

TITLE = "Tags"
DESCRIPTION = "Suggest hashtags for what an image shows."
HELP = (
    "Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or "
    "BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-tagging"
EXAMPLE = {"image_url": "https://example.com/mug.jpg"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    pass


class Output(ValueOutput):
    data: dict[str, Any] = Field(
        title="Data", description="The tags, as Picsart gives them (a list under tags)."
    )


process = operation_process(
    "tagImage", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
