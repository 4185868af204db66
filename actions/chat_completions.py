"""Chat completions: a text written by an AI model from a conversation (instructions and text)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from picsart_component.catalogue import choices
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import ActionOutput
from ..lib.fields import NoConfig as Config
from ..lib.genai_fields import model_field
from ..lib.operations import operation_process

TITLE = "Chat completions"
DESCRIPTION = "Have an AI model write a text from instructions and a conversation."
HELP = (
    "Give the conversation as messages (role system, user or assistant, and content); the answer "
    "is in data."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-text2text-completions"
EXAMPLE = {
    "messages": [
        {"role": "system", "content": "You write short, friendly product copy."},
        {"role": "user", "content": "Describe a teal steel water bottle in one sentence."},
    ],
    "max_tokens": 60,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Message")

    role: Literal["system", "user", "assistant"] = Field(
        title="Role",
        description=(
            "system sets how the model behaves; user is a request; assistant is an earlier "
            "answer, or an example answer you write."
        ),
    )
    content: str = Field(title="Content", description="The message's text.", min_length=1)


class Input(InputModel):
    messages: list[ChatMessage] = Field(
        title="Messages",
        description="The conversation so far, oldest first; the model answers the last one.",
        min_length=1,
    )
    max_tokens: int | None = Field(
        None,
        title="Max Tokens",
        description="The most tokens (about three quarters of a word each) the answer may use.",
        ge=1,
        json_schema_extra={"default": 512},
    )
    temperature: float | None = Field(
        None,
        title="Temperature",
        description="How free the wording is: low stays close and plain, high varies more.",
        ge=0,
        json_schema_extra={"default": 1},
    )
    model: str | None = model_field(choices.CHAT_MODELS, choices.CHAT_DEFAULT)


class Output(ActionOutput):
    status: str = Field(title="Status", description="Picsart's status of the call.")
    data: str = Field(title="Answer", description="The text the model wrote.")


process = operation_process("chatCompletions")
