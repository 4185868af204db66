"""Transcribe audio: the words spoken in a sound or video file, as text or subtitles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import IMAGE_URL_MAX_LENGTH, http_url_problems
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process

TITLE = "Transcribe audio"
DESCRIPTION = "Write down the words spoken in a sound or video file, as text or subtitles."
HELP = (
    "Give the file by its http(s) URL (Picsart fetches it): FLAC, MP3, M4A, Ogg or WAV sound, "
    "or MP4, MPEG or WebM video, at most 25 MB. Language is the language spoken (en when "
    "empty). Format is the result's: TXT (plain text, the default), or SRT, VTT or SBV "
    "subtitles, whose cues hold one word, two words or a sentence as Granularity says. Picsart "
    "runs it as a job; the action polls until the result is ready, unless Don't wait for the "
    "result is checked. The sandbox runs no speech recognition: its transcript says so."
)
HELP_LINK = "https://docs.picsart.io/reference/video-transcribe-audio"
EXAMPLE = {
    "file_url": "https://example.com/interview.mp4",
    "format": "SRT",
    "granularity": "2-words",
}

LANGUAGES = (
    "af", "ar", "am", "az", "be", "bs", "bg", "ca", "zh", "hr", "cs", "da", "nl", "en", "et",
    "fi", "fr", "gl", "de", "el", "he", "hi", "hu", "is", "id", "it", "ja", "kn", "kk", "ko",
    "lv", "lt", "mk", "ms", "mr", "mi", "ne", "no", "fa", "pl", "pt", "ro", "ru", "sr", "sk",
    "sl", "es", "sw", "sv", "tl", "ta", "th", "tr", "uk", "ur", "vi", "cy",
)  # fmt: skip
"""The languages Picsart transcribes (ISO 639-1 codes), in its file's order."""

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    file_url: str = Field(
        title="File URL",
        description=(
            "The http(s) URL of the sound or video file to transcribe, which Picsart fetches "
            "itself (at most 2083 characters; the file at most 25 MB)."
        ),
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    language: str | None = Field(
        None,
        title="Language",
        description="The language spoken, as a two-letter ISO 639-1 code (en when empty).",
        json_schema_extra={"enum": list(LANGUAGES), "default": "en"},
    )
    format: Literal["TXT", "SRT", "VTT", "SBV"] | None = Field(
        None,
        title="Format",
        description="The transcript's format: TXT, or SRT, VTT or SBV subtitles (TXT when empty).",
        json_schema_extra={"default": "TXT"},
    )
    granularity: Literal["1-word", "2-words", "sentence"] | None = Field(
        None,
        title="Granularity",
        description=(
            "What one subtitle holds: 1-word, 2-words or a sentence (sentence when empty); "
            "for SRT, VTT and SBV only."
        ),
        json_schema_extra={"default": "sentence"},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *http_url_problems(body, ("file_url",))]


process = operation_process("transcribeAudio")
