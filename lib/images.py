"""What every image action does: gather sources, send only what the user set, shape the result.

An action module states its fields and rules; this pipeline does the rest, once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Any

from pydantic import BaseModel

from picsart_component.runtime.messages import Message

from .body import FilePart, MultipartBody
from .context import PicsartContext
from .errors import CORRELATION_ID_HEADER, APIError
from .ratelimit import AVAILABLE_HEADER, CREDIT_AVAILABLE_HEADER, LIMIT_HEADER, RESET_TIME_HEADER

FORWARDED_HEADERS = (
    CORRELATION_ID_HEADER,
    CREDIT_AVAILABLE_HEADER,
    LIMIT_HEADER,
    AVAILABLE_HEADER,
    RESET_TIME_HEADER,
)

ImageCheck = Callable[[tuple[int, int]], None]


def run_image_tool(
    endpoint: str,
    body: BaseModel,
    *,
    context: PicsartContext,
    download_result: bool,
    accepted_formats: frozenset[str],
    file_fields: Mapping[str, str],
    check_image: ImageCheck | None = None,
) -> Message:
    """Send one image request and return the message the action emits.

    ``file_fields`` maps each URL field that holds a file to download (``image``, ``bg_image``)
    to the multipart part it becomes. Every other field the user set is sent as it is.
    """
    fields = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    sources = context.files.image_sources(
        context.client.base_url, [a.url for a in context.message.attachments.values()]
    )
    with ExitStack() as temporary_files:
        parts: list[FilePart] = []
        for field, part_name in file_fields.items():
            url = fields.pop(field, None)
            if url is None:
                continue
            local = temporary_files.enter_context(
                sources.fetch(url, f"$.{field}", accepted_formats)
            )
            if check_image is not None and field == "image":
                check_image(local.dimensions())
            parts.append(local.part(part_name))
        response = context.client.post(endpoint, body=MultipartBody(fields, tuple(parts)))
    output = _result_body(response.body, response.url, response.correlation_id)
    headers = {name: value for name in FORWARDED_HEADERS if (value := response.header(name))}
    attachments: dict[str, Any] = {}
    if download_result:
        stored = context.files.save_result(output["data"]["url"], context.client.base_url)
        output["attachmentUrl"] = stored.url
        attachments[stored.filename] = stored.attachment()
    return Message(body=output, headers=headers, attachments=attachments)


def _result_body(body: Any, url: str, correlation_id: str | None) -> dict[str, Any]:
    """``{status, data: {url, id}}`` exactly as Picsart returned them, or a clear error."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise APIError(
            "Picsart's answer has no result URL (data.url)",
            method="POST",
            url=url,
            correlation_id=correlation_id,
        )
    result: dict[str, Any] = {"url": data["url"]}
    if data.get("id") is not None:
        result["id"] = str(data["id"])
    return {"status": str(body.get("status", "")), "data": result}
