"""Make Raw Request: call any Picsart endpoint and get its status, headers and body back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel

from ..lib.body import JsonBody, MultipartBody, RequestBody
from ..lib.client import API_KEY_HEADER
from ..lib.context import PicsartContext as Context
from ..lib.errors import InputError, Problem, URLError
from ..lib.fields import (
    DOWNLOAD_URL_MAX_LENGTH,
    ActionOutput,
    ErrorPolicyConfig,
    file_path_problems,
)
from ..lib.formats import IMAGE_FORMATS
from ..lib.images import fetched_parts

TITLE = "Make Raw Request"
DESCRIPTION = (
    "Send a request to any Picsart Creative API endpoint and get its status, headers and body."
)
HELP = (
    "Use a path relative to the image API base URL, such as balance, or a complete Picsart URL (a "
    "GenAI one too). Only GET and POST are supported. Send a JSON body, or a form with fields and "
    "files by URL; add headers such as Prefer (never the key)."
)
HELP_LINK = "https://docs.picsart.io/reference/"
EXAMPLE = {"url": "balance", "method": "GET"}
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding", "host"})

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Config(ErrorPolicyConfig):
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
        description="A JSON object sent as the body of a POST request. Not with Form Fields.",
    )
    headers: dict[str, str] | None = Field(
        None,
        title="Headers",
        description=(
            "Request headers to send as well, as an object of names and values, for example "
            '{"Prefer": "respond-async"}. The API key header is added by the component and '
            "may not be given; the body's headers (Content-Type) follow from the body."
        ),
    )
    form: dict[str, str | int | float | bool] | None = Field(
        None,
        title="Form Fields",
        description=(
            "Fields sent as a multipart form (the body most image operations take), as an "
            'object of names and values, for example {"upscale_factor": 4}. Not with Request '
            "Body."
        ),
    )
    files: dict[str, Annotated[str, Field(json_schema_extra={"format": "uri"})]] | None = Field(
        None,
        title="Form Files",
        description=(
            "Images sent as parts of the form, by part name, each given by the address of an "
            "image stored internally or externally, for example "
            '{"image": "https://example.com/mug.jpg"}. The component downloads each one and '
            "streams it to Picsart."
        ),
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        problems = super().cross_field_problems(body)
        if body.get("data") is not None and (body.get("form") or body.get("files")):
            problems.append(
                Problem("$.data", "cannot be sent with form or files: a request has one body")
            )
        headers = body.get("headers")
        if isinstance(headers, Mapping):
            problems += _header_problems(headers)
        files = body.get("files")
        if isinstance(files, Mapping):
            for name, url in files.items():
                path = f"$.files.{name}"
                if isinstance(url, str) and len(url) > DOWNLOAD_URL_MAX_LENGTH:
                    problems.append(Problem(path, f"is longer than {DOWNLOAD_URL_MAX_LENGTH}"))
                problems += [
                    Problem(path, problem.rule)
                    for problem in file_path_problems({"file": url}, ("file",))
                ]
            form = body.get("form")
            if isinstance(form, Mapping):
                problems += [
                    Problem(f"$.files.{name}", "names a part that Form Fields already has")
                    for name in files
                    if name in form
                ]
        return problems


def _header_problems(headers: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for name, value in headers.items():
        path = f"$.headers.{name}"
        if name.lower() == API_KEY_HEADER.lower():
            problems.append(Problem(path, "the API key header is sent by the component itself"))
        elif name.lower() in BODY_HEADERS:
            problems.append(Problem(path, "is set by the component from the body"))
        elif not HEADER_NAME.fullmatch(name):
            problems.append(Problem(path, "is not a valid header name"))
        if isinstance(value, str):
            broken = _header_value_rule_broken(value)
            if broken:
                problems.append(Problem(path, broken))
    return problems


def _header_value_rule_broken(value: str) -> str | None:
    """Why HTTP cannot carry ``value`` as a header value, or None."""
    if "\r" in value or "\n" in value:
        return "must not contain a line break"
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        return "must not contain control characters"
    if value != value.strip():
        return "must not start or end with white space"
    if not value.isascii():
        return "must be plain ASCII text"
    return None


class Output(ActionOutput):
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
    has_body = body.data is not None or bool(body.form) or bool(body.files)
    if has_body and body.method == "GET":
        context.logger.warning("a GET request has no body: Request Body and the form are not sent")
    if body.method == "GET" or not (body.form or body.files):
        json_body = JsonBody(body.data) if body.method == "POST" and body.data is not None else None
        return _send(body, config, context, json_body)
    files = {f"files.{name}": (url, name) for name, url in (body.files or {}).items()}
    with fetched_parts(
        files,
        context,
        api_base_url=context.client.base_url,
        accepted_formats=frozenset(IMAGE_FORMATS),
    ) as gathered:
        form = MultipartBody(dict(body.form or {}), tuple(gathered.parts))
        return _send(body, config, context, form)


def _send(
    body: Input, config: Config, context: Context, request_body: RequestBody | None
) -> Message:
    response = context.client.request(
        body.method,
        body.url,
        body=request_body,
        headers=body.headers,
        accept_statuses={404} if config.doNotThrow404 else (),
    )
    output = Output(
        statusCode=response.status_code,
        headers=response.headers,
        responseBody=response.body,
    )
    return Message(body=output.model_dump(mode="json"))
