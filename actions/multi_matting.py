"""Multi matting: a mask of one kind of thing in a photo: hair, skin, clothes, the sky, ..."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS

TITLE = "Multi matting"
DESCRIPTION = "Make a mask of one kind of thing in a photo: hair, skin, clothes, sky and more."
HELP = (
    "The result is a black and white mask, white where the class is. Give the image by exactly one "
    "of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-segmentation"
EXAMPLE = {"image_url": "https://example.com/portrait.jpg", "segmentation_class": "foreground"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    segmentation_class: Literal[
        "hair", "skin", "lips", "teeth", "eyes", "clothes", "glasses", "background",
        "foreground", "sky",
    ] = Field(
        title="Segmentation Class",
        description="What the mask picks out: hair, skin, lips, teeth, eyes, clothes, glasses, "
        "background, foreground or sky.",
    )  # fmt: skip


process = operation_process(
    "multiMatting", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
