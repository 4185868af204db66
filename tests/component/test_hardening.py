"""Regression tests of the second hardening pass, over real sockets wherever a socket is involved.

Each test is named after the class of problem it closes; the hostile servers come from
``tests/hostile.py`` and the sandbox's fault kinds.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from picsart_component.cli import main
from picsart_component.flows import batch as flows_batch
from picsart_component.flows.evaluation import IsolatedEvaluator
from picsart_component.flows.mapping import MappingError
from picsart_component.lib import errors
from picsart_component.lib.client import ClientSettings, PicsartClient
from picsart_component.lib.context import Services
from picsart_component.lib.download import URLPolicy
from picsart_component.lib.ratelimit import RateLimitInfo, Throttle, parse_reset_time
from picsart_component.lib.retry import RetrySettings
from picsart_component.lib.store import LocalStore, MaesterStore
from picsart_component.lib.urls import KeyPolicy, split_url
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
from picsart_component.sandbox import start_sandbox
from picsart_component.sandbox.loopback import sandbox_process
from tests.e2e import SandboxAnswers, png
from tests.helpers import API_KEY, RealTimeFakeSleep, make_services, offline_resolver
from tests.hostile import HostileServer, Request, hostile_server, json_answer, send

REPO_ROOT = Path(__file__).resolve().parents[2]
BALANCE_FLOW = """- id: raw
  action: makeRawRequest
  body: '{"url": "balance", "method": "GET"}'
