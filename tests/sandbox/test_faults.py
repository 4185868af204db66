"""Fault specs, and every fault kind as a client meets it over a real socket."""

from __future__ import annotations

import random
import socket
import time

import pytest
import requests
from werkzeug.test import Client

from picsart_component.sandbox import RunningSandbox
from picsart_component.sandbox.conformance import AnswerValidator
from picsart_component.sandbox.faults import (
    Fault,
    FaultBoard,
    FaultSpecError,
    faults_from_json,
    parse_fault_spec,
)
from tests.sandbox.conftest import StartSandbox
from tests.sandbox.support import HEADERS, START, FakeClock

EXAMPLE = (
    "503:next=2;429:next=1,reset=seconds;drop:p=0.1;slow:ms=1500,next=1;truncate:next=1;"
    "html:status=502,next=1;available0:next=1,reset_in=2;422:next=1,path=removebg"
)


# Spec syntax


def test_the_documented_example_parses() -> None:
    faults = parse_fault_spec(EXAMPLE)
    assert faults == [
        Fault("status", status=503, next=2),
        Fault("status", status=429, next=1, reset="seconds"),
        Fault("drop", p=0.1),
        Fault("slow", next=1, ms=1500),
        Fault("truncate", next=1),
        Fault("html", status=502, next=1, headers=False),
        Fault("available0", next=1, reset_in=2),
        Fault("status", status=422, next=1, path="removebg"),
    ]
    assert parse_fault_spec(" ; 500 ; ") == [Fault("status", status=500)]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("boom", "unknown kind 'boom'"),
        ("399", "status 399 is not from 400 to 599"),
        ("drop:ms=5", "unknown parameter 'ms'"),
        ("503:next=0", "next must be at least 1"),
        ("503:next=two", "next must be a whole number"),
        ("503:p=1.5", "p must be above 0 and at most 1"),
        ("503:p=nan", "p must be a finite number"),
        ("503:path=elsewhere", "path must be one of"),
        ("slow", "slow needs ms="),
        ("slow:ms=-1", "ms must be 0 or more"),
        ("429:reset=hours", "reset must be one of"),
        ("429:body=xml", "body must be fault or code"),
        ("html:status=200", "status must be at least 400"),
        ("html:headers=maybe", "headers must be true or false"),
        ("503:next", "expected NAME=VALUE"),
        ("503:next=1,next=2", "next given twice"),
        ("503;drop:p=x", "fault 2 ('drop:p=x')"),
        ("job-late", "job-late needs ms="),
        ("job-word:phase=pending", "job-word needs word=WORD"),
        ("job-word:word=OK,phase=later", "phase must be pending or done"),
        ("job-fail:word=no way", "word must be a letter"),
        ("job-stuck:ms=5", "unknown parameter 'ms'"),
        ("job-fail:path=painting", "path must be one of"),
    ],
)
def test_a_bad_spec_says_which_fault_and_why(spec: str, words: str) -> None:
    with pytest.raises(FaultSpecError, match="fault") as raised:
        parse_fault_spec(spec)
    assert words in str(raised.value)


def test_the_json_form_mirrors_the_spec() -> None:
    assert faults_from_json([{"kind": 503, "next": 2}, {"kind": "html", "headers": True}]) == [
        Fault("status", status=503, next=2),
        Fault("html", status=502, headers=True),
    ]
    assert faults_from_json("drop") == [Fault("drop")]
    for bad in ({"kind": "drop"}, [{"next": 1}], [{"kind": "drop", "p": None}]):
        with pytest.raises(FaultSpecError):
            faults_from_json(bad)


