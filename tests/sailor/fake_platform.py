"""An in-process fake of the elastic.io platform API and its object storage (maester).

The routes are the ones the reference sailor calls, with the shapes its clients expect:

- ``GET /v1/tasks/{flow}/steps/{step}`` (elasticio-rest-node ``tasks.retrieveStep``, Basic auth
  ``API_USERNAME:API_KEY``): the step registered with ``add_step``; 401 for other credentials.
- ``PUT /v1/accounts/{id}`` (``accounts.update``, body ``{"keys": ...}``): recorded, ``{}``.
- ``POST|GET|DELETE /sailor-support/hooks/task/{flow}/startup/data`` (lib/hooksData.js): store,
  return, delete; a second POST is 409 with ``{"error": ...}``, which hooksData turns into an
  Error whose ``statusCode`` the sailor checks.
- ``POST /objects`` (@elastic.io/maester-client 6.0.0, ``Authorization: Bearer <token>``): keeps
  the raw bytes (chunked, as axios streams them) and answers 201 ``{"objectId": ...}``;
  ``GET|PUT|DELETE /objects/{id}``.
- ``POST /result``: a service call's result (``ELASTICIO_POST_RESULT_URL``), answered 200, which
  is the one status runService.js accepts.

Every request is recorded in ``requests``; ``fail_next`` makes the next matching requests fail.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

USERNAME = "test-api-user"
API_KEY = "test-api-key"
OBJECT_STORAGE_TOKEN = "test-maester-token"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received; ``auth`` is the Basic credentials, ``json`` the parsed
    body when it is JSON."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    auth: tuple[str, str] | None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class StepData:
    """What ``GET /v1/tasks/{flow}/steps/{step}`` answers."""

    config: dict[str, Any] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    is_passthrough: bool = False
    variables: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "config": self.config,
            "snapshot": self.snapshot,
            "is_passthrough": self.is_passthrough,
            "variables": self.variables,
        }


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    headers: dict[str, str]


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: bytes
    times: int


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are in ``FakePlatform.requests``; no access log on stderr."""


