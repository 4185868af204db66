"""Mask previews: small previews of an image under several masks, to choose one."""

from __future__ import annotations

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageSourceInput
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, PreviewItem, PreviewsOutput, preview_size_field
from .apply_mask import MaskName, MaskSettings

TITLE = "Mask previews"
DESCRIPTION = "Make small previews of an image under several masks, to choose one."
HELP = (
    "One preview per mask named. Give the image by exactly one of Image, Image URL and Image ID "
    "(JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-create-mask-previews"
EXAMPLE = {"image_url": "https://example.com/mug.jpg", "mask": ["lace1", "rpl3"]}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(MaskSettings, ImageSourceInput):
    mask: list[MaskName] = Field(
        title="Masks",
        description="The masks to preview, by name (at least one).",
        min_length=1,
    )
    preview_size: int | None = preview_size_field(bounded=False)


class MaskPreview(PreviewItem):
    mask_name: str | None = Field(None, title="Mask", description="The mask it shows.")


class Output(PreviewsOutput):
    data: list[MaskPreview] = Field(title="Data", description="One preview per mask.")


process = operation_process(
    "maskPreviews", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
