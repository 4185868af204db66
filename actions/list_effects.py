"""List effects: the names of Picsart's effects, or of its AI effects, as Picsart lists them now."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel, OutputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import NoConfig as Config
from ..lib.operations import run_lookup
from ..lib.tool_fields import ValueOutput

TITLE = "List effects"
DESCRIPTION = "List the names of Picsart's effects, or of its AI effects."
HELP = "Costs nothing; the names are those the Effect and AI effect actions take."
HELP_LINK = "https://docs.picsart.io/reference/image-list-effect-names"
EXAMPLE = {"kind": "ai"}
PATHS = {"effects": "effects", "ai": "effects/ai"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    kind: Literal["effects", "ai"] | None = Field(
        None,
        title="Kind",
        description="effects for the Effect action's names, ai for the AI effect's (effects "
        "when empty).",
        json_schema_extra={"default": "effects"},
    )


class EffectName(OutputModel):
    name: str = Field(title="Name", description="The effect's name, as its action takes it.")


class Output(ValueOutput):
    data: list[EffectName] = Field(title="Data", description="The effects, one per entry.")


def process(body: Input, config: Config, context: Context) -> Message:
    return run_lookup(PATHS[body.kind or "effects"], context=context, config=config, result="value")
