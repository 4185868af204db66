"""Checking that an answer looks like Picsart's: headers, body shapes, and the OpenAPI file.

The sandbox's tests run every answer they get through here, and so can the tests of any client
that talks to the sandbox. ``check_picsart_answer`` needs nothing but the answer;
``ConformanceChecker`` validates image API answers (``/tools/1.0/``) against
``picsart-image-tools-openapi.yml``, GenAI answers (``/v1/``) against ``picsart-genai-openapi.yml``
video API answers (``/video/v1/`` here, ``/v1/`` at Picsart) against
``picsart-video-openapi.yml`` and Variable Data answers (``/vd/v1/`` here) against
``picsart-vd-openapi.yml``, with openapi-core (a test dependency, imported only when a checker
is built).

Where real Picsart answers differ from the OpenAPI files, the checker accepts the real shape and
records the difference in ``deviations`` instead of failing. The differences it accepts, and why,
are the answer-level entries of ``catalogue/differences.py``, the one list of where we knowingly
differ from the files: the gateway's 429 ``fault`` body and a proxy's HTML page are accepted only
while that list names them. Status words outside the file's (``job-word`` and ``job-fail``
faults send any) and statuses an operation does not list (faults send any from 400 to 599; 404
and 405 answer paths and methods the file lacks) are accepted as before, the status checked
against the file's shared ``Error`` schema, and each note says whether the list names it and
for which reason.

A sandbox started with ``answers="production"`` gives the shapes production gives instead of the
file's (``sandbox/production.py``); checked with ``answers="production"``, those listed in
``differences.PRODUCTION_ANSWERS`` are accepted (a 202's ``data: []``, a preview named ``mask``, a
single preview as an object), and only then.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from picsart_component.catalogue import differences
from picsart_component.catalogue.operations import APIS, Api

from .app import raw_path
from .operations import (
    EMULATED_HOSTS,
    GENAI_PREFIX,
    TOOLS_PREFIX,
    VD_PREFIX,
    VIDEO_PREFIX,
    Match,
    find,
    sandbox_path,
)

if TYPE_CHECKING:
    import requests
    from werkzeug.test import TestResponse

SPEC_FILE = APIS["image"].openapi_file
GENAI_SPEC_FILE = APIS["genai"].openapi_file
VIDEO_SPEC_FILE = APIS["video"].openapi_file
VD_SPEC_FILE = APIS["vd"].openapi_file
SERVER_URL = "https://api.picsart.io"
GENAI_SERVER_URL = "https://genai-api.picsart.io"
VIDEO_SERVER_URL = f"https://{APIS['video'].host}"
VD_SERVER_URL = f"https://{APIS['vd'].host}"
API_PREFIX = "/tools/1.0"
GENAI_API_PREFIX = GENAI_PREFIX.rstrip("/")
VIDEO_API_PREFIX = VIDEO_PREFIX.rstrip("/")
VD_API_PREFIX = VD_PREFIX.rstrip("/")
FILES_NOT_VALID: dict[Api, str] = {
    "video": "its ExtendedExportParameters default writes 'quality: medium,' (a YAML flow "
    "value keeps the comma), which is not one of its quality values, so openapi-core's check "
    "of the file itself refuses it; the answers are validated all the same",
}
"""The vendored files (kept as Picsart publishes them) loaded without checking the file itself."""
FILE_WORDS = ("success", "error", "processing")
"""The status words the files use; the GenAI file's 202 allows no others."""
RESULT_TYPES = (
    "image/",
    "audio/",
    "video/",
    "text/",
    "application/json",
    "application/pdf",
    "application/x-subrip",
)
"""What result files are served as: pictures, sounds, videos, design import's documents and
transcripts (plain text, VTT, SBV as text, SRT as ``application/x-subrip``)."""

