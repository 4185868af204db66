"""The sandbox's own bounds, over real sockets: memory per request and in all, connections,
its request log, its control API, and bodies too deep or in too many parts."""

from __future__ import annotations

import io
import json
import re
import socket
import time

import requests
from PIL import Image

from tests.e2e import SandboxAnswers
from tests.helpers import png_declaring
from tests.sandbox.conftest import StartSandbox
from tests.sandbox.support import HEADERS, png_bytes


def test_an_image_too_large_to_process_is_413_before_it_is_decoded(
    start: StartSandbox, http: requests.Session, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start()
    bomb = png_declaring(7900, 7900)
    started = time.monotonic()
    with check_sandbox_answers.unchecked():
        answer = http.post(
            sandbox.base_url + "removebg", files={"image": ("big.png", bomb, "image/png")}
        )
    assert time.monotonic() - started < 3
    assert answer.status_code == 413
    detail = answer.json()["detail"]
    assert "7900x7900" in detail
    assert "1024 MB this sandbox gives one request" in detail
    assert sandbox.sandbox_state.memory.used_bytes == 0


def test_a_bomb_beyond_pillows_limit_says_what_it_declares(
    start: StartSandbox, http: requests.Session, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start()
    with check_sandbox_answers.unchecked():
        answer = http.post(
            sandbox.base_url + "upscale",
            files={"image": ("bomb.png", png_declaring(100_000, 100_000), "image/png")},
            data={"upscale_factor": "2"},
        )
    assert answer.status_code == 413
    detail = answer.json()["detail"]
    assert "declares more than" in detail
    assert "decompression bomb" in detail
    numbers = [int(word) for word in re.findall(r"\d+", detail)]
    assert numbers
    assert max(numbers) < 10**9


def test_image_work_beyond_the_free_memory_is_503_with_retry_after(
    start: StartSandbox, http: requests.Session, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start(max_memory_mb=64, max_request_memory_mb=64)
    memory = sandbox.sandbox_state.memory
    assert memory.try_reserve(60 << 20) is None
    try:
        with check_sandbox_answers.unchecked():
            busy = http.post(
                sandbox.base_url + "removebg",
                files={"image": ("a.png", png_bytes((400, 300)), "image/png")},
            )
    finally:
        memory.release(60 << 20)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    done = http.post(
        sandbox.base_url + "removebg",
        files={"image": ("a.png", png_bytes((400, 300)), "image/png")},
    )
    assert done.status_code == 200
    assert sandbox.state()["credits"] == 999


def test_connections_past_the_cap_are_answered_503(start: StartSandbox) -> None:
    # Idle connections are kept long here, so that a loaded machine that runs this test slowly
    # cannot see them closed before the extra one arrives; the next test checks the closing.
    sandbox = start(max_connections=3, idle_timeout=60.0)
    idle = [socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) for _ in range(3)]
    try:
        # The cap counts connections the server has taken, which can lag behind the connects.
        slots = sandbox._server._slots  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while slots._value > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as extra:
            answer = extra.recv(4096)
        assert answer.startswith(b"HTTP/1.1 503")
        assert b"too many open connections" in answer
    finally:
        for connection in idle:
            connection.close()
    deadline = time.monotonic() + 10
    while slots._value < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert requests.get(sandbox.base_url + "balance", headers=HEADERS, timeout=5).ok


def test_idle_connections_are_closed_and_free_their_place(start: StartSandbox) -> None:
    sandbox = start(max_connections=1, idle_timeout=0.3)
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as idle:
        assert idle.recv(1) == b""
    # The place is given back as the connection's thread ends, just after it closes the socket.
    slots = sandbox._server._slots  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while slots._value < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert requests.get(sandbox.base_url + "balance", headers=HEADERS, timeout=10).ok


def test_a_kept_connection_is_closed_after_idling_and_a_session_carries_on(
    start: StartSandbox,
) -> None:
    sandbox = start(max_connections=1, idle_timeout=1.0)
    with requests.Session() as session:
        session.headers.update(HEADERS)
        assert session.get(sandbox.base_url + "balance", timeout=10).ok
        # The only place is held by the kept connection until it has idled past the timeout.
        slots = sandbox._server._slots  # type: ignore[attr-defined]
        assert slots._value == 0
        deadline = time.monotonic() + 10
        while slots._value < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert slots._value == 1
        assert [session.get(sandbox.base_url + "balance", timeout=10).ok for _ in range(3)] == [
            True
        ] * 3


def test_the_request_log_keeps_long_values_short(
    start: StartSandbox, http: requests.Session, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start()
    long_url = "http://127.0.0.1:1/" + "a" * 500_000 + ".png"
    with check_sandbox_answers.unchecked():
        http.post(sandbox.base_url + "upscale", data={"image_url": long_url, "upscale_factor": "2"})
    (entry,) = sandbox.request_log()
    assert len(json.dumps(entry)) < 2000
    assert entry["fields"]["image_url"].endswith(f"({len(long_url)} characters)")


def test_the_control_api_needs_the_key_a_local_host_and_the_same_origin(
    start: StartSandbox, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start(api_key="the-sandbox-key")
    state = sandbox.control_url + "state"
    key = {"X-Picsart-API-Key": "the-sandbox-key"}
    with check_sandbox_answers.unchecked():
        assert requests.get(state, timeout=5).status_code == 401
        assert (
            requests.get(state, headers={"X-Picsart-API-Key": "wrong"}, timeout=5).status_code
            == 401
        )
        rebound = requests.get(state, headers={**key, "Host": "attacker.example"}, timeout=5)
        origin = {**key, "Origin": "https://attacker.example"}
        cross = requests.post(
            sandbox.control_url + "credits", json={"credits": 0}, headers=origin, timeout=5
        )
        site = requests.get(state, headers={**key, "Sec-Fetch-Site": "cross-site"}, timeout=5)
    assert rebound.status_code == 403
    assert cross.status_code == 403
    assert site.status_code == 403
    assert sandbox.state()["credits"] == 1000
    assert requests.get(state, headers=key, timeout=5).status_code == 200
    localhost = {**key, "Host": f"localhost:{sandbox.port}"}
    assert requests.get(state, headers=localhost, timeout=5).status_code == 200


def test_json_nested_too_deep_is_400(
    start: StartSandbox, http: requests.Session, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start()
    for depth in (40, 5000):
        body = '{"image_url": ' + "[" * depth + "]" * depth + "}"
        with check_sandbox_answers.unchecked():
            answer = http.post(
                sandbox.base_url + "upscale",
                data=body,
                headers={"Content-Type": "application/json"},
            )
        assert answer.status_code == 400
        assert "nested more than 32 levels" in answer.json()["detail"]


def test_a_form_with_too_many_parts_says_so(
    start: StartSandbox, http: requests.Session, check_sandbox_answers: SandboxAnswers
) -> None:
    sandbox = start()
    fields = [(f"field{n}", "x") for n in range(201)]
    with check_sandbox_answers.unchecked():
        answer = http.post(
            sandbox.base_url + "upscale",
            files=[
                ("image", ("a.png", png_bytes(), "image/png")),
                *[(n, (None, v)) for n, v in fields],
            ],
        )
    assert answer.status_code == 413
    assert "more than 200 parts" in answer.json()["detail"]
    assert "bytes" not in answer.json()["detail"]


def test_an_edit_asking_for_more_than_the_image_reserves_only_the_image(
    start: StartSandbox, http: requests.Session
) -> None:
    sandbox = start(max_memory_mb=64, max_request_memory_mb=64)
    answer = http.post(
        sandbox.base_url + "edit",
        files={"image": ("a.png", png_bytes((400, 300)), "image/png")},
        data={"mode": "resize", "width": "8000", "height": "8000", "format": "PNG"},
    )
    assert answer.status_code == 200, answer.text
    result = http.get(answer.json()["data"]["url"])
    assert Image.open(io.BytesIO(result.content)).size == (400, 300)
    assert sandbox.sandbox_state.memory.used_bytes == 0
