"""Edit: resize or crop an image, flip, rotate and straighten its perspective."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from picsart_component.catalogue.choices import CropAnchor, OutputFormat
from picsart_component.runtime.messages import Message

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.jobs import OPERATIONS
from ..lib.operations import run_operation
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Edit: resize, crop, flip, rotate"
DESCRIPTION = "Resize or crop an image, flip it, rotate it and straighten its perspective."
HELP = (
    "Mode resize scales to Width and Height (or the longer side to Size); mode crop cuts a Width x "
    "Height window. Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, "
    "TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-edit"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "mode": "resize",
    "width": 240,
    "flip": "horizontal",
    "rotate": 10,
}
CROP_ONLY = ("crop_x", "crop_y", "crop_anchor")

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    mode: Literal["resize", "crop"] | None = Field(
        None,
        title="Mode",
        description=(
            "resize scales the image to Width and Height (or its longer side to Size); crop "
            "cuts a Width x Height window out of it, at Crop X and Crop Y or by Crop Anchor."
        ),
    )
    size: int | None = Field(
        None,
        title="Size",
        description="For resize: the longer side in pixels, the other following the ratio.",
        ge=1,
    )
    width: int | None = Field(None, title="Width", description="In pixels.", ge=1)
    height: int | None = Field(None, title="Height", description="In pixels.", ge=1)
    crop_x: int | None = Field(
        None, title="Crop X", description="For crop: the window's left edge in pixels.", ge=0
    )
    crop_y: int | None = Field(
        None, title="Crop Y", description="For crop: the window's top edge in pixels.", ge=0
    )
    crop_anchor: CropAnchor | None = Field(
        None,
        title="Crop Anchor",
        description="For crop without Crop X and Y: where the window sits (center when empty).",
        json_schema_extra={"default": "center"},
    )
    flip: Literal["horizontal", "vertical"] | None = Field(
        None, title="Flip", description="Mirror the image left to right, or top to bottom."
    )
    rotate: float | None = Field(
        None,
        title="Rotate",
        description="Degrees to turn the image, from -180 to 180 (0 when empty).",
        ge=-180,
        le=180,
        json_schema_extra={"default": 0.0},
    )
    perspective_horizontal: int | None = Field(
        None,
        title="Perspective Horizontal",
        description="Tilt sideways, from -45 to 45 (0 when empty).",
        ge=-45,
        le=45,
        json_schema_extra={"default": 0},
    )
    perspective_vertical: int | None = Field(
        None,
        title="Perspective Vertical",
        description="Tilt forwards or back, from -45 to 45 (0 when empty).",
        ge=-45,
        le=45,
        json_schema_extra={"default": 0},
    )
    quality: int | None = Field(
        None,
        title="Quality",
        description="The JPG or WEBP quality, from 10 to 100 (90 when empty).",
        ge=10,
        le=100,
        json_schema_extra={"default": 90},
    )
    format: OutputFormat | None = format_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = super().cross_field_problems(body)
        if body.get("mode") == "crop":
            problems += [
                Problem(f"$.{key}", "is required when mode is crop")
                for key in ("width", "height")
                if body.get(key) is None
            ]
        return problems


def process(body: Input, config: Config, context: Context) -> Message:
    ignored = [key for key in CROP_ONLY if key in body.model_fields_set and body.mode != "crop"]
    if ignored:
        context.logger.warning(
            "has no effect: %s only work(s) when mode is crop", ", ".join(ignored)
        )
    return run_operation(
        OPERATIONS["transformImage"],
        body,
        context=context,
        config=config,
        file_fields={"image": "image"},
        accepted_formats=TOOL_FORMATS,
    )
