"""Describe replay variables: the variable data fields of a replay (its text and image tags),
which Export variable data content fills from a CSV."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import Problem
from ..lib.fields import NoConfig as Config
from ..lib.fields import exactly_one, http_url_problems, passed_url_field
from ..lib.operations import operation_process
from ..lib.tool_fields import ValueOutput

TITLE = "Describe replay variables"
DESCRIPTION = (
    "List the variable data fields of a replay (Variable Data API): each tag's name and whether "
    "it takes a text or an image."
)
HELP = (
    "Give the replay by exactly one of Template ID and Template URL (the URL of Design to "
    "replay's result, for example). Answers at once; the tags it lists are the names a CSV's "
    "columns fill in Export variable data content."
)
HELP_LINK = "https://docs.picsart.io/reference/vd-describe-variable-data-content"
EXAMPLE = {"template_url": "https://example.com/poster-replay.json"}
ONLY_ONE_TEMPLATE = "Fill only one of Template ID and Template URL."
TEMPLATE_KEYS = ("template_id", "template_url")

__all__ = ["Config", "Context", "Input", "Output", "TemplateSourceInput", "process"]


class TemplateSourceInput(InputModel):
    """The replay the Variable Data operations work on: by its id or its URL."""

    template_id: str | None = Field(
        None,
        title="Template ID",
        description=(
            "The id of a template in Picsart's inventory (in the sandbox: the id of a replay its "
            "Design to replay made). " + ONLY_ONE_TEMPLATE
        ),
        min_length=1,
    )
    template_url: str | None = passed_url_field(
        "Template URL",
        "The http(s) URL of the replay file, which Picsart fetches itself. " + ONLY_ONE_TEMPLATE,
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *exactly_one(body, TEMPLATE_KEYS),
            *http_url_problems(body, ("template_url",)),
        ]


class Input(TemplateSourceInput):
    pass


class Output(ValueOutput):
    data: dict[str, Any] = Field(
        title="Data",
        description=(
            "The replay's variables, as Picsart gives them: tags (each with its tag name and its "
            "type, text or image) and aminated (sic: whether the replay is animated)."
        ),
    )


process = operation_process("describeReplayVariables")
