"""The designer's web app: its security rules, its JSON routes and the page's static files.

Every request passes the same gates, in this order: the Host must be this server's loopback
address (a rebound DNS name gets 403); the caller must hold the session cookie, or the token
printed with the URL (which ``GET /?token=`` exchanges for the cookie: HttpOnly, SameSite=Strict;
``GET /?launch=`` does the same once with a code made for opening a browser on);
a request that changes anything must come from this origin (``Origin``) with a JSON body. Every
answer forbids caching and framing and allows the page nothing from elsewhere. A bad input is a
4xx whose message names the field and the rule; nothing is answered with a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from .. import __version__
from ..console import REDACTOR
from ..fixtures import DEFAULT_FIXTURE_FILE
from ..lib.live_lists import LIVE_LISTS, names_source
from ..runtime.documents import MAX_DOCUMENT_BYTES, DocumentError, loads_json
from ..runtime.errors import did_you_mean
from . import catalog
from .errors import RequestError, bad
from .fixture_export import export_fixture
from .flow_files import check_steps, list_folder, open_flow, save_flow, within_roots
from .preview import Preview
from .renaming import RenameRefused, rename_step
from .runs import Batches, check_cfg, flow_check, item_sample, run_step, stub_output
from .session import BASE_URL_FIELDS, COOKIE_NAME, Session

log = logging.getLogger("picsart.designer")

STATIC_DIR = Path(__file__).with_name("static")
TOKEN_HEADER = "X-Designer-Token"  # noqa: S105 - a header name
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'"
)
MEDIA_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
)
"""A result shown on its own (an SVG opened in a tab, say) runs nothing in the page's origin."""
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
"""Whatever the system's MIME table says: a browser runs an ES module only as JavaScript."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MEDIA_TYPES = ("image/", "audio/", "video/")
MEDIA_CHUNK = 1 << 16
MEDIA_TIMEOUT = (10.0, 120.0)
NOT_SIGNED_IN_PAGE = (
    "<!doctype html><title>Picsart designer</title><p>Open the designer with the address "
    "<code>picsart-flow designer</code> printed (it carries the token).</p>"
)


def _routes() -> Map:
    api = [
        ("GET", "/api/state", "state"),
        ("GET", "/api/palette", "palette"),
        ("GET", "/api/actions/<name>", "action"),
        ("POST", "/api/actions/<name>/meta", "meta"),
        ("POST", "/api/actions/<name>/select", "select"),
        ("POST", "/api/check", "check"),
        ("POST", "/api/evaluate", "evaluate"),
        ("POST", "/api/flow/check", "flow_check"),
        ("POST", "/api/flow/rename", "rename"),
        ("POST", "/api/flow/open", "flow_open"),
        ("POST", "/api/flow/save", "flow_save"),
        ("POST", "/api/steps/run", "step_run"),
        ("POST", "/api/steps/stub", "step_stub"),
        ("POST", "/api/steps/fixture", "step_fixture"),
        ("GET", "/api/media/<media_id>", "media"),
        ("POST", "/api/credentials", "credentials"),
        ("POST", "/api/credentials/verify", "verify"),
        ("GET", "/api/files", "files"),
        ("POST", "/api/item-sample", "item_sample"),
        ("POST", "/api/batch", "batch_start"),
        ("GET", "/api/batch/<run_id>", "batch_progress"),
        ("POST", "/api/batch/<run_id>/stop", "batch_stop"),
        ("GET", "/api/events", "events"),
    ]
    rules = [Rule(path, methods=[method], endpoint=name) for method, path, name in api]
    rules += [
        Rule("/", methods=["GET"], endpoint="index"),
        Rule("/static/<path:path>", methods=["GET"], endpoint="static"),
    ]
    return Map(rules, strict_slashes=False)


class _Request(Request):
    max_content_length = MAX_DOCUMENT_BYTES


class DesignerApp:
    """The WSGI app for one ``Session`` served on ``port`` (the Host and Origin it accepts)."""

    def __init__(self, session: Session, port: int) -> None:
        self.session = session
        self.listening_on(port)
        self.routes = _routes()
        self.preview = Preview()
        self.batches = Batches(session)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = _Request(environ)
        response = self._answer(request)
        _harden(response)
        return response(environ, start_response)

    def listening_on(self, port: int) -> None:
        """The port the server got (the Host and Origin it accepts name it)."""
        self.port = port
        self.hosts = frozenset(f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]"))
        self.origins = frozenset(f"http://{host}" for host in self.hosts)

    def close(self) -> None:
        self.batches.stop_all()
        self.preview.close()
        self.session.close()

    # The gates.

    def _answer(self, request: Request) -> Response:
        try:
            if request.host not in self.hosts:
                return _error(403, f"Host: {request.host!r} is not this designer's address")
            api = request.path.startswith("/api/")
            token = request.args.get("token") or request.headers.get(TOKEN_HEADER)
            if request.path == "/" and request.method == "GET" and "token" in request.args:
                return self._sign_in(self.session.token_matches(request.args["token"]))
            if request.path == "/" and request.method == "GET" and "launch" in request.args:
                return self._sign_in(self.session.use_launch_code(request.args["launch"]))
            signed_in = self.session.cookie_matches(request.cookies.get(COOKIE_NAME))
            if not signed_in and not self.session.token_matches(token):
                if api:
                    return _error(401, "not signed in: open the address the designer printed")
                return Response(NOT_SIGNED_IN_PAGE, 401, content_type="text/html; charset=utf-8")
            if request.method not in SAFE_METHODS:
                refused = self._refused_write(request)
                if refused is not None:
                    return refused
            adapter = self.routes.bind_to_environ(request.environ)
            endpoint, values = adapter.match()
            handler: Callable[..., Response] = getattr(self, f"_{endpoint}")
            return handler(request, **values)
        except RequestError as error:
            return _error(error.status, error.message)
        except HTTPException as error:
            return _error(error.code or 400, _http_message(request, error))
        except Exception as error:
            log.warning("designer: %s %s failed", request.method, request.path, exc_info=True)
            return _error(500, f"the designer failed on this request: {type(error).__name__}")

    def _sign_in(self, valid: bool) -> Response:
        """The session cookie for a browser that showed the token or a launch code."""
        if not valid:
            return Response(NOT_SIGNED_IN_PAGE, 401, content_type="text/html; charset=utf-8")
        response = Response("", 303, headers={"Location": "/"})
        response.set_cookie(
            COOKIE_NAME,
            self.session.cookie_secret,
            httponly=True,
            samesite="Strict",
            path="/",
        )
        return response

    def _refused_write(self, request: Request) -> Response | None:
        origin = request.headers.get("Origin")
        if origin not in self.origins:
            return _error(
                403,
                "Origin: a request that changes anything must come from this designer's page "
                f"({'none was sent' if origin is None else repr(origin) + ' is another site'})",
            )
        if request.mimetype != "application/json":
            return _error(
                415,
                f"Content-Type: must be application/json, not {request.mimetype or 'none'!r}",
            )
        return None

    # Pages.

    def _index(self, request: Request) -> Response:
        index = STATIC_DIR / "index.html"
        if not index.is_file():
            return Response(
                "<!doctype html><title>Picsart designer</title><p>The page is not installed.",
                content_type="text/html; charset=utf-8",
            )
        return send_from_directory(STATIC_DIR, "index.html", request.environ)

    def _static(self, request: Request, path: str) -> Response:
        response = send_from_directory(STATIC_DIR, path, request.environ)
        kind = STATIC_TYPES.get(Path(path).suffix.lower())
        if kind is not None:
            response.content_type = kind
        return response

    # The JSON API.

    def _state(self, request: Request) -> Response:
        session = self.session
        return _json(
            {
                "mode": session.mode,
                "credentials": session.credentials.public(),
                "flowFile": str(session.flow_file.resolve()) if session.flow_file else None,
                "roots": [str(root) for root in session.roots],
                "version": __version__,
            }
        )

    def _palette(self, request: Request) -> Response:
        return _json(catalog.palette(self.session.executor))

    def _action(self, request: Request, name: str) -> Response:
        action = catalog.known_action(self.session.executor, name, "name")
        return _json(catalog.action_details(self.session.executor, action))

    def _meta(self, request: Request, name: str) -> Response:
        executor = self.session.executor
        action = catalog.known_action(executor, name, "name")
        data = _body(request)
        cfg = check_cfg(self.session, action, data.get("cfg"))
        _forget_lists_if(data.get("reload"))
        in_schema, out_schema = catalog.schemas(executor, action)
        static = {"in": in_schema, "out": out_schema, "source": "static"}
        if not hasattr(executor.action_module(action), "getMetaModel"):
            return _json({**static, "reason": f"{action} has no dynamic metadata"})
        answer, reason = self._call_module(action, "getMetaModel", cfg)
        if not isinstance(answer, dict):
            return _json({**static, "reason": reason})
        source, why = names_source(answer)
        return _json(
            {
                "in": answer.get("in", in_schema),
                "out": answer.get("out", out_schema),
                "source": source,
                "reason": REDACTOR.redact(why) if why else None,
            }
        )

    def _select(self, request: Request, name: str) -> Response:
        executor = self.session.executor
        action = catalog.known_action(executor, name, "name")
        data = _body(request)
        fields = executor.manifest.action(action).fields
        field = data.get("field")
        if not isinstance(field, str) or field not in fields:
            hint = did_you_mean(str(field), fields) if isinstance(field, str) else ""
            raise bad(f"field: {field!r} is not a config field of {action}{hint}")
        model = fields[field].get("model")
        if isinstance(model, dict):
            return _json({"options": model, "source": "static", "reason": None})
        if not isinstance(model, str):
            raise bad(f"field: {field} of {action} is not a select")
        cfg = check_cfg(self.session, action, data.get("cfg"))
        _forget_lists_if(data.get("reload"))
        answer, reason = self._call_module(action, model, cfg)
        if isinstance(answer, dict):
            return _json({"options": answer, "source": "live", "reason": None})
        return _json({"options": {}, "source": "static", "reason": reason})

    def _call_module(self, action: str, method: str, cfg: dict[str, Any]) -> tuple[Any, str]:
        """The runtime's one way to call an action's method (``getMetaModel``, a select model),
        with the target's credentials; (None, reason) when it fails."""
        executor = self.session.executor
        call = getattr(executor, "call_module_method", None)
        if call is None:
            return None, "this runtime cannot call an action's methods yet"
        target = self.session.target()
        try:
            return call(action, method, {**cfg, **target.cfg}, self.session.services), ""
        except Exception as error:
            return None, REDACTOR.redact(f"{type(error).__name__}: {error}")

    def _check(self, request: Request) -> Response:
        data = _body(request)
        executor = self.session.executor
        action = catalog.known_action(executor, data.get("action"))
        cfg = check_cfg(self.session, action, data.get("cfg"))
        body = data.get("body", {})
        problems = executor.input_problems(action, body, cfg)
        return _json({"problems": [{"path": p.path, "message": p.rule} for p in problems]})

    def _evaluate(self, request: Request) -> Response:
        data = _body(request)
        expression = data.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            raise bad("expression: must be a non-empty string (a JSONata expression)")
        document = data.get("document", {})
        if not isinstance(document, dict):
            raise bad('document: must be an object ({"input": ..., "<step id>": ...})')
        return _json(self.preview.evaluate(expression, document))

    def _flow_check(self, request: Request) -> Response:
        data = _body(request)
        return _json(flow_check(self.session, check_steps(data.get("steps"))))

    def _rename(self, request: Request) -> Response:
        data = _body(request)
        steps = check_steps(data.get("steps"))
        index = data.get("index")
        if isinstance(index, bool) or not isinstance(index, int):
            raise bad("index: must be a whole number (the step's place, from 0)")
        try:
            return _json({"steps": rename_step(steps, index, data.get("newId"))})  # type: ignore[arg-type]
        except ValueError as error:
            raise bad(str(error)) from None
        except RenameRefused as error:
            raise RequestError(422, str(error)) from None

    def _flow_open(self, request: Request) -> Response:
        path = within_roots(self.session.roots, _body(request).get("path"), "path")
        return _json(open_flow(path, self.session.executor))

    def _flow_save(self, request: Request) -> Response:
        data = _body(request)
        path = within_roots(self.session.roots, data.get("path"), "path")
        steps = check_steps(data.get("steps"))
        written = save_flow(path, steps)
        return _json({"path": str(path), "written": written, **flow_check(self.session, steps)})

    def _step_run(self, request: Request) -> Response:
        data = _body(request)
        action = catalog.known_action(self.session.executor, data.get("action"))
        cfg = check_cfg(self.session, action, data.get("cfg"))
        confirmed = data.get("confirmed", False)
        if not isinstance(confirmed, bool):
            raise bad("confirmed: must be true or false")
        step_id = data.get("id")
        if step_id is not None and not isinstance(step_id, str):
            raise bad("id: must be a string (the step's id)")
        body = data.get("body", {})
        return _json(
            run_step(self.session, action, cfg, body, confirmed=confirmed, step_id=step_id)
        )

    def _step_stub(self, request: Request) -> Response:
        data = _body(request)
        action = catalog.known_action(self.session.executor, data.get("action"))
        step_id = data.get("id")
        if step_id is not None and not isinstance(step_id, str):
            raise bad("id: must be a string (the step's id)")
        return _json(stub_output(self.session, action, step_id))

    def _step_fixture(self, request: Request) -> Response:
        data = _body(request)
        action = catalog.known_action(self.session.executor, data.get("action"))
        cfg = check_cfg(self.session, action, data.get("cfg"))
        path = within_roots(
            self.session.roots, data.get("path") or str(DEFAULT_FIXTURE_FILE), "path"
        )
        body = data.get("body", {})
        live = self.session.mode == "live"
        return _json(export_fixture(path, data.get("name"), action, cfg, body, live=live))

    def _media(self, request: Request, media_id: str) -> Response:
        link = self.session.media.get(media_id)
        if link is None:
            raise NotFound()
        target = self.session.target()
        if target.sandbox is not None:
            kept = target.sandbox.result_file(link.url)
            if kept is not None and kept.is_file():
                response = send_from_directory(kept.parent, kept.name, request.environ)
                response.headers["Content-Security-Policy"] = MEDIA_POLICY
                return response
        route = self.session.services.route
        url = route(link.url) if route is not None else link.url
        try:
            upstream = requests.get(url, stream=True, timeout=MEDIA_TIMEOUT)
        except requests.RequestException as error:
            rule = f"the result could not be fetched: {type(error).__name__}"
            raise RequestError(502, rule) from None
        if upstream.status_code != 200:
            upstream.close()
            raise RequestError(502, f"the result's server answered {upstream.status_code}")
        kind = upstream.headers.get("Content-Type", link.type).split(";")[0].strip()
        if not kind.startswith(MEDIA_TYPES):
            kind = link.type if link.type.startswith(MEDIA_TYPES) else "application/octet-stream"
        response = Response(_chunks(upstream), content_type=kind, direct_passthrough=True)
        response.headers["Content-Security-Policy"] = MEDIA_POLICY
        return response

    def _credentials(self, request: Request) -> Response:
        data = _body(request)
        if self.batches.running():
            raise RequestError(
                409, "credentials: a batch is running with the current ones; stop it first"
            )
        allowed = {"apiKey", *BASE_URL_FIELDS}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise bad(f"{unknown[0]}: not a credential; give {', '.join(sorted(allowed))}")
        key = data.get("apiKey")
        if key is not None and (not isinstance(key, str) or (key and len(key.strip()) < 4)):
            raise bad("apiKey: must be a string of at least 4 characters, or empty to forget it")
        urls: dict[str, str | None] = {}
        for name in BASE_URL_FIELDS:
            if name in data:
                value = data[name]
                if value is not None and not isinstance(value, str):
                    raise bad(f"{name}: must be a URL string, or empty to use Picsart's")
                if value and not value.startswith(("https://", "http://")):
                    raise bad(f"{name}: must start with https:// (or http:// for a local server)")
                urls[name] = value
        self.session.set_credentials(key.strip() if isinstance(key, str) else None, urls)
        return _json(self.session.credentials.public())

    def _verify(self, request: Request) -> Response:
        _body(request)
        target = self.session.target()
        result = self.session.executor.verify_credentials(target.cfg)
        return _json(
            {
                "verified": bool(result.get("verified")),
                "reason": REDACTOR.redact(str(result["reason"])) if result.get("reason") else None,
                "sandbox": target.sandbox is not None,
            }
        )

    def _files(self, request: Request) -> Response:
        return _json(list_folder(self.session.roots, request.args.get("dir")))

    def _item_sample(self, request: Request) -> Response:
        path = within_roots(self.session.roots, _body(request).get("path"), "path")
        return _json(item_sample(self.session, path))

    def _batch_start(self, request: Request) -> Response:
        run = self.batches.start(_body(request))
        return _json({"runId": run.run_id})

    def _batch_progress(self, request: Request, run_id: str) -> Response:
        run = self.batches.get(run_id)
        return _json(self.batches.progress(run))

    def _batch_stop(self, request: Request, run_id: str) -> Response:
        _body(request)
        run = self.batches.get(run_id)
        run.stop()
        return _json({"stopping": True, "state": run.state})

    def _events(self, request: Request) -> Response:
        return _json({"events": self.session.last_events()})


