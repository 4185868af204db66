"""Extract colors: an image's key colours, most used first."""

from __future__ import annotations

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.fields import NoConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ValueOutput

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
