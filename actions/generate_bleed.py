"""Generate bleed: extra margin around an image for print, continued from its edges."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import OutputFormat

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import format_field, negative_prompt_field, prompt_field
from ..lib.operations import operation_process

TITLE = "Generate bleed"
DESCRIPTION = "Add a print bleed around an image, continued from its edges."
HELP = (
    "Bleed Size is the margin in pixels on every side (1 to 75). Give the image by exactly one of "
    "Image, Image URL and Image ID (JPG, PNG or WEBP)."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-generate-image-bleed"
EXAMPLE = {"image_url": "https://example.com/poster.jpg", "bleed_size": 38}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    bleed_size: int = Field(
        title="Bleed Size",
        description=(
            "How many pixels to add on every side, from 1 to 75. Work it out from the print's "
            "resolution: at 300 DPI, an eighth of an inch is 300 x 0.125 = 37.5, so 38."
        ),
        ge=1,
        le=75,
    )
    prompt: str | None = prompt_field(
        "What the added margin shows. Best left empty: Picsart's own prompt is tuned for bleed.",
        required=False,
    )
    negative_prompt: str | None = negative_prompt_field()
    format: OutputFormat | None = format_field()


process = operation_process("generateBleed", file_fields={"image": "image"})
