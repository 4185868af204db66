"""Every error the component raises on purpose, and the one table that maps HTTP statuses to them.

A user pastes ``str(error)`` into a support ticket, so it always carries Picsart's correlation id
when there is one. No error ever holds the API key: they are built from the response and from the
request's method and URL, never from its headers.

``Problem`` and ``InputError`` (a broken input rule, nothing sent) belong to the runtime, which
raises them too; they are imported here so that the component reads all its errors from one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any

from picsart_component.runtime.errors import ComponentError, InputError, Problem

__all__ = [
    "TRANSIENT_SERVER_STATUSES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ComponentError",
    "ErrorBody",
    "HeldTooLong",
    "InputError",
    "NotAcceptableError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PicsartError",
    "Problem",
    "RateLimitError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ResultDownloadError",
    "ServerError",
    "SettingsError",
    "SourceImageError",
    "StoreError",
    "TooLargeError",
    "TransientError",
    "TransientStoreError",
    "URLError",
    "URLRefusedError",
    "UnsupportedMediaTypeError",
    "is_transient",
]

CORRELATION_ID_HEADER = "X-Picsart-Correlation-Id"
_BODY_EXCERPT_CHARS = 500


class PicsartError(ComponentError):
    """Root of every error this component raises on purpose, but for ``InputError``."""


class URLError(ValueError):
    """A URL or path that cannot be used; the message says why."""


class SettingsError(PicsartError, ValueError):
    """An environment variable the component reads holds a value it cannot use."""


class TransientError(PicsartError):
    """A failure worth trying again, outside the HTTP status table (e.g. object storage)."""


class SourceImageError(PicsartError):
    """An input image could not be fetched or is not usable; nothing was sent to Picsart."""


class URLRefusedError(PicsartError):
    """The URL may not be fetched: wrong scheme, a non-public address, too many redirects."""


class TooLargeError(PicsartError):
    """The file is larger than the configured limit; it was not read to the end."""


class StoreError(PicsartError):
    """A file could not be written to or read from the attachment store."""


class TransientStoreError(StoreError, TransientError):
    """The object storage failed in a way that may pass (no answer, or a 5xx)."""


class ResultDownloadError(PicsartError):
    """Picsart made the result, but it could not be copied into the attachment store.

    The paid call is not repeated; the message names Picsart's result URL so the file can still
    be fetched by hand while it lives (about 24 hours).
    """


class HeldTooLong(Exception):
    """Waiting for the rate limit to reset would take longer than the caller allows."""

    def __init__(self, until: float) -> None:
        super().__init__(f"held until {until}")
        self.until = until


@dataclass(frozen=True)
class ErrorBody:
    """What could be read out of an error response body, whatever its shape."""

    code: str | None = None
    message: str | None = None
    detail: str | None = None


class APIError(PicsartError):
    """A request to Picsart failed. Carries what a support ticket needs, and never the key."""

    status: int | None = None
    job: Any = None
    """The job (a ``jobs.JobTicket``) being polled when this failed: it was paid for, and can
    still be collected with Get job result."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        correlation_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        if status is not None:
            self.status = status
        self.code = code
        self.detail = detail
        self.correlation_id = correlation_id
        self.headers = dict(headers or {})
        self.body = body

    def __str__(self) -> str:
        request = f"{self.method} {self.url}"
        if self.status is not None:
            text = f"Picsart answered {self.status} {_reason(self.status)} to {request}"
        else:
            text = f"{request} failed"
        text += f": {self.message}"
        if self.detail and self.detail != self.message:
            text += f" ({self.detail})"
        if self.code:
            text += f" [code {self.code}]"
        if self.correlation_id:
            text += f" [correlation id {self.correlation_id}]"
        if self.job is not None:
            text += (
                f"; it happened while polling the {self.job.operation} job {self.job.id}, which "
                "Picsart accepted and charged: collect it later with Get job result"
            )
        return text

    def event_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.status is not None:
            fields["status"] = self.status
        if self.correlation_id:
            fields["correlationId"] = self.correlation_id
        if self.job is not None:
            fields["jobId"] = self.job.id
            fields["operation"] = self.job.operation
        return fields

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, correlation_id={self.correlation_id!r}, "
            f"method={self.method!r}, url={self.url!r})"
        )


class APIStatusError(APIError):
    """Picsart answered with an error status that has no more specific class."""


class AuthenticationError(APIStatusError):
    """401 or 403: the API key is missing, wrong, or not allowed to do this."""


class PaymentRequiredError(APIStatusError):
    """402: the account has run out of credits."""

    status = 402


class NotFoundError(APIStatusError):
    """404: no such endpoint (check the URL for typos and double slashes) or resource."""

    status = 404


class NotAcceptableError(APIStatusError):
    """406: the request did not accept ``application/json``."""

    status = 406


class PayloadTooLargeError(APIStatusError):
    """413: the input file is too big."""

    status = 413


class UnsupportedMediaTypeError(APIStatusError):
    """415: the input is not an image format Picsart accepts."""

    status = 415


