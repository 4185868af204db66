"""Laser engraving effect: a photo turned into two-colour line art for a laser engraver."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from picsart_component.catalogue.choices import EngravingFormat

from ..lib.colors import color_problems
from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import (
    ENGRAVING_COLORS,
    TOOL_FORMATS,
    engrave_color_field,
    engraving_background_field,
)

TITLE = "Laser engraving effect"
DESCRIPTION = "Turn a photo into two-colour line art for a laser engraver, as an image or SVG."
HELP = (
    "Choose the line and background colours, and SVG for vector paths. Give the image by exactly "
    "one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-apply-laser-engraving-effect"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "format": "SVG"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    engrave_color: str | None = engrave_color_field()
    background_color: str | None = engraving_background_field()
    format: EngravingFormat | None = format_field(("JPG", "PNG", "WEBP", "SVG"))

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *color_problems(body, ENGRAVING_COLORS),
        ]


process = operation_process(
    "laserEngravingEffect", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
