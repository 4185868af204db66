"""Effect: one of Picsart's named looks (blurs, sketches, film and colour styles) on an image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from picsart_component.catalogue.choices import EFFECT_NAMES, OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.live_lists import meta_model
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, fade_field

TITLE = "Effect"
DESCRIPTION = (
    "Apply one of Picsart's named effects (blurs, sketches, film and colour looks) to an image."
)
HELP = (
    "Choose the effect by name (List effects lists them); Fade lets some of the original show "
    "through. Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, "
    "WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-apply-effect"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "effect_name": "sketch1"}

__all__ = ["Config", "Context", "Input", "Output", "getMetaModel", "process"]


class Input(ImageSourceInput):
    effect_name: str = Field(
        title="Effect",
        description="The effect's name, as Picsart lists it (List effects gives them all).",
        json_schema_extra={"enum": list(EFFECT_NAMES)},
    )
    fade: int | None = fade_field()
    format: OutputFormat | None = format_field()


process = operation_process(
    "applyEffect", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)


def getMetaModel(cfg: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """The designer's dynamic metadata: the in-schema with the names Picsart lists now."""
    return meta_model(Input, Output, context, {"effect_name": "effects"})
