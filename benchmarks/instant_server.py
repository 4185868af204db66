"""A server that answers every Picsart image call at once, for measuring the client's own cost.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to answer ``POST
/tools/1.0/<operation>`` with a success in Picsart's shape and ``GET .../balance`` with a balance,
with the rate-limit and credit headers Picsart sends, from an asyncio loop in its own process.
Nothing is checked and nothing is stored: whatever the client spends, the server does not.

    python -m benchmarks.instant_server   # prints its root URL, serves until killed
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator

_ids = itertools.count(1)


def _answer(method: str, path: str, port: int) -> bytes:
    if path.endswith("/balance"):
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
            writer.write(_answer(method, path, port))
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
def instant_server() -> Iterator[str]:
    """The server in a child process; yields its root URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.instant_server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(timeout=10)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main())
