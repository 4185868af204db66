"""Serving the sandbox app over real sockets with werkzeug's threaded server.

The request handler below is what makes the connection-level faults real: the app raises
``AbortConnection`` and the handler closes the socket without an answer, or after part of one,
with a FIN or (for ``reset``) a TCP RST. It also keeps connections open between requests, as
Picsart's servers do, where werkzeug's own handler closes every one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer, WSGIRequestHandler

from .app import SandboxApp
from .errors import AbortConnection
from .operations import VD_PREFIX, VIDEO_PREFIX
from .options import SandboxOptions, with_changes
from .sources import LOOPBACK_HOSTS, RESULT_PATH
from .state import SandboxState

POLL_INTERVAL = 0.05
KEEP_ALIVE_BODY_LIMIT = 1 << 20
_BUSY_BODY = (
    b'{"code": 503, "message": "Service Unavailable", '
    b'"detail": "The sandbox is busy: too many open connections."}'
)
BUSY_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n"
    + f"Content-Length: {len(_BUSY_BODY)}\r\n\r\n".encode()
    + _BUSY_BODY
)


class SandboxRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, quiet (the app keeps its own log), and able to cut a connection."""

    _abort_mode: str | None = None
    _body_read = False
    # Headers and body go out in separate writes; on a kept connection Nagle's algorithm would
    # hold the body until the client's delayed ACK, 40 ms later.
    disable_nagle_algorithm = True

    def parse_request(self) -> bool:
        """Keeps the request target exactly as sent.

        Python's ``http.server`` collapses a leading ``//``; Picsart answers such a URL with 404,
        so the sandbox must see it.
        """
        parsed = super().parse_request()
        words = self.requestline.split()
        if parsed and len(words) >= 2:
            self.path = words[1]
        return parsed

    def setup(self) -> None:
        super().setup()
        self._connection_input = self.rfile
        self.rfile = _ReadBodyGuard(self)  # type: ignore[assignment]

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        self._body_read = self._read_body(environ)
        return environ

    def _read_body(self, environ: dict[str, Any]) -> bool:
        """Reads a body of up to ``KEEP_ALIVE_BODY_LIMIT`` bytes before the app runs; true when
        all of it was read, so that the next request on the connection starts where this ends.

        werkzeug closes every connection because an app may leave part of a body unread; read
        here, none is left, whatever the app does.
        """
        if environ.get("wsgi.input_terminated"):
            return False
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        if not 0 <= size <= KEEP_ALIVE_BODY_LIMIT:
            return False
        body = self._connection_input.read(size) if size else b""
        environ["wsgi.input"] = io.BytesIO(body)
        return len(body) == size

    def send_header(self, keyword: str, value: str) -> None:
        """Drops werkzeug's ``Connection: close`` when the connection can be kept: the body was
        read, no fault cuts it, and the client did not ask to close it (or speak HTTP/1.0)."""
        closing = keyword.lower() == "connection" and value.lower() == "close"
        kept = self._body_read and self._abort_mode is None and not self.close_connection
        if closing and kept:
            return
        super().send_header(keyword, value)

    def log_error(self, format: str, *args: Any) -> None:
        """Quiet about a kept connection that stayed idle past the timeout; loud otherwise."""
        if not format.startswith("Request timed out"):
            super().log_error(format, *args)

    def connection_dropped(
        self, error: BaseException, environ: dict[str, Any] | None = None
    ) -> None:
        if isinstance(error, AbortConnection):
            self.close_connection = True
            self._abort_mode = error.mode

    def finish(self) -> None:
        reset = self._abort_mode == "reset"
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        super().finish()
        if reset:
            self.connection.close()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The app logs requests itself, without werkzeug's line per request."""


class _ReadBodyGuard:
    """The connection's input as werkzeug sees it: once the handler has read a request's body,
    reads give nothing until the next request line.

    After each answer werkzeug reads whatever the client sent on, to throw away a body the app
    left; on a kept connection that would swallow the next request.
    """

    def __init__(self, handler: SandboxRequestHandler) -> None:
        self._handler = handler

    def read(self, size: int = -1) -> bytes:
        if self._handler._body_read:
            return b""
        return self._handler._connection_input.read(size)

    def readline(self, size: int = -1) -> bytes:
        return self._handler._connection_input.readline(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handler._connection_input, name)


class BoundedWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server with a cap on connections, as a gateway has.

    Each connection takes a thread until it is answered or has been idle for ``idle_timeout``
    seconds; past ``max_connections`` a new one is answered 503 at once and closed, so neither
    idle sockets nor a flood can make the sandbox start threads without end.
    """

    def __init__(
        self,
        host: str,
        port: int,
        app: Any,
        *,
        max_connections: int,
        idle_timeout: float,
    ) -> None:
        handler = type("BoundedRequestHandler", (SandboxRequestHandler,), {"timeout": idle_timeout})
        super().__init__(host, port, app, handler=handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(BUSY_ANSWER)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def url_host(host: str) -> str:
    """The host to put in URLs: a wildcard bind address is reached through loopback."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - turning a wildcard into loopback
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class RunningSandbox:
    """A sandbox serving in a daemon thread; a context manager that stops it on exit.

    The helpers act in-process on the same state the control API changes.
    """

    def __init__(self, server: BaseWSGIServer, app: SandboxApp) -> None:
        self._server = server
        self.app = app
        self.port: int = server.port
        self.host: str = server.host
        self.root_url = f"http://{url_host(self.host)}:{self.port}/"
        self.base_url = self.root_url + "tools/1.0/"
        self.genai_base_url = self.root_url + "v1/"
        self.video_base_url = self.root_url + VIDEO_PREFIX.removeprefix("/")
        self.vd_base_url = self.root_url + VD_PREFIX.removeprefix("/")
        self.control_url = self.root_url + "__sandbox/"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"picsart-sandbox-{self.port}",
            daemon=True,
        )
        self._stopped = False

    @property
    def sandbox_state(self) -> SandboxState:
        return self.app.state

    def route(self, url: str) -> str:
        """Where a request for ``url`` goes when nothing may leave the machine: loopback URLs
        stay, any other host is asked of this sandbox under ``/hosts/<host>/``."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in LOOPBACK_HOSTS or parts.scheme not in ("http", "https"):
            return url
        target = f"{self.root_url}hosts/{host}{parts.path or '/'}"
        return target + (f"?{parts.query}" if parts.query else "")

    def result_file(self, url: str) -> Path | None:
        """The file behind one of this sandbox's result URLs, when it keeps them in a folder."""
        if not url.startswith(self.root_url + "results/"):
            return None
        found = RESULT_PATH.fullmatch(urlsplit(url).path)
        stored = self.app.state.store.get(found.group(1)) if found else None
        return stored.path if stored is not None else None

    def start(self) -> RunningSandbox:
        # The socket listens from the server's creation, so connections made before the loop
        # runs wait in the backlog. No probe connection: it would hold one of the
        # ``max_connections`` places until its thread ended, and a client right behind it
        # could be answered 503.
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.app.state.image_work.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def set_faults(self, spec: str | list[dict[str, Any]], *, add: bool = False) -> list[Any]:
        """Replaces the faults (or adds to them) from a spec string or a list of fault objects."""
        return self.app.state.set_faults(spec, add=add)

    def clear_faults(self) -> None:
        self.app.state.faults.clear()

    def reset(self, **options: Any) -> dict[str, Any]:
        """Back to the start, after changing any run-time ``options``; returns the new state."""
        state = self.app.state
        state.restart(with_changes(state.options, options))
        return state.snapshot()

    def set_credits(self, credits: int) -> None:
        self.app.state.set_credits(credits)

    def request_log(self) -> list[dict[str, Any]]:
        return self.app.state.log.entries()

    def state(self) -> dict[str, Any]:
        return self.app.state.snapshot()


def _build(options: SandboxOptions) -> tuple[BaseWSGIServer, SandboxApp]:
    app = SandboxApp(options.check())
    server = BoundedWSGIServer(
        options.host,
        options.port,
        app,
        max_connections=options.max_connections,
        idle_timeout=options.idle_timeout,
    )
    return server, app


def start_sandbox(options: SandboxOptions | None = None, **overrides: Any) -> RunningSandbox:
    """Starts a sandbox on a free port (unless ``port`` says otherwise) and returns once it accepts
    connections. ``overrides`` are ``SandboxOptions`` fields."""
    chosen = dataclasses.replace(options or SandboxOptions(), **overrides)
    server, app = _build(chosen)
    return RunningSandbox(server, app).start()


def serve_forever(
    options: SandboxOptions, on_ready: Callable[[RunningSandbox], None] | None = None
) -> None:
    """Serves in this thread until Ctrl-C, which ends it quietly; ``on_ready`` runs first."""
    server, app = _build(options)
    running = RunningSandbox(server, app)
    if on_ready is not None:
        on_ready(running)
    try:
        server.serve_forever(poll_interval=POLL_INTERVAL)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.state.image_work.close()
