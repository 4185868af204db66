"""The error a handler raises to answer with Picsart's JSON error shape.

Picsart answers every failure with ``{"code": <status>, "message": <reason>, "detail": <why>}``;
the OpenAPI file only requires ``detail``, but real answers carry all three, and so do ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus


def reason_phrase(status: int) -> str:
    """The standard reason phrase, so ``message`` reads like Picsart's ("Unprocessable Entity")."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, detail: str, message: str | None = None) -> dict[str, object]:
    return {"code": status, "message": message or reason_phrase(status), "detail": detail}


class ApiError(Exception):
    """Stops a request; the app turns it into an error answer with the usual Picsart headers."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.message = message or reason_phrase(status)
        self.headers = dict(headers or {})

    def body(self) -> dict[str, object]:
        return error_body(self.status, self.detail, self.message)


class AbortConnection(ConnectionAbortedError):
    """Raised inside the WSGI app to make the server cut the connection (a fault, never a bug).

    It subclasses ``ConnectionError`` so that werkzeug's server treats it as a dropped connection
    (no traceback, no 500); the sandbox's request handler then closes the socket the way ``mode``
    says: ``"close"`` ends it with a FIN, ``"reset"`` with a TCP RST.
    """

    def __init__(self, mode: str) -> None:
        super().__init__(f"sandbox fault: connection {mode}")
        self.mode = mode
