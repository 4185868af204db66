"""What every image action does: gather sources, send only what the user set, shape the result.

An action module states its fields and rules; this pipeline does the rest, once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from picsart_component.runtime.messages import Message

from .body import FilePart, MultipartBody
from .client import PicsartResponse
from .context import PicsartContext
from .errors import CORRELATION_ID_HEADER, APIError
from .formats import DESIGN_FORMATS
from .ratelimit import AVAILABLE_HEADER, CREDIT_AVAILABLE_HEADER, LIMIT_HEADER, RESET_TIME_HEADER

FORWARDED_HEADERS = (
    CORRELATION_ID_HEADER,
    CREDIT_AVAILABLE_HEADER,
    LIMIT_HEADER,
    AVAILABLE_HEADER,
    RESET_TIME_HEADER,
)

ImageCheck = Callable[[tuple[int, int]], None]


@dataclass
class Gathered:
    """A request's text fields and file parts, and the sizes of the images that were fetched."""

    fields: dict[str, Any]
    parts: list[FilePart] = field(default_factory=list)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)

    def multipart(self) -> MultipartBody:
        return MultipartBody(self.fields, tuple(self.parts))


@contextmanager
def fetched_parts(
    sources: Mapping[str, tuple[str, str]],
    context: PicsartContext,
    *,
    api_base_url: str,
    accepted_formats: frozenset[str],
    measure: frozenset[str] = frozenset(),
) -> Iterator[Gathered]:
    """Each file of ``sources`` (by the field that names it: its URL and the multipart part it
    becomes) fetched into a temporary file and checked, as a part of a form.

    The sizes of the fields in ``measure`` are read (from the header only), for rules that
    depend on them. The temporary files go when the block ends.
    """
    images = context.files.image_sources(api_base_url)
    gathered = Gathered({})
    with ExitStack() as temporary_files:
        for name, (url, part_name) in sources.items():
            local = temporary_files.enter_context(images.fetch(url, f"$.{name}", accepted_formats))
            if name in measure and local.format not in DESIGN_FORMATS:
                gathered.sizes[name] = local.dimensions()
            gathered.parts.append(local.part(part_name))
        yield gathered


@contextmanager
def gathered_inputs(
    body: BaseModel,
    context: PicsartContext,
    *,
    api_base_url: str,
    accepted_formats: frozenset[str],
    file_fields: Mapping[str, str],
    measure: frozenset[str] = frozenset(),
) -> Iterator[Gathered]:
    """The fields the user set, with each URL field that holds a file to download (``image``,
    ``mask_image``) fetched and turned into the multipart part ``file_fields`` names for it."""
    fields = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    sources = {
        name: (url, part_name)
        for name, part_name in file_fields.items()
        if (url := fields.pop(name, None)) is not None
    }
    with fetched_parts(
        sources,
        context,
        api_base_url=api_base_url,
        accepted_formats=accepted_formats,
        measure=measure,
    ) as gathered:
        gathered.fields = fields
        yield gathered


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
    with gathered_inputs(
        body,
        context,
        api_base_url=context.client.base_url,
        accepted_formats=accepted_formats,
        file_fields=file_fields,
        measure=frozenset({"image"}) if check_image is not None else frozenset(),
    ) as gathered:
        if check_image is not None and "image" in gathered.sizes:
            check_image(gathered.sizes["image"])
        response = context.client.post(endpoint, body=gathered.multipart())
    output = _result_body(response.body, response.url, response.correlation_id)
    attachments: dict[str, Any] = {}
    if download_result:
        stored = context.files.save_result(output["data"]["url"], context.client.base_url)
        output["attachmentUrl"] = stored.url
        attachments[stored.filename] = stored.attachment()
    return Message(body=output, headers=forwarded_headers(response), attachments=attachments)


def forwarded_headers(response: PicsartResponse) -> dict[str, str]:
    """The answer's correlation id and rate-limit and credit headers, for the output message."""
    return {name: value for name in FORWARDED_HEADERS if (value := response.header(name))}


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
