"""Reading a request body the way Picsart does: multipart, URL-encoded or JSON, within a size cap.

Values stay as they arrived (text from forms, JSON types from JSON); ``params`` turns them into
typed parameters. An empty text value counts as not sent, because form clients send empty inputs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from multipart import MultipartError, MultipartSegment, ParserLimitReached, PushMultipartParser
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.wrappers import Request

from .errors import ApiError

MAX_FORM_FIELD_BYTES = 1024 * 1024
MAX_FORM_PARTS = 200
MAX_JSON_DEPTH = 32


@dataclass(frozen=True)
class FilePart:
    """One uploaded file part."""

    field: str
    filename: str
    content_type: str
    data: bytes

    def describe(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }


@dataclass
class Inputs:
    """What a request carried: text or JSON ``values`` and file ``files``, by field name.

    A form field sent more than once is in ``repeated``, its first value in ``values`` and all of
    them in ``lists`` (the few list parameters, such as ``effect_names``, read them there)."""

    encoding: str = "none"
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, FilePart] = field(default_factory=dict)
    repeated: list[str] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def describe_files(self) -> list[dict[str, Any]]:
        return [part.describe() for part in self.files.values()]


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"The request body is larger than the {limit} bytes this API accepts.")


def check_declared_length(request: Request, limit: int) -> None:
    """413 before reading anything when ``Content-Length`` already says the body is too big."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)


def read_inputs(request: Request, limit: int) -> Inputs:
    """The request's fields and files; 400 for a broken body, 413 past ``limit``, 415 for others.

    Everything reads ``request.stream``, which werkzeug caps at ``request.max_content_length``,
    so a chunked body without ``Content-Length`` is cut off at the limit too.
    """
    check_declared_length(request, limit)
    mimetype = request.mimetype
    try:
        if mimetype == "multipart/form-data":
            return _read_multipart(request, limit)
        if mimetype == "application/x-www-form-urlencoded":
            return _read_urlencoded(request, limit)
        if mimetype == "application/json" or mimetype.endswith("+json"):
            return _read_json(request, limit)
        body = _read_all(request, limit)
    except RequestEntityTooLarge:
        raise too_large(limit) from None
    if not body:
        return Inputs()
    raise ApiError(
        415,
        f"Unsupported request Content-Type {mimetype or '(none)'!r}: send multipart/form-data, "
        "application/x-www-form-urlencoded or application/json.",
    )


def drain(request: Request, limit: int) -> None:
    """Reads and drops what is left of the body, so that closing the socket sends no RST."""
    with contextlib.suppress(RequestEntityTooLarge, OSError, ValueError):
        _read_all(request, limit)


def _read_all(request: Request, limit: int) -> bytes:
    stream = request.stream
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise RequestEntityTooLarge()
        chunks.append(chunk)


def _read_multipart(request: Request, limit: int) -> Inputs:
    """A multipart body, read in chunks by a parser that finds boundaries with ``bytes.find``
    (werkzeug's compiles two regular expressions for every boundary, that is every request)."""
    boundary = request.mimetype_params.get("boundary", "")
    if not boundary:
        raise ApiError(400, "The request body is not valid form data: Missing boundary.")
    pairs: list[tuple[str, str]] = []
    files: list[FilePart] = []
    segment: MultipartSegment | None = None
    chunks: list[bytes] = []
    size = 0
    try:
        with PushMultipartParser(
            boundary, request.content_length or -1, max_segment_count=MAX_FORM_PARTS
        ) as parser:
            for data in _chunks(request, limit):
                for event in parser.parse(data):
                    if isinstance(event, MultipartSegment):
                        segment, chunks, size = event, [], 0
                    elif event is not None:
                        size += len(event)
                        text = segment is not None and segment.filename is None
                        if text and size > MAX_FORM_FIELD_BYTES:
                            raise _field_too_large()
                        chunks.append(event)
                    elif segment is not None:
                        _keep(segment, b"".join(chunks), pairs, files)
    except ParserLimitReached:
        raise ApiError(
            413, f"The form has more than {MAX_FORM_PARTS} parts; at most that many are read."
        ) from None
    except MultipartError as error:
        raise ApiError(400, f"The request body is not valid form data: {error}") from None
    inputs = Inputs(encoding="multipart")
    _collect_values(inputs, pairs)
    _collect_files(inputs, files)
    return inputs


