"""The security model over real sockets: where the key goes, what may be downloaded, bombs."""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from picsart_component.lib.client import API_KEY_HEADER, PicsartClient
from picsart_component.lib.download import Downloader, URLPolicy
from picsart_component.lib.errors import URLRefusedError
from picsart_component.lib.ratelimit import Throttle
from picsart_component.lib.retry import RetryPolicy, RetrySettings
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.messages import Message
from tests.conftest import REPO_ROOT
from tests.e2e import png
from tests.helpers import FakeTime, make_executor, png_declaring

Handler = Callable[[Request], Response]


class RecordingServer:
    """A loopback HTTP server whose answers a test chooses, recording each request's headers."""

    def __init__(self, handler: Handler) -> None:
        self.seen: list[dict[str, Any]] = []

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            request = Request(environ)
            self.seen.append({"path": request.path, "headers": dict(request.headers)})
            return handler(request)(environ, start_response)

        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], RecordingServer]]:
    servers: list[RecordingServer] = []

    def start(handler: Handler) -> RecordingServer:
        servers.append(RecordingServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def downloader(policy: URLPolicy, fake_time: FakeTime, max_bytes: int | None = None) -> Downloader:
    retry = RetryPolicy(RetrySettings(max_attempts=1), clock=fake_time.clock, sleep=fake_time.sleep)
    return Downloader(policy, retry, timeout=(2, 2), max_bytes=max_bytes)


def fetch(d: Downloader, url: str) -> bytes:
    return d.fetch(url, lambda fetched: b"".join(fetched.chunks))


def test_the_key_is_dropped_when_a_redirect_leaves_the_base_host(
    serve: Callable[[Handler], RecordingServer], fake_time: FakeTime
) -> None:
    elsewhere = serve(lambda request: Response('{"credits": 1}', content_type="application/json"))
    api = serve(
        lambda request: Response(
            "", status=302, headers={"Location": elsewhere.url("/balance", "localhost")}
        )
    )
    client = PicsartClient(
        "key-abcdef",
        api.url("/tools/1.0/"),
        throttle=Throttle(1e9),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )
    assert client.balance() == 1
    assert api.seen[0]["headers"][API_KEY_HEADER.title()] == "key-abcdef"
    assert API_KEY_HEADER.title() not in elsewhere.seen[0]["headers"]


def test_a_redirect_to_a_private_address_is_refused_on_every_hop(
    serve: Callable[[Handler], RecordingServer], fake_time: FakeTime
) -> None:
    target = serve(lambda request: Response(png(), content_type="image/png"))
    start = serve(
        lambda request: Response("", status=302, headers={"Location": target.url("/secret.png")})
    )
    policy = URLPolicy(allow_hosts=frozenset({"localhost"}))
    with pytest.raises(URLRefusedError, match=r"loopback address 127\.0\.0\.1"):
        fetch(downloader(policy, fake_time), start.url("/photo.png", "localhost"))
    assert len(start.seen) == 1
    assert target.seen == []


def test_a_name_that_resolves_publicly_but_connects_privately_is_refused(
    serve: Callable[[Handler], RecordingServer], fake_time: FakeTime
) -> None:
    """DNS rebinding: the check before connecting passes, the address really reached does not."""
    server = serve(lambda request: Response(png(), content_type="image/png"))
    policy = URLPolicy(resolver=lambda host, port: ["93.184.216.34"])
    with pytest.raises(URLRefusedError, match="loopback"):
        fetch(downloader(policy, fake_time), server.url("/a.png", "localhost"))


def test_more_than_five_redirects_are_refused(
    serve: Callable[[Handler], RecordingServer], fake_time: FakeTime
) -> None:
    def hop(request: Request) -> Response:
        number = int(request.path.strip("/") or 0)
        return Response("", status=302, headers={"Location": f"/{number + 1}"})

    server = serve(hop)
    policy = URLPolicy(allow_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(URLRefusedError, match="more than 5 redirects"):
        fetch(downloader(policy, fake_time), server.url("/0"))
    assert [seen["path"] for seen in server.seen] == ["/0", "/1", "/2", "/3", "/4", "/5"]


def test_the_size_cap_stops_a_stream_without_a_length_before_reading_it_all(
    serve: Callable[[Handler], RecordingServer], fake_time: FakeTime
) -> None:
    sent: list[int] = []

    def endless(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(10_000):
                sent.append(1)
                yield b"\x89PNG" + b"\x00" * 65_532

        return Response(chunks(), content_type="image/png", direct_passthrough=True)

    server = serve(endless)
    policy = URLPolicy(allow_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(Exception, match="larger than the limit of 1 MB"):
        fetch(downloader(policy, fake_time, max_bytes=1 << 20), server.url("/big.png"))
    assert len(sent) < 200, "the download stopped long before the 650 MB the server offered"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/x",
        "http://10.1.2.3/x",
        "http://[fe80::1]/x",
        "http://0.0.0.0/x",
        "http://100.64.0.1/x",
    ],
)
def test_non_public_addresses_are_refused_without_connecting(url: str) -> None:
    with pytest.raises(URLRefusedError):
        URLPolicy(resolver=lambda host, port: [host.strip("[]")]).check_url(url)


def image_executor(tmp_path: Path, fake_time: FakeTime) -> tuple[Executor, LocalStore]:
    store = LocalStore(tmp_path / "store")
    return make_executor(fake_time, store=store), store


def test_a_decompression_bomb_is_a_clear_input_error_and_nothing_is_sent(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    executor, store = image_executor(tmp_path, fake_time)
    stored = store.save(iter([png_declaring(30_000, 30_000)]), "image/png")
    result: RunResult = executor.run(
        "upscale",
        Message(body={"image": stored.url, "upscale_factor": 2}),
        {"apiKey": "k-123456", "imageApiBaseUrl": "http://127.0.0.1:9/tools/1.0/"},
    )
    (error,) = result.of_kind("error")
    assert error["problems"] == [
        {"path": "$.image", "rule": "the image has too many pixels to be decoded safely"}
    ]


def test_temporary_files_are_removed_when_the_user_interrupts(
    tmp_path: Path,
    fake_time: FakeTime,
    monkeypatch: pytest.MonkeyPatch,
    serve: Callable[[Handler], RecordingServer],
) -> None:
    executor, _ = image_executor(tmp_path, fake_time)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    source = serve(lambda request: Response(png(), content_type="image/png"))

    def interrupted(*args: object, **kwargs: object) -> None:
        assert len(list(scratch.iterdir())) == 1, "the source was copied to a temporary file"
        raise KeyboardInterrupt

    monkeypatch.setattr(PicsartClient, "post", interrupted)
    with pytest.raises(KeyboardInterrupt):
        executor.run(
            "removeBackground",
            Message(body={"image": source.url("/photo.png")}),
            {"apiKey": "k-123456", "allowHosts": "127.0.0.1"},
        )
    assert list(scratch.iterdir()) == []


def test_tls_verification_is_never_turned_off() -> None:
    pattern = re.compile(
        r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|"
        r"disable_warnings|PYTHONHTTPSVERIFY"
    )
    sources = [
        *(REPO_ROOT / "lib").glob("*.py"),
        *(REPO_ROOT / "actions").glob("*.py"),
        *(REPO_ROOT / "picsart_component").rglob("*.py"),
    ]
    offenders = [str(path) for path in sources if pattern.search(path.read_text())]
    assert offenders == []
    assert len(sources) > 20
