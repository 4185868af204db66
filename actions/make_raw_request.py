"""Make Raw Request: call any Picsart endpoint and get its status, headers and body back."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import ConfigModel, InputModel, OutputModel

from ..lib.body import JsonBody
from ..lib.context import PicsartContext as Context
from ..lib.errors import InputError, Problem, URLError

EXAMPLE = {"url": "balance", "method": "GET"}


class Config(ConfigModel):
    doNotThrow404: bool = Field(
        False,
        title="Don't throw error on 404 Response",
        description="When checked, a 404 answer is returned as data instead of an error.",
        json_schema_extra={"viewClass": "CheckBoxView"},
    )


class Input(InputModel):
    url: str = Field(
        title="Url",
        description=(
            "A path relative to the image API base URL (e.g. balance or removebg), or a "
            "complete Picsart URL such as https://genai-api.picsart.io/v1/text2image."
        ),
        min_length=1,
    )
    method: Literal["GET", "POST"] = Field(
        title="Method", description="The HTTP method: GET or POST."
    )
    data: dict[str, Any] | None = Field(
        None,
        title="Request Body",
        description="A JSON object sent as the body of a POST request.",
    )


class Output(OutputModel):
    statusCode: int = Field(title="Status Code", description="The HTTP status of the answer.")
    headers: dict[str, str] = Field(
        title="HTTP Headers", description="The answer's HTTP headers, as a JSON object."
    )
    responseBody: Any = Field(
        None,
        title="Response Body",
        description="The answer's body: parsed JSON, or the text when it is not JSON.",
    )


def process(body: Input, config: Config, context: Context) -> Message:
    try:
        context.client.resolve(body.url)
    except URLError as error:
        raise InputError([Problem("$.url", str(error))]) from None
    request_body = None
    if body.data is not None:
        if body.method == "POST":
            request_body = JsonBody(body.data)
        else:
            context.logger.warning("Request Body is not sent with a GET request")
    response = context.client.request(
        body.method,
        body.url,
        body=request_body,
        accept_statuses={404} if config.doNotThrow404 else (),
    )
    output = Output(
        statusCode=response.status_code,
        headers=response.headers,
        responseBody=response.body,
    )
    return Message(body=output.model_dump(mode="json"))