"""


def fast_client(base_url: str, **settings: Any) -> PicsartClient:
    fake = RealTimeFakeSleep()
    return PicsartClient(
        API_KEY,
        base_url,
        settings=ClientSettings(**settings),
        throttle=Throttle(1e9, clock=fake.clock, sleep=fake.sleep),
        clock=fake.clock,
        sleep=fake.sleep,
    )


# 1. The key goes only where the HTTP library really connects.

SMUGGLING_URLS = [
    "https://attacker.example\\@genai-api.picsart.io/v1/text2image",
    "https://attacker.example\\.picsart.io/",
    "https://attacker.example:443\\@api.picsart.io",
    "https://api.picsart.io\t.attacker.example/",
]


@pytest.mark.parametrize("url", SMUGGLING_URLS)
def test_a_url_two_parsers_read_differently_never_gets_the_key(url: str) -> None:
    policy = KeyPolicy("https://api.picsart.io/tools/1.0/")
    assert not policy.allows(url)
    executor = Executor()
    result = executor.run(
        "makeRawRequest", Message(body={"url": url, "method": "POST"}), {"apiKey": API_KEY}
    )
    (error,) = result.of_kind("error")
    assert error["name"] == "InputError"
    assert error["problems"][0]["path"] == "$.url"


def test_a_smuggled_loopback_host_receives_nothing(tmp_path: Path) -> None:
    def refuse(request: Request, connection: socket.socket, server: HostileServer) -> None:
        send(connection, server, json_answer(b"{}"))

    with hostile_server(refuse) as attacker, start_sandbox(quiet=True) as sandbox:
        port = attacker.url.rsplit(":", 1)[1].strip("/")
        url = f"http://127.0.0.1:{port}\\@127.0.0.1:{sandbox.port}/tools/1.0/balance"
        store = LocalStore(tmp_path / "store")
        services = make_services(RealTimeFakeSleep(), store=store)
        executor = Executor(services=services)
        cfg = {"apiKey": API_KEY, "imageApiBaseUrl": sandbox.base_url}
        raw = executor.run("makeRawRequest", Message(body={"url": url, "method": "GET"}), cfg)
        image = executor.run("upscale", Message(body={"image": url, "upscale_factor": 2}), cfg)
        assert raw.of_kind("error")[0]["name"] == "InputError"
        assert image.of_kind("error")[0]["name"] == "InputError"
        assert attacker.connections == 0


def test_maester_objects_are_one_plain_segment_and_read_as_sent() -> None:
    store = MaesterStore("http://127.0.0.1:3002", "token-1234")
    assert store.owns("http://127.0.0.1:3002/objects/abc-1.png?storage_type=maester")
    for url in (
        "http://127.0.0.1:3002/objects/../../admin/secrets?storage_type=maester",
        "http://127.0.0.1:3002/objects/a/../../admin?storage_type=maester",
        "http://127.0.0.1:3002/objects/..?storage_type=maester",
        "http://127.0.0.1:3002/objects/%2e%2e/admin?storage_type=maester",
        "http://127.0.0.1:3002/objects/a%2fb?storage_type=maester",
        "http://evil.example\\@127.0.0.1:3002/objects/abc?storage_type=maester",
    ):
        assert not store.owns(url), url


def test_reading_a_maester_url_with_dot_segments_sends_no_token() -> None:
    def answer(request: Request, connection: socket.socket, server: HostileServer) -> None:
        send(connection, server, json_answer(b"{}"))

    with hostile_server(answer) as maester:
        store = MaesterStore(maester.url.rstrip("/"), "token-1234")
        with (
            pytest.raises(errors.StoreError),
            store.read(maester.url + "objects/../../admin/secrets?storage_type=maester"),
        ):
            pass
        assert maester.requests == []


_HOSTS = st.sampled_from(
    [
        "api.picsart.io",
        "genai-api.picsart.io",
        "attacker.example",
        "127.0.0.1",
        "[::1]",
        "API.PICSART.IO.",
        "picsart.io",
        "evilpicsart.io",
    ]
)
_TRICKY = st.sampled_from(["", "\\", "@", ":", "%40", "%5c", "#", "?", "/", ".", "..", "%2e"])


@st.composite
def tricky_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["https", "http", "HTTPS"]))
    userinfo = draw(st.sampled_from(["", "user@", "user:pass@", "a\\@", "x:1\\@"]))
    host = draw(_HOSTS)
    port = draw(st.sampled_from(["", ":443", ":80", ":8080", ":0"]))
    middle = draw(st.lists(st.one_of(_TRICKY, _HOSTS), max_size=3))
    path = draw(st.sampled_from(["/", "/v1/text2image", "/../x", "/a/./b", ""]))
    return f"{scheme}://{userinfo}{host}{port}{''.join(middle)}{path}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tricky_urls())
def test_the_host_we_check_is_the_host_requests_connects_to(url: str) -> None:
    try:
        parts = split_url(url)
    except errors.URLError:
        return
    try:
        prepared = requests.Request("GET", url).prepare()
    except requests.RequestException:
        return
    assert prepared.url is not None
    sent = parse_url(prepared.url)
    assert (sent.host or "").lower().strip("[]").rstrip(".") == parts.host
    assert sent.port == parts.port
    if KeyPolicy("https://api.picsart.io/tools/1.0/").allows(url):
        assert parts.host == "picsart.io" or parts.host.endswith(".picsart.io")


# 2. One run per results file.


def test_a_second_run_on_the_same_results_file_refuses_at_once_and_names_the_first(
    tmp_path: Path,
) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        "".join(json.dumps({"url": f"http://127.0.0.1:1/{n}.png"}) + "\n" for n in range(3))
    )
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        '- id: raw\n  action: makeRawRequest\n  body: \'{"url": "balance", "method": "GET"}\'\n'
    )
    out = tmp_path / "results.jsonl"
    with sandbox_process(latency_ms=400, quota=100_000) as root_url:
        env = {
            **os.environ,
            "PICSART_API_KEY": "sandbox-key",
            "PICSART_BASE_URL": root_url + "tools/1.0/",
        }
        command = [sys.executable, "-m", "picsart_component", "flow", "run", str(flow)]
        command += ["--input", str(items), "--out", str(out), "--workers", "1"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lock = tmp_path / "results.jsonl.lock"
        deadline = time.monotonic() + 20
        while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        # The first run is paused while the others try, so that it cannot end before them
        # however slowly they start; the operating system keeps its lock. (Its three items take
        # 1.2 s at the least, and the lock is seen within 50 ms of being taken.)
        os.kill(first.pid, signal.SIGSTOP)
        try:
            second = subprocess.run(
                command, env=env, capture_output=True, text=True, check=False, timeout=60
            )
            resumed = subprocess.run(
                [*command, "--resume"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
        finally:
            os.kill(first.pid, signal.SIGCONT)
        first.wait(timeout=60)
    for refused in (second, resumed):
        assert refused.returncode == 1
        assert f"process {first.pid}" in refused.stderr
        assert "another run" in refused.stderr
    assert first.returncode == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(line["item"] for line in lines) == list(range(1, 4))


# 3 and 4. Answers and results are capped and have a deadline.


def _endless(request: Request, connection: socket.socket, server: HostileServer) -> None:
    send(
        connection,
        server,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
    for _ in range(100_000):
        send(connection, server, chunk)


def _huge_json(request: Request, connection: socket.socket, server: HostileServer) -> None:
    size = 300 << 20
    send(
        connection,
        server,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {size}\r\n\r\n".encode(),
    )
    send(connection, server, b"[" + b"0," * 32768)
    for _ in range(size // 65536):
        send(connection, server, b"0," * 32768)


def _trickle(request: Request, connection: socket.socket, server: HostileServer) -> None:
    send(connection, server, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    send(connection, server, b"Content-Length: 100000\r\n\r\n")
    for _ in range(100_000):
        send(connection, server, b" ")
        time.sleep(0.05)


@pytest.mark.parametrize("answer", [_endless, _huge_json], ids=["endless chunked", "300 MB json"])
def test_an_answer_larger_than_the_cap_stops_being_read(answer: Any) -> None:
    with hostile_server(answer) as server:
        client = fast_client(server.url, max_response_bytes=1 << 20)
        started = time.monotonic()
        with pytest.raises(errors.ResponseTooLargeError, match="PICSART_MAX_RESPONSE_MB"):
            client.get("balance")
        assert time.monotonic() - started < 10
        assert len(server.requests) == 1
    assert server.sent_bytes < 64 << 20


def test_a_trickling_answer_ends_at_the_call_deadline() -> None:
    with hostile_server(_trickle) as server:
        client = fast_client(
            server.url, call_deadline=0.5, read_timeout=5, retry=RetrySettings(max_attempts=1)
        )
        started = time.monotonic()
        with pytest.raises(errors.APITimeoutError, match="deadline"):
            client.get("balance")
        assert time.monotonic() - started < 2


def _paid_result_then(body: Any) -> Any:
    """Answers removebg with a result URL on the same server, whose file ``body`` serves."""

    def answer(request: Request, connection: socket.socket, server: HostileServer) -> None:
        if request.target.endswith("/removebg"):
            result = {"status": "success", "data": {"id": "r1", "url": server.url + "r1.png"}}
            send(connection, server, json_answer(json.dumps(result).encode()))
        else:
            body(request, connection, server)

    return answer


def _endless_png(request: Request, connection: socket.socket, server: HostileServer) -> None:
    send(connection, server, b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n")
    for _ in range(100_000):
        send(connection, server, b"\x00" * 65536)


def test_a_result_larger_than_the_cap_is_not_kept_and_the_paid_url_is_named(
    tmp_path: Path,
) -> None:
    with hostile_server(_paid_result_then(_endless_png)) as server:
        store = LocalStore(tmp_path / "store")
        services = make_services(
            RealTimeFakeSleep(),
            store=store,
            environ={"PICSART_MAX_RESULT_MB": "2"},
            resolver=offline_resolver(),
        )
        executor = Executor(services=services)
        cfg = {"apiKey": API_KEY, "imageApiBaseUrl": server.url, "downloadResult": True}
        body = {"image_url": "https://example.com/a.png"}
        result = executor.run("removeBackground", Message(body=body), cfg)
    (error,) = result.of_kind("error")
    assert error["name"] == "ResultDownloadError"
    assert "PICSART_MAX_RESULT_MB" in error["message"]
    assert server.url + "r1.png" in error["message"]
    assert [r.target for r in server.requests].count("/removebg") == 1
    assert not store.directory.exists() or list(store.directory.iterdir()) == []


class _FullDisk:
    """A temporary file whose writes go to ``/dev/full``: the kernel's own "No space left"."""

    def __init__(self, directory: Path) -> None:
        self.name = str(directory / ".partial-full")
        Path(self.name).touch()
        self._device = open("/dev/full", "wb", buffering=0)  # noqa: SIM115 - closed in close()

    def write(self, data: bytes) -> int:
        return self._device.write(data)

    def close(self) -> None:
        self._device.close()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_while_saving_a_paid_result_names_the_result_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check_sandbox_answers: SandboxAnswers
) -> None:
    store = LocalStore(tmp_path / "store")
    store.directory.mkdir(parents=True)
    monkeypatch.setattr(
        "picsart_component.lib.store.tempfile.NamedTemporaryFile",
        lambda **kwargs: _FullDisk(store.directory),
    )
    with start_sandbox(quiet=True) as sandbox:
        upload = requests.post(
            sandbox.base_url + "upload",
            headers={"X-Picsart-API-Key": API_KEY, "Accept": "application/json"},
            files={"image": ("a.png", png(), "image/png")},
            timeout=10,
        ).json()
        executor = Executor(services=make_services(RealTimeFakeSleep(), store=store))
        cfg = {"apiKey": API_KEY, "imageApiBaseUrl": sandbox.base_url, "downloadResult": True}
        body = {"image_id": upload["data"]["id"]}
        result = executor.run("removeBackground", Message(body=body), cfg)
        charged = sandbox.state()["counts"]["charged"]
    (error,) = result.of_kind("error")
    assert error["name"] == "ResultDownloadError"
    assert "No space left on device" in error["message"]
    assert "/results/" in error["message"]
    assert charged == 1
    assert list(store.directory.iterdir()) == []


