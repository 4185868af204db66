"""Selective blur: blur one part of an image, named in words (the background, faces, plates)."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, segment_field

TITLE = "Selective blur"
DESCRIPTION = "Blur one part of an image, named in words: the background, faces, car plates."
HELP = (
    "Name the part to blur in Segment (at most 90 characters). Give the image by exactly one of "
    "Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-selective-blur"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "segment": "background", "blur": 60}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    segment: str = segment_field(
        "What to blur, in a few words (background, foreground, faces, car plates); at most 90 "
        "characters."
    )
    blur: int | None = Field(
        None,
        title="Blur",
        description="How strong the blur is, from 1 to 100 (50 when empty).",
        ge=1,
        le=100,
        json_schema_extra={"default": 50},
    )
    format: OutputFormat | None = format_field()


process = operation_process(
    "selectiveBlur", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
