"""Classify car: which view of a car a photo shows (front, rear, interior, engine, ...)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from picsart_component.catalogue.choices import CAR_MODELS, CAR_MODELS_DEFAULT

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.fields import NoConfig as Config
from ..lib.genai_fields import model_field
from ..lib.operations import operation_process
from ..lib.tool_fields import TOOL_FORMATS, ValueOutput

TITLE = "Classify car"
DESCRIPTION = (
    "Tell which view of a car a photo shows: front, rear, a side, interior, engine and more."
)
HELP = (
    "The photo must show a car; another photo gets an answer that means nothing. Give the image by "
    "exactly one of Image, Image URL and Image ID (JPG, PNG, TIFF, WEBP, MPO or BMP)."
)
HELP_LINK = "https://docs.picsart.io/reference/image-cars-classifier"
EXAMPLE = {"image_url": "https://example.com/car.jpg"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    model: str | None = model_field(CAR_MODELS, CAR_MODELS_DEFAULT)


class Output(ValueOutput):
    data: dict[str, Any] = Field(
        title="Data",
        description=(
            "The view (class: front, rear, left-side, interior, engine, ...) and, when the "
            "photo shows them, the VIN (vin) and odometer reading (odo)."
        ),
    )


process = operation_process(
    "classifyCar", file_fields={"image": "image"}, accepted_formats=TOOL_FORMATS
)