# 6 and 16. Every header value and every image is read defensively.


@pytest.mark.parametrize("value", ["99999999999999999", "1e300", "inf", "NaN", "-5", "x" * 500])
def test_any_reset_time_is_a_moment_within_a_day(value: str) -> None:
    now = 1_800_000_000.0
    moment = parse_reset_time(value, now)
    assert moment is None or now <= moment <= now + 24 * 3600


def test_a_reset_time_far_in_the_future_gives_a_rebound_not_a_crash(
    check_sandbox_answers: SandboxAnswers,
) -> None:
    with start_sandbox(quiet=True) as sandbox:
        sandbox.set_faults("429:reset=epoch-ms,reset_in=300000000000")
        env = {"PICSART_API_KEY": API_KEY, "PICSART_BASE_URL": sandbox.base_url}
        env |= {"PICSART_MAX_ATTEMPTS": "1"}
        with check_sandbox_answers.unchecked():
            result = CliRunner().invoke(
                main,
                ["run", "makeRawRequest", "--body", '{"url": "balance", "method": "GET"}'],
                env=env,
            )
    assert result.exit_code == 75, result.output
    event = json.loads(result.stdout)
    assert event["event"] == "rebound"
    assert event["rebound"]["retryAt"] < "2100"


def test_an_overflowing_credit_header_is_unknown_not_an_error() -> None:
    for value in ("1e999", "-1e999", "NaN", "12abc"):
        info = RateLimitInfo.from_headers({"X-Picsart-Credit-Available": value}, now=0.0)
        assert info.credits_available is None

    def answer(request: Request, connection: socket.socket, server: HostileServer) -> None:
        headers = {"X-Picsart-Credit-Available": "1e999", "X-Picsart-Ratelimit-Available": "1e999"}
        send(connection, server, json_answer(b'{"credits": 5}', headers=headers))

    with hostile_server(answer) as server:
        assert fast_client(server.url).balance() == 5


