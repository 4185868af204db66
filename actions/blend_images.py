"""Blend: lay one image over another with a blend mode (multiply, screen, overlay, ...)."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import BlendMode, OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, OverlaySourceInput

TITLE = "Blend"
DESCRIPTION = (
    "Lay one image over another with a blend mode: multiply, screen, overlay and ten more."
)
HELP = (
    "Give the overlay by exactly one of its three fields. Give the image by exactly one of Image, "
    "Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-blend"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "overlay_image_url": "https://example.com/paper-texture.jpg",
    "blend_mode": "multiply",
    "opacity": 60,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(OverlaySourceInput, ImageSourceInput):
    opacity: int | None = Field(
        None,
        title="Opacity",
        description="How visible the overlay is, from 0 to 100 (100 when empty).",
        ge=0,
        le=100,
        json_schema_extra={"default": 100},
    )
    blend_mode: (
        BlendMode
        | None
    ) = Field(
        None,
        title="Blend Mode",
        description="How the overlay's colours mix with the image's (normal when empty).",
        json_schema_extra={"default": "normal"},
    )  # fmt: skip
    format: OutputFormat | None = format_field()


process = operation_process(
    "blendImages",
    file_fields={"image": "image", "overlay_image": "overlay_image"},
    accepted_formats=TOOL_FORMATS,
)
