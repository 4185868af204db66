"""A server that answers every Picsart image call at once, for measuring the client's own cost.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to answer ``POST
/tools/1.0/<operation>`` with a success in Picsart's shape and ``GET .../balance`` with a balance,
with the rate-limit and credit headers Picsart sends, from an asyncio loop in its own process.
Nothing is checked and nothing is stored: whatever the client spends, the server does not.

Given a spike limit, it also keeps Picsart's spike arrest (the sandbox's ``SpikeArrest``: that
many calls in any second, a 429 with ``X-Picsart-Ratelimit-Reset-Time`` past it) and answers
``GET /__stats`` with the moments it admitted and refused calls, for a rate benchmark to read.

    python -m benchmarks.instant_server [SPIKE_LIMIT]   # prints its root URL, serves until killed
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator

from picsart_component.sandbox.limits import SpikeArrest

_ids = itertools.count(1)
_spike: SpikeArrest | None = None
_admitted: list[float] = []
_refused: list[float] = []


def _limited(now: float) -> bytes | None:
    """A spike-arrest 429 when the call is one too many, else ``None`` (and the call counted)."""
    if _spike is None:
        return None
    free_at = _spike.admit(now)
    if free_at is None:
        _admitted.append(now)
        return None
    _refused.append(now)
    body = b'{"detail": "spike arrest", "code": 429}'
    head = (
        "HTTP/1.1 429 Too Many Requests\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Picsart-Ratelimit-Limit: 1000000000\r\n"
        "X-Picsart-Ratelimit-Available: 999999999\r\n"
        f"X-Picsart-Ratelimit-Reset-Time: {int(free_at * 1000) + 1}\r\n"
        "\r\n"
    )
    return head.encode() + body


def _answer(method: str, path: str, port: int) -> bytes:
    if path == "/__stats":
        body = json.dumps({"admitted": _admitted, "refused": _refused}).encode()
    elif path.endswith("/balance"):
        body = json.dumps({"credits": 10**9}).encode()
    else:
        number = next(_ids)
        body = json.dumps(
            {
                "status": "success",
                "data": {
                    "id": f"r{number}",
                    "url": f"http://127.0.0.1:{port}/results/r{number}.png",
                },
            }
        ).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Picsart-Ratelimit-Limit: 1000000000\r\n"
        "X-Picsart-Ratelimit-Available: 999999999\r\n"
        "X-Picsart-Credit-Available: 1000000000\r\n"
        f"X-Picsart-Correlation-Id: c{method}{len(path)}\r\n"
        "\r\n"
    )
    return head.encode() + body


async def _serve_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    port = writer.get_extra_info("sockname")[1]
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            paid = method == "POST" and path.startswith("/tools/")
            refusal = _limited(time.time()) if paid else None
            writer.write(refusal or _answer(method, path, port))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _main() -> None:
    server = await asyncio.start_server(_serve_client, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/", flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def instant_server(spike_limit: float | None = None) -> Iterator[str]:
    """The server in a child process; yields its root URL."""
    command = [sys.executable, "-m", "benchmarks.instant_server"]
    if spike_limit is not None:
        command.append(str(spike_limit))
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _spike = SpikeArrest(float(sys.argv[1]))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main())
