"""Adjust video: brightness, contrast, colour, light and sound of a video."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import IMAGE_URL_MAX_LENGTH, http_url_problems
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import ExportSettings, VideoInput, export_field, volume_field

TITLE = "Adjust video"
DESCRIPTION = "Change a video's brightness, contrast, colours, light and sound volume."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and the adjustments to make: each "
    "from -100 to 100 (Sharpen, Noise and Vignette from 0 to 100), 0 leaving it as it is. "
    "Audio URL adds a sound to the video's own, at Audio volume; Video volume sets the video's "
    "own sound (both 100 when empty). Export chooses the file's format, frame rate and "
    "bitrate. Picsart runs it as a job; the action polls until the result is ready, unless "
    "Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-adjust"
EXAMPLE = {
    "video_url": "https://example.com/clip.mp4",
    "brightness": 20,
    "contrast": 30,
    "saturation": -40,
    "vignette": 50,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


def _volume(title: str, whose: str) -> Any:
    return volume_field(
        title, f"The volume of {whose}, from 0 (silent) to 100 (as it is; 100 when empty)."
    )


def _signed(title: str, what: str) -> Any:
    return Field(
        None,
        title=title,
        description=f"{what}, from -100 to 100 (0 when empty: unchanged).",
        ge=-100,
        le=100,
        json_schema_extra={"default": 0},
    )


def _amount(title: str, what: str) -> Any:
    return Field(
        None,
        title=title,
        description=f"{what}, from 0 to 100 (0 when empty: none).",
        ge=0,
        le=100,
        json_schema_extra={"default": 0},
    )


class Input(VideoInput):
    audio_url: str | None = Field(
        None,
        title="Audio URL",
        description="The http(s) URL of a sound to add to the video, which Picsart fetches.",
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    audio_volume: int | None = _volume("Audio volume", "the sound at Audio URL")
    video_volume: int | None = _volume("Video volume", "the video's own sound")
    brightness: int | None = _signed("Brightness", "Darker below 0, brighter above")
    contrast: int | None = _signed("Contrast", "Flatter below 0, punchier above")
    clarity: int | None = _signed("Clarity", "Softer below 0, crisper mid-tones above")
    saturation: int | None = _signed("Saturation", "Greyer below 0, more colourful above")
    hue: int | None = _signed("Hue", "A turn of every colour around the colour wheel")
    shadows: int | None = _signed("Shadows", "Darker shadows below 0, lifted shadows above")
    highlights: int | None = _signed("Highlights", "Dimmer highlights below 0, brighter above")
    temperature: int | None = _signed("Temperature", "Cooler (bluer) below 0, warmer above")
    sharpen: int | None = _amount("Sharpen", "How much edges are sharpened")
    noise: int | None = _amount("Noise", "How much grain is added")
    vignette: int | None = _amount("Vignette", "How much the corners are darkened")
    export: ExportSettings | None = export_field()

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *http_url_problems(body, ("audio_url",))]


process = operation_process("adjustVideo")
