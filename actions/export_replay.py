"""Export replay: render a replay (a Picsart editor project, such as Design to replay makes)
as a print-ready file. Picsart runs it as a job."""

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

TITLE = "Export replay"
DESCRIPTION = "Render a replay (Variable Data API) as a print-ready PDF. Picsart runs it as a job."
HELP = (
    "Give the replay file by its http(s) URL (Design to replay's result, for example), which "
    "Picsart fetches itself. The action polls the job until the file is ready, unless Don't "
    "wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/vd-export-replay"
EXAMPLE = {"file_url": "https://example.com/poster-replay.json"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    file_url: str = Field(
        title="File URL",
        description=(
            "The http(s) URL of the replay to export, which Picsart fetches itself (at most "
            "2083 characters)."
        ),
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )
    format: Literal["PDF"] | None = Field(
        None,
        title="Format",
        description="The exported file's format: PDF, the only one Picsart offers for now.",
        json_schema_extra={"default": "PDF", "enum": ["PDF"]},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [*super().cross_field_problems(body), *http_url_problems(body, ("file_url",))]


process = operation_process("exportReplay")
