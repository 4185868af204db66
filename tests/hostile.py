"""A loopback server that answers as badly as a test asks: endless, huge, trickling or odd answers.

Each connection's request is read whole (head, then ``Content-Length`` bytes), handed to the
test's ``answer`` callable with the socket, and recorded, so a test can also prove that nothing
reached it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HostileServer:
    url: str
    requests: list[Request] = field(default_factory=list)
    sent_bytes: int = 0
    connections: int = 0


Answer = Callable[[Request, socket.socket, HostileServer], None]


def json_answer(
    body: bytes, status: str = "200 OK", headers: dict[str, str] | None = None
) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n{extra}\r\n"
    ).encode() + body


@contextmanager
def hostile_server(answer: Answer) -> Iterator[HostileServer]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)
    server = HostileServer(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    stopping = threading.Event()

    def handle(connection: socket.socket) -> None:
        with connection:
            try:
                request = _read_request(connection)
                if request is None:
                    return
                server.requests.append(request)
                answer(request, connection, server)
            except OSError:
                pass

    def accept() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            server.connections += 1
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        stopping.set()
        listener.close()


def _read_request(connection: socket.socket) -> Request | None:
    connection.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, target, headers, body)


def send(connection: socket.socket, server: HostileServer, data: bytes) -> None:
    connection.sendall(data)
    server.sent_bytes += len(data)
