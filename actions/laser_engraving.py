"""Laser engraving: two-colour line art for a laser engraver, generated from a prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from ..lib import ai_models
from ..lib.colors import color_problems
from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import format_field, model_field
from ..lib.operations import operation_process
from .text_to_sticker import Input as StickerInput

EXAMPLE = {"prompt": "an owl on a branch", "count": 1, "format": "SVG"}
COLOR_NOTE = "a hex colour (#82d5fa, #fff, #18d4ff87) or a colour name (blue)"

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(StickerInput):
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
    model: str | None = model_field(
        ai_models.LASER_ENGRAVING_MODELS, ai_models.LASER_ENGRAVING_DEFAULT
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *color_problems(body, {"engrave_color": False, "background_color": False}),
        ]


process = operation_process("laserEngraving")
