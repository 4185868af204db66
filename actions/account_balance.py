"""Account balance: the credits left, as the image API and the GenAI API each report them."""

from __future__ import annotations

from pydantic import Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import ActionOutput
from ..lib.fields import NoConfig as Config

TITLE = "Account balance"
DESCRIPTION = "Get the credits left on the account, from both the image API and the GenAI API."
HELP = "Costs nothing."
HELP_LINK = "https://docs.picsart.io/reference/genai-credits-balance"
EXAMPLE: dict[str, object] = {}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    pass


class Output(ActionOutput):
    imageApiCredits: int = Field(
        title="Image API Credits", description="The credits the image API reports as left."
    )
    genaiApiCredits: int = Field(
        title="GenAI API Credits", description="The credits the GenAI API reports as left."
    )


def process(body: Input, config: Config, context: Context) -> Message:
    output = Output(
        imageApiCredits=context.client.balance(), genaiApiCredits=context.genai.balance()
    )
    return Message(body=output.model_dump())
