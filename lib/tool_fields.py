"""Fields and rules the image API's catalogue of actions shares: second images (references,
overlays, masks, stickers, watermarks), segments, previews, and the outputs that hold no file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field

from picsart_component.catalogue.choices import (
    TOOL_INPUT_FORMATS,
    WATERMARK_ANCHOR_ALIASES,
    WatermarkAnchor,
)
from picsart_component.runtime.models import ChoiceAliases, InputModel, OutputModel

from .errors import Problem
from .fields import (
    DEPRECATED_ID_NOTE,
    ActionOutput,
    at_most_one,
    downloaded_file_field,
    exactly_one,
    file_path_problems,
    http_url_problems,
    passed_url_field,
    picsart_id_field,
)
from .genai_fields import NOT_BLANK

TOOL_FORMATS = TOOL_INPUT_FORMATS


def source_problems(
    body: Mapping[str, Any], keys: Sequence[str], *, required: bool
) -> list[Problem]:
    """One group of sources (a file to download, a URL, an id): exactly one when ``required``,
    else at most one; the URL an http(s) URL, the file an address rather than a path."""
    file_key, url_key = keys[0], keys[1]
    return [
        *(exactly_one if required else at_most_one)(body, keys),
        *http_url_problems(body, (url_key,)),
        *file_path_problems(body, (file_key,)),
    ]


def segment_field(what: str) -> Any:
    return Field(
        title="Segment",
        description=what,
        min_length=1,
        max_length=90,
        pattern=NOT_BLANK,
    )


def fade_field() -> Any:
    return Field(
        None,
        title="Fade",
        description="How much of the original shows through, from 0 (none) to 100 (0 when empty).",
        ge=0,
        le=100,
        json_schema_extra={"default": 0},
    )


def preview_size_field(*, bounded: bool) -> Any:
    if bounded:
        return Field(
            None,
            title="Preview Size",
            description="The previews' longer side in pixels, from 50 to 240 (120 when empty).",
            ge=50,
            le=240,
            json_schema_extra={"default": 120},
        )
    return Field(
        None,
        title="Preview Size",
        description="The previews' longer side in pixels (120 when empty).",
        ge=1,
        json_schema_extra={"default": 120},
    )


class ReferenceSourceInput(InputModel):
    """The reference image whose colours or style the action takes (exactly one source)."""

    reference_image: str | None = downloaded_file_field(
        "Reference Image",
        "The address of the reference image, stored internally or externally; the component "
        "downloads it and uploads it. Fill only one of the three Reference fields.",
    )
    reference_image_url: str | None = passed_url_field(
        "Reference Image URL",
        "The http(s) URL of the reference image, which Picsart fetches itself. Fill only one "
        "of the three Reference fields.",
    )
    reference_image_id: str | None = picsart_id_field(
        "Reference Image ID",
        "The id of a reference image uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " Fill only one of the three Reference fields.",
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("reference_image", "reference_image_url", "reference_image_id")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]


class OverlaySourceInput(InputModel):
    """The image laid over the main one (exactly one source)."""

    overlay_image: str | None = downloaded_file_field(
        "Overlay Image",
        "The address of the image to lay over the main one, stored internally or externally; "
        "the component downloads it and uploads it. Fill only one of the three Overlay fields.",
    )
    overlay_image_url: str | None = passed_url_field(
        "Overlay Image URL",
        "The http(s) URL of the overlay, which Picsart fetches itself. Fill only one of the "
        "three Overlay fields.",
    )
    overlay_image_id: str | None = picsart_id_field(
        "Overlay Image ID",
        "The id of an overlay uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " Fill only one of the three Overlay fields.",
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("overlay_image", "overlay_image_url", "overlay_image_id")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]


class SurfaceSourcesInput(InputModel):
    """Where on the image the sticker is printed (a mask) and the sticker (one source each)."""

    mask: str | None = downloaded_file_field(
        "Mask",
        "The address of a mask, the image's size, white where the sticker is printed; the "
        "component downloads it and uploads it. Fill only one of the three Mask fields.",
    )
    mask_url: str | None = passed_url_field(
        "Mask URL",
        "The http(s) URL of the mask, which Picsart fetches itself. Fill only one of the "
        "three Mask fields.",
    )
    mask_id: str | None = picsart_id_field(
        "Mask ID",
        "The id of a mask uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " Fill only one of the three Mask fields.",
    )
    sticker: str | None = downloaded_file_field(
        "Sticker",
        "The address of the sticker (a design, a logo) to print, stored internally or "
        "externally; the component downloads it and uploads it. Fill only one of the three "
        "Sticker fields.",
    )
    sticker_url: str | None = passed_url_field(
        "Sticker URL",
        "The http(s) URL of the sticker, which Picsart fetches itself. Fill only one of the "
        "three Sticker fields.",
    )
    sticker_id: str | None = picsart_id_field(
        "Sticker ID",
        "The id of a sticker uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " Fill only one of the three Sticker fields.",
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *source_problems(body, ("mask", "mask_url", "mask_id"), required=True),
            *source_problems(body, ("sticker", "sticker_url", "sticker_id"), required=True),
        ]


class ValueOutput(ActionOutput):
    """An answer that holds data rather than a file."""

    status: str = Field(title="Status", description="Picsart's status of the operation.")


class PreviewItem(OutputModel):
    url: str = Field(title="URL", description="Where Picsart serves the preview (about 24 hours).")
    id: str | None = Field(None, title="ID", description="The preview's id at Picsart.")
    status: str | None = Field(None, title="Status", description="Picsart's status of it.")


class PreviewsOutput(ValueOutput):
    attachmentUrls: list[str] | None = Field(
        None,
        title="Attachment URLs",
        description="The stored copies of the previews, in order, when Download result is on.",
    )


_COLOR_NOTE = "a hex colour (#82d5fa, #fff, #18d4ff87) or a colour name (blue)"
ENGRAVING_COLORS = {"engrave_color": False, "background_color": False}
"""The two colour fields of the laser engraving actions, for ``color_problems`` (neither may be
transparent)."""


def engrave_color_field() -> Any:
    """The colour of a laser engraving's lines."""
    return Field(
        None,
        title="Engrave Color",
        description=f"The colour of the lines: {_COLOR_NOTE} (black when empty).",
        min_length=1,
        json_schema_extra={"default": "black"},
    )


def engraving_background_field() -> Any:
    """The colour behind a laser engraving's lines."""
    return Field(
        None,
        title="Background Color",
        description=f"The colour behind the lines: {_COLOR_NOTE} (white when empty).",
        min_length=1,
        json_schema_extra={"default": "white"},
    )


ONLY_ONE_WATERMARK = "Fill only one of Watermark and Watermark URL."


class WatermarkInput(InputModel):
    """A watermark and where it goes, as the image and video APIs' Add watermark take them:
    exactly one of Watermark (downloaded and uploaded) and Watermark URL. Put it after the
    picture's own source in an action's bases (``class Input(WatermarkInput, ImageSourceInput)``)
    so that the form shows the picture first."""

    watermark: str | None = downloaded_file_field(
        "Watermark",
        "The address of the watermark image, stored internally or externally; the component "
        "downloads it and uploads it. " + ONLY_ONE_WATERMARK,
    )
    watermark_url: str | None = passed_url_field(
        "Watermark URL",
        "The http(s) URL of the watermark image, which Picsart fetches itself. "
        + ONLY_ONE_WATERMARK,
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

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("watermark", "watermark_url")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]