def test_a_damaged_image_is_an_input_error_naming_the_field_not_a_temp_path(
    tmp_path: Path,
) -> None:
    damaged = png((300, 200))[:20]
    store = LocalStore(tmp_path / "store")
    stored = store.save(iter([damaged]), "image/png")
    executor = Executor(services=make_services(RealTimeFakeSleep(), store=store))
    body = {"image": stored.url, "upscale_factor": 2}
    result = executor.run("upscale", Message(body=body), {"apiKey": API_KEY})
    (error,) = result.of_kind("error")
    assert error["name"] == "InputError"
    assert error["problems"][0]["path"] == "$.image"
    assert "damaged PNG" in error["problems"][0]["rule"]
    assert "/tmp" not in json.dumps(error)


# 8. Mappings run where they can be stopped for certain.


def test_a_catastrophic_regular_expression_is_stopped_and_the_next_mapping_runs() -> None:
    document = {"input": {"text": "a" * 40 + "!"}}
    with IsolatedEvaluator(timeout=1.0) as evaluator:
        started = time.monotonic()
        with pytest.raises(MappingError, match="longer than 1 s"):
            evaluator.evaluate('{"m": $match(input.text, /^(a+)+$/)}', document)
        assert time.monotonic() - started < 5
        assert evaluator.evaluate('{"url": input.text}', document) == {"url": "a" * 40 + "!"}


