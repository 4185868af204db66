"""Fields the video API's actions share: the video URL (``VideoInput``), the export settings
(Trim, Crop, Adjust, Effects; Edit's extended ones), the crop and fit settings (Crop video and
Fit video take them as fields, Edit video as its ``crop`` and ``fit`` objects), and the video
effects' names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from picsart_component.runtime.models import InputModel

from .colors import color_problems
from .errors import Problem
from .fields import IMAGE_URL_MAX_LENGTH, at_most_one, http_url_problems

VideoFormat = Literal["MOV", "MP4", "WEBM", "GIF"]
VideoQuality = Literal["low", "medium", "high"]
VideoCodec = Literal[
    "default", "HEVC", "h264", "theora", "vp8", "vp9", "gif", "av1", "cinepak", "ffv1", "MPEG4",
    "vc2",
]  # fmt: skip
AudioCodec = Literal[
    "default", "aac", "ac3", "opus", "mp3", "ogg_vorbis", "ogg_speex", "wav", "flac", "PCM"
]
ColorSpace = Literal["SRGB", "DisplayP3"]
VideoEffectName = Literal[
    "apr1", "apr2", "apr3", "brnz1", "brnz2", "brnz3", "brnz4", "cyber1", "cyber2", "cyber3",
    "icy1", "icy2", "icy3", "icy4", "mnch1", "mnch2", "mnch3", "noise", "ntrl1", "ntrl2", "ntrl3",
    "pixelize", "saturation", "sft1", "sft2", "sft3", "sft4", "tl1", "tl2", "sharpen", "vignette",
    "Focal Zoom", "Lens Blur", "Motion Blur", "Radial Blur", "Smart Blur", "Blur",
    "Black And White", "stenciler1", "stenciler3", "stenciler4", "stenciler6", "stenciler7",
    "DTN1", "DTN2", "DTN3", "DTN4", "DTN5",
]  # fmt: skip
"""The video API's effects, in its file's order (not the image API's effects: few are shared)."""

EXPORT_DEFAULT: JsonDict = {"format": "MP4", "frame_rate": 30}
EXTENDED_EXPORT_DEFAULT: JsonDict = {
    "format": "MP4",
    "quality": "medium",
    "codec": "default",
    "audio_codec": "default",
    "frame_rate": 30,
    "color_space": "SRGB",
}
"""Picsart's defaults for Edit video's export; the file ends four of them with a comma
(``medium,``), a slip of its YAML, listed in ``catalogue/differences.py``."""


def video_url_field(what: str) -> Any:
    return Field(
        title="Video URL",
        description=(
            f"The http(s) URL of the video {what}, which Picsart fetches itself (at most 2083 "
            "characters)."
        ),
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )


def _format_field() -> Any:
    return Field(
        None,
        title="Format",
        description="The result's file format: MOV, MP4, WEBM or GIF (MP4 when empty).",
        json_schema_extra={"default": "MP4"},
    )


def _frame_rate_field() -> Any:
    return Field(
        None,
        title="Frame rate",
        description="Frames per second of the result, from 1 to 60 (30 when empty).",
        ge=1,
        le=60,
        json_schema_extra={"default": 30},
    )


def _bitrate_field() -> Any:
    return Field(
        None,
        title="Bitrate",
        description=(
            "The result's video bitrate in kilobits per second, from 1 to 10000; when empty, "
            "Picsart chooses one for the video."
        ),
        ge=1,
        le=10000,
    )


class ExportSettings(BaseModel):
    """How the result is written: its container, frame rate and bitrate."""

    model_config = ConfigDict(extra="forbid", title="Export")

    format: VideoFormat | None = _format_field()
    frame_rate: int | None = _frame_rate_field()
    bitrate: int | None = _bitrate_field()


def export_field() -> Any:
    return Field(
        None,
        title="Export",
        description=(
            "The result's format, frame rate and bitrate (MP4 at 30 frames a second when empty)."
        ),
        json_schema_extra={"default": EXPORT_DEFAULT},
    )


class ExtendedExportSettings(BaseModel):
    """Export, with the result's quality, codecs, colour space and a size to aim for."""

    model_config = ConfigDict(extra="forbid", title="Export")

    format: VideoFormat | None = _format_field()
    max_size_mb: int | None = Field(
        None,
        title="Maximum size (MB)",
        description="A size in megabytes the result should stay under; a target, not a limit.",
        ge=1,
    )
    quality: VideoQuality | None = Field(
        None,
        title="Quality",
        description="The result's quality: low, medium or high (medium when empty).",
        json_schema_extra={"default": "medium"},
    )
    codec: VideoCodec | None = Field(
        None,
        title="Video codec",
        description="The result's video codec; default keeps the source's (default when empty).",
        json_schema_extra={"default": "default"},
    )
    audio_codec: AudioCodec | None = Field(
        None,
        title="Audio codec",
        description="The result's audio codec; default keeps the source's (default when empty).",
        json_schema_extra={"default": "default"},
    )
    frame_rate: int | None = _frame_rate_field()
    bitrate: int | None = _bitrate_field()
    color_space: ColorSpace | None = Field(
        None,
        title="Color space",
        description="The result's colour space: SRGB or DisplayP3 (SRGB when empty).",
        json_schema_extra={"default": "SRGB"},
    )


def volume_field(title: str, description: str) -> Any:
    """A sound's volume, from 0 (silent) to 100 (as it is), Picsart's 100 when empty."""
    return Field(
        None,
        title=title,
        description=description,
        ge=0,
        le=100,
        json_schema_extra={"default": 100},
    )


def side_field(title: str, side: str) -> Any:
    return Field(
        None,
        title=title,
        description=(
            f"The result's {side} in pixels, at least 16 (the video's own when empty); beyond "
            "the video, Picsart fills the extra part with a blurred mirror of it."
        ),
        ge=16,
    )


class CropFields(BaseModel):
    """The part of the video kept: its size, and where it starts."""

    width: int | None = side_field("Width", "width")
    height: int | None = side_field("Height", "height")
    start_x: int | None = Field(
        None,
        title="Start X",
        description="Where the kept part starts, in pixels from the left edge (0 when empty).",
        ge=0,
        json_schema_extra={"default": 0},
    )
    start_y: int | None = Field(
        None,
        title="Start Y",
        description=(
            "Where the kept part starts, in pixels from the bottom edge, as Picsart measures it "
            "(0 when empty)."
        ),
        ge=0,
        json_schema_extra={"default": 0},
    )


class CropSettings(CropFields):
    model_config = ConfigDict(extra="forbid", title="Crop")


FIT_BACKGROUNDS = ("bg_color", "bg_image_url", "bg_video_url")


class FitFields(BaseModel):
    """The new shape (a ratio, or a width and height) and what fills the space around the
    video."""

    ratio: float | None = Field(
        None,
        title="Ratio",
        description=(
            "Width divided by height of the result, from 0.1 to 10 (the video's own when empty; "
            "unused when Width and Height are both given); 1.7778 is 16:9."
        ),
        ge=0.1,
        le=10.0,
    )
    width: int | None = side_field("Width", "width")
    height: int | None = side_field("Height", "height")
    bg_color: str | None = Field(
        None,
        title="Background color",
        description=(
            "A colour for the space around the video: a hex code (#82d5fa, #fff, #18d4ff87) or a "
            "name (blue). Leave the other background fields empty with it."
        ),
        min_length=1,
    )
    bg_blur: int | None = Field(
        None,
        title="Background blur",
        description="How much the background is blurred, from 0 to 100 (0 when empty).",
        ge=0,
        le=100,
        json_schema_extra={"default": 0},
    )
    bg_image_url: str | None = Field(
        None,
        title="Background image URL",
        description="The http(s) URL of a picture for the space around the video.",
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    bg_video_url: str | None = Field(
        None,
        title="Background video URL",
        description="The http(s) URL of a video playing in the space around the video.",
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )


class FitSettings(FitFields):
    model_config = ConfigDict(extra="forbid", title="Fit")


def fit_problems(values: Mapping[str, Any], where: str = "$") -> list[Problem]:
    """One background at most, a colour as Picsart writes one and not blurred, URLs Picsart can
    fetch; paths under ``where`` (``$.fit`` in Edit video)."""
    problems = [
        *at_most_one(values, FIT_BACKGROUNDS),
        *http_url_problems(values, ("bg_image_url", "bg_video_url")),
        *color_problems(values, {"bg_color": False}),
    ]
    if values.get("bg_color") is not None and values.get("bg_blur") is not None:
        rule = "bg_color and bg_blur cannot be combined: a colour is not blurred"
        problems += [Problem("$.bg_color", rule), Problem("$.bg_blur", rule)]
    return [Problem(where + problem.path.removeprefix("$"), problem.rule) for problem in problems]


class VideoInput(InputModel):
    """An action that takes one video by its URL."""

    video_url: str = video_url_field("to work on")

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *http_url_problems(body, ("video_url",))]


def nested(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The object under ``name``, or nothing when it is absent or not an object (the schema
    reports that)."""
    found = body.get(name)
    return found if isinstance(found, Mapping) else {}
