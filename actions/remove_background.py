"""Remove background: cut the subject out of a photo, optionally onto a new background."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from picsart_component.catalogue.choices import REMOVEBG_INPUT_FORMATS, OutputFormat
from picsart_component.runtime.messages import Message

from ..lib.colors import color_problems
from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import (
    DEPRECATED_ID_NOTE,
    DownloadResultConfig,
    ImageResultOutput,
    ImageSourceInput,
    at_most_one,
    downloaded_file_field,
    file_path_problems,
    http_url_problems,
    passed_url_field,
    picsart_id_field,
)
from ..lib.jobs import OPERATIONS
from ..lib.operations import run_operation

ACCEPTED_FORMATS = REMOVEBG_INPUT_FORMATS
TITLE = "Remove background"
DESCRIPTION = "Remove or change the background of an image."
HELP = (
    "Works best on photos with a clear subject, a plain background and good contrast. Accepts JPG, "
    "PNG, TIFF, WEBP and MPO images. Give the image by exactly one of Image, Image URL and Image "
    "ID."
)
HELP_LINK = "https://docs.picsart.io/reference/image-remove-background"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "bg_color": "#ffffff", "shadow": "bottom"}

ONLY_ONE_BACKGROUND = (
    "Fill only one of Background Image, Background Image URL, Background Image ID and "
    "Background Color."
)
CUTOUT_ONLY = "Works only when Output Type is cutout."
SHADOW_ONLY = "Works only when Shadow is not disabled."
BACKGROUND_SOURCES = ("bg_image", "bg_image_url", "bg_image_id", "bg_color")
STROKE_FIELDS = ("stroke_size", "stroke_color", "stroke_opacity")
SHADOW_SETTINGS = ("shadow_opacity", "shadow_blur", "shadow_offset_x", "shadow_offset_y")


class Config(DownloadResultConfig):
    pass


class Input(ImageSourceInput):
    output_type: Literal["cutout", "mask"] | None = Field(
        None,
        title="Output Type",
        description=(
            "cutout returns the subject on a transparent (or new) background; mask returns a "
            "black and white mask of the subject."
        ),
        json_schema_extra={"default": "cutout"},
    )
    bg_image: str | None = downloaded_file_field(
        "Background Image",
        "The address of a background image stored internally or externally; the component "
        "downloads it and uploads it to Picsart. " + ONLY_ONE_BACKGROUND,
    )
    bg_image_url: str | None = passed_url_field(
        "Background Image URL",
        "The http(s) URL of a background image that Picsart fetches itself. " + ONLY_ONE_BACKGROUND,
    )
    bg_image_id: str | None = picsart_id_field(
        "Background Image ID",
        "The id of a background image uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " "
        + ONLY_ONE_BACKGROUND,
    )
    bg_color: str | None = Field(
        None,
        title="Background Color",
        description=(
            "A hex colour (#82d5fa, #fff, or #18d4ff87 with transparency) or a colour name "
            "(blue). " + ONLY_ONE_BACKGROUND
        ),
        min_length=1,
    )
    bg_blur: int | None = Field(
        None,
        title="Background Blur",
        description="How much to blur the background, from 0 to 100.",
        ge=0,
        le=100,
        json_schema_extra={"default": 0},
    )
    bg_width: int | None = Field(
        None,
        title="Background Width",
        description="The background's width in pixels; its original width when empty.",
        ge=1,
    )
    bg_height: int | None = Field(
        None,
        title="Background Height",
        description="The background's height in pixels; its original height when empty.",
        ge=1,
    )
    scale: Literal["fit", "fill"] | None = Field(
        None,
        title="Scale",
        description=(
            "fit makes the longer side of the subject fit the background; fill makes the "
            "shorter side fit it."
        ),
        json_schema_extra={"default": "fit"},
    )
    auto_center: bool | None = Field(
        None,
        title="Auto Center",
        description=(
            "Centre the subject automatically. " + CUTOUT_ONLY + " Not advised when the "
            "subject is only partly in the picture."
        ),
        json_schema_extra={"default": False},
    )
    stroke_size: int | None = Field(
        None,
        title="Stroke Size",
        description="Width of a solid border around the cutout, 0 to 100 (0: none). " + CUTOUT_ONLY,
        ge=0,
        le=100,
        json_schema_extra={"default": 0},
    )
    stroke_color: str | None = Field(
        None,
        title="Stroke Color",
        description=(
            "The border's colour: a hex colour with or without # (82d5fa, #fff, #18d4ff87) or a "
            "colour name. Used when Stroke Size is 1 or more."
        ),
        min_length=1,
    )
    stroke_opacity: int | None = Field(
        None,
        title="Stroke Opacity",
        description="The border's opacity, 0 (transparent) to 100 (opaque). " + CUTOUT_ONLY,
        ge=0,
        le=100,
        json_schema_extra={"default": 100},
    )
    shadow: (
        Literal[
            "disabled",
            "custom",
            "bottom-right",
            "bottom",
            "bottom-left",
            "left",
            "right",
            "top-left",
            "top",
            "top-right",
        ]
        | None
    ) = Field(
        None,
        title="Shadow",
        description=(
            "Adds a drop shadow: disabled, a preset direction, or custom (then Shadow Offset X "
            "and Shadow Offset Y are required)."
        ),
        json_schema_extra={"default": "disabled"},
    )
    shadow_opacity: int | None = Field(
        None,
        title="Shadow Opacity",
        description="The shadow's opacity, 0 to 100. " + SHADOW_ONLY,
        ge=0,
        le=100,
        json_schema_extra={"default": 20},
    )
    shadow_blur: int | None = Field(
        None,
        title="Shadow Blur",
        description="How soft the shadow is, 0 to 100. " + SHADOW_ONLY,
        ge=0,
        le=100,
        json_schema_extra={"default": 50},
    )
    shadow_offset_x: int | None = Field(
        None,
        title="Shadow Offset X",
        description="Horizontal shadow offset, -100 to 100. Required when Shadow is custom.",
        ge=-100,
        le=100,
    )
    shadow_offset_y: int | None = Field(
        None,
        title="Shadow Offset Y",
        description="Vertical shadow offset, -100 to 100. Required when Shadow is custom.",
        ge=-100,
        le=100,
    )
    format: OutputFormat | None = Field(
        None,
        title="Format",
        description="The result's image format: JPG, PNG or WEBP.",
        json_schema_extra={"default": "PNG"},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = super().cross_field_problems(body)
        problems += at_most_one(body, BACKGROUND_SOURCES)
        problems += http_url_problems(body, ("bg_image_url",))
        problems += file_path_problems(body, ("bg_image",))
        problems += color_problems(body, {"bg_color": False, "stroke_color": True})
        if body.get("shadow") == "custom":
            problems += [
                Problem(f"$.{key}", "is required when shadow is custom")
                for key in ("shadow_offset_x", "shadow_offset_y")
                if body.get(key) is None
            ]
        return problems


class Output(ImageResultOutput):
    pass


def ineffective_settings(body: Input) -> list[str]:
    """Settings the user gave that Picsart documents as having no effect in this combination."""
    given = body.model_fields_set
    notes = []
    if body.output_type == "mask":
        ignored = [
            key for key in (*STROKE_FIELDS, "auto_center", *BACKGROUND_SOURCES) if key in given
        ]
        if ignored:
            notes.append(f"{', '.join(ignored)} only work(s) with output_type cutout")
    if body.shadow in (None, "disabled"):
        ignored = [key for key in SHADOW_SETTINGS if key in given]
        if ignored:
            notes.append(f"{', '.join(ignored)} only work(s) when shadow is enabled")
    elif body.shadow != "custom":
        ignored = [key for key in ("shadow_offset_x", "shadow_offset_y") if key in given]
        if ignored:
            notes.append(f"{', '.join(ignored)} only work(s) when shadow is custom")
    if body.stroke_size in (None, 0):
        ignored = [key for key in ("stroke_color", "stroke_opacity") if key in given]
        if ignored:
            notes.append(f"{', '.join(ignored)} only work(s) when stroke_size is 1 or more")
    return notes


def process(body: Input, config: Config, context: Context) -> Message:
    for note in ineffective_settings(body):
        context.logger.warning("has no effect: %s", note)
    return run_operation(
        OPERATIONS["removeBackground"],
        body,
        context=context,
        config=config,
        file_fields={"image": "image", "bg_image": "bg_image"},
        accepted_formats=ACCEPTED_FORMATS,
    )
