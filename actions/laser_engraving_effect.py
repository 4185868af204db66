"""Laser engraving effect: a photo turned into two-colour line art for a laser engraver."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from ..lib.colors import color_problems
from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

EXAMPLE = {"image_url": "https://example.com/mug.jpg", "format": "SVG"}
COLOR_NOTE = "a hex colour (#82d5fa, #fff, #18d4ff87) or a colour name (blue)"

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    engrave_color: str | None = Field(
        None,
        title="Engrave Color",
        description=f"The colour of the lines: {COLOR_NOTE} (black when empty).",
        min_length=1,
        json_schema_extra={"default": "black"},
    )
    background_color: str | None = Field(
        None,
        title="Background Color",
        description=f"The colour behind the lines: {COLOR_NOTE} (white when empty).",
        min_length=1,
        json_schema_extra={"default": "white"},
    )
    format: Literal["JPG", "PNG", "WEBP", "SVG"] | None = format_field(
        ("JPG", "PNG", "WEBP", "SVG")
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *color_problems(body, {"engrave_color": False, "background_color": False}),
        ]


process = operation_process(
    "laserEngravingEffect", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
