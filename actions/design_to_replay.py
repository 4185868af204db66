"""Design to replay: turn a design file (Adobe Illustrator or SVG) into a Picsart replay
project that Picsart's photo and video editor SDK opens. Picsart runs it as a job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import downloaded_file_field, passed_url_field
from ..lib.formats import DESIGN_FORMATS
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import source_problems

TITLE = "Design to replay"
DESCRIPTION = (
    "Turn a design file (Adobe Illustrator or SVG) into a Picsart replay project. Picsart runs it "
    "as a job."
)
HELP = (
    "Give the file by exactly one of File and File URL. The action polls the job until the replay "
    "is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/image-design-import"
EXAMPLE = {"file_url": "https://example.com/poster.svg"}
ONLY_ONE = "Fill only one of File and File URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    file: str | None = downloaded_file_field(
        "File",
        "The address of the design file (AI or SVG), stored internally or externally; the "
        "component downloads it and uploads it. " + ONLY_ONE,
    )
    file_url: str | None = passed_url_field(
        "File URL",
        "The http(s) URL of the design file (AI or SVG), which Picsart fetches itself. " + ONLY_ONE,
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        keys = ("file", "file_url")
        return [*super().cross_field_problems(body), *source_problems(body, keys, required=True)]


process = operation_process(
    "designToReplay", file_fields={"file": "file"}, accepted_formats=DESIGN_FORMATS
)
