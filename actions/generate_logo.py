"""Generate logo: logos for a brand, from its name and what it does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from picsart_component.catalogue import choices
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import (
    DEPRECATED_ID_NOTE,
    at_most_one,
    downloaded_file_field,
    file_path_problems,
    http_url_problems,
    passed_url_field,
    picsart_id_field,
)
from ..lib.genai_fields import NOT_BLANK, count_field, model_field
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process

TITLE = "Generate logo"
DESCRIPTION = "Generate logos from a brand's name and a description of the business."
HELP = (
    "Optionally describe the logo, choose a colour tone, or give an example logo (exactly one of "
    "its three forms). Picsart runs it as a job; the action polls until the result is ready, "
    "unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-generate-logo"
EXAMPLE = {
    "brand_name": "Northwind Coffee",
    "business_description": "a small roastery selling single-origin coffee beans",
    "color_tone": "Brown",
    "count": 1,
}
ONLY_ONE_REFERENCE = "Fill only one of Reference Logo, Reference Logo URL and Reference Logo ID."
REFERENCE_SOURCES = ("reference_image", "reference_image_url", "reference_image_id")

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    brand_name: str = Field(
        title="Brand Name",
        description="The brand's or company's name, as the logo should spell it.",
        min_length=1,
        pattern=NOT_BLANK,
    )
    business_description: str = Field(
        title="Business Description",
        description="What the business does; the logos are drawn to suit it.",
        min_length=1,
        pattern=NOT_BLANK,
    )
    logo_description: str | None = Field(
        None,
        title="Logo Description",
        description="What the logo should look like or contain (shapes, symbols, style).",
        min_length=1,
    )
    color_tone: (
        Literal[
            "Auto", "Gray", "Blue", "Pink", "Orange", "Brown", "Yellow", "Green", "Purple", "Red"
        ]
        | None
    ) = Field(
        None,
        title="Color Tone",
        description="The logos' main colour, or Auto to let Picsart choose (Auto when empty).",
        json_schema_extra={"default": "Auto"},
    )
    reference_image: str | None = downloaded_file_field(
        "Reference Logo",
        "The address of an example logo stored internally or externally, for logos in its "
        "likeness; the component downloads it and uploads it. " + ONLY_ONE_REFERENCE,
    )
    reference_image_url: str | None = passed_url_field(
        "Reference Logo URL",
        "The http(s) URL of an example logo that Picsart fetches itself. " + ONLY_ONE_REFERENCE,
    )
    reference_image_id: str | None = picsart_id_field(
        "Reference Logo ID",
        "The id of an example logo uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " "
        + ONLY_ONE_REFERENCE,
    )
    count: int | None = count_field("logos")
    model: str | None = model_field(choices.LOGO_MODELS, choices.LOGO_DEFAULT)

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *at_most_one(body, REFERENCE_SOURCES),
            *http_url_problems(body, ("reference_image_url",)),
            *file_path_problems(body, ("reference_image",)),
        ]


process = operation_process("generateLogo", file_fields={"reference_image": "reference_image"})
