"""Background pattern: a repeating background pattern made from an image."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Background pattern"
DESCRIPTION = "Make a repeating background pattern from an image."
HELP = (
    "Choose the repeat (hex, hex2, diamond, mirror, tile), its scale, rotation and offset, and the "
    "result's size (up to 8000x8000). Give the image by exactly one of Image, Image URL and Image "
    "ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-generate-pattern"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "pattern": "diamond",
    "width": 600,
    "height": 400,
    "scale": 0.5,
}

__all__ = ["Config", "Context", "Input", "Output", "PatternFields", "process"]


class PatternFields(InputModel):
    """The pattern's settings; Background texture, its older name, takes the same."""

    width: int | None = Field(
        None,
        title="Width",
        description="The result's width in pixels, at most 8000 (1024 when empty).",
        ge=1,
        le=8000,
        json_schema_extra={"default": 1024},
    )
    height: int | None = Field(
        None,
        title="Height",
        description="The result's height in pixels, at most 8000 (1024 when empty).",
        ge=1,
        le=8000,
        json_schema_extra={"default": 1024},
    )
    pattern: Literal["hex", "mirror", "diamond", "hex2", "tile"] | None = Field(
        None,
        title="Pattern",
        description="How the image repeats: hex, hex2, diamond, mirror or tile (hex when empty).",
        json_schema_extra={"default": "hex"},
    )
    offset_x: int | None = Field(
        None,
        title="Offset X",
        description="How far the pattern is shifted sideways, in pixels (0 when empty).",
        json_schema_extra={"default": 0},
    )
    offset_y: int | None = Field(
        None,
        title="Offset Y",
        description="How far the pattern is shifted up or down, in pixels (0 when empty).",
        json_schema_extra={"default": 0},
    )
    rotate: int | None = Field(
        None,
        title="Rotate",
        description="The pattern's rotation, from -180 to 180 degrees (0 when empty).",
        ge=-180,
        le=180,
        json_schema_extra={"default": 0},
    )
    scale: float | None = Field(
        None,
        title="Scale",
        description="The size of each repeat, from 0.5 to 10 times the image's (1 when empty).",
        ge=0.5,
        le=10,
        json_schema_extra={"default": 1.0},
    )
    format: OutputFormat | None = format_field()


class Input(PatternFields, ImageSourceInput):
    pass


process = operation_process(
    "backgroundPattern", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
