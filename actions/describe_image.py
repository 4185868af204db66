"""Describe: a written description of what an image shows."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.fields import NoConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ValueOutput

TITLE = "Describe"
DESCRIPTION = "Write a description of what an image shows."
HELP = (
    "Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or "
    "BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-describer"
EXAMPLE = {"image_url": "https://example.com/mug.jpg"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    pass


class Output(ValueOutput):
    data: dict[str, Any] = Field(
        title="Data", description="The description, under description, as Picsart gives it."
    )


process = operation_process(
    "describeImage", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
