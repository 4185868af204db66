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

TITLE = "Background texture (deprecated)"
DESCRIPTION = (
    "Make a repeating background pattern from an image (the older name of Background pattern)."
)
HELP = (
    "Picsart has renamed this operation Background pattern; use that in new flows. Same fields. "
    "Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or "
    "BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-generate-texture"
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