def test_the_job_kinds_parse_and_show_their_parameters() -> None:
    spec = (
        "job-fail:next=1,path=text2image,word=failed;job-stuck:path=poll-painting;"
        "job-word:word=ACCEPTED,phase=pending,p=0.5;job-late:ms=800,path=genai"
    )
    assert parse_fault_spec(spec) == [
        Fault("job-fail", next=1, path="text2image", word="failed"),
        Fault("job-stuck", path="poll-painting"),
        Fault("job-word", p=0.5, word="ACCEPTED", phase="pending"),
        Fault("job-late", path="genai", ms=800),
    ]
    assert faults_from_json([{"kind": "job-word", "word": "FINISHED"}])[0].phase == "done"
    shown = FaultBoard()
    shown.replace(parse_fault_spec(spec))
    assert [fault["kind"] for fault in shown.describe()] == [
        "job-fail",
        "job-stuck",
        "job-word",
        "job-late",
    ]
    assert shown.describe()[2]["word"] == "ACCEPTED"
    assert shown.describe()[3]["ms"] == 800


def test_job_faults_are_for_jobs_and_requests_never_meet_them() -> None:
    board = FaultBoard(rng=random.Random(1))
    board.replace(
        parse_fault_spec(
            "job-fail:next=1,path=edit;job-fail;job-word:word=A,phase=pending;"
            "job-word:word=B;job-word:word=C"
        )
    )
    assert board.draw("edit").decisive is None
    first = board.take_job_faults("edit", "poll-painting")
    assert [(fault.kind, fault.path, fault.word) for fault in first] == [
        ("job-fail", "edit", None),
        ("job-word", "api", "A"),
        ("job-word", "api", "B"),
    ]
    second = board.take_job_faults("text2image", "poll-text2image")
    assert [(fault.kind, fault.path) for fault in second] == [
        ("job-fail", "api"),
        ("job-word", "api"),
        ("job-word", "api"),
    ]


def test_the_board_spends_counts_targets_paths_and_adds_delays() -> None:
    board = FaultBoard(rng=random.Random(7))
    board.replace(parse_fault_spec("slow:ms=100;slow:ms=50,next=1;503:next=1,path=upscale;drop"))
    first = board.draw("upscale")
    assert (first.decisive, first.delay_ms) == (
        Fault("status", status=503, next=1, path="upscale"),
        150,
    )
    second = board.draw("upscale")
    assert second.decisive == Fault("drop")
    assert second.delay_ms == 100
    assert board.draw("results").decisive is None
    described = board.describe()
    assert [(item["kind"], item["fired"], item["remaining"]) for item in described] == [
        ("slow", 2, None),
        ("drop", 1, None),
    ]


def test_probability_faults_fire_about_that_often_and_available0_waits_for_success() -> None:
    board = FaultBoard(rng=random.Random(1))
    board.replace(parse_fault_spec("500:p=0.25;available0:next=1"))
    fired = sum(board.draw("balance").decisive is not None for _ in range(400))
    assert 60 < fired < 140
    assert board.take_available0("results") is None
    assert board.take_available0("removebg") == Fault("available0", next=1)
    assert board.take_available0("removebg") is None


# Every kind, over sockets


@pytest.fixture
def faulty(start: StartSandbox, clock: FakeClock) -> RunningSandbox:
    return start(clock=clock)


def balance(
    sandbox: RunningSandbox, http: requests.Session, timeout: float = 5
) -> requests.Response:
    return http.get(sandbox.base_url + "balance", timeout=timeout)


@pytest.mark.parametrize("status", [401, 402, 403, 404, 406, 413, 415, 422, 500, 502, 503, 504])
def test_any_status_with_a_picsart_body_for_the_next_requests(
    faulty: RunningSandbox, http: requests.Session, status: int
) -> None:
    faulty.set_faults(f"{status}:next=2")
    answers = [balance(faulty, http) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [status, status, 200]
    assert answers[0].json()["code"] == status
    assert faulty.state()["faults"] == []
    assert [entry["fault"] for entry in faulty.request_log()] == [str(status)] * 2 + [None]


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("epoch-ms", str(int((START + 3) * 1000))),
        ("epoch-s", str(int(START + 3))),
        ("seconds", "3"),
    ],
)
def test_a_429_storm_in_each_reset_time_form(
    faulty: RunningSandbox, http: requests.Session, form: str, expected: str
) -> None:
    faulty.set_faults(f"429:reset={form},reset_in=3")
    storm = [balance(faulty, http) for _ in range(3)]
    assert {answer.status_code for answer in storm} == {429}
    assert {answer.headers["X-Picsart-Ratelimit-Reset-Time"] for answer in storm} == {expected}
    assert storm[0].headers["X-Picsart-Ratelimit-Available"] == "0"
    assert storm[0].json()["fault"]["detail"]["errorcode"] == "policies.ratelimit.QuotaViolation"
    faulty.clear_faults()
    assert balance(faulty, http).status_code == 200


