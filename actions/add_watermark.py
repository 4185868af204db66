"""Add watermark: a watermark image placed on a photo, or repeated over it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from picsart_component.catalogue.choices import (
    WATERMARK_ANCHOR_ALIASES,
    OutputFormat,
    WatermarkAnchor,
)
from picsart_component.runtime.models import ChoiceAliases

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput, downloaded_file_field, passed_url_field
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, source_problems

TITLE = "Add watermark"
DESCRIPTION = "Place a watermark image on a photo, or repeat it over the whole photo."
HELP = (
    "Give the watermark by exactly one of Watermark and Watermark URL. Give the image by exactly "
    "one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-add-watermark"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "watermark_url": "https://example.com/logo.png",
    "anchor_point": "right-bottom",
    "watermark_opacity": 60,
}
ONLY_ONE = "Fill only one of Watermark and Watermark URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    watermark: str | None = downloaded_file_field(
        "Watermark",
        "The address of the watermark image, stored internally or externally; the component "
        "downloads it and uploads it. " + ONLY_ONE,
    )
    watermark_url: str | None = passed_url_field(
        "Watermark URL",
        "The http(s) URL of the watermark image, which Picsart fetches itself. " + ONLY_ONE,
    )
    anchor_point: Annotated[
        WatermarkAnchor | None, ChoiceAliases(WATERMARK_ANCHOR_ALIASES)
    ] = Field(
        None,
        title="Position",
        description=(
            "Where the watermark goes (center-middle when empty); pattern repeats it over the "
            "whole image."
        ),
        json_schema_extra={"default": "center-middle"},
    )  # fmt: skip
    watermark_width: int | None = Field(
        None, title="Watermark Width", description="The watermark's width in pixels.", ge=1
    )
    watermark_height: int | None = Field(
        None, title="Watermark Height", description="The watermark's height in pixels.", ge=1
    )
    watermark_opacity: int | None = Field(
        None,
        title="Watermark Opacity",
        description="From 0 (invisible) to 100 (opaque); 50 when empty.",
        ge=0,
        le=100,
        json_schema_extra={"default": 50},
    )
    watermark_angle: int | None = Field(
        None,
        title="Watermark Angle",
        description="The watermark's rotation, from 0 to 360 degrees.",
        ge=0,
        le=360,
    )
    watermark_padding_x: int | None = Field(
        None,
        title="Watermark Padding X",
        description="Space beside the watermark, in pixels (0 when empty).",
        ge=0,
        json_schema_extra={"default": 0},
    )
    watermark_padding_y: int | None = Field(
        None,
        title="Watermark Padding Y",
        description="Space above and below the watermark, in pixels (0 when empty).",
        ge=0,
        json_schema_extra={"default": 0},
    )
    format: OutputFormat | None = format_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("watermark", "watermark_url")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]


process = operation_process(
    "addWatermark",
    file_fields={"image": "image", "watermark": "watermark"},
    accepted_formats=TOOL_FORMATS,
)
