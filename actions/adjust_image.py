"""Adjust: brightness, contrast, colour, light and finish, each by a number."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Adjust"
DESCRIPTION = (
    "Adjust an image's brightness, contrast, clarity, colour, light, sharpness, grain and vignette."
)
HELP = (
    "Every setting is a number; 0 (or empty) leaves that aspect as it is. Give the image by "
    "exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-adjust"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "brightness": 20, "vignette": 40}

__all__ = ["Config", "Context", "Input", "Output", "process"]


def knob(title: str, what: str, *, low: int = -100) -> Any:
    """One adjustment, from ``low`` (-100, or 0 for the one-way ones) to 100; 0 changes nothing."""
    return Field(
        None,
        title=title,
        description=f"{what}, from {low} to 100 (0 when empty).",
        ge=low,
        le=100,
        json_schema_extra={"default": 0},
    )


class Input(ImageSourceInput):
    brightness: int | None = knob("Brightness", "How light the image is")
    contrast: int | None = knob("Contrast", "The difference between light and dark")
    clarity: int | None = knob("Clarity", "Local contrast: crisper or softer detail")
    saturation: int | None = knob("Saturation", "How strong the colours are")
    hue: int | None = knob("Hue", "A turn of every colour round the colour wheel")
    shadows: int | None = knob("Shadows", "How light the darkest parts are")
    highlights: int | None = knob("Highlights", "How light the brightest parts are")
    temperature: int | None = knob("Temperature", "Cooler (bluer) or warmer (more orange)")
    sharpen: int | None = knob("Sharpen", "How much edges are sharpened", low=0)
    noise: int | None = knob("Noise", "How much grain is added", low=0)
    vignette: int | None = knob("Vignette", "How much the corners are darkened", low=0)
    format: OutputFormat | None = format_field()


process = operation_process(
    "adjustImage", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
