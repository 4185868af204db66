"""The control API under ``/__sandbox/``: JSON in and out, no rate limits, no faults.

It changes what the sandbox does, so a web page the user happens to visit must not reach it:
every call needs the sandbox's API key in ``X-Picsart-API-Key`` (any non-empty key when the
sandbox accepts any; 401 otherwise), a ``Host`` that is an IP address or ``localhost`` (a DNS
rebinding attack uses a name; 403 otherwise) and no cross-origin ``Origin`` (403).

Routes:

* ``GET /__sandbox/state``: balance, prices, counts, quota, faults, stored files, jobs, options.
* ``POST /__sandbox/reset``: balance, limits, faults, jobs, log and stored files back to the start;
  an optional JSON object changes options first (``credits``, ``spike_limit``, ``quota``,
  ``window``, ``reset_time_form``, ``ratelimit_body``, ``latency_ms``, ``job_seconds``,
  ``faults``, ``api_key``, ``max_upload_bytes``, ``max_pixels``). Answers with the new state.
* ``GET /__sandbox/faults``: the active faults and how often each fired.
* ``POST /__sandbox/faults``: ``{"faults": "<spec>" | [{"kind": "503", "next": 2}, ...],
  "mode": "replace" | "add"}`` (``replace`` by default). Answers with the active faults. The
  spec language is in ``faults``; a fault's ``path`` is an operation's or poll's name from
  ``operations`` (``effects``, ``basic-edit`` for ``/edit``, ``image`` for ``/image/{id}``,
  ``poll-design2replay``, ``text2image``, ...), ``results`` or a group (``api``, ``tools``,
  ``genai``, ``polls``). Its job kinds (``job-fail``, ``job-stuck``, ``job-word``,
  ``job-late``) change the jobs that later calls start, e.g.
  ``{"faults": "job-fail:next=1,path=design2replay,word=failed"}``.
* ``DELETE /__sandbox/faults``: no more faults.
* ``GET /__sandbox/requests``: the request log, oldest first (``?limit=N`` for the last N).
* ``DELETE /__sandbox/requests``: empties the request log.
* ``POST /__sandbox/credits``: ``{"credits": N}`` sets the balance without resetting anything else.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from werkzeug.wrappers import Request

from .auth import check_api_key
from .errors import ApiError
from .faults import FaultSpecError
from .options import with_changes
from .requestlog import API_KEY_HEADER
from .state import SandboxState

MAX_CONTROL_BODY = 1024 * 1024

ControlAnswer = tuple[int, Any, dict[str, str]]

ROUTES: dict[str, tuple[str, ...]] = {
    "/__sandbox/state": ("GET",),
    "/__sandbox/reset": ("POST",),
    "/__sandbox/faults": ("GET", "POST", "DELETE"),
    "/__sandbox/requests": ("GET", "DELETE"),
    "/__sandbox/credits": ("POST",),
}


def handle_control(state: SandboxState, request: Request, path: str) -> ControlAnswer:
    """Runs one control call; errors come back in the same ``code``/``message``/``detail`` shape."""
    try:
        _guard(state, request)
        return _dispatch(state, request, path)
    except ApiError as error:
        return error.status, error.body(), dict(error.headers)


def _guard(state: SandboxState, request: Request) -> None:
    host = _host_name(request.host)
    if host != "localhost" and not _is_ip_address(host):
        raise ApiError(
            403,
            "The control API answers only requests addressed to an IP address or localhost.",
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        raise ApiError(403, "Cross-origin requests to the control API are refused.")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise ApiError(403, "Cross-site requests to the control API are refused.")
    check_api_key(
        request,
        state.options.api_key,
        f"The control API needs the sandbox's key in {API_KEY_HEADER}.",
    )


def _host_name(host: str) -> str:
    """The name or address in a ``Host`` header, without its port or IPv6 brackets."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _dispatch(state: SandboxState, request: Request, path: str) -> ControlAnswer:
    methods = ROUTES.get(path)
    if methods is None:
        routes = ", ".join(ROUTES)
        raise ApiError(404, f"No control route at {path}; the routes are {routes}.")
    method = request.method
    if method not in methods:
        allowed = ", ".join(methods)
        raise ApiError(405, f"Use {allowed} on {path}.", headers={"Allow": allowed})
    if path == "/__sandbox/state":
        return 200, state.snapshot(), {}
    if path == "/__sandbox/reset":
        changes = _json_object(request)
        try:
            options = with_changes(state.options, changes)
        except ValueError as error:
            raise ApiError(422, str(error)) from None
        state.restart(options)
        return 200, state.snapshot(), {}
    if path == "/__sandbox/faults":
        return _faults(state, request)
    if path == "/__sandbox/requests":
        if method == "DELETE":
            state.log.clear()
            return 200, {"requests": []}, {}
        entries = state.log.entries()
        limit = request.args.get("limit")
        if limit is not None:
            if not limit.isdigit():
                raise ApiError(422, "limit must be a whole number")
            entries = entries[-int(limit) :] if int(limit) else []
        return 200, {"requests": entries}, {}
    document = _json_object(request)
    credits = document.get("credits")
    if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
        raise ApiError(422, "credits must be a whole number, 0 or more")
    state.set_credits(credits)
    return 200, {"credits": credits}, {}


def _faults(state: SandboxState, request: Request) -> ControlAnswer:
    if request.method == "GET":
        return 200, {"faults": state.faults.describe()}, {}
    if request.method == "DELETE":
        state.faults.clear()
        return 200, {"faults": []}, {}
    document = _json_object(request)
    mode = document.get("mode", "replace")
    if mode not in ("replace", "add"):
        raise ApiError(422, "mode must be replace or add")
    if "faults" not in document:
        raise ApiError(422, "send {'faults': '<spec>'} or {'faults': [{'kind': ...}, ...]}")
    try:
        active = state.set_faults(document["faults"], add=mode == "add")
    except FaultSpecError as error:
        raise ApiError(422, f"Bad fault spec: {error}") from None
    return 200, {"faults": active}, {}


def _json_object(request: Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_CONTROL_BODY:
        raise ApiError(413, "Control requests are limited to 1 MiB.")
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise ApiError(400, f"The body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return document
