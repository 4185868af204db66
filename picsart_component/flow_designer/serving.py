"""Starting a designer: the session, the app and a threaded werkzeug server on 127.0.0.1.

``picsart-flow designer`` serves in its main thread until Ctrl-C; tests (and the page's browser
tests) start one in a thread with ``start_designer`` and stop it with ``stop``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..console import make_executor
from .server import DesignerApp
from .session import Credentials, Session

if TYPE_CHECKING:
    from ..sandbox import RunningSandbox

LOOPBACK = "127.0.0.1"


class QuietRequestHandler(WSGIRequestHandler):
    """Logs a request's method, path and status, never its query (the token is in one)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s', self.command, path, code)


class RunningDesigner:
    """A designer bound to its port: ``url`` is the address with its token."""

    def __init__(self, server: BaseWSGIServer, app: DesignerApp) -> None:
        self.server = server
        self.app = app
        self.port: int = server.port
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.token = app.session.token
        self.url = f"{self.base_url}/?token={self.token}"
        self._thread: threading.Thread | None = None

    @property
    def session(self) -> Session:
        return self.app.session

    def launch_url(self) -> str:
        """An address that signs one browser in, once, for opening a browser on: unlike ``url``,
        it is worth nothing once used, so the browser's command line does not give it away."""
        return f"{self.base_url}/?launch={self.session.new_launch_code()}"

    @property
    def sandbox(self) -> RunningSandbox | None:
        """The embedded sandbox that answers in sandbox mode (None with a key or base URL)."""
        return self.session.target().sandbox

    def serve_forever(self) -> None:
        """Serves in this thread until Ctrl-C (``KeyboardInterrupt`` ends it quietly)."""
        with contextlib.suppress(KeyboardInterrupt):
            self.server.serve_forever()

    def start(self) -> RunningDesigner:
        """Serves in a daemon thread."""
        self._thread = threading.Thread(
            target=self.server.serve_forever, name=f"designer-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.server.server_close()
        self.app.close()

    def __enter__(self) -> RunningDesigner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def make_designer(
    root: Path,
    flow_file: Path | None = None,
    *,
    port: int = 0,
    cfg: Mapping[str, object] | None = None,
) -> RunningDesigner:
    """A designer for ``root`` (and ``flow_file``'s folder), bound but not yet serving; ``cfg``
    is the environment's credentials (``console.merge_cfg``). ``OSError`` when the port is
    taken."""
    executor, services = make_executor()
    roots = [root]
    if flow_file is not None:
        roots.append(flow_file.resolve().parent)
    session = Session(executor, services, Credentials.from_cfg(cfg or {}), roots, flow_file)
    app = DesignerApp(session, port)
    server = make_server(LOOPBACK, port, app, threaded=True, request_handler=QuietRequestHandler)
    app.listening_on(server.port)
    return RunningDesigner(server, app)


def start_designer(
    root: Path,
    flow_file: Path | None = None,
    *,
    port: int = 0,
    api_key: str | None = None,
    base_urls: Mapping[str, str] | None = None,
) -> RunningDesigner:
    """A designer serving in a thread (for tests): sandbox mode unless ``api_key`` or
    ``base_urls`` say where requests go. Its embedded sandbox, in sandbox mode, is started at
    once and is ``.sandbox``."""
    cfg: dict[str, object] = dict(base_urls or {})
    if api_key is not None:
        cfg["apiKey"] = api_key
    running = make_designer(root, flow_file, port=port, cfg=cfg)
    running.session.target()
    return running.start()