def test_a_mapping_that_asks_for_gigabytes_is_refused_quickly() -> None:
    with IsolatedEvaluator() as evaluator:
        started = time.monotonic()
        with pytest.raises(MappingError, match="MB"):
            evaluator.evaluate('{"a": $pad("", 1500000000, "x")}', {"input": {}})
        assert time.monotonic() - started < 10
        assert evaluator.evaluate('{"a": 1}', {"input": {}}) == {"a": 1}


def test_a_flow_whose_mapping_hangs_fails_that_item_and_finishes_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "- id: raw\n  action: makeRawRequest\n  body: >-\n"
        '    {"url": "balance", "method": "GET", "data": {"m": $match(input.t, /^(a+)+$/)}}\n'
    )
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"t": "a" * 40 + "!"}) + "\n" + json.dumps({"t": "aaa"}) + "\n")
    out = tmp_path / "results.jsonl"
    # The batch's time limit for a mapping is 2 s; how long it is does not matter here.
    quick = functools.partial(IsolatedEvaluator, timeout=1.0)
    monkeypatch.setattr(flows_batch, "IsolatedEvaluator", quick)
    result = CliRunner().invoke(
        main, ["flow", "run", str(flow), "--input", str(items), "--out", str(out)], env={}
    )
    lines = {line["item"]: line for line in map(json.loads, out.read_text().splitlines())}
    assert lines[1]["status"] == "failed"
    assert lines[1]["error"]["name"] == "MappingError"
    assert lines[2]["status"] == "done"
    assert result.exit_code == 1


# 10 and 12. Inputs are bounded before anything parses them.


def test_a_twenty_megabyte_url_is_refused_without_gigabytes() -> None:
    body = {"image_url": "https://example.com/" + "a" * 20_000_000, "upscale_factor": 2}
    executor = Executor()
    executor.input_problems("upscale", {"upscale_factor": 2})
    tracemalloc.start()
    try:
        problems = executor.input_problems("upscale", body, {"apiKey": API_KEY})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.path for p in problems] == ["$.image_url"]
    assert "too long" in problems[0].rule
    assert peak < 8 << 20


def test_deep_json_on_the_command_line_is_a_usage_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    result = CliRunner().invoke(main, ["run", "makeRawRequest", "--body", deep], env={})
    assert result.exit_code == 2
    assert "nested more than 64 levels" in result.output
    body = {"url": "balance", "method": "POST", "data": {"a": json.loads("[" * 70 + "]" * 70)}}
    problems = Executor().input_problems("makeRawRequest", body, {"apiKey": API_KEY})
    assert [problem.path for problem in problems] == ["$.data.a" + "[0]" * 62]
    assert "nested more than 64 levels" in problems[0].rule


def test_a_yaml_alias_bomb_and_a_deep_flow_are_refused_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(8):
        name, previous = chr(ord("b") + level), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\n")
    deep = tmp_path / "deep.json"
    nested = json.loads("[" * 100 + "]" * 100)
    body = {"url": "balance", "method": "GET", "data": nested}
    step = {"id": "s", "action": "makeRawRequest", "body": body}
    deep.write_text(json.dumps([step]))
    for path in (bomb, deep):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["flow", "validate", str(path)])
        assert time.monotonic() - started < 5
        assert result.exit_code == 2
        assert "values" in result.output or "nested more than" in result.output


