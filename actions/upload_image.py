"""Upload image: put an image on Picsart once, to use its id (Image ID) in several later calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.fields import downloaded_file_field, passed_url_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, source_problems

TITLE = "Upload image"
DESCRIPTION = "Upload an image to Picsart once, to use its id in several later calls."
HELP = (
    "Returns the image's id (data.id) for the Image ID fields of other actions. Costs nothing. "
    "Accepts JPG, PNG, TIFF, WEBP, MPO and BMP."
)
HELP_LINK = "https://docs.picsart.io/reference/image-upload"
EXAMPLE = {"image_url": "https://example.com/mug.jpg"}
ONLY_ONE = "Fill only one of Image and Image URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    image: str | None = downloaded_file_field(
        "Image",
        "The address of an image stored internally or externally; the component downloads it "
        "and uploads it. " + ONLY_ONE,
    )
    image_url: str | None = passed_url_field(
        "Image URL", "The http(s) URL of an image that Picsart fetches itself. " + ONLY_ONE
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("image", "image_url")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]


process = operation_process(
    "uploadImage", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