class RequestValidationError(APIStatusError):
    """400 or 422: Picsart rejected the request body or its parameters."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_at`` is when the caller may try again (epoch seconds).

    Emitted as a ``rebound``: the limit lifts with time, so the message is worth trying later.
    Its text names the commands that show the hold and lift it (with ``PICSART_REDIS_URL`` it
    holds every process using the key, for up to a day).
    """

    status = 429
    event_kind = "rebound"
    LIMITS_HINT = (
        "see `picsart-flow limits show`; `picsart-flow limits reset` clears the hold if you know "
        "the quota is back"
    )

    def __init__(self, message: str, *, retry_at: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_at = retry_at

    def __str__(self) -> str:
        return f"{super().__str__()} ({self.LIMITS_HINT})"

    def event_fields(self) -> dict[str, Any]:
        fields = super().event_fields()
        if self.retry_at is not None:
            try:
                moment = datetime.fromtimestamp(self.retry_at, tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                return fields
            fields["retryAt"] = moment.isoformat(timespec="seconds")
        return fields


class ServerError(APIStatusError):
    """5xx: Picsart failed; these are retried before they are raised."""


class ResponseTooLargeError(APIError):
    """The answer was larger than ``PICSART_MAX_RESPONSE_MB``; it was not read to the end."""


class APIConnectionError(APIError):
    """No response at all: the connection failed or was cut."""


class APITimeoutError(APIConnectionError):
    """No response in time."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: RequestValidationError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: AuthenticationError,
    404: NotFoundError,
    406: NotAcceptableError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: RequestValidationError,
    429: RateLimitError,
}


TRANSIENT_SERVER_STATUSES = frozenset({500, 502, 503, 504})
"""The 5xx answers that may pass with time. Others (501 Not Implemented, 505, ...) say the same
again however long one waits, so they are neither retried nor rebounded."""


def is_transient(error: BaseException) -> bool:
    """A failure that may pass with time, which the Error policy config governs: a 408, a 429, a
    500, 502, 503 or 504, a timeout or a lost connection."""
    if isinstance(error, APIConnectionError):
        return True
    status = error.status if isinstance(error, APIError) else None
    return status is not None and (status in (408, 429) or status in TRANSIENT_SERVER_STATUSES)


def error_class_for_status(status: int) -> type[APIStatusError]:
    if status >= 500:
        return ServerError
    return _STATUS_ERRORS.get(status, APIStatusError)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _clip(value)
    return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _BODY_EXCERPT_CHARS else text[: _BODY_EXCERPT_CHARS - 1] + "…"


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)


def parse_error_body(raw: bytes | str | None) -> ErrorBody:
    """Read ``code``, ``message`` and ``detail`` from any error body without ever raising.

    Handles Picsart's ``{"code", "message", "detail"}``, the older gateway's
    ``{"fault": {"faultstring", "detail": {"errorcode"}}}``, other JSON, HTML pages and empty
    or undecodable bodies.
    """
    if raw is None:
        return ErrorBody()
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    if not text:
        return ErrorBody()
    try:
        parsed = json.loads(text)
    except ValueError:
        return _parse_non_json(text)
    if not isinstance(parsed, dict):
        return ErrorBody(message=_text(parsed))
    fault = parsed.get("fault")
    if isinstance(fault, dict):
        fault_detail = fault.get("detail")
        errorcode = fault_detail.get("errorcode") if isinstance(fault_detail, dict) else None
        return ErrorBody(
            code=_text(errorcode),
            message=_text(fault.get("faultstring")),
            detail=None if isinstance(fault_detail, dict) else _text(fault_detail),
        )
    message = parsed.get("message", parsed.get("error"))
    if isinstance(message, dict):
        message = message.get("message", message)
    return ErrorBody(
        code=_text(parsed.get("code")),
        message=_text(message),
        detail=_text(parsed.get("detail")),
    )


def _parse_non_json(text: str) -> ErrorBody:
    if "<" in text and ">" in text:
        title = _TITLE.search(text)
        if title and title.group(1).strip():
            return ErrorBody(message=_clip(_TAG.sub(" ", title.group(1))))
        stripped = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text))
        return ErrorBody(message=_clip(stripped) or None)
    return ErrorBody(message=_clip(text))


def build_status_error(
    *,
    status: int,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    retry_at: float | None = None,
) -> APIStatusError:
    """The one place where an error response becomes a typed exception."""
    parsed = parse_error_body(body)
    correlation_id = headers.get(CORRELATION_ID_HEADER)
    error_class = error_class_for_status(status)
    message = parsed.message or _reason(status)
    body_text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    common: dict[str, Any] = {
        "method": method,
        "url": url,
        "status": status,
        "code": parsed.code,
        "detail": parsed.detail,
        "correlation_id": correlation_id,
        "headers": dict(headers),
        "body": _clip(body_text) if body_text else None,
    }
    if error_class is RateLimitError:
        return RateLimitError(message, retry_at=retry_at, **common)
    return error_class(message, **common)
