"""Upload video or audio: put a file on Picsart's video API once, to give its URL to later calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import DOWNLOAD_URL_MAX_LENGTH, file_path_problems
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.formats import MEDIA_FORMATS
from ..lib.operations import operation_process

TITLE = "Upload video or audio"
DESCRIPTION = "Upload a video, sound or image to Picsart's video API, to use its URL later."
HELP = (
    "Give the file's address: an attachment, a file of the attachment store, or an http(s) "
    "URL; the component downloads it and uploads it. Returns the uploaded file's URL (data.url) "
    "for the URL fields of the other video actions. Costs nothing. Accepts videos (MP4, MOV, "
    "WEBM, AVI, GIF), sounds (MP3, WAV, AAC, M4A, OGG, FLAC) and pictures (JPG, PNG, WEBP)."
)
HELP_LINK = "https://docs.picsart.io/reference/video-upload"
EXAMPLE = {"file": "https://example.com/clip.mp4"}
ACCEPTED_FORMATS = frozenset({*MEDIA_FORMATS, "JPEG", "PNG", "WEBP"})

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    file: str = Field(
        title="File",
        description=(
            "The address of a video, sound or picture stored internally or externally; the "
            "component downloads it and uploads it."
        ),
        min_length=1,
        max_length=DOWNLOAD_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *file_path_problems(body, ("file",))]


process = operation_process(
    "uploadVideo", file_fields={"file": "file"}, accepted_formats=ACCEPTED_FORMATS
)
