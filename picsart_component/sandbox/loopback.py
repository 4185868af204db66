"""Helpers for running the sandbox from tests and benchmarks: in its own process, with files.

A sandbox in a child process does not share this interpreter's lock with the client under
test, so timings and pacing measure the client, not the two taking turns. ``serve_bytes`` serves
a file on loopback, which is where the sandbox fetches ``image_url`` inputs from.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_CHILD = """
import json, signal, sys
signal.signal(signal.SIGTERM, signal.default_int_handler)
from picsart_component.sandbox.options import SandboxOptions
from picsart_component.sandbox.server import serve_forever
options = SandboxOptions(**json.loads(sys.argv[1]))
serve_forever(options, on_ready=lambda running: print(running.root_url, flush=True))
"""


@contextmanager
def sandbox_process(**options: Any) -> Iterator[str]:
    """A sandbox in a child process, stopped on exit; yields its root URL.

    ``options`` are ``SandboxOptions`` fields with JSON values (a free port unless ``port``).
    """
    settings = json.dumps({"port": 0, "quiet": True, **options})
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, settings], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        root_url = child.stdout.readline().strip()
        if not root_url:
            raise RuntimeError("the sandbox process ended before it served")
        yield root_url
    finally:
        child.terminate()
        child.wait(timeout=10)


@contextmanager
def serve_bytes(content: bytes, content_type: str = "image/png") -> Iterator[str]:
    """Serves ``content`` at every path of a loopback HTTP server; yields the server's root URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the caller reports what matters."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