def _json_response(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


_Route = tuple[str, re.Pattern[str], Callable[..., Response]]


class FakePlatform:
    """The platform API and maester on one threaded loopback server; use as a context manager.

    ``url`` is both ``ELASTICIO_API_URI`` and ``ELASTICIO_OBJECT_STORAGE_URI``; ``result_url``
    is a ``ELASTICIO_POST_RESULT_URL`` with Basic credentials in its userinfo.
    """

    def __init__(
        self,
        *,
        username: str = USERNAME,
        api_key: str = API_KEY,
        object_storage_token: str = OBJECT_STORAGE_TOKEN,
    ) -> None:
        self.username = username
        self.api_key = api_key
        self.object_storage_token = object_storage_token
        self.steps: dict[tuple[str, str], StepData] = {}
        self.startup_data: dict[str, Any] = {}
        self.accounts: dict[str, list[Any]] = {}
        self.objects: dict[str, StoredObject] = {}
        self.results: list[Any] = []
        self.requests: list[RecordedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._routes: list[_Route] = [
            ("GET", re.compile(r"/v1/tasks/(?P<flow>[^/]+)/steps/(?P<step>[^/]+)"), self._step),
            ("PUT", re.compile(r"/v1/accounts/(?P<account>[^/]+)"), self._account),
            (
                "*",
                re.compile(r"/sailor-support/hooks/task/(?P<flow>[^/]+)/startup/data"),
                self._hook,
            ),
            ("POST", re.compile(r"/objects"), self._object_add),
            ("*", re.compile(r"/objects/(?P<object_id>[^/]+)"), self._object),
            ("POST", re.compile(r"/result"), self._result),
        ]

    # -- set-up ---------------------------------------------------------------------------

    def add_step(
        self,
        flow_id: str,
        step_id: str,
        *,
        config: dict[str, Any] | None = None,
        snapshot: dict[str, Any] | None = None,
        is_passthrough: bool = False,
        variables: dict[str, Any] | None = None,
    ) -> StepData:
        step = StepData(config or {}, snapshot or {}, is_passthrough, variables or {})
        with self._lock:
            self.steps[flow_id, step_id] = step
        return step

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int = 500,
        body: bytes = b'{"error":"injected fault"}',
        times: int = 1,
    ) -> None:
        """The next ``times`` requests whose method and path (a regex, matched whole) match
        get ``status`` and ``body`` instead of their answer; ``method`` may be ``*``."""
        with self._lock:
            self._faults.append(_Fault(method, re.compile(path_pattern), status, body, times))

    def put_object(self, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Stores an object as if a sailor had posted it; its id."""
        object_id = str(uuid.uuid4())
        with self._lock:
            self.objects[object_id] = StoredObject(data, content_type, {})
        return object_id

    # -- reading --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake platform is not started"
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def result_url(self) -> str:
        return self.url.replace("http://", f"http://{self.username}:{self.api_key}@") + "/result"

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        """The recorded requests with this method (or ``*``) whose path matches the regex."""
        pattern = re.compile(path_pattern)
        with self._lock:
            recorded = list(self.requests)
        return [
            request
            for request in recorded
            if method in ("*", request.method) and pattern.fullmatch(request.path)
        ]

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakePlatform:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05),
            name="fake-platform",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving --------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._answer(request)
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        body = request.get_data()
        parsed: Any = None
        if body and "json" in (request.content_type or ""):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.args),
            headers={key.lower(): value for key, value in request.headers.items()},
            body=body,
            json=parsed,
            auth=_basic_auth(request),
        )
        with self._lock:
            self.requests.append(recorded)
            fault = self._take_fault(recorded)
        if fault is not None:
            return Response(fault.body, status=fault.status, content_type="application/json")
        for method, pattern, handler in self._routes:
            found = pattern.fullmatch(request.path)
            if found and method in ("*", request.method):
                return handler(recorded, **found.groupdict())
        return _json_response({"error": f"no route for {request.method} {request.path}"}, 404)

    def _take_fault(self, request: RecordedRequest) -> _Fault | None:
        for fault in self._faults:
            if fault.method in ("*", request.method) and fault.path.fullmatch(request.path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _api_auth_ok(self, request: RecordedRequest) -> bool:
        return request.auth == (self.username, self.api_key)

    def _unauthorized(self) -> Response:
        response = _json_response({"error": "Unauthorized"}, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="elastic.io"'
        return response

    def _step(self, request: RecordedRequest, flow: str, step: str) -> Response:
        if not self._api_auth_ok(request):
            return self._unauthorized()
        with self._lock:
            found = self.steps.get((flow, step))
        if found is None:
            return _json_response({"error": f"step {step} of flow {flow} not found"}, 404)
        return _json_response(found.as_json())

    def _account(self, request: RecordedRequest, account: str) -> Response:
        if not self._api_auth_ok(request):
            return self._unauthorized()
        with self._lock:
            self.accounts.setdefault(account, []).append(request.json)
        return _json_response({})

    def _hook(self, request: RecordedRequest, flow: str) -> Response:
        if not self._api_auth_ok(request):
            return self._unauthorized()
        with self._lock:
            if request.method == "POST":
                if flow in self.startup_data:
                    return _json_response({"error": "Startup data already exists"}, 409)
                self.startup_data[flow] = request.json if request.json is not None else {}
                return _json_response({}, 201)
            if request.method == "GET":
                if flow not in self.startup_data:
                    return _json_response({"error": "Startup data not found"}, 404)
                return _json_response(self.startup_data[flow])
            if request.method == "DELETE":
                self.startup_data.pop(flow, None)
                return Response(status=204)
        return _json_response({"error": "method not allowed"}, 405)

    def _storage_auth_ok(self, request: RecordedRequest) -> bool:
        return request.header("authorization") == f"Bearer {self.object_storage_token}"

    def _object_add(self, request: RecordedRequest) -> Response:
        if not self._storage_auth_ok(request):
            return self._unauthorized()
        object_id = str(uuid.uuid4())
        content_type = request.header("content-type") or "application/octet-stream"
        with self._lock:
            self.objects[object_id] = StoredObject(request.body, content_type, request.headers)
        return _json_response(
            {
                "objectId": object_id,
                "contentType": content_type,
                "contentLength": len(request.body),
            },
            201,
        )

    def _object(self, request: RecordedRequest, object_id: str) -> Response:
        if not self._storage_auth_ok(request):
            return self._unauthorized()
        with self._lock:
            stored = self.objects.get(object_id)
            if stored is None:
                return _json_response({"error": f"object {object_id} not found"}, 404)
            if request.method == "GET":
                return Response(stored.data, status=200, content_type=stored.content_type)
            if request.method == "PUT":
                content_type = request.header("content-type") or stored.content_type
                self.objects[object_id] = StoredObject(request.body, content_type, request.headers)
                return _json_response({"objectId": object_id, "contentType": content_type})
            if request.method == "DELETE":
                del self.objects[object_id]
                return Response(status=204)
        return _json_response({"error": "method not allowed"}, 405)

    def _result(self, request: RecordedRequest) -> Response:
        with self._lock:
            self.results.append(request.json)
        return _json_response({})
