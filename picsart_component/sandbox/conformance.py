"""Checking that an answer looks like Picsart's: headers, body shapes, and the OpenAPI file.

The sandbox's tests run every answer they get through here, and so can the tests of any client
that talks to the sandbox. ``check_picsart_answer`` needs nothing but the answer;
``ConformanceChecker`` validates image API answers (``/tools/1.0/``) against
``picsart-image-tools-openapi.yml`` and GenAI answers (``/v1/``) against
``picsart-genai-openapi.yml``, with openapi-core (a test dependency, imported only when a checker
is built).

Where real Picsart answers differ from the OpenAPI files, the checker accepts the real shape and
records the difference in ``deviations`` instead of failing: a 429 with the gateway's ``fault``
body (the files' ``Error`` requires ``detail``), HTML error pages from a proxy, status words
outside the file's list (Picsart's clients report ``ACCEPTED``, ``FINISHED``, ``completed``,
``failed``; the sandbox sends them when a ``job-word`` or ``job-fail`` fault asks), and statuses
an operation does not list. Those are checked against the file's shared ``Error`` schema: 406,
502 and 504; 404/405 outside the listed operations; 422, which the GenAI file defines but lists
for no path, while Picsart answers its broken parameters with it as the image API does; and 501,
which the sandbox answers for video operations without its video extra (no file has it).
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

from .app import raw_path
from .operations import GENAI_HOST, GENAI_PREFIX, TOOLS_HOST, find

if TYPE_CHECKING:
    import requests
    from werkzeug.test import TestResponse

SPEC_FILE = "picsart-image-tools-openapi.yml"
GENAI_SPEC_FILE = "picsart-genai-openapi.yml"
SERVER_URL = "https://api.picsart.io"
GENAI_SERVER_URL = "https://genai-api.picsart.io"
API_PREFIX = "/tools/1.0"
GENAI_API_PREFIX = GENAI_PREFIX.rstrip("/")
FILE_WORDS = ("success", "error", "processing")
"""The status words the files use; the GenAI file's 202 allows no others."""
RESULT_TYPES = ("image/", "audio/", "video/", "application/json")
"""What result files are served as: pictures, sounds, videos, and design import's documents."""

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
    ``/hosts/genai-api.picsart.io/v1/x``).
    """
    if path.startswith("/__sandbox"):
        return None
    if path.startswith("/hosts/"):
        host, _, rest = path[len("/hosts/") :].partition("/")
        return "/" + rest if host.lower() in (TOOLS_HOST, GENAI_HOST) else None
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
) -> None:
    """The checks that need no spec: the five headers, and the body shapes Picsart always sends.

    ``missing_ok`` names headers a test expects to be absent (faults that leave them out).
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


def _check_result(where: str, data: Any) -> None:
    if not isinstance(data, dict):
        raise ConformanceError(f"{where}: result {data!r} is not an object with id and url")
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
    """One OpenAPI file: where its paths live, and its paths as patterns (``{id}`` matches one
    segment), concrete paths first."""

    server_url: str
    prefix: str
    openapi: Any
    document: dict[str, Any]
    patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        paths = sorted(self.document["paths"], key=lambda path: "{" in path)
        for path in paths:
            parts = path.split("/")
            pattern = "/".join("[^/]+" if "{" in part else re.escape(part) for part in parts)
            self.patterns.append((re.compile(pattern), path))

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        if not path.startswith(self.prefix + "/"):
            return None
        inner = path[len(self.prefix) :]
        for pattern, key in self.patterns:
            if pattern.fullmatch(inner):
                operation = self.document["paths"][key].get(method.lower())
                return operation if isinstance(operation, dict) else None
        return None


