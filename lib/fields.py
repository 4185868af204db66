"""Fields and rules that several image actions share: image sources, results, "Download result"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from picsart_component.runtime.models import ConfigModel, InputModel, OutputModel

from .errors import Problem, URLError
from .urls import split_url

IMAGE_URL_MAX_LENGTH = 2083
# The component downloads these itself; servers refuse longer URLs, and checking a longer one
# costs more than it is worth.
DOWNLOAD_URL_MAX_LENGTH = 8192
DEPRECATED_ID_NOTE = "Picsart has deprecated image ids; prefer Image or Image URL."


ErrorPolicy = Literal["retry", "rebound", "fail", "emitError"]
ERROR_POLICY_CHOICES: dict[str, Any] = {
    "retry": "Retry in the component, then fail (default)",
    "rebound": "Rebound: the platform tries the message again later",
    "fail": "Don't retry: fail at once",
    "emitError": "Emit the error as data (an error object in the output)",
}


def error_policy(cfg: Mapping[str, Any]) -> ErrorPolicy:
    """The Error policy a step's config asks for (checked by then, so never an unknown one)."""
    policy = cfg.get("errorPolicy")
    return policy if policy in ERROR_POLICY_CHOICES else "retry"


class ErrorPolicyConfig(ConfigModel):
    """The config every action has: what a failure that may pass with time becomes."""

    errorPolicy: ErrorPolicy = Field(
        "retry",
        title="Error policy",
        description=(
            "What happens when Picsart answers 408, 429, 500, 502, 503 or 504, or does not "
            "answer in time. "
            "Retry: the component waits and tries again (a 429 until its reset time), then "
            "fails. Rebound: nothing is retried here; the platform delivers the message again "
            "later (the command line exits 75, and a flow run leaves the item for --resume). "
            "Don't retry: the step fails at once. Emit the error as data: the step's output is "
            "an error object (name, message, status, correlationId), so the flow can branch on "
            "it. Other errors (bad input, 401, 402, 404) always fail at once."
        ),
        json_schema_extra={"viewClass": "SelectView", "model": ERROR_POLICY_CHOICES},
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _put_last(cls, "errorPolicy")


def _put_last(model: type[BaseModel], name: str) -> None:
    """Moves a base class's field after the subclass's own: a designer lists fields in order,
    and the ones every action shares (rarely set, or rarely there) read best last."""
    fields = model.__pydantic_fields__
    if name in fields and list(fields)[-1] != name:
        fields[name] = fields.pop(name)
        model.model_rebuild(force=True)


class NoConfig(ErrorPolicyConfig):
    """The config of an action that has no fields of its own besides the error policy."""


class DownloadResultConfig(ErrorPolicyConfig):
    downloadResult: bool = Field(
        False,
        title="Download result",
        description=(
            "When checked, each result file is copied into the attachment store and its "
            "address is returned as attachmentUrl (attachmentUrls for a list of files), so "
            "later steps can use it after Picsart's result URL expires (about 24 hours)."
        ),
        json_schema_extra={"viewClass": "CheckBoxView"},
    )


def downloaded_file_field(title: str, description: str) -> Any:
    """A file the component downloads from an address (an attachment, the store, or http(s))
    and uploads itself."""
    return Field(
        None,
        title=title,
        description=description,
        min_length=1,
        max_length=DOWNLOAD_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )


def passed_url_field(title: str, description: str) -> Any:
    """An http(s) URL passed to Picsart, which fetches the file itself."""
    return Field(
        None,
        title=title,
        description=description,
        min_length=1,
        max_length=IMAGE_URL_MAX_LENGTH,
        json_schema_extra={"format": "uri"},
    )


def picsart_id_field(title: str, description: str) -> Any:
    """The id of a file uploaded to Picsart earlier: deprecated by Picsart, still offered."""
    return Field(
        None,
        title=title,
        description=description,
        min_length=1,
        json_schema_extra={"deprecated": True},
    )


class ImageSourceInput(InputModel):
    """Exactly one of ``image``, ``image_url`` and ``image_id`` names the input image."""

    image: str | None = downloaded_file_field(
        "Image",
        "The address of an image stored internally (an attachment or a file in the attachment "
        "store) or externally (http or https). The component downloads it and uploads it to "
        "Picsart. Fill only one of Image, Image URL and Image ID.",
    )
    image_url: str | None = passed_url_field(
        "Image URL",
        "The http(s) URL of an image that Picsart fetches itself (at most 2083 characters). "
        "Fill only one of Image, Image URL and Image ID.",
    )
    image_id: str | None = picsart_id_field(
        "Image ID",
        "The id of an image uploaded to Picsart earlier, or of another API's result. "
        + DEPRECATED_ID_NOTE
        + " Fill only one of Image, Image URL and Image ID.",
    )

    @classmethod
    def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
        return [
            *super().cross_field_problems(body),
            *exactly_one(body, ("image", "image_url", "image_id")),
            *http_url_problems(body, ("image_url",)),
            *file_path_problems(body, ("image",)),
        ]


class ErrorOutput(OutputModel):
    """A failure emitted as data (Error policy: emit the error as data)."""

    name: str = Field(title="Name", description="The error's class, such as RateLimitError.")
    message: str = Field(title="Message", description="What went wrong, as the error event says.")
    status: int | None = Field(None, title="Status", description="Picsart's HTTP status.")
    correlationId: str | None = Field(
        None, title="Correlation ID", description="The id to quote to Picsart support."
    )
    retryAt: str | None = Field(
        None, title="Retry at", description="When the rate limit lifts (ISO 8601), for a 429."
    )
    jobId: str | None = Field(
        None,
        title="Job ID",
        description="The job that was being polled; it was paid for, and Get job result can "
        "still collect it.",
    )
    operation: str | None = Field(
        None, title="Operation", description="The operation of that job, for Get job result."
    )


class ActionOutput(OutputModel):
    """What every action's output may hold besides its own fields."""

    error: ErrorOutput | None = Field(
        None,
        title="Error",
        description="Present only when the Error policy is 'Emit the error as data' and the "
        "step failed with a 408, 429, 500, 502, 503, 504 or timeout; then the other fields are "
        "absent.",
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _put_last(cls, "error")

    @model_serializer(mode="wrap")
    def _without_absent_error(self, serialize: SerializerFunctionWrapHandler) -> Any:
        data = serialize(self)
        if isinstance(data, dict) and data.get("error") is None:
            data.pop("error", None)
        return data


class ResultData(OutputModel):
    url: str = Field(title="URL", description="Where Picsart serves the result (about 24 hours).")
    id: str | None = Field(None, title="ID", description="The result's id at Picsart.")


class ImageResultOutput(ActionOutput):
    status: str = Field(title="Status", description="Picsart's status of the operation.")
    data: ResultData = Field(title="Data", description="The result file.")
    attachmentUrl: str | None = Field(
        None,
        title="Attachment URL",
        description="The stored copy of the result, when Download result is checked.",
    )


def _present(body: Mapping[str, Any], key: str) -> bool:
    return body.get(key) is not None


def exactly_one(body: Mapping[str, Any], keys: Sequence[str]) -> list[Problem]:
    present = [key for key in keys if _present(body, key)]
    if len(present) == 1:
        return []
    names = ", ".join(keys)
    if not present:
        return [Problem(f"$.{keys[0]}", f"exactly one of {names} is required; none was given")]
    return [
        Problem(f"$.{key}", f"exactly one of {names} may be given; got {', '.join(present)}")
        for key in present
    ]


def at_most_one(body: Mapping[str, Any], keys: Sequence[str]) -> list[Problem]:
    present = [key for key in keys if _present(body, key)]
    if len(present) <= 1:
        return []
    names = ", ".join(keys)
    return [
        Problem(f"$.{key}", f"at most one of {names} may be given; got {', '.join(present)}")
        for key in present
    ]


def file_path_problems(body: Mapping[str, Any], keys: Sequence[str]) -> list[Problem]:
    """A hint for a file path given where the component downloads a URL."""
    return [
        Problem(
            f"$.{key}",
            "is a file path, not a URL: put the file into the attachment store with "
            "picsart-flow attach FILE and give the URL it prints (on the command line, "
            "picsart-flow run attaches a file path for you)",
        )
        for key in keys
        if isinstance(body.get(key), str) and "://" not in body[key] and "/" in body[key]
    ]


def http_url_problems(body: Mapping[str, Any], keys: Sequence[str]) -> list[Problem]:
    """URLs that are not http(s) URLs with a host; one without any scheme fails the schema instead.

    ``https:`` and ``http://:80/`` are valid URIs, but Picsart can fetch nothing from them, and
    ``http://[`` makes ``urlsplit`` raise: all of them are problems here, never exceptions.
    """
    problems = []
    for key in keys:
        value = body.get(key)
        if isinstance(value, str) and not _is_http_url(value):
            problems.append(Problem(f"$.{key}", "must be an http or https URL"))
    return problems


def _is_http_url(value: str) -> bool:
    """An http(s) URL with a host and a usable port, read one way by every parser; True when
    there is no scheme at all."""
    try:
        if not urlsplit(value).scheme:
            return True
        parts = split_url(value)
    except (ValueError, URLError):
        return False
    return parts.scheme in ("http", "https") and bool(parts.host)
