"""Export variable data content: one file per row of a CSV, each the replay with its variables
filled from that row. Picsart runs it as a job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import exactly_one, http_url_problems, passed_url_field
from ..lib.genai_fields import FilesOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from .describe_replay_variables import TemplateSourceInput

TITLE = "Export variable data content"
DESCRIPTION = (
    "Fill a replay's variables from each row of a CSV and export one file per row (Variable "
    "Data API): PDF, PNG, JPG, MP4 or the filled replay. Picsart runs it as a job."
)
HELP = (
    "Give the replay by exactly one of Template ID and Template URL, and the rows by exactly one "
    "of Data (CSV text) and Data file URL: a header line of column names, then one line per "
    "file (Picsart reads the first 50). Mapping says which column fills which variable when "
    "their names differ (Describe replay variables lists the variables). The action polls the "
    "job until the files are ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/vd-export-variable-data-content"
EXAMPLE = {
    "template_url": "https://example.com/poster-replay.json",
    "data": "caption\nSummer sale\nWinter sale",
    "format": "PNG",
}
ONLY_ONE_DATA = "Fill only one of Data and Data file URL."

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(TemplateSourceInput):
    data: str | None = Field(
        None,
        title="Data",
        description=(
            "The rows as CSV text: a header line of column names, then one line per file to "
            "export (at least one; Picsart reads the first 50). " + ONLY_ONE_DATA
        ),
        min_length=1,
    )
    data_file_url: str | None = passed_url_field(
        "Data file URL",
        "The http(s) URL of a CSV file of the rows, which Picsart fetches itself. " + ONLY_ONE_DATA,
    )
    mapping: str | None = Field(
        None,
        title="Mapping",
        description=(
            "Which column fills which variable, comma separated, sent to Picsart as written "
            "(the sandbox reads column:variable pairs, and without a mapping fills each "
            "variable from the column of its name)."
        ),
        min_length=1,
    )
    format: Literal["PDF", "PNG", "JPG", "MP4", "REPLAY"] | None = Field(
        None,
        title="Format",
        description=(
            "The exported files' format: PDF, PNG, JPG, MP4 or REPLAY (the filled replay); PDF "
            "when empty."
        ),
        json_schema_extra={"default": "PDF"},
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = [
            *super().cross_field_problems(body),
            *exactly_one(body, ("data", "data_file_url")),
            *http_url_problems(body, ("data_file_url",)),
        ]
        data = body.get("data")
        if isinstance(data, str) and len([line for line in data.splitlines() if line.strip()]) < 2:
            problems.append(Problem("$.data", "must hold a header line and at least one row"))
        return problems


process = operation_process("exportVariableDataContent")