def _chunks(request: Request, limit: int) -> Iterator[bytes]:
    stream = request.stream
    total = 0
    while chunk := stream.read(64 * 1024):
        total += len(chunk)
        if total > limit:
            raise RequestEntityTooLarge()
        yield chunk
    # The parser's closing check needs an end of input it can see as one.
    yield b""


def _keep(
    segment: MultipartSegment, data: bytes, pairs: list[tuple[str, str]], files: list[FilePart]
) -> None:
    """A finished part, as a text value or (when it names a file, even an empty name) a file."""
    name = segment.name or ""
    if segment.filename is None:
        pairs.append((name, data.decode(segment.charset or "utf-8", "replace")))
    elif data or segment.filename:
        content_type = segment.content_type or "application/octet-stream"
        files.append(FilePart(name, segment.filename, content_type, data))


def _field_too_large() -> ApiError:
    return ApiError(
        413,
        f"A text field of the form is larger than {MAX_FORM_FIELD_BYTES >> 20} MiB, the most a "
        "text field may hold (files may be larger).",
    )


def _read_urlencoded(request: Request, limit: int) -> Inputs:
    # werkzeug before 3.1.9 refused an urlencoded body over max_form_memory_size; later ones do
    # not, and a body without a length never met it: the sandbox keeps the rule itself.
    too_large = ApiError(
        413,
        f"The form has more than {MAX_FORM_PARTS} fields, or a field larger than "
        f"{MAX_FORM_FIELD_BYTES >> 20} MiB.",
    )
    length = request.content_length
    if length is not None and MAX_FORM_FIELD_BYTES < length <= limit:
        raise too_large
    parser = FormDataParser(
        max_form_memory_size=MAX_FORM_FIELD_BYTES,
        max_content_length=limit,
        silent=False,
        max_form_parts=MAX_FORM_PARTS,
    )
    try:
        _, form, _ = parser.parse(
            request.stream, request.mimetype, request.content_length, request.mimetype_params
        )
    except ValueError as error:
        raise ApiError(400, f"The request body is not valid form data: {error}") from None
    except RequestEntityTooLarge:
        if request.content_length is not None and request.content_length <= limit:
            # werkzeug says only "too large"; what was too large is worth saying.
            raise too_large from None
        raise
    fields = list(form.items(multi=True))
    if any(len(value.encode()) > MAX_FORM_FIELD_BYTES for _, value in fields):
        raise too_large
    inputs = Inputs(encoding="form")
    _collect_values(inputs, fields)
    return inputs


def _collect_values(inputs: Inputs, pairs: Iterable[tuple[str, str]]) -> None:
    by_name: dict[str, list[str]] = {}
    for name, value in pairs:
        by_name.setdefault(name, []).append(value)
    for name, sent in by_name.items():
        values = [value for value in sent if value != ""]
        if len(values) > 1:
            inputs.repeated.append(name)
            inputs.lists[name] = values
        if values:
            inputs.values[name] = values[0]


def _collect_files(inputs: Inputs, files: list[FilePart]) -> None:
    by_name: dict[str, list[FilePart]] = {}
    for part in files:
        by_name.setdefault(part.field, []).append(part)
    for name, parts in by_name.items():
        if len(parts) > 1 or name in inputs.values:
            inputs.repeated.append(name)
        inputs.files[name] = parts[0]


def _read_json(request: Request, limit: int) -> Inputs:
    raw = _read_all(request, limit)
    try:
        document = json.loads(raw) if raw.strip() else {}
    except RecursionError:
        raise ApiError(
            400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError(400, f"The request body is not valid JSON: {error}") from None
    if _deeper_than(document, MAX_JSON_DEPTH):
        raise ApiError(400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    if not isinstance(document, dict):
        raise ApiError(400, "The JSON request body must be an object of named parameters.")
    values = {
        str(name): value for name, value in document.items() if value is not None and value != ""
    }
    return Inputs(encoding="json", values=values)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit``; walked with a stack. (The sandbox
    stands apart from the component, so it keeps this small check of its own.)"""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict | list):
            if depth >= limit:
                return True
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return False
