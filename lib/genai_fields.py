"""Fields and rules the generative actions share: prompts, sizes, counts, masks, models, outputs.

Each helper returns a field whose texts the action tailors where it matters (what the prompt
describes differs from action to action); mixins hold groups of fields that come with a rule
spanning them (exactly one mask source, the watermark's settings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import Field

from picsart_component.catalogue.choices import (
    OUTPUT_FORMATS,
    WATERMARK_ANCHOR_ALIASES,
    WatermarkAnchor,
)
from picsart_component.runtime.models import ChoiceAliases, InputModel, OutputModel

from .errors import Problem
from .fields import (
    DEPRECATED_ID_NOTE,
    IMAGE_URL_MAX_LENGTH,
    ActionOutput,
    DownloadResultConfig,
    at_most_one,
    downloaded_file_field,
    exactly_one,
    file_path_problems,
    http_url_problems,
    passed_url_field,
    picsart_id_field,
)
from .jobs import Execution

NOT_BLANK = r"\S"
DEPRECATED_NEGATIVE_PROMPT = (
    "What the result should not show, written without 'no' (distorted faces, not no distorted "
    "faces). Picsart has deprecated this field; it may stop having an effect."
)
FILE_FORMATS = OUTPUT_FORMATS
MASK_SOURCES = ("mask_image", "mask_image_url", "mask_image_id")


def prompt_field(what: str, *, required: bool = True) -> Any:
    """A prompt: ``what`` says what it describes for this action."""
    return Field(
        ... if required else None,
        title="Prompt",
        description=what,
        min_length=1,
        pattern=NOT_BLANK,
    )


def negative_prompt_field() -> Any:
    return Field(
        None,
        title="Negative Prompt (deprecated)",
        description=DEPRECATED_NEGATIVE_PROMPT,
        min_length=1,
        json_schema_extra={"deprecated": True},
    )


def side_field(title: str, what: str, *, low: int, high: int, default: int) -> Any:
    return Field(
        None,
        title=title,
        description=f"{what}, from {low} to {high} pixels ({default} when empty).",
        ge=low,
        le=high,
        json_schema_extra={"default": default},
    )


def aimed_side_field(title: str) -> Any:
    """A generation's width or height, from 64 to 1024: what the model aims for, not a promise."""
    return side_field(
        title,
        f"The {title.lower()} to aim for (the model picks the closest size it supports)",
        low=64,
        high=1024,
        default=1024,
    )


def count_field(what: str, *, high: int = 10, default: int = 2) -> Any:
    return Field(
        None,
        title="Count",
        description=f"How many {what} to make, from 1 to {high} ({default} when empty).",
        ge=1,
        le=high,
        json_schema_extra={"default": default},
    )


def format_field(choices: Sequence[str] = FILE_FORMATS, default: str = "JPG") -> Any:
    return Field(
        None,
        title="Format",
        description=f"The result's file format: {', '.join(choices)} ({default} when empty).",
        json_schema_extra={"default": default},
    )


def model_field(models: Sequence[str], default: str) -> Any:
    """The AI model; empty leaves the choice to Picsart, whose default may change over time."""
    return Field(
        None,
        title="Model",
        description=(
            f"The AI model to use. When empty Picsart chooses (today {default}) and may "
            "change its choice over time; choose one to keep results consistent."
        ),
        json_schema_extra={"enum": list(models)},
    )


