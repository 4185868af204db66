"""Account balance: the credits left, as each of Picsart's APIs reports them."""

from __future__ import annotations

from pydantic import Field

from picsart_component.catalogue.operations import Api
from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.errors import PicsartError
from ..lib.fields import ActionOutput
from ..lib.fields import NoConfig as Config

TITLE = "Account balance"
DESCRIPTION = (
    "Get the credits left on the account, from the image API and the GenAI API, and from the "
    "video and Variable Data APIs where the key reaches them."
)
HELP = (
    "Costs nothing. Video API Credits and Variable Data API Credits are asked once each, without "
    "retries, and left out (with a warning in the log) when that API does not answer with a "
    "balance: the key may not reach it."
)
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
    videoApiCredits: int | None = Field(
        None,
        title="Video API Credits",
        description="The credits the video API reports as left; absent when it gave none.",
    )
    vdApiCredits: int | None = Field(
        None,
        title="Variable Data API Credits",
        description=(
            "The credits the Variable Data API reports as left; absent when it gave none."
        ),
    )


def process(body: Input, config: Config, context: Context) -> Message:
    output = Output(
        imageApiCredits=context.client.balance(),
        genaiApiCredits=context.genai.balance(),
        videoApiCredits=_balance_if_given(context, "video"),
        vdApiCredits=_balance_if_given(context, "vd"),
    )
    return Message(body=output.model_dump(exclude_none=True))


def _balance_if_given(context: Context, api: Api) -> int | None:
    """The API's balance, asked once, or None when it gives none: the image and GenAI balances
    stay the action's answer whatever the newer APIs say, and do not wait on their retries."""
    once = context.picsart.client({**context.cfg, "errorPolicy": "fail"}, api=api)
    try:
        return once.balance()
    except PicsartError as error:
        context.logger.warning("the %s API's balance is left out: %s", api, error)
        return None