CORRELATION_HEADER = "X-Picsart-Correlation-Id"
INTEGER_HEADERS = (
    "X-Picsart-Ratelimit-Limit",
    "X-Picsart-Ratelimit-Available",
    "X-Picsart-Ratelimit-Reset-Time",
    "X-Picsart-Credit-Available",
)
PICSART_HEADERS = (CORRELATION_HEADER, *INTEGER_HEADERS)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_INTEGER = re.compile(r"-?[0-9]+")
_RESULT_ID = re.compile(r"[0-9a-f]{32}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class ConformanceError(AssertionError):
    """An answer that no Picsart client should have to accept."""


def api_path(path: str) -> str | None:
    """The Picsart path an answer is for, or None for the sandbox's own and other hosts' ones.

    In sandbox mode a client asks for ``https://api.picsart.io/x`` at ``/hosts/api.picsart.io/x``
    (and for the GenAI API's ``https://genai-api.picsart.io/v1/x`` at
    ``/hosts/genai-api.picsart.io/v1/x``); the path returned is where the sandbox serves it
    (the video API's ``/v1/trim`` is ``/video/v1/trim``).
    """
    if path.startswith("/__sandbox"):
        return None
    if path.startswith("/hosts/"):
        host, _, rest = path[len("/hosts/") :].partition("/")
        host = host.lower()
        if host not in EMULATED_HOSTS:
            return None
        return sandbox_path(host, "/" + rest) or "/" + rest
    return path


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def _json(body: bytes, where: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise ConformanceError(f"{where}: the body is not JSON: {body[:200]!r}") from None


def is_gateway_fault(document: Any) -> bool:
    """The older gateway's 429 body: ``{"fault": {"faultstring": ..., "detail": {...}}}``."""
    fault = document.get("fault") if isinstance(document, dict) else None
    return (
        isinstance(fault, dict)
        and isinstance(fault.get("faultstring"), str)
        and isinstance(fault.get("detail"), dict)
        and isinstance(fault["detail"].get("errorcode"), str)
    )


def check_picsart_answer(
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    missing_ok: Collection[str] = (),
    answers: str = "file",
) -> None:
    """The checks that need no spec: the five headers, and the body shapes Picsart always sends.

    ``missing_ok`` names headers a test expects to be absent (faults that leave them out);
    ``answers`` is the sandbox's answer mode (``production`` accepts production's listed shapes).
    Control API answers (``/__sandbox/``) and stand-ins for other hosts are not Picsart's and
    are not checked.
    """
    picsart_path = api_path(path)
    if picsart_path is None:
        return
    path = picsart_path
    where = f"{method} {path} -> {status}"
    for name in PICSART_HEADERS:
        value = _header(headers, name)
        if value is None:
            if name not in missing_ok:
                raise ConformanceError(f"{where}: header {name} is missing")
        elif name == CORRELATION_HEADER:
            if not _UUID.fullmatch(value):
                raise ConformanceError(f"{where}: {name} {value!r} is not a uuid4")
        elif not _INTEGER.fullmatch(value):
            raise ConformanceError(f"{where}: {name} {value!r} is not an integer")
    content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip()
    if path.startswith("/results/") and status == 200:
        if not content_type.startswith(RESULT_TYPES):
            raise ConformanceError(f"{where}: a result is served as {content_type!r}")
        return
    if content_type == "text/html":
        if status < 400:
            raise ConformanceError(f"{where}: an HTML page for a success")
        return
    if content_type != "application/json":
        raise ConformanceError(f"{where}: Content-Type {content_type!r}, not application/json")
    document = _json(body, where)
    match = find(path, method=method)
    shape = match.operation.data if match is not None and match.operation is not None else ""
    if status >= 400:
        _check_error_body(where, status, document)
    elif shape == "credits":
        credits = document.get("credits") if isinstance(document, dict) else None
        if isinstance(credits, bool) or not isinstance(credits, int):
            raise ConformanceError(f"{where}: balance body {document!r} has no integer credits")
    elif status == 202:
        _check_accepted_body(where, document)
    elif shape == "text":
        if not isinstance(document, dict) or not isinstance(document.get("data"), str):
            raise ConformanceError(f"{where}: a chat reply {document!r} has no text data")
    elif shape == "previews" and answers == "production":
        _check_status(where, document)
        _check_production_previews(where, document.get("data"), method, match)
    elif shape in _DATA_CHECKS:
        _check_status(where, document)
        _DATA_CHECKS[shape](where, document.get("data"))
    else:
        _check_success_body(where, document, poll=match is not None and match.poll is not None)


def _check_error_body(where: str, status: int, document: Any) -> None:
    if status == 429 and is_gateway_fault(document):
        return
    if not isinstance(document, dict):
        raise ConformanceError(f"{where}: error body {document!r} is not an object")
    if document.get("code") != status:
        raise ConformanceError(f"{where}: error code {document.get('code')!r} is not {status}")
    for name in ("message", "detail"):
        if not isinstance(document.get(name), str) or not document[name]:
            raise ConformanceError(f"{where}: error body lacks a {name} text: {document!r}")


def _check_accepted_body(where: str, document: Any) -> None:
    """A 202: a status word and the id to poll (``inference_id`` or ``transaction_id``)."""
    if not isinstance(document, dict) or not isinstance(document.get("status"), str):
        raise ConformanceError(f"{where}: a 202 body {document!r} has no status")
    job_id = document.get("inference_id", document.get("transaction_id"))
    if not isinstance(job_id, str) or not job_id:
        raise ConformanceError(f"{where}: a 202 body {document!r} has no id to poll")


def _check_success_body(where: str, document: Any, *, poll: bool = False) -> None:
    """A 200 with results: ``data`` one result or a list of them. A poll may instead report a
    failed job: any status word, a ``detail``, and no results."""
    if not isinstance(document, dict) or not isinstance(document.get("status"), str):
        raise ConformanceError(f"{where}: success body {document!r} is not status/data")
    data = document.get("data")
    if poll and not data and isinstance(document.get("detail"), str) and document["detail"]:
        return
    if not poll and document["status"] != "success":
        raise ConformanceError(f"{where}: a synchronous 200 says {document['status']!r}")
    items = data if isinstance(data, list) and data else [data]
    for item in items:
        _check_result(where, item)


def _check_status(where: str, document: Any) -> None:
    if not isinstance(document, dict) or document.get("status") != "success":
        raise ConformanceError(f"{where}: success body {document!r} does not say success")


def _check_names(where: str, data: Any) -> None:
    """``GET /effects`` and ``/effects/ai``: a non-empty list of ``{name}``."""
    if not isinstance(data, list) or not data:
        raise ConformanceError(f"{where}: data {data!r} is not a list of names")
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ConformanceError(f"{where}: {item!r} is not a {{name}} object")


def _check_findings(where: str, data: Any) -> None:
    """An analysis (tags, description, car class): an object with something in it."""
    if not isinstance(data, dict) or not data:
        raise ConformanceError(f"{where}: data {data!r} is not an object of findings")


def _check_colors(where: str, data: Any) -> None:
    """Extract colors: 1 to 5 different ``#rrggbb`` codes."""
    if (
        not isinstance(data, list)
        or not 1 <= len(data) <= 5
        or len(set(map(str, data))) < len(data)
    ):
        raise ConformanceError(f"{where}: data {data!r} is not 1 to 5 different colours")
    for colour in data:
        if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
            raise ConformanceError(f"{where}: colour {colour!r} is not written #rrggbb")


def _check_previews(where: str, data: Any) -> None:
    """Previews: a non-empty list of results, each naming its effect or mask."""
    if not isinstance(data, list) or not data:
        raise ConformanceError(f"{where}: data {data!r} is not a list of previews")
    for item in data:
        _check_result(where, item)
        if not any(isinstance(item.get(key), str) for key in ("effect_name", "mask_name")):
            raise ConformanceError(f"{where}: preview {item!r} names no effect or mask")


def _check_production_previews(where: str, data: Any, method: str, match: Match | None) -> None:
    """Previews as production gives them, where ``PRODUCTION_ANSWERS`` lists it: named by
    ``mask``, and one preview as an object (without its name)."""
    operation = match.operation if match is not None else None
    api: Api = "genai" if operation is not None and operation.prefix == GENAI_PREFIX else "image"
    if operation is None or operation.prefix not in (TOOLS_PREFIX, GENAI_PREFIX):
        _check_previews(where, data)
        return
    path = "/" + operation.path

    def listed(kind: differences.Kind, subject: str) -> bool:
        return differences.production_answer(api, method, path, kind, subject) is not None

    if isinstance(data, dict) and listed("answer shape", "object"):
        _check_result(where, data)
        return
    if listed("answer field", "mask") and isinstance(data, list) and data:
        for item in data:
            _check_result(where, item)
            if not isinstance(item.get("mask"), str):
                raise ConformanceError(f"{where}: preview {item!r} names no mask")
        return
    _check_previews(where, data)


def _check_result(where: str, data: Any) -> None:
    if not isinstance(data, dict):
        raise ConformanceError(f"{where}: result {data!r} is not an object with id and url")
    if "urls" in data and "id" not in data:
        # The VD API's content export: each row's files, by URL only.
        urls = data["urls"]
        if not isinstance(urls, list) or not urls:
            raise ConformanceError(f"{where}: data urls {urls!r} is not a list of URLs")
        for url in urls:
            if not isinstance(url, str) or not re.match(r"https?://[^/]+/", url):
                raise ConformanceError(f"{where}: data url {url!r} is not an absolute URL")
        return
    if not isinstance(data.get("id"), str) or not _RESULT_ID.fullmatch(data["id"]):
        raise ConformanceError(f"{where}: data.id {data.get('id')!r} is not a uuid4 hex")
    url = data.get("url")
    if not isinstance(url, str) or not re.match(r"https?://[^/]+/", url):
        raise ConformanceError(f"{where}: data.url {url!r} is not an absolute URL")


_DATA_CHECKS = {
    "names": _check_names,
    "analysis": _check_findings,
    "colors": _check_colors,
    "previews": _check_previews,
    "lookup": _check_result,
}
"""The ``data`` of the image API's answers that are not one result or a list of them."""


@dataclass
class _SpecFile:
    """One OpenAPI file: where its paths live (``prefix`` in the sandbox, ``file_prefix`` after
    ``server_url`` at Picsart), and its paths as patterns (``{id}`` matches one segment),
    concrete paths first."""

    api: Api
    server_url: str
    prefix: str
    file_prefix: str
    openapi: Any
    document: dict[str, Any]
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        paths = sorted(self.document["paths"], key=lambda path: "{" in path)
        for path in paths:
            parts = path.split("/")
            pattern = "/".join("[^/]+" if "{" in part else re.escape(part) for part in parts)
            self.patterns.append((re.compile(pattern), path))

    def file_path(self, path: str) -> str:
        """The file's path for an answer's (``/painting/{inference_id}``), or the path after
        the prefix when the file has none that matches."""
        inner = path[len(self.prefix) :]
        return next((key for pattern, key in self.patterns if pattern.fullmatch(inner)), inner)

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        if not path.startswith(self.prefix + "/"):
            return None
        item = self.document["paths"].get(self.file_path(path), {})
        operation = item.get(method.lower())
        return operation if isinstance(operation, dict) else None

    def difference(
        self, method: str, path: str, kind: differences.Kind, subject: str
    ) -> differences.Difference | None:
        """The entry of ``catalogue/differences.py`` that names this, if one does."""
        return differences.matching(self.api, method, self.file_path(path), kind, subject)

    def production_answer(
        self, method: str, path: str, kind: differences.Kind, subject: str
    ) -> differences.Difference | None:
        """The entry of ``differences.PRODUCTION_ANSWERS`` that names this, if one does."""
        return differences.production_answer(self.api, method, self.file_path(path), kind, subject)

    def request_path(self, path: str) -> str:
        """The path of an answer's request at Picsart: ``/video/v1/trim`` is ``/v1/trim``."""
        return self.file_prefix + path[len(self.prefix) :]


class ConformanceChecker:
    """Validates answers against the OpenAPI files; thread-safe; notes accepted deviations.

    ``document`` is the image API's file; ``genai_document`` the GenAI API's and
    ``video_document`` the video API's, and ``vd_file`` the Variable Data API's, when they were
    given (without one, that API's answers get only the checks of ``check_picsart_answer``).
    """

    def __init__(
        self,
        spec_file: Path,
        genai_file: Path | None = None,
        video_file: Path | None = None,
        vd_file: Path | None = None,
    ) -> None:
        self.spec_file = spec_file
        self._tools = _load("image", spec_file, SERVER_URL, API_PREFIX, API_PREFIX)
        self.document: dict[str, Any] = self._tools.document
        self._genai = (
            _load("genai", genai_file, GENAI_SERVER_URL, GENAI_API_PREFIX, GENAI_API_PREFIX)
            if genai_file
            else None
        )
        self.genai_document = self._genai.document if self._genai else None
        video_prefix = APIS["video"].prefix.rstrip("/")
        self._video = (
            _load("video", video_file, VIDEO_SERVER_URL, VIDEO_API_PREFIX, video_prefix)
            if video_file
            else None
        )
        self.video_document = self._video.document if self._video else None
        vd_prefix = APIS["vd"].prefix.rstrip("/")
        self._vd = (
            _load("vd", vd_file, VD_SERVER_URL, VD_API_PREFIX, vd_prefix) if vd_file else None
        )
        self.deviations: Counter[str] = Counter()
        self.checked = 0
        self._lock = threading.Lock()

    @classmethod
    def from_spec_dir(cls, directory: Path) -> ConformanceChecker:
        genai, video = directory / GENAI_SPEC_FILE, directory / VIDEO_SPEC_FILE
        vd = directory / VD_SPEC_FILE
        return cls(
            directory / SPEC_FILE,
            genai if genai.is_file() else None,
            video if video.is_file() else None,
            vd if vd.is_file() else None,
        )

    def _note(self, deviation: str) -> None:
        with self._lock:
            self.deviations[deviation] += 1

    def check(
        self,
        method: str,
        path: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        answers: str = "file",
    ) -> None:
        """Raises ``ConformanceError`` when the answer contradicts the file in a way Picsart
        itself never does; records the known deviations. ``answers`` is the sandbox's answer
        mode: ``production`` accepts the shapes ``differences.PRODUCTION_ANSWERS`` lists."""
        picsart_path = api_path(path)
        if picsart_path is None:
            return
        path = picsart_path
        spec = self._spec_for(path)
        if spec is None:
            return
        with self._lock:
            self.checked += 1
        where = f"{method} {path} -> {status}"
        content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip()
        if path.startswith("/results/"):
            if status != 200:
                self._check_component(
                    spec, (method, path), status, headers, body, "results download error"
                )
            return
        if content_type == "text/html":
            if spec.difference(method, path, "content type", "text/html") is None:
                raise ConformanceError(f"{where}: an HTML page, which differences.py does not list")
            self._note(f"{status} answered with an HTML page (not in the OpenAPI file)")
            return
        operation = spec.operation(method, path)
        document = _json(body, where)
        if (
            status == 429
            and is_gateway_fault(document)
            and spec.difference(method, path, "error body", "fault") is not None
        ):
            self._note("429 with the gateway 'fault' body, which lacks the 'detail' Error requires")
            return
        if operation is None or str(status) not in operation.get("responses", {}):
            what = f"{method} {path}" if operation is not None else "an unknown path or method"
            self._check_component(spec, (method, path), status, headers, body, what)
            return
        body = self._usual_words(spec, method, path, status, document, body, answers)
        body = self._file_shapes(spec, where, method, path, status, document, body, answers)
        self._validate_with_openapi_core(spec, where, method, path, status, headers, body)

    def _spec_for(self, path: str) -> _SpecFile | None:
        if path.startswith(GENAI_API_PREFIX + "/"):
            return self._genai
        if path.startswith(VIDEO_API_PREFIX + "/"):
            return self._video
        if path.startswith(VD_API_PREFIX + "/"):
            return self._vd
        return self._tools

    def _usual_words(
        self,
        spec: _SpecFile,
        method: str,
        path: str,
        status: int,
        document: Any,
        body: bytes,
        answers: str = "file",
    ) -> bytes:
        """The body with an unusual status word (a ``job-word`` or ``job-fail`` fault, or
        production's) put back to the file's own, so the rest is still validated; the word is
        noted."""
        word = document.get("status") if isinstance(document, dict) else None
        if status not in (200, 202) or not isinstance(word, str) or word in FILE_WORDS:
            return body
        listed = spec.difference(method, path, "status word", word)
        if answers == "production":
            listed = spec.production_answer(method, path, "status word", word) or listed
        self._note(f"status word {word!r}, which the OpenAPI file does not use{_why(listed)}")
        usual = "processing" if status == 202 else "success" if document.get("data") else "error"
        return json.dumps({**document, "status": usual}).encode()

    def _file_shapes(
        self,
        spec: _SpecFile,
        where: str,
        method: str,
        path: str,
        status: int,
        document: Any,
        body: bytes,
        answers: str,
    ) -> bytes:
        """The body with production's listed shapes put back to the file's (a 202's ``data``
        left out, one preview made a list), so the rest is still validated; a 202 with ``data``
        is refused unless the mode is production and the list names it."""
        if not isinstance(document, dict):
            return body
        if status == 202 and "data" in document:
            listed = spec.production_answer(method, path, "answer field", "data")
            if answers != "production" or listed is None:
                raise ConformanceError(f"{where}: a 202 with data, which the file's has not")
            self._note(f"a 202 with data{_why(listed)}")
            return json.dumps({k: v for k, v in document.items() if k != "data"}).encode()
        data = document.get("data")
        if status == 200 and isinstance(data, dict) and answers == "production":
            listed = spec.production_answer(method, path, "answer shape", "object")
            if listed is not None:
                self._note(f"one result as an object where the file has a list{_why(listed)}")
                return json.dumps({**document, "data": [data]}).encode()
        return body

    def _validate_with_openapi_core(
        self,
        spec: _SpecFile,
        where: str,
        method: str,
        path: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        from openapi_core.testing import MockRequest, MockResponse  # noqa: PLC0415

        content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip()
        request = MockRequest(spec.server_url, method.lower(), spec.request_path(path))
        response = MockResponse(body, status, dict(headers), content_type)
        try:
            spec.openapi.validate_response(request, response)
        except Exception as error:
            cause = error.__cause__ or error.__context__
            raise ConformanceError(f"{where}: {error} ({cause})") from error

    def _check_component(
        self,
        spec: _SpecFile,
        request: tuple[str, str],
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        what: str,
    ) -> None:
        """For a status the file does not list here: the shared ``Error`` schema and headers."""
        from openapi_schema_validator import OAS30Validator  # noqa: PLC0415

        method, path = request
        where = f"{method} {path} -> {status}"
        why = _why(spec.difference(method, path, "status", str(status)))
        components = spec.document["components"]
        listed = components["responses"].get(str(status))
        if listed is None:
            self._note(f"{status} is not described anywhere in the OpenAPI file{why}")
            listed = components["responses"]["400"]
        else:
            self._note(f"{status} is not listed for {what}{why}")
        schema = {**components["schemas"]["Error"], "components": components}
        errors = list(OAS30Validator(schema).iter_errors(_json(body, where)))
        if errors:
            raise ConformanceError(f"{where}: body does not match Error: {errors[0].message}")
        for name, header in listed.get("headers", {}).items():
            value = _header(headers, name)
            is_integer = header["schema"].get("type") == "integer"
            if value is not None and is_integer and not _INTEGER.fullmatch(value):
                raise ConformanceError(f"{where}: header {name} {value!r} is not an integer")


def _why(listed: differences.Difference | None) -> str:
    """How a note says whether ``catalogue/differences.py`` names the difference."""
    return f" (listed: {listed.reason})" if listed else " (not in differences.py)"


def _load(api: Api, spec_file: Path, server_url: str, prefix: str, file_prefix: str) -> _SpecFile:
    from openapi_core import OpenAPI  # noqa: PLC0415 - a test dependency, loaded on use

    document = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    if api in FILES_NOT_VALID:
        from openapi_core import Config  # noqa: PLC0415

        unchecked = Config(spec_validator_cls=None)  # type: ignore[arg-type] # None: no check
        openapi = OpenAPI.from_file_path(str(spec_file), config=unchecked)
    else:
        openapi = OpenAPI.from_file_path(str(spec_file))
    return _SpecFile(api, server_url, prefix, file_prefix, openapi, document)


class AnswerValidator:
    """Runs every answer a test gets through both checks; ``check_*`` adapt common clients.

    Without a spec (``checker`` is ``None``) only the spec-free checks run.
    """

    def __init__(self, checker: ConformanceChecker | None) -> None:
        self.checker = checker
        self.missing_ok: set[str] = set()
        self.answers = "file"
        self.count = 0

    @contextmanager
    def answering(self, answers: str) -> Iterator[None]:
        """Within the block, answers are checked as a sandbox in mode ``answers`` gives them."""
        before = self.answers
        self.answers = answers
        try:
            yield
        finally:
            self.answers = before

    @contextmanager
    def allow_missing(self, *names: str) -> Iterator[None]:
        """Within the block, answers may lack these headers (all ``X-Picsart-*`` if none given)."""
        before = set(self.missing_ok)
        self.missing_ok.update(names or PICSART_HEADERS)
        try:
            yield
        finally:
            self.missing_ok = before

    def check(
        self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> None:
        self.count += 1
        check_picsart_answer(
            method, path, status, headers, body, missing_ok=self.missing_ok, answers=self.answers
        )
        if self.checker is not None:
            self.checker.check(method, path, status, headers, body, self.answers)

    def check_werkzeug(self, response: TestResponse) -> None:
        request = response.request
        self.check(
            request.method,
            raw_path(request.environ),
            response.status_code,
            dict(response.headers),
            response.get_data(),
        )

    def check_requests(self, response: requests.Response) -> None:
        method = response.request.method or "GET"
        path = urlsplit(response.request.url or "").path
        self.check(method, path, response.status_code, dict(response.headers), response.content)
