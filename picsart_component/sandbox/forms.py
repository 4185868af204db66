"""Reading a request body the way Picsart does: multipart, URL-encoded or JSON, within a size cap.

Values stay as they arrived (text from forms, JSON types from JSON); ``params`` turns them into
typed parameters. An empty text value counts as not sent, because form clients send empty inputs.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict
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
        if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return _read_form(request, limit)
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


def _read_form(request: Request, limit: int) -> Inputs:
    parser = FormDataParser(
        max_form_memory_size=MAX_FORM_FIELD_BYTES,
        max_content_length=limit,
        silent=False,
        max_form_parts=MAX_FORM_PARTS,
    )
    stream = _PartCounter(request.stream, request.mimetype_params.get("boundary", ""))
    try:
        _, form, files = parser.parse(
            stream,  # type: ignore[arg-type]
            request.mimetype,
            request.content_length,
            request.mimetype_params,
        )
    except ValueError as error:
        raise ApiError(400, f"The request body is not valid form data: {error}") from None
    except RequestEntityTooLarge:
        # werkzeug says only "too large"; what was too large is worth saying.
        if stream.parts > MAX_FORM_PARTS:
            raise ApiError(
                413, f"The form has more than {MAX_FORM_PARTS} parts; at most that many are read."
            ) from None
        if stream.read_bytes <= limit:
            raise ApiError(
                413,
                f"A text field of the form is larger than {MAX_FORM_FIELD_BYTES >> 20} MiB, the "
                "most a text field may hold (files may be larger).",
            ) from None
        raise
    inputs = Inputs(encoding="multipart" if request.mimetype.startswith("multipart") else "form")
    _collect_values(inputs, form)
    _collect_files(inputs, files)
    return inputs


def _collect_values(inputs: Inputs, form: MultiDict[str, str]) -> None:
    for name in form:
        values = [value for value in form.getlist(name) if value != ""]
        if len(values) > 1:
            inputs.repeated.append(name)
            inputs.lists[name] = values
        if values:
            inputs.values[name] = values[0]


def _collect_files(inputs: Inputs, files: MultiDict[str, FileStorage]) -> None:
    for name in files:
        parts = []
        for storage in files.getlist(name):
            data = storage.read()
            if not data and not storage.filename:
                continue
            parts.append(
                FilePart(
                    name,
                    storage.filename or "",
                    storage.content_type or "application/octet-stream",
                    data,
                )
            )
        if len(parts) > 1 or (parts and name in inputs.values):
            inputs.repeated.append(name)
        if parts:
            inputs.files[name] = parts[0]


class _PartCounter:
    """A stream that counts the multipart boundaries (parts) and bytes passing through it."""

    def __init__(self, stream: Any, boundary: str) -> None:
        self._stream = stream
        self._marker = b"--" + boundary.encode("latin-1", "replace")
        self._tail = b""
        self.parts = 0
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._stream.read(size)
        self.read_bytes += len(data)
        if self._marker != b"--":
            window = self._tail + data
            self.parts += window.count(self._marker) - self._tail.count(self._marker)
            self._tail = window[-(len(self._marker) - 1) :] if len(self._marker) > 1 else b""
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


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