def _forget_lists_if(reload: Any) -> None:
    """The page's Reload: ask Picsart again now, not within the hour."""
    if reload is not None and not isinstance(reload, bool):
        raise bad("reload: must be true or false")
    if reload:
        LIVE_LISTS.forget()


def _chunks(upstream: requests.Response) -> Iterator[bytes]:
    try:
        yield from upstream.iter_content(MEDIA_CHUNK)
    finally:
        upstream.close()


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = loads_json(raw)
    except DocumentError as error:
        raise bad(f"body: {error}") from None
    except ValueError as error:
        raise bad(f"body: is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise bad("body: must be a JSON object")
    return data


def _json(data: Any, status: int = 200) -> Response:
    text = REDACTOR.redact(json.dumps(data, ensure_ascii=False, default=str, allow_nan=False))
    return Response(text, status, content_type="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


def _http_message(request: Request, error: HTTPException) -> str:
    if error.code == 404:
        return f"path: {request.path} is not a route of the designer"
    if error.code == 405:
        return f"method: {request.method} is not allowed on {request.path}"
    if error.code == 413:
        return "body: larger than the designer takes (16 MB)"
    return error.description or error.name


def _harden(response: Response) -> None:
    headers = response.headers
    headers["Cache-Control"] = "no-store"
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
