"""Zoom: magnify an image 1 to 75 times around a point, keeping its size."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat, ZoomAnchor

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Zoom"
DESCRIPTION = "Magnify an image 1 to 75 times around a point, keeping its size."
HELP = (
    "Anchor point ai closes in on the subject. Give the image by exactly one of Image, Image URL "
    "and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-zoom"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "scale_factor": 3, "anchor_point": "ai"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    scale_factor: int = Field(
        title="Scale Factor",
        description="How many times the image is magnified, from 1 to 75.",
        ge=1,
        le=75,
    )
    anchor_point: (
        ZoomAnchor
        | None
    ) = Field(
        None,
        title="Anchor Point",
        description=(
            "The point the zoom closes in on (center-middle when empty); ai finds the subject."
        ),
        json_schema_extra={"default": "center-middle"},
    )  # fmt: skip
    format: OutputFormat | None = format_field()


process = operation_process(
    "zoomImage", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
