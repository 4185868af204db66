"""The pipeline every image action shares (filled in by the image-actions work)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from picsart_component.executor import ActionContext
from picsart_component.messages import Message

from .errors import PicsartError

REMOVE_BACKGROUND_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP", "MPO"})
UPSCALE_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP"})


def check_upscale_dimensions(size: tuple[int, int], factor: int, logger: logging.Logger) -> None:
    raise PicsartError("not implemented yet")


def run_image_tool(
    endpoint: str,
    body: Any,
    *,
    msg: Message,
    context: ActionContext,
    download_result: bool,
    accepted_formats: frozenset[str],
    file_fields: Mapping[str, str],
    check_image: Callable[[tuple[int, int]], None] | None = None,
) -> Message:
    raise PicsartError("not implemented yet")
