"""How many ``GET balance`` calls a second the sandbox answers, from several client threads.

Each worker thread keeps its own ``requests`` session. werkzeug's server closes the connection
after every answer, so a session still opens one TCP connection per call: the figure includes
that cost, as any client of the sandbox pays it.

By default the sandbox runs in this process (``start_sandbox``), so the server and the
``requests`` clients share one GIL and the figure is a floor. ``separate_process=True`` runs it
the way ``picsart-flow sandbox`` does, in its own process, which measures the server itself.

Run: ``python -m benchmarks.sandbox_throughput [seconds] [workers]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests

from picsart_component.sandbox import start_sandbox
from picsart_component.sandbox.command import DEFAULT_IMAGE_PROCESSES
from picsart_component.sandbox.loopback import sandbox_process

HEADERS = {"X-Picsart-API-Key": "benchmark", "Accept": "application/json"}
SPIKE_LIMIT, QUOTA, WINDOW = 1_000_000, 1_000_000_000, 3600
SMALL_PHOTO = (96, 72)


_TRIVIAL_SERVER = """
from picsart_component.sandbox.server import BoundedWSGIServer

def app(environ, start_response):
    body = b'{"credits": 1000}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "17")])
    return [body]

server = BoundedWSGIServer("127.0.0.1", 0, app, max_connections=64, idle_timeout=10.0)
print(f"http://127.0.0.1:{server.server_port}/", flush=True)
server.serve_forever(poll_interval=0.05)
"""


@contextmanager
def trivial_server_process() -> Iterator[str]:
    """The sandbox's server stack (werkzeug's threaded server with the sandbox's connection cap
    and handler) around an app that only answers a fixed JSON body: what the stack alone costs."""
    child = subprocess.Popen(
        [sys.executable, "-c", _TRIVIAL_SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        root_url = child.stdout.readline().strip()
        if not root_url:
            raise RuntimeError("the trivial server ended before it served")
        yield root_url
    finally:
        child.terminate()
        child.wait(timeout=10)


def measure_trivial_throughput(seconds: float = 3.0, workers: int = 8) -> dict[str, Any]:
    """Like ``measure_balance_throughput`` in a separate process, against the trivial server."""
    with trivial_server_process() as root_url:
        counts, errors, elapsed = _hammer(
            lambda session: session.get(root_url + "balance", timeout=10).status_code == 200,
            seconds,
            workers,
        )
    total = sum(counts)
    return {
        "requests": total,
        "errors": sum(errors),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(total / elapsed, 1),
    }


@contextmanager
def _sandbox(separate_process: bool) -> Iterator[str]:
    """The base URL of an unthrottled sandbox, in this process or in a child process."""
    if not separate_process:
        with start_sandbox(spike_limit=SPIKE_LIMIT, quota=QUOTA, window=WINDOW) as sandbox:
            yield sandbox.base_url
        return
    with sandbox_process(spike_limit=SPIKE_LIMIT, quota=QUOTA, window=WINDOW) as root_url:
        yield root_url + "tools/1.0/"


def _hammer(
    call: Callable[[requests.Session], bool], seconds: float, workers: int
) -> tuple[list[int], list[int], float]:
    """Runs ``call`` in a loop for ``seconds`` from ``workers`` threads, each with its own
    session, all starting together; the successes and failures per thread, and the time."""
    counts = [0] * workers
    errors = [0] * workers
    go = threading.Event()
    deadline = [0.0]

    def hammer(index: int) -> None:
        with requests.Session() as session:
            session.headers.update(HEADERS)
            go.wait()
            while time.perf_counter() < deadline[0]:
                try:
                    ok = call(session)
                except requests.RequestException:
                    ok = False
                if ok:
                    counts[index] += 1
                else:
                    errors[index] += 1

    threads = [threading.Thread(target=hammer, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    go.set()
    for thread in threads:
        thread.join()
    return counts, errors, time.perf_counter() - started


def measure_balance_throughput(
    seconds: float = 3.0, workers: int = 8, *, separate_process: bool = False
) -> dict[str, Any]:
    """Hammers ``GET balance`` for ``seconds`` from ``workers`` threads; returns the rate."""
    with _sandbox(separate_process) as base_url:
        url = base_url + "balance"
        counts, errors, elapsed = _hammer(
            lambda session: session.get(url, timeout=10).status_code == 200, seconds, workers
        )
    total = sum(counts)
    return {
        "requests": total,
        "errors": sum(errors),
        "seconds": round(elapsed, 3),
        "workers": workers,
        "cpus": os.cpu_count(),
        "server": "separate process" if separate_process else "in process",
        "requests_per_second": round(total / elapsed, 1),
    }


def measure_image_throughput(
    operation: str,
    image_url: str | None,
    seconds: float = 3.0,
    workers: int = 8,
    image_processes: int = DEFAULT_IMAGE_PROCESSES,
) -> dict[str, Any]:
    """Hammers ``POST <operation>`` from ``workers`` threads, the sandbox in its own process
    (with ``image_processes`` worker processes, as ``picsart-flow sandbox`` has by default), with
    a small photo: sent in the request as an ``image`` file part, or (``image_url="loopback"``)
    fetched by the sandbox from a server in this process, or fetched from ``image_url``."""
    from picsart_component.sandbox.loopback import serve_bytes
    from picsart_component.sandbox.samples import sample_png_bytes

    with (
        serve_bytes(photo := sample_png_bytes("product-plain", SMALL_PHOTO)) as photo_root,
        sandbox_process(
            spike_limit=SPIKE_LIMIT,
            quota=QUOTA,
            window=WINDOW,
            credits=QUOTA,
            max_stored_files=QUOTA,
            image_processes=image_processes,
        ) as root_url,
    ):
        url = root_url + "tools/1.0/" + operation
        fields: dict[str, tuple[Any, ...]] = {}
        if image_url is None:
            fields["image"] = ("photo.png", photo, "image/png")
        else:
            fields["image_url"] = (
                None,
                photo_root + "photo.png" if image_url == "loopback" else image_url,
            )
        if operation == "upscale":
            fields["upscale_factor"] = (None, "2")
        counts, errors, elapsed = _hammer(
            lambda session: session.post(url, files=fields, timeout=30).status_code == 200,
            seconds,
            workers,
        )
    total = sum(counts)
    return {
        "requests": total,
        "errors": sum(errors),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(total / elapsed, 1),
    }


if __name__ == "__main__":
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    for apart in (False, True):
        print(measure_balance_throughput(duration, threads, separate_process=apart))