class ConformanceChecker:
    """Validates answers against the OpenAPI files; thread-safe; notes accepted deviations.

    ``document`` is the image API's file; ``genai_document`` the GenAI API's, when it was given
    (without it, GenAI answers get only the checks of ``check_picsart_answer``).
    """

    def __init__(self, spec_file: Path, genai_file: Path | None = None) -> None:
        self.spec_file = spec_file
        self._tools = _load(spec_file, SERVER_URL, API_PREFIX)
        self.document: dict[str, Any] = self._tools.document
        self._genai = _load(genai_file, GENAI_SERVER_URL, GENAI_API_PREFIX) if genai_file else None
        self.genai_document = self._genai.document if self._genai else None
        self.deviations: Counter[str] = Counter()
        self.checked = 0
        self._lock = threading.Lock()

    @classmethod
    def from_spec_dir(cls, directory: Path) -> ConformanceChecker:
        genai = directory / GENAI_SPEC_FILE
        return cls(directory / SPEC_FILE, genai if genai.is_file() else None)

    def _note(self, deviation: str) -> None:
        with self._lock:
            self.deviations[deviation] += 1

    def check(
        self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> None:
        """Raises ``ConformanceError`` when the answer contradicts the file in a way Picsart
        itself never does; records the known deviations."""
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
                self._check_component(spec, where, status, headers, body, "results download error")
            return
        if content_type == "text/html":
            self._note(f"{status} answered with an HTML page (not in the OpenAPI file)")
            return
        operation = spec.operation(method, path)
        document = _json(body, where)
        if status == 429 and is_gateway_fault(document):
            self._note("429 with the gateway 'fault' body, which lacks the 'detail' Error requires")
            return
        if operation is None or str(status) not in operation.get("responses", {}):
            what = f"{method} {path}" if operation is not None else "an unknown path or method"
            self._check_component(spec, where, status, headers, body, what)
            return
        body = self._usual_words(status, document, body)
        self._validate_with_openapi_core(spec, where, method, path, status, headers, body)

    def _spec_for(self, path: str) -> _SpecFile | None:
        if path.startswith(GENAI_API_PREFIX + "/"):
            return self._genai
        return self._tools

    def _usual_words(self, status: int, document: Any, body: bytes) -> bytes:
        """The body with an unusual status word (a ``job-word`` or ``job-fail`` fault) put back
        to the file's own, so the rest is still validated; the word is noted."""
        word = document.get("status") if isinstance(document, dict) else None
        if status not in (200, 202) or not isinstance(word, str) or word in FILE_WORDS:
            return body
        self._note(f"status word {word!r}, which the OpenAPI file does not use")
        usual = "processing" if status == 202 else "success" if document.get("data") else "error"
        return json.dumps({**document, "status": usual}).encode()

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
        request = MockRequest(spec.server_url, method.lower(), path)
        response = MockResponse(body, status, dict(headers), content_type)
        try:
            spec.openapi.validate_response(request, response)
        except Exception as error:
            cause = error.__cause__ or error.__context__
            raise ConformanceError(f"{where}: {error} ({cause})") from error

    def _check_component(
        self,
        spec: _SpecFile,
        where: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        what: str,
    ) -> None:
        """For a status the file does not list here: the shared ``Error`` schema and headers."""
        from openapi_schema_validator import OAS30Validator  # noqa: PLC0415

        components = spec.document["components"]
        listed = components["responses"].get(str(status))
        if listed is None:
            self._note(f"{status} is not described anywhere in the OpenAPI file")
            listed = components["responses"]["400"]
        else:
            self._note(f"{status} is not listed for {what}")
        schema = {**components["schemas"]["Error"], "components": components}
        errors = list(OAS30Validator(schema).iter_errors(_json(body, where)))
        if errors:
            raise ConformanceError(f"{where}: body does not match Error: {errors[0].message}")
        for name, header in listed.get("headers", {}).items():
            value = _header(headers, name)
            is_integer = header["schema"].get("type") == "integer"
            if value is not None and is_integer and not _INTEGER.fullmatch(value):
                raise ConformanceError(f"{where}: header {name} {value!r} is not an integer")


def _load(spec_file: Path, server_url: str, prefix: str) -> _SpecFile:
    from openapi_core import OpenAPI  # noqa: PLC0415 - a test dependency, loaded on use

    document = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    return _SpecFile(server_url, prefix, OpenAPI.from_file_path(str(spec_file)), document)


class AnswerValidator:
    """Runs every answer a test gets through both checks; ``check_*`` adapt common clients.

    Without a spec (``checker`` is ``None``) only the spec-free checks run.
    """

    def __init__(self, checker: ConformanceChecker | None) -> None:
        self.checker = checker
        self.missing_ok: set[str] = set()
        self.count = 0

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
        check_picsart_answer(method, path, status, headers, body, missing_ok=self.missing_ok)
        if self.checker is not None:
            self.checker.check(method, path, status, headers, body)

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
