"""Get image: the URL of an image Picsart holds, by its id (an upload's, or a result's)."""

from __future__ import annotations

from pydantic import Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import DownloadResultConfig as Config
from ..lib.fields import ImageResultOutput as Output
from ..lib.operations import run_lookup

TITLE = "Get image"
DESCRIPTION = "Get the URL of an image Picsart holds, by its id."
HELP = "Give the id an upload or another action returned (data.id). Costs nothing."
HELP_LINK = "https://docs.picsart.io/reference/image-getresult"
EXAMPLE = {"transaction_id": "0b8f6f1e5c9d4b1e9a513f0c2f6e7d10"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    transaction_id: str = Field(
        title="Image ID",
        description="The image's id, as Upload image or another action gave it (data.id).",
        min_length=1,
        pattern=r"^[A-Za-z0-9._-]+$",
    )


def process(body: Input, config: Config, context: Context) -> Message:
    return run_lookup(
        f"image/{body.transaction_id}", context=context, config=config, result="object"
    )