# 13, 14 and 15. Every output path, every way of stopping.


def test_attach_with_unreachable_object_storage_says_why(tmp_path: Path) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(png())
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    env = {
        "ELASTICIO_OBJECT_STORAGE_URI": f"http://127.0.0.1:{port}",
        "ELASTICIO_OBJECT_STORAGE_TOKEN": "token-1234",
    }
    result = CliRunner().invoke(main, ["attach", str(photo)], env=env)
    assert result.exit_code == 1
    assert "object storage is unreachable" in result.output
    assert "Traceback" not in result.output


def test_a_key_echoed_by_a_server_is_redacted_in_results_and_journal(tmp_path: Path) -> None:
    key = "pk-ECHOED-4b1d-secret"

    def echo(request: Request, connection: socket.socket, server: HostileServer) -> None:
        echoed = {"credits": 9, "you sent": request.headers.get("x-picsart-api-key")}
        send(connection, server, json_answer(json.dumps(echoed).encode()))

    flow = tmp_path / "flow.yaml"
    flow.write_text(
        '- id: raw\n  action: makeRawRequest\n  body: \'{"url": "balance", "method": "GET"}\'\n'
    )
    items = tmp_path / "items.jsonl"
    items.write_text("{}\n")
    out = tmp_path / "results.jsonl"
    with hostile_server(echo) as server:
        env = {"PICSART_API_KEY": key, "PICSART_BASE_URL": server.url}
        result = CliRunner().invoke(
            main, ["flow", "run", str(flow), "--input", str(items), "--out", str(out)], env=env
        )
    assert result.exit_code == 0, result.output
    assert "you sent" in out.read_text()
    for path in (out, tmp_path / "results.jsonl.journal"):
        assert key not in path.read_text()
    assert key not in result.output


def test_sigterm_during_a_download_leaves_no_temporary_file(tmp_path: Path) -> None:
    def slow_image(request: Request, connection: socket.socket, server: HostileServer) -> None:
        data = png((64, 48))
        head = f"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {len(data)}\r\n\r\n"
        send(connection, server, head.encode() + data[:40])
        time.sleep(30)

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with hostile_server(slow_image) as images:
        env = {
            **os.environ,
            "TMPDIR": str(temporary),
            "PICSART_API_KEY": API_KEY,
            "PICSART_BASE_URL": "https://api.picsart.io/tools/1.0/",
            "PICSART_ALLOW_HOSTS": "127.0.0.1",
        }
        body = json.dumps({"image": images.url + "photo.png", "upscale_factor": 2})
        child = subprocess.Popen(
            [sys.executable, "-m", "picsart_component", "run", "upscale", "--body", body],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while not list(temporary.glob("picsart-source-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(temporary.glob("picsart-source-*"))
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=20)
    assert child.returncode == 143
    assert list(temporary.glob("picsart-source-*")) == []
    assert b"Traceback" not in child.stderr.read()  # type: ignore[union-attr]


def test_the_download_policy_refuses_an_ambiguous_url_before_resolving_it() -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34"]

    policy = URLPolicy(resolver=resolver)
    with pytest.raises(errors.URLRefusedError, match="backslash"):
        policy.check_url("http://127.0.0.1\\@example.com/a.png")
    assert asked == []


def test_services_read_every_limit_from_one_settings_object() -> None:
    services = Services(
        environ={
            "PICSART_MAX_RESPONSE_MB": "2",
            "PICSART_CALL_DEADLINE": "30",
            "PICSART_MAX_RESULT_MB": "3",
        }
    )
    settings = services.client_settings()
    assert settings.max_response_bytes == 2 << 20
    assert settings.call_deadline == 30
    assert services.files({"apiKey": API_KEY}).max_result_bytes == 3 << 20
    with pytest.raises(errors.SettingsError, match="PICSART_CALL_DEADLINE must be a number"):
        Services(environ={"PICSART_CALL_DEADLINE": "soon"}).client_settings()
