"""Checking that an answer looks like Picsart's: headers, body shapes, and the OpenAPI file.

The sandbox's tests run every answer they get through here, and so can the tests of any client
that talks to the sandbox. ``check_picsart_answer`` needs nothing but the answer;
``ConformanceChecker`` validates against ``picsart-image-tools-openapi.yml`` with openapi-core (a
test dependency, imported only when a checker is built).

Where real Picsart answers differ from the OpenAPI file, the checker accepts the real shape and
records the difference in ``deviations`` instead of failing: a 429 with the gateway's ``fault``
body (the file's ``Error`` requires ``detail``), statuses the file does not list (406, 502, 504,
and 404/405 outside the listed operations), and HTML error pages from a proxy.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from .app import raw_path

if TYPE_CHECKING:
    import requests
    from werkzeug.test import TestResponse

SPEC_FILE = "picsart-image-tools-openapi.yml"
SERVER_URL = "https://api.picsart.io"
API_PREFIX = "/tools/1.0"

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


class ConformanceError(AssertionError):
    """An answer that no Picsart client should have to accept."""


def api_path(path: str) -> str | None:
    """The Picsart path an answer is for, or None for the sandbox's own and other hosts' ones.

    In sandbox mode a client asks for ``https://api.picsart.io/x`` at ``/hosts/api.picsart.io/x``.
    """
    if path.startswith("/__sandbox"):
        return None
    if path.startswith("/hosts/"):
        host, _, rest = path[len("/hosts/") :].partition("/")
        return "/" + rest if host.lower() == "api.picsart.io" else None
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
        if not content_type.startswith("image/"):
            raise ConformanceError(f"{where}: a result is served as {content_type!r}")
        return
    if content_type == "text/html":
        if status < 400:
            raise ConformanceError(f"{where}: an HTML page for a success")
        return
    if content_type != "application/json":
        raise ConformanceError(f"{where}: Content-Type {content_type!r}, not application/json")
    document = _json(body, where)
    if status >= 400:
        _check_error_body(where, status, document)
    elif path == f"{API_PREFIX}/balance":
        credits = document.get("credits") if isinstance(document, dict) else None
        if isinstance(credits, bool) or not isinstance(credits, int):
            raise ConformanceError(f"{where}: balance body {document!r} has no integer credits")
    else:
        _check_success_body(where, document)


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


def _check_success_body(where: str, document: Any) -> None:
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or document.get("status") != "success":
        raise ConformanceError(f"{where}: success body {document!r} is not status/data")
    if not isinstance(data.get("id"), str) or not _RESULT_ID.fullmatch(data["id"]):
        raise ConformanceError(f"{where}: data.id {data.get('id')!r} is not a uuid4 hex")
    url = data.get("url")
    if not isinstance(url, str) or not re.match(r"https?://[^/]+/", url):
        raise ConformanceError(f"{where}: data.url {url!r} is not an absolute URL")


class ConformanceChecker:
    """Validates answers against the OpenAPI file; thread-safe; notes accepted deviations."""

    def __init__(self, spec_file: Path) -> None:
        from openapi_core import OpenAPI  # noqa: PLC0415 - a test dependency, loaded on use

        self.spec_file = spec_file
        self._openapi = OpenAPI.from_file_path(str(spec_file))
        self.document: dict[str, Any] = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
        self.deviations: Counter[str] = Counter()
        self.checked = 0
        self._lock = threading.Lock()

    @classmethod
    def from_spec_dir(cls, directory: Path) -> ConformanceChecker:
        return cls(directory / SPEC_FILE)

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
        with self._lock:
            self.checked += 1
        where = f"{method} {path} -> {status}"
        content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip()
        if path.startswith("/results/"):
            if status != 200:
                self._check_component(where, status, headers, body, "results download error")
            return
        if content_type == "text/html":
            self._note(f"{status} answered with an HTML page (not in the OpenAPI file)")
            return
        operation = self._operation(method, path)
        document = _json(body, where)
        if status == 429 and is_gateway_fault(document):
            self._note("429 with the gateway 'fault' body, which lacks the 'detail' Error requires")
            return
        if operation is None or str(status) not in operation.get("responses", {}):
            what = f"{method} {path}" if operation is not None else "an unknown path or method"
            self._check_component(where, status, headers, body, what)
            return
        self._validate_with_openapi_core(where, method, path, status, headers, body, content_type)

    def _operation(self, method: str, path: str) -> dict[str, Any] | None:
        if not path.startswith(API_PREFIX + "/"):
            return None
        item = self.document["paths"].get(path[len(API_PREFIX) :])
        if not isinstance(item, dict):
            return None
        operation = item.get(method.lower())
        return operation if isinstance(operation, dict) else None

    def _validate_with_openapi_core(
        self,
        where: str,
        method: str,
        path: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        content_type: str,
    ) -> None:
        from openapi_core.testing import MockRequest, MockResponse  # noqa: PLC0415

        request = MockRequest(SERVER_URL, method.lower(), path)
        response = MockResponse(body, status, dict(headers), content_type)
        try:
            self._openapi.validate_response(request, response)
        except Exception as error:
            cause = error.__cause__ or error.__context__
            raise ConformanceError(f"{where}: {error} ({cause})") from error

    def _check_component(
        self, where: str, status: int, headers: Mapping[str, str], body: bytes, what: str
    ) -> None:
        """For a status the file does not list here: the shared ``Error`` schema and headers."""
        from openapi_schema_validator import OAS30Validator  # noqa: PLC0415

        components = self.document["components"]
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
