"""Background texture (deprecated): the older name of Background pattern, which Picsart keeps
answering; use Background pattern in new flows."""

from __future__ import annotations

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS
from .background_pattern import PatternFields

EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "pattern": "tile",
    "width": 400,
    "height": 400,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(PatternFields, ImageSourceInput):
    pass


process = operation_process(
    "backgroundTexture", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
