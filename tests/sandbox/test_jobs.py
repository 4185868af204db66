"""Asynchronous jobs: Prefer, pending and done on the sandbox's clock, job faults, and the old
faults on the new paths; a few over real sockets."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from werkzeug.test import Client, TestResponse

from picsart_component.sandbox import PRICES, RunningSandbox, SandboxState
from picsart_component.sandbox.asyncjobs import Preference, read_prefer
from tests.sandbox.conftest import MakeClient, StartSandbox
from tests.sandbox.support import (
    HEADERS,
    KEY,
    FakeClock,
    call_kwargs,
    job_id,
    operation_path,
    poll_path,
    send,
)


def poll(client: Client, name: str, found: str) -> TestResponse:
    return client.get(poll_path(name, found), headers=HEADERS)


def faults(client: Client, spec: str) -> None:
    answer = client.post("/__sandbox/faults", json={"faults": spec})
    assert answer.status_code == 200, answer.get_json()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], Preference()),
        (["respond-async"], Preference(respond_async=True)),
        (["Respond-Async, wait=10"], Preference(True, 10)),
        (["wait=5", "respond-async"], Preference(True, 5)),
        (['respond-async; foo=bar, wait="7"'], Preference(True, 7)),
        (["wait=soon, handling=lenient"], Preference()),
        (["return=minimal"], Preference()),
    ],
)
def test_prefer_is_read_as_rfc_7240_writes_it(headers: list[str], expected: Preference) -> None:
    assert read_prefer(headers) == expected


def test_a_job_pends_for_job_seconds_on_the_sandbox_clock(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, state = make_client(job_seconds=5)
    for name, id_field in (("text2image", "inference_id"), ("ultra", "transaction_id")):
        accepted = send(client, name, prefer="respond-async")
        found = job_id(accepted)
        pending = poll(client, name, found)
        assert pending.status_code == 202
        assert pending.get_json() == {"status": "processing", id_field: found}
        clock.advance(4.9)
        assert poll(client, name, found).status_code == 202
        clock.advance(0.2)
        done = poll(client, name, found)
        assert done.status_code == 200
        assert done.get_json()["status"] == "success"
    assert state.options.job_seconds == 5


def test_polls_are_free_but_count_against_the_rate_limit(make_client: MakeClient) -> None:
    client, state = make_client(quota=4, job_seconds=5)
    found = job_id(send(client, "edit", prefer="respond-async"))
    assert state.credits == 1000 - PRICES["edit"]
    statuses = [poll(client, "edit", found).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    assert state.credits == 1000 - PRICES["edit"]
    log = [(entry["path"], entry["charged"]) for entry in state.log.entries()]
    assert log[0] == ("/v1/painting/edit", PRICES["edit"])
    assert {charged for _, charged in log[1:]} == {0}


@pytest.mark.parametrize(
    ("name", "spec", "status", "data"),
    [
        ("text2image", "job-fail:next=1", "error", []),
        ("edit", "job-fail:word=failed,next=1", "failed", []),
        ("ultra", "job-fail:word=FAILED,next=1", "FAILED", None),
        ("text2sticker", "job-fail:path=poll-text2sticker,next=1", "error", []),
    ],
)
def test_a_failed_job_reports_it_on_its_poll_and_stays_charged(
    client: Client, state: SandboxState, name: str, spec: str, status: str, data: Any
) -> None:
    faults(client, spec)
    found = job_id(send(client, name, prefer="respond-async"))
    failed = poll(client, name, found)
    assert failed.status_code == 200
    body = failed.get_json()
    assert body["status"] == status
    assert "job-fail" in body["detail"]
    assert body.get("data") == data
    assert state.credits == 1000 - PRICES[name]
    again = poll(client, name, job_id(send(client, name, prefer="respond-async")))
    assert again.get_json()["status"] == "success"


def test_a_stuck_job_pends_for_ever(client: Client, clock: FakeClock) -> None:
    faults(client, "job-stuck:path=logo")
    stuck = job_id(send(client, "logo"))
    other = job_id(send(client, "text2image"))
    clock.advance(10**6)
    assert poll(client, "logo", stuck).status_code == 202
    assert poll(client, "text2image", other).status_code == 200


def test_job_words_replace_the_status_while_pending_and_when_done(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, _ = make_client(job_seconds=1)
    faults(client, "job-word:word=ACCEPTED,phase=pending;job-word:word=FINISHED")
    accepted = send(client, "text2image")
    assert accepted.get_json()["status"] == "ACCEPTED"
    found = job_id(accepted)
    assert poll(client, "text2image", found).get_json()["status"] == "ACCEPTED"
    clock.advance(1)
    done = poll(client, "text2image", found).get_json()
    assert done["status"] == "FINISHED"
    assert len(done["data"]) == 1
    faults(client, "job-word:word=completed,path=ultra")
    ultra = job_id(send(client, "ultra", prefer="respond-async"))
    clock.advance(1)
    assert poll(client, "ultra", ultra).get_json()["status"] == "completed"


def test_a_late_job_answers_404_at_first(client: Client, clock: FakeClock) -> None:
    faults(client, "job-late:ms=500,path=genai")
    found = job_id(send(client, "logo"))
    clock.advance(0.2)
    early = poll(client, "logo", found)
    assert early.status_code == 404
    assert early.get_json()["code"] == 404
    clock.advance(0.4)
    assert poll(client, "logo", found).status_code == 200


def test_a_job_with_a_fault_is_never_answered_synchronously(client: Client) -> None:
    faults(client, "job-stuck:next=1")
    plain = send(client, "expand")
    assert plain.status_code == 200
    assert client.get("/__sandbox/faults").get_json()["faults"][0]["remaining"] == 1
    waited = send(client, "expand", prefer="respond-async, wait=60")
    assert waited.status_code == 202
    assert client.get("/__sandbox/faults").get_json()["faults"] == []
    assert send(client, "expand", prefer="respond-async, wait=60").status_code == 200


def test_job_faults_match_operations_polls_and_groups(client: Client) -> None:
    faults(client, "job-fail:path=poll-painting;job-fail:path=text2image")

    def outcome(name: str) -> str:
        found = job_id(send(client, name, prefer="respond-async"))
        return str(poll(client, name, found).get_json()["status"])

    assert [outcome(name) for name in ("edit", "expand", "text2image", "ultra")] == [
        "error",
        "error",
        "error",
        "success",
    ]
    assert outcome("text2sticker") == "success"
    faults(client, "job-fail:path=tools")
    assert [outcome("ultra"), outcome("edit")] == ["error", "success"]


def test_the_old_faults_work_on_the_new_paths(client: Client, state: SandboxState) -> None:
    found = job_id(send(client, "text2image"))
    faults(client, "503:next=1,path=poll-text2image;500:next=1,path=genai")
    assert poll(client, "text2image", found).status_code == 503
    assert client.get("/tools/1.0/balance", headers=HEADERS).status_code == 200
    assert client.get("/v1/balance", headers=HEADERS).status_code == 500
    assert poll(client, "text2image", found).status_code == 200
    faults(client, "429:next=1,body=code;502:next=1,path=polls")
    assert send(client, "chat").status_code == 429
    assert poll(client, "text2image", found).status_code == 502
    faults(client, "422:next=1,path=ultra")
    assert send(client, "ultra").status_code == 422
    assert (
        client.get("/__sandbox/state").get_json()["counts"]["by_endpoint"]["poll-text2image"] == 3
    )
    assert state.credits == 1000 - PRICES["text2image"]


def test_reset_changes_job_seconds_and_forgets_jobs(client: Client, clock: FakeClock) -> None:
    found = job_id(send(client, "text2image"))
    reset = client.post("/__sandbox/reset", json={"job_seconds": 2})
    assert reset.status_code == 200
    assert reset.get_json()["options"]["job_seconds"] == 2
    assert reset.get_json()["jobs"] == 0
    assert poll(client, "text2image", found).status_code == 404
    later = job_id(send(client, "text2image"))
    assert poll(client, "text2image", later).status_code == 202
    clock.advance(2)
    assert poll(client, "text2image", later).status_code == 200
    for bad in (-1, "soon", 10**6):
        refused = client.post("/__sandbox/reset", json={"job_seconds": bad})
        assert refused.status_code == 422


def test_jobs_over_real_sockets(start: StartSandbox, http: requests.Session) -> None:
    sandbox: RunningSandbox = start(job_seconds=0.3, api_key=KEY)
    assert sandbox.genai_base_url == sandbox.root_url + "v1/"
    kwargs = call_kwargs("text2image")
    accepted = http.post(sandbox.genai_base_url + "text2image", json=kwargs["json"], timeout=10)
    assert accepted.status_code == 202
    polled = sandbox.genai_base_url + f"text2image/inferences/{accepted.json()['inference_id']}"
    statuses = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        answer = http.get(polled, timeout=10)
        statuses.append(answer.status_code)
        if answer.status_code == 200:
            break
        time.sleep(0.1)
    assert statuses[0] == 202
    assert statuses[-1] == 200
    result = http.get(answer.json()["data"][0]["url"], timeout=10)
    assert result.headers["Content-Type"] == "image/jpeg"
    sandbox.reset(job_seconds=5)
    started = time.monotonic()
    synchronous = http.post(
        sandbox.root_url + operation_path("bleed").lstrip("/"),
        files={"image": ("a.png", call_kwargs("bleed")["data"]["image"][0].read(), "image/png")},
        data={"bleed_size": "3"},
        timeout=10,
    )
    assert synchronous.status_code == 200
    assert time.monotonic() - started < 5  # bleed is no job: it does not wait


def test_a_synchronous_job_operation_takes_the_job_time(
    start: StartSandbox, http: requests.Session
) -> None:
    sandbox: RunningSandbox = start(job_seconds=0.3)
    image = call_kwargs("edit")["data"]["image"][0].read()
    started = time.monotonic()
    answer = http.post(
        sandbox.root_url + "hosts/genai-api.picsart.io/v1/painting/edit",
        files={"image": ("a.png", image, "image/png")},
        data={"prompt": "dusk", "count": "1"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3
    dropped = sandbox.set_faults("drop:next=1,path=text2image")
    assert dropped[0]["path"] == "text2image"
    with pytest.raises(requests.ConnectionError):
        http.post(sandbox.genai_base_url + "text2image", json={"prompt": "x"}, timeout=10)
