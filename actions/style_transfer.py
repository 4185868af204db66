"""Style transfer: an image "painted" in the style of a reference image."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat, StyleLevel

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import format_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ReferenceSourceInput

TITLE = "Style transfer"
DESCRIPTION = "Repaint an image in the style of a reference image."
HELP = (
    "Give the reference by exactly one of its three fields; Level sets how strong the style is. "
    "Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or "
    "BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-transfer-style"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "reference_image_url": "https://example.com/painting.jpg",
    "level": "l3",
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ReferenceSourceInput, ImageSourceInput):
    level: StyleLevel | None = Field(
        None,
        title="Level",
        description="How strongly the style is applied, from l1 (lightly) to l5 (l1 when empty).",
        json_schema_extra={"default": "l1"},
    )
    format: OutputFormat | None = format_field()


process = operation_process(
    "styleTransfer",
    file_fields={"image": "image", "reference_image": "reference_image"},
    accepted_formats=TOOL_FORMATS,
)
