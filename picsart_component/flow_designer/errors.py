"""The one error a route raises for bad input: its status and a message naming the field and
the rule it broke."""

from __future__ import annotations


class RequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> RequestError:
    return RequestError(400, message)
