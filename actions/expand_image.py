"""Expand image: a larger canvas around an image, the new area generated to continue it.

Compared with PiktID's magic expand, which takes a signed offset for each side (a positive one
adds that many pixels on that side, a negative one crops) and no prompt, Picsart's Expand takes
the final width and height, one of five anchors (Direction) saying where the original stays,
and a prompt for what fills the new area. It only adds pixels, never crops, and grows the sides
evenly around the centre or away from one corner.
"""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.choices import CropAnchor, OutputFormat
from picsart_component.runtime.messages import Message

from ..lib.context import PicsartContext as Context
from ..lib.errors import InputError, Problem
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import ExecutionConfig as Config
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import count_field, format_field, negative_prompt_field, prompt_field
from ..lib.jobs import OPERATIONS
from ..lib.operations import Sizes, run_operation

OPERATION = OPERATIONS["expandImage"]
MAX_SIDE = 8000
DEFAULT_SIDE = 1024
TITLE = "Expand image"
DESCRIPTION = "Enlarge an image's canvas to a given size, the new area generated to continue it."
HELP = (
    "The result is at most 8000x8000 and at least the image's size; Direction says where the "
    "original stays. Give the image by exactly one of Image, Image URL and Image ID (JPG, PNG or "
    "WEBP). Execution decides whether Picsart answers at once or runs a job that the action polls."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-expand-image"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "prompt": "more of the wooden table and the kitchen around it",
    "width": 1200,
    "height": 800,
    "count": 1,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(ImageSourceInput):
    prompt: str = prompt_field("What the new area around the image shows, in words.")
    negative_prompt: str | None = negative_prompt_field()
    width: int | None = Field(
        None,
        title="Width",
        description=(
            f"The result's width in pixels, at least the image's, at most {MAX_SIDE} "
            f"({DEFAULT_SIDE} when empty)."
        ),
        ge=1,
        le=MAX_SIDE,
        json_schema_extra={"default": DEFAULT_SIDE},
    )
    height: int | None = Field(
        None,
        title="Height",
        description=(
            f"The result's height in pixels, at least the image's, at most {MAX_SIDE} "
            f"({DEFAULT_SIDE} when empty)."
        ),
        ge=1,
        le=MAX_SIDE,
        json_schema_extra={"default": DEFAULT_SIDE},
    )
    direction: CropAnchor | None = Field(
        None,
        title="Direction",
        description=(
            "Where the canvas grows: center adds on every side; top-left adds above and to "
            "the left, so the original ends in the bottom-right corner (and so on for the "
            "other corners). center when empty."
        ),
        json_schema_extra={"default": "center"},
    )
    count: int | None = count_field("results", high=2)
    format: OutputFormat | None = format_field()


def check_target(body: Input, sizes: Sizes) -> None:
    """An expansion must not be smaller than the image, on either side (known when the
    component downloads the image itself)."""
    if "image" not in sizes:
        return
    width, height = sizes["image"]
    problems = [
        Problem(
            f"$.{name}",
            f"must be at least the image's {name} ({actual} px): expanding only adds pixels"
            + ("" if given is not None else f"; empty means {DEFAULT_SIDE}"),
        )
        for name, given, actual in (("width", body.width, width), ("height", body.height, height))
        if (given or DEFAULT_SIDE) < actual
    ]
    if problems:
        raise InputError(problems)


def process(body: Input, config: Config, context: Context) -> Message:
    return run_operation(
        OPERATION,
        body,
        context=context,
        config=config,
        file_fields={"image": "image"},
        check_sizes=lambda sizes: check_target(body, sizes),
    )
