"""Echo: the message's body, unchanged, as a new message."""

from typing import Any


def process(body: dict[str, Any], config: Any, context: Any) -> dict[str, Any]:
    return body
