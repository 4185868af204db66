"""Mask: a decorative overlay (lace, shadows, ripples, prism light) blended onto an image."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import MaskBlend, MaskFlip, MaskName, OutputFormat
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Mask"
DESCRIPTION = "Lay a decorative mask (lace, shadows, ripples, prism light) over an image."
HELP = (
    "Choose the mask by name, and how it blends, how visible it is, its hue and its orientation. "
    "Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or "
    "BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-apply-mask"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "mask": "lace2", "opacity": 70}

__all__ = ["Config", "Context", "Input", "MaskName", "MaskSettings", "Output", "process"]


class MaskSettings(InputModel):
    """How a mask is laid over the image; shared with Mask previews."""

    blend: MaskBlend | None = Field(
        None,
        title="Blend",
        description="How the mask's colours mix with the image's (screen when empty).",
        json_schema_extra={"default": "screen"},
    )
    opacity: int | None = Field(
        None,
        title="Opacity",
        description="How visible the mask is, from 0 to 100 (100 when empty).",
        ge=0,
        le=100,
        json_schema_extra={"default": 100},
    )
    hue: int | None = Field(
        None,
        title="Hue",
        description="A turn of the mask's colours, from -180 to 180 degrees (0 when empty).",
        ge=-180,
        le=180,
        json_schema_extra={"default": 0},
    )
    mask_flip: MaskFlip | None = Field(
        None,
        title="Mask Flip",
        description="Turn or mirror the mask before it is laid over the image.",
    )
    format: OutputFormat | None = format_field(default="PNG")


class Input(MaskSettings, ImageSourceInput):
    mask: MaskName = Field(
        title="Mask",
        description="The mask's name: lace1-4, shdw2, shdw17, rpl3, rpl5, prsm3, prsm9, prsm10.",
    )


process = operation_process(
    "applyMask", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