class MaskSourceInput(InputModel):
    """At most one of ``mask_image``, ``mask_image_url`` and ``mask_image_id`` names the mask;
    an action that needs one says so with ``mask_required``."""

    mask_image: str | None = downloaded_file_field(
        "Mask",
        "The address of a mask image stored internally or externally (white where the change "
        "goes, black elsewhere; the image's size). The component downloads it and uploads it to "
        "Picsart. Fill only one of Mask, Mask URL and Mask ID.",
    )
    mask_image_url: str | None = passed_url_field(
        "Mask URL",
        "The http(s) URL of a mask image that Picsart fetches itself (at most 2083 characters). "
        "Fill only one of Mask, Mask URL and Mask ID.",
    )
    mask_image_id: str | None = picsart_id_field(
        "Mask ID",
        "The id of a mask uploaded to Picsart earlier. "
        + DEPRECATED_ID_NOTE
        + " Fill only one of Mask, Mask URL and Mask ID.",
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        sources = exactly_one if cls.mask_is_required() else at_most_one
        return [
            *super().cross_field_problems(body),
            *sources(body, MASK_SOURCES),
            *http_url_problems(body, ("mask_image_url",)),
            *file_path_problems(body, ("mask_image",)),
        ]

    @classmethod
    def mask_is_required(cls) -> bool:
        return False


WATERMARK_SETTINGS = (
    "watermark_url",
    "watermark_anchor_point",
    "watermark_width",
    "watermark_height",
    "watermark_opacity",
    "watermark_angle",
    "watermark_padding_x",
    "watermark_padding_y",
)
ONLY_WITH_WATERMARK = "Used only when Watermark is checked."


class WatermarkInput(InputModel):
    """A watermark on the results, for example to mark them as AI-made."""

    watermark_enabled: bool | None = Field(
        None,
        title="Watermark",
        description=(
            "Adds a watermark to each result, Picsart's own unless Watermark URL names another "
            "image (unchecked when empty)."
        ),
        json_schema_extra={"default": False},
    )
    watermark_url: str | None = Field(
        None,
        title="Watermark URL",
        description="The http(s) URL of the watermark image. " + ONLY_WITH_WATERMARK,
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    watermark_anchor_point: Annotated[
        WatermarkAnchor | None, ChoiceAliases(WATERMARK_ANCHOR_ALIASES)
    ] = Field(
        None,
        title="Watermark Position",
        description=(
            "Where the watermark goes (left-bottom when empty); pattern repeats it over the "
            "whole image. " + ONLY_WITH_WATERMARK
        ),
        json_schema_extra={"default": "left-bottom"},
    )
    watermark_width: int | None = Field(
        None,
        title="Watermark Width",
        description="The watermark's width in pixels. " + ONLY_WITH_WATERMARK,
        ge=1,
    )
    watermark_height: int | None = Field(
        None,
        title="Watermark Height",
        description="The watermark's height in pixels. " + ONLY_WITH_WATERMARK,
        ge=1,
    )
    watermark_opacity: int | None = Field(
        None,
        title="Watermark Opacity",
        description="From 0 (invisible) to 100 (opaque). " + ONLY_WITH_WATERMARK,
        ge=0,
        le=100,
        json_schema_extra={"default": 50},
    )
    watermark_angle: int | None = Field(
        None,
        title="Watermark Angle",
        description=(
            "The watermark's rotation in degrees, from 0 to 360 (45 for a pattern, else 0, when "
            "empty). " + ONLY_WITH_WATERMARK
        ),
        ge=0,
        le=360,
    )
    watermark_padding_x: int | None = Field(
        None,
        title="Watermark Padding X",
        description="Horizontal space around the watermark, in pixels. " + ONLY_WITH_WATERMARK,
        ge=0,
        json_schema_extra={"default": 0},
    )
    watermark_padding_y: int | None = Field(
        None,
        title="Watermark Padding Y",
        description="Vertical space around the watermark, in pixels. " + ONLY_WITH_WATERMARK,
        ge=0,
        json_schema_extra={"default": 0},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *http_url_problems(body, ("watermark_url",)),
        ]

    def ineffective_settings(self) -> list[str]:
        """Watermark settings given while the watermark is off: they change nothing."""
        if self.watermark_enabled:
            return []
        given = [key for key in WATERMARK_SETTINGS if key in self.model_fields_set]
        return [f"{', '.join(given)} only work(s) when watermark_enabled is true"] if given else []


EXECUTION_CHOICES: dict[str, Any] = {
    "auto": "Auto: as Picsart recommends (default)",
    "sync": "Synchronous: wait for the answer",
    "async": "Asynchronous: run as a job and poll it",
}


class JobConfig(DownloadResultConfig):
    """The config of an action whose operation Picsart can run as a job."""

    doNotWait: bool = Field(
        False,
        title="Don't wait for the result",
        description=(
            "When checked, the action ends as soon as Picsart accepts the job, with its jobId "
            "and operation; a later Get job result step collects the result. Saves holding a "
            "worker while Picsart works."
        ),
        json_schema_extra={"viewClass": "CheckBoxView"},
    )


class ExecutionConfig(JobConfig):
    """The config of an action whose operation Picsart runs either way (sync or as a job)."""

    execution: Execution = Field(
        "auto",
        title="Execution",
        description=(
            "How Picsart runs the call. Auto asks for a job where Picsart recommends one, and "
            "otherwise lets Picsart answer at once when it can, falling back to a job when the "
            "work takes long; sync waits for the answer; async always runs a job and polls it."
        ),
        json_schema_extra={"viewClass": "SelectView", "model": EXECUTION_CHOICES},
    )


class FileResult(OutputModel):
    url: str = Field(title="URL", description="Where Picsart serves the file (about 24 hours).")
    id: str | None = Field(None, title="ID", description="The file's id at Picsart.")
    status: str | None = Field(None, title="Status", description="Picsart's status of this file.")


class _JobOutput(ActionOutput):
    status: str = Field(title="Status", description="Picsart's status of the operation.")
    jobId: str | None = Field(
        None,
        title="Job ID",
        description="The job's id, when Picsart ran the operation as a job.",
    )
    operation: str | None = Field(
        None,
        title="Operation",
        description="The operation the job belongs to, as Get job result names it.",
    )


class FileOutput(_JobOutput):
    """One result file (absent when the action did not wait for the job)."""

    data: FileResult | None = Field(None, title="Data", description="The result file.")
    attachmentUrl: str | None = Field(
        None,
        title="Attachment URL",
        description="The stored copy of the result, when Download result is checked.",
    )


class FilesOutput(_JobOutput):
    """A list of result files (absent when the action did not wait for the job)."""

    data: list[FileResult] | None = Field(None, title="Data", description="The result files.")
    attachmentUrls: list[str] | None = Field(
        None,
        title="Attachment URLs",
        description="The stored copies of the results, in order, when Download result is checked.",
    )
