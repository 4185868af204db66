"""AI effect: one of Picsart's AI-made styles (cartoon, winter, galaxy, ...) on an image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from picsart_component.catalogue.choices import AI_EFFECT_NAMES, OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.live_lists import meta_model
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "AI effect"
DESCRIPTION = "Apply one of Picsart's AI styles (cartoon, winter, galaxy and more) to an image."
HELP = (
    "Choose the style by name (List effects with kind ai lists them). Give the image by exactly "
    "one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-apply-ai-effect"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "effect_name": "cartoon1"}

__all__ = ["Config", "Context", "Input", "Output", "getMetaModel", "process"]


class Input(ImageSourceInput):
    effect_name: str = Field(
        title="AI Effect",
        description="The AI effect's name, as Picsart lists it (List effects with kind ai).",
        json_schema_extra={"enum": list(AI_EFFECT_NAMES)},
    )
    format: OutputFormat | None = format_field()


process = operation_process(
    "applyAiEffect", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)


def getMetaModel(cfg: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """The designer's dynamic metadata: the in-schema with the names Picsart lists now."""
    return meta_model(Input, Output, context, {"effect_name": "aiEffects"})
