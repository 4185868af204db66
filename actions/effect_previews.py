"""Effect previews: small previews of an image under several effects, to choose one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from picsart_component.catalogue.choices import EFFECT_NAMES, OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.live_lists import meta_model
from ..lib.operations import operation_process
from ..lib.tool_fields import (
    TOOL_FORMATS,
    PreviewItem,
    PreviewsOutput,
    fade_field,
    preview_size_field,
)

MAX_PREVIEWS = 10
TITLE = "Effect previews"
DESCRIPTION = "Make small previews of an image under several effects, to choose one."
HELP = (
    "One preview per effect named, each 50 to 240 pixels on its longer side. Give the image by "
    "exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-create-effect-previews"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "effect_names": ["sketch1", "popart"]}

__all__ = ["Config", "Context", "Input", "Output", "getMetaModel", "process"]


class Input(ImageSourceInput):
    effect_names: list[str] = Field(
        title="Effects",
        description="The effects to preview, by name: 1 to 10 of them, each once.",
        min_length=1,
        max_length=MAX_PREVIEWS,
        json_schema_extra={
            "items": {"type": "string", "enum": list(EFFECT_NAMES)},
            "uniqueItems": True,
        },
    )
    preview_size: int | None = preview_size_field(bounded=True)
    fade: int | None = fade_field()
    format: OutputFormat | None = format_field()


class EffectPreview(PreviewItem):
    effect_name: str | None = Field(None, title="Effect", description="The effect it shows.")


class Output(PreviewsOutput):
    data: list[EffectPreview] = Field(title="Data", description="One preview per effect.")


process = operation_process(
    "effectPreviews", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)


def getMetaModel(cfg: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """The designer's dynamic metadata: the in-schema with the names Picsart lists now."""
    return meta_model(Input, Output, context, {"effect_names": "effects"})
