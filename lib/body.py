"""Request bodies that are built afresh for every attempt.

Re-sending a file handle that an earlier attempt has read uploads an empty file, so a body here is
a recipe: ``open()`` returns new data (and newly opened files) each time it is called, and
``close()`` releases them. Multipart bodies with files stream from disk through
requests-toolbelt's ``MultipartEncoder``; an image is never read whole into memory. Forms of
text fields alone, what a call with an image URL sends, are encoded at once by urllib3.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from requests_toolbelt import MultipartEncoder
from urllib3 import encode_multipart_formdata

FormValue = str | int | float | bool
FormField = FormValue | list[FormValue]
"""A list is sent as the same field repeated, once per item (OpenAPI's form style, exploded)."""


def form_value(value: FormValue) -> str:
    """A field value as Picsart expects it in a form: ``true``/``false``, ``10`` not ``10.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class FilePart:
    """A file sent as one multipart part, read from ``path`` at send time."""

    name: str
    path: Path
    filename: str
    content_type: str


@dataclass
class OpenedBody:
    data: Any
    headers: dict[str, str]
    _files: ExitStack = field(default_factory=ExitStack)

    def close(self) -> None:
        self._files.close()


class RequestBody:
    """A recipe for a request body."""

    def open(self) -> OpenedBody:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class JsonBody(RequestBody):
    payload: Any

    def open(self) -> OpenedBody:
        data = json.dumps(self.payload, ensure_ascii=False).encode("utf-8")
        return OpenedBody(data=data, headers={"Content-Type": "application/json"})

    def describe(self) -> str:
        return "JSON body"


@dataclass(frozen=True)
class MultipartBody(RequestBody):
    fields: Mapping[str, FormField] = field(default_factory=dict)
    files: tuple[FilePart, ...] = ()

    def open(self) -> OpenedBody:
        texts = [
            (name, form_value(item))
            for name, value in self.fields.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        if not self.files:
            data, content_type = encode_multipart_formdata(texts)
            return OpenedBody(data=data, headers={"Content-Type": content_type})
        parts: list[tuple[str, str | tuple[str, IO[bytes], str]]] = list(texts)
        stack = ExitStack()
        try:
            for part in self.files:
                handle = stack.enter_context(part.path.open("rb"))
                parts.append((part.name, (part.filename, handle, part.content_type)))
        except BaseException:
            stack.close()
            raise
        encoder = MultipartEncoder(fields=parts)
        return OpenedBody(
            data=encoder, headers={"Content-Type": encoder.content_type}, _files=stack
        )

    def describe(self) -> str:
        names = list(self.fields) + [part.name for part in self.files]
        return "multipart form (" + ", ".join(names) + ")"