def test_a_429_without_usable_headers(
    faulty: RunningSandbox, http: requests.Session, validator: AnswerValidator
) -> None:
    faulty.set_faults("429:next=1,reset=none,body=code;429:next=1,headers=false")
    with validator.allow_missing("X-Picsart-Ratelimit-Reset-Time"):
        no_reset = balance(faulty, http)
    assert no_reset.status_code == 429
    assert "X-Picsart-Ratelimit-Reset-Time" not in no_reset.headers
    assert no_reset.json()["code"] == 429
    with validator.allow_missing():
        bare = balance(faulty, http)
    assert bare.status_code == 429
    assert not [name for name in bare.headers if name.lower().startswith("x-picsart")]


def test_a_dropped_connection_gets_no_answer_at_all(
    faulty: RunningSandbox, http: requests.Session, image: bytes
) -> None:
    faulty.set_faults("drop:next=1")
    with pytest.raises(requests.ConnectionError):
        http.post(faulty.base_url + "removebg", files={"image": ("a.png", image)}, timeout=5)
    assert faulty.request_log()[-1]["status"] == "dropped"
    assert faulty.state()["credits"] == 1000
    assert balance(faulty, http).status_code == 200


def raw_get(sandbox: RunningSandbox, path: str) -> tuple[bytes, str]:
    """Reads an answer off a plain socket: what arrived, and how the connection ended."""
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as conn:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nX-Picsart-API-Key: k\r\n\r\n"
        conn.sendall(request.encode())
        received = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                return received, "reset"
            if not chunk:
                return received, "closed"
            received += chunk


def test_truncate_declares_more_than_it_sends_then_closes(
    faulty: RunningSandbox, http: requests.Session
) -> None:
    faulty.set_faults("truncate:next=1")
    received, ending = raw_get(faulty, "/tools/1.0/balance")
    head, _, body = received.partition(b"\r\n\r\n")
    declared = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert ending == "closed"
    assert 0 < len(body) < declared
    faulty.set_faults("truncate:next=1")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        balance(faulty, http)
    assert balance(faulty, http).status_code == 200


def test_reset_mid_response_sends_headers_then_resets(
    faulty: RunningSandbox, http: requests.Session, image: bytes
) -> None:
    faulty.set_faults("reset:next=1")
    received, ending = raw_get(faulty, "/tools/1.0/balance")
    assert ending == "reset"
    assert received == b"" or received.startswith(b"HTTP/1.1 200")
    faulty.set_faults("reset:next=1,path=removebg")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        http.post(faulty.base_url + "removebg", files={"image": ("a.png", image)}, timeout=5)
    assert faulty.state()["credits"] == 1000
    assert balance(faulty, http).status_code == 200


def test_slow_answers_trip_a_client_read_timeout(
    faulty: RunningSandbox, http: requests.Session
) -> None:
    faulty.set_faults("slow:ms=400,next=1")
    started = time.perf_counter()
    with pytest.raises(requests.exceptions.ReadTimeout):
        balance(faulty, http, timeout=0.15)
    assert time.perf_counter() - started < 0.35
    faulty.set_faults("slow:ms=60,next=1")
    started = time.perf_counter()
    assert balance(faulty, http).status_code == 200
    assert time.perf_counter() - started >= 0.06


