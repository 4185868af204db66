"""Laser engraving: two-colour line art for a laser engraver, generated from a prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from picsart_component.catalogue import choices
from picsart_component.catalogue.choices import EngravingFormat

from ..lib.colors import color_problems
from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import format_field, model_field
from ..lib.operations import operation_process
from ..lib.tool_fields import (
    ENGRAVING_COLORS,
    engrave_color_field,
    engraving_background_field,
)
from .text_to_sticker import Input as StickerInput

TITLE = "Text to laser engraving"
DESCRIPTION = "Generate two-colour line art for laser engraving from a prompt, as an image or SVG."
HELP = (
    "Choose the line and background colours, and SVG to get vector paths for the engraver. Picsart "
    "runs it as a job; the action polls until the result is ready, unless Don't wait for the "
    "result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2sticker-laser-engraving"
EXAMPLE = {"prompt": "an owl on a branch", "count": 1, "format": "SVG"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(StickerInput):
    engrave_color: str | None = engrave_color_field()
    background_color: str | None = engraving_background_field()
    format: EngravingFormat | None = format_field(("JPG", "PNG", "WEBP", "SVG"))
    model: str | None = model_field(choices.LASER_ENGRAVING_MODELS, choices.LASER_ENGRAVING_DEFAULT)

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *color_problems(body, ENGRAVING_COLORS),
        ]


process = operation_process("laserEngraving")