def test_html_error_pages_like_a_proxy_sends(
    faulty: RunningSandbox, http: requests.Session, validator: AnswerValidator
) -> None:
    faulty.set_faults("html:next=1;html:status=504,headers=true,next=1")
    with validator.allow_missing():
        page = balance(faulty, http)
    assert page.status_code == 502
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in page.text
    assert "X-Picsart-Correlation-Id" not in page.headers
    with_headers = balance(faulty, http)
    assert with_headers.status_code == 504
    assert "X-Picsart-Correlation-Id" in with_headers.headers


def test_available0_warns_on_a_success(faulty: RunningSandbox, http: requests.Session) -> None:
    faulty.set_faults("available0:next=1,reset_in=2;available0:next=1,reset=seconds,reset_in=7")
    warned = balance(faulty, http)
    assert warned.status_code == 200
    assert warned.headers["X-Picsart-Ratelimit-Available"] == "0"
    assert warned.headers["X-Picsart-Ratelimit-Reset-Time"] == str(int((START + 2) * 1000))
    assert balance(faulty, http).headers["X-Picsart-Ratelimit-Reset-Time"] == "7"
    normal = balance(faulty, http)
    assert normal.headers["X-Picsart-Ratelimit-Available"] == "497"


def test_faults_target_one_path_or_result_downloads(
    faulty: RunningSandbox, http: requests.Session, image: bytes
) -> None:
    faulty.set_faults("503:path=removebg;500:next=1,path=results;truncate:next=1,path=results")
    assert balance(faulty, http).status_code == 200
    assert (
        http.post(faulty.base_url + "removebg", files={"image": ("a.png", image)}).status_code
        == 503
    )
    faulty.set_faults("500:next=1,path=results;truncate:next=1,path=results")
    uploaded = http.post(faulty.base_url + "upload", files={"image": ("a.png", image)})
    url = uploaded.json()["data"]["url"]
    assert http.get(url).status_code == 500
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        http.get(url)
    assert http.get(url).content == image


def test_the_control_api_and_results_are_spared_by_api_faults(
    faulty: RunningSandbox, http: requests.Session
) -> None:
    faulty.set_faults("500")
    assert balance(faulty, http).status_code == 500
    assert http.get(faulty.control_url + "state").status_code == 200
    assert http.get(faulty.root_url + "results/" + "0" * 32 + ".png").status_code == 404


def test_faults_change_at_run_time_through_the_control_api(
    faulty: RunningSandbox, http: requests.Session
) -> None:
    url = faulty.control_url + "faults"
    set_answer = http.post(url, json={"faults": [{"kind": "503", "next": 1}]})
    assert set_answer.json()["faults"][0]["status"] == 503
    added = http.post(url, json={"faults": "502:next=1", "mode": "add"}).json()["faults"]
    assert [fault["status"] for fault in added] == [503, 502]
    assert http.get(url).json()["faults"] == added
    assert balance(faulty, http).status_code == 503
    assert balance(faulty, http).status_code == 502
    assert balance(faulty, http).status_code == 200
    http.post(url, json={"faults": "500"})
    assert http.delete(url).json() == {"faults": []}
    assert balance(faulty, http).status_code == 200
    bad = http.post(url, json={"faults": "500:p=7"})
    assert bad.status_code == 422
    assert "p must be above 0" in bad.json()["detail"]


def test_faults_given_at_start_and_restored_by_reset(start: StartSandbox, clock: FakeClock) -> None:
    sandbox = start(faults="503:next=1", clock=clock)
    assert sandbox.state()["faults"][0]["remaining"] == 1
    sandbox.clear_faults()
    assert sandbox.reset()["faults"][0]["remaining"] == 1
    assert sandbox.reset(faults=None)["faults"] == []


def test_socket_faults_surface_as_exceptions_in_the_test_client(client: Client) -> None:
    client.post("/__sandbox/faults", json={"faults": "drop:next=1"})
    with pytest.raises(ConnectionError):
        client.get("/tools/1.0/balance", headers=HEADERS)
