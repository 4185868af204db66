"""The job engine through the actions, with mocked HTTP and fake time: Prefer, polling, status
words, the 404 grace, deadlines, Get job result, Don't wait, and resuming a job from a snapshot."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import responses
from responses import matchers

from picsart_component.lib.jobs import OPERATIONS, JobSettings, prefer_header
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.messages import Event, Message
from tests.helpers import API_KEY, FakeTime, make_services

GENAI = "https://genai-api.picsart.io/v1/"
IMAGE = "https://api.picsart.io/tools/1.0/"
CFG = {"apiKey": API_KEY}
RESULT = "https://cdn.example.com/result-{n}.png"


@pytest.fixture
def executor(fake_time: FakeTime) -> Executor:
    return Executor(services=make_services(fake_time))


MESSAGE_ID = "message-1"


def run(
    executor: Executor,
    action: str,
    body: dict[str, Any],
    *,
    snapshot: dict[str, Any] | None = None,
    on_event: Any = None,
    **cfg: Any,
) -> RunResult:
    return executor.run(
        action, Message(id=MESSAGE_ID, body=body), {**CFG, **cfg}, snapshot, on_event=on_event
    )


def only(result: RunResult, kind: str) -> Any:
    found = result.of_kind(kind)  # type: ignore[arg-type]
    assert len(found) == 1, result.events
    return found[0]


def accepted(job_id: str = "job-1", **extra: Any) -> dict[str, Any]:
    return {"status": "processing", "inference_id": job_id, **extra}


def images(count: int = 1, status: str = "success") -> dict[str, Any]:
    return {
        "status": status,
        "data": [
            {"id": f"r{n}", "url": RESULT.format(n=n), "status": "success"} for n in range(count)
        ],
    }


def prefer_of(call: Any) -> str | None:
    value = call.request.headers.get("Prefer")
    return str(value) if value is not None else None


@responses.activate
def test_async_only_operation_asks_for_a_job_and_polls_it_with_backing_off_waits(
    executor: Executor, fake_time: FakeTime
) -> None:
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    poll = GENAI + "text2image/inferences/job-1"
    for _ in range(4):
        responses.get(poll, json=accepted(), status=202)
    responses.get(poll, json=images(2))
    seen: list[Event] = []
    result = run(executor, "textToImage", {"prompt": "a red mug", "count": 2}, on_event=seen.append)
    body = only(result, "data").body
    assert body["status"] == "success"
    assert [item["url"] for item in body["data"]] == [RESULT.format(n=0), RESULT.format(n=1)]
    assert body["jobId"] == "job-1"
    assert body["operation"] == "textToImage"
    assert prefer_of(responses.calls[0]) == "respond-async"
    assert responses.calls[0].request.headers["X-Picsart-API-Key"] == API_KEY
    # The job id is heard before the result: a snapshot, first of all events.
    assert seen[0].kind == "snapshot"
    assert seen[0].payload["job"]["id"] == "job-1"
    assert seen[0].payload["job"]["operation"] == "textToImage"
    assert fake_time.sleeps == [1.0, 1.5, 2.25, 3.375, 5.0625]


@responses.activate
def test_polling_backs_off_to_a_cap_and_honours_retry_after(
    executor: Executor, fake_time: FakeTime
) -> None:
    responses.post(GENAI + "text2sound", json=accepted(), status=202)
    poll = GENAI + "audio/job-1"
    for _ in range(8):
        responses.get(poll, json=accepted(), status=202)
    responses.get(poll, json=accepted(), status=202, headers={"Retry-After": "17"})
    responses.get(poll, json={"status": "success", "data": {"id": "a", "url": RESULT.format(n=0)}})
    result = run(executor, "textToSound", {"prompt": "rain"})
    assert only(result, "data").body["data"]["url"] == RESULT.format(n=0)
    assert max(fake_time.sleeps[:-1]) == 10.0
    assert fake_time.sleeps[-1] == 17.0


@pytest.mark.parametrize(
    ("execution", "expected"),
    [("sync", None), ("async", "respond-async"), ("auto", "respond-async, wait=50")],
)
@responses.activate
def test_execution_decides_the_prefer_header_of_an_operation_offering_both(
    executor: Executor, execution: str, expected: str | None
) -> None:
    responses.post(
        GENAI + "painting/remove-object",
        json={"status": "success", "data": {"id": "x", "url": RESULT.format(n=0)}},
    )
    result = run(
        executor,
        "removeObject",
        {"image_url": "https://example.com/a.jpg", "mask_image_url": "https://example.com/m.png"},
        execution=execution,
    )
    body = only(result, "data").body
    assert body["data"] == {"id": "x", "url": RESULT.format(n=0)}
    assert "jobId" not in body
    assert prefer_of(responses.calls[0]) == expected
    assert len(responses.calls) == 1


def test_prefer_header_rules() -> None:
    bleed, ultra, sound = (OPERATIONS[n] for n in ("generateBleed", "ultraUpscale", "textToSound"))
    assert prefer_header(bleed, "async", recommend_async=True) == ""
    assert prefer_header(sound, "sync", recommend_async=False) == "respond-async"
    assert prefer_header(ultra, "auto", recommend_async=True) == "respond-async"
    assert prefer_header(ultra, "auto", recommend_async=False) == "respond-async, wait=50"
    assert prefer_header(ultra, "sync", recommend_async=True) == ""


@responses.activate
def test_an_operation_answered_at_once_is_never_taken_for_a_job(executor: Executor) -> None:
    bleed = GENAI + "painting/bleed"
    body = {"image_url": "https://example.com/a.png", "bleed_size": 20}
    responses.post(bleed, json={**accepted("x"), "data": {"id": "r", "url": RESULT.format(n=0)}})
    result = run(executor, "generateBleed", body)
    assert only(result, "data").body["data"]["url"] == RESULT.format(n=0)
    assert len(responses.calls) == 1
    responses.post(bleed, json=accepted("x"), status=202)
    refused = only(run(executor, "generateBleed", body), "error")
    assert "202 Accepted to Generate bleed" in refused["message"]
    assert len(responses.calls) == 2


@responses.activate
def test_a_job_where_none_was_asked_for_is_still_polled(executor: Executor) -> None:
    responses.post(GENAI + "painting/inpaint", json=accepted("late"), status=202)
    responses.get(GENAI + "painting/late", json=images(1))
    result = run(
        executor,
        "inpaint",
        {"image_url": "https://example.com/a.png", "prompt": "a cat"},
        execution="sync",
    )
    body = only(result, "data").body
    assert prefer_of(responses.calls[0]) is None
    assert body["jobId"] == "late"
    assert len(body["data"]) == 1


@pytest.mark.parametrize("word", ["success", "FINISHED", "completed", "Succeeded", "done"])
@responses.activate
def test_every_done_word_ends_the_job(executor: Executor, word: str) -> None:
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    responses.get(GENAI + "text2image/inferences/job-1", json=images(1, status=word))
    result = run(executor, "textToImage", {"prompt": "a red mug"})
    assert only(result, "data").body["status"] == word


@pytest.mark.parametrize("pending", ["ACCEPTED", "processing", "queued", "IN_PROGRESS"])
@responses.activate
def test_pending_words_on_a_200_keep_polling(executor: Executor, pending: str) -> None:
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    poll = GENAI + "text2image/inferences/job-1"
    responses.get(poll, json={"status": pending, "inference_id": "job-1"})
    responses.get(poll, json=images(1))
    result = run(executor, "textToImage", {"prompt": "a red mug"})
    assert only(result, "data").body["status"] == "success"
    assert len(responses.calls) == 3


@pytest.mark.parametrize("word", ["error", "FAILED", "failed", "cancelled"])
@responses.activate
def test_every_failure_word_fails_the_job_with_picsarts_reason_and_the_job_id(
    executor: Executor, word: str
) -> None:
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    responses.get(
        GENAI + "text2image/inferences/job-1",
        json={"status": word, "detail": "the prompt was refused"},
        headers={"X-Picsart-Correlation-Id": "corr-9"},
    )
    error = only(run(executor, "textToImage", {"prompt": "a red mug"}), "error")
    assert error["name"] == "JobFailedError"
    assert error["jobId"] == "job-1"
    assert error["operation"] == "textToImage"
    assert "the prompt was refused" in error["message"]
    assert "corr-9" in error["message"]
    assert repr(word) in error["message"]


@responses.activate
def test_an_unknown_status_word_is_pending_with_one_warning_naming_it(
    executor: Executor, caplog: pytest.LogCaptureFixture
) -> None:
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    poll = GENAI + "text2image/inferences/job-1"
    for _ in range(3):
        responses.get(poll, json={"status": "warming_gpus"})
    responses.get(poll, json=images(1))
    with caplog.at_level(logging.WARNING):
        result = run(executor, "textToImage", {"prompt": "a red mug"})
    assert only(result, "data").body["status"] == "success"
    warnings = [r.getMessage() for r in caplog.records if "warming_gpus" in r.getMessage()]
    assert len(warnings) == 1
    assert "still running" in warnings[0]


@responses.activate
def test_past_the_deadline_the_error_names_the_job_and_how_to_collect_it(
    fake_time: FakeTime,
) -> None:
    services = make_services(fake_time, environ={"PICSART_JOB_TIMEOUT": "30"})
    executor = Executor(services=services)
    responses.post(GENAI + "text2video", json=accepted("slow"), status=202)
    responses.get(GENAI + "video/slow", json=accepted("slow"), status=202)
    started = fake_time.now
    error = only(run(executor, "textToVideo", {"prompt": "waves"}), "error")
    assert error["name"] == "JobTimeoutError"
    assert error["jobId"] == "slow"
    assert error["operation"] == "textToVideo"
    assert "Get job result" in error["message"]
    assert "30 s" in error["message"]
    assert fake_time.now - started == pytest.approx(30.0)


@responses.activate
def test_poll_seconds_sets_one_fixed_interval(fake_time: FakeTime) -> None:
    services = make_services(fake_time, environ={"PICSART_JOB_POLL_SECONDS": "0.01"})
    executor = Executor(services=services)
    responses.post(GENAI + "text2speech", json=accepted(), status=202)
    poll = GENAI + "audio/job-1"
    for _ in range(5):
        responses.get(poll, json=accepted(), status=202)
    responses.get(poll, json={"status": "success", "data": {"url": RESULT.format(n=0)}})
    run(executor, "textToSpeech", {"text": "hello"})
    assert fake_time.sleeps == [0.01] * 6


@responses.activate
def test_a_404_soon_after_acceptance_is_not_ready_yet_but_later_it_is_an_error(
    fake_time: FakeTime,
) -> None:
    services = make_services(fake_time)
    services.jobs = JobSettings(first_poll=4.0, max_poll=4.0)
    executor = Executor(services=services)
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    poll = GENAI + "text2image/inferences/job-1"
    responses.get(poll, json={"detail": "not found"}, status=404)
    responses.get(poll, json={"detail": "not found"}, status=404)
    responses.get(poll, json={"detail": "not found"}, status=404)
    error = only(run(executor, "textToImage", {"prompt": "a red mug"}), "error")
    assert error["name"] == "NotFoundError"
    assert error["status"] == 404
    assert "job-1" in error["message"]
    assert len(responses.calls) == 4  # polls at 4 s and 8 s were in the grace; 12 s was not


@responses.activate
def test_poll_failures_go_through_the_retry_table(executor: Executor) -> None:
    responses.post(GENAI + "text2image", json=accepted(), status=202)
    poll = GENAI + "text2image/inferences/job-1"
    responses.get(poll, json={"detail": "busy"}, status=503)
    responses.get(poll, json=images(1))
    result = run(executor, "textToImage", {"prompt": "a red mug"})
    assert only(result, "data").body["status"] == "success"
    assert [c.request.method for c in responses.calls] == ["POST", "GET", "GET"]


@responses.activate
def test_a_job_in_the_snapshot_is_collected_and_nothing_is_submitted(executor: Executor) -> None:
    responses.get(GENAI + "text2image/inferences/old", json=images(1))
    result = run(
        executor,
        "textToImage",
        {"prompt": "a red mug"},
        snapshot={"job": {"operation": "textToImage", "id": "old", "messageId": MESSAGE_ID}},
    )
    body = only(result, "data").body
    assert body["jobId"] == "old"
    assert [c.request.method for c in responses.calls] == ["GET"]


@responses.activate
def test_a_snapshot_job_of_another_message_is_never_collected(executor: Executor) -> None:
    """The platform shares a step's snapshot between all its messages: message B must not get
    the image message A paid for."""
    responses.post(GENAI + "text2image", json=accepted("new"), status=202)
    responses.get(GENAI + "text2image/inferences/new", json=images(1))
    for stranger in ({"messageId": "another-message"}, {}):
        result = run(
            executor,
            "textToImage",
            {"prompt": "a red mug"},
            snapshot={"job": {"operation": "textToImage", "id": "old", **stranger}},
        )
        assert only(result, "data").body["jobId"] == "new"
    assert not [c for c in responses.calls if (c.request.url or "").endswith("/old")]


@responses.activate
def test_a_snapshot_job_of_another_operation_is_ignored(executor: Executor) -> None:
    responses.post(GENAI + "text2image", json=accepted("new"), status=202)
    responses.get(GENAI + "text2image/inferences/new", json=images(1))
    result = run(
        executor,
        "textToImage",
        {"prompt": "a red mug"},
        snapshot={"job": {"operation": "textToSound", "id": "old", "messageId": MESSAGE_ID}},
    )
    assert only(result, "data").body["jobId"] == "new"


@responses.activate
def test_do_not_wait_returns_the_job_at_once(executor: Executor) -> None:
    responses.post(
        IMAGE + "upscale/ultra", json={"status": "processing", "transaction_id": "t-1"}, status=202
    )
    result = run(
        executor,
        "ultraUpscale",
        {"image_url": "https://example.com/a.jpg", "upscale_factor": 4},
        doNotWait=True,
    )
    body = only(result, "data").body
    assert body == {"status": "processing", "jobId": "t-1", "operation": "ultraUpscale"}
    assert prefer_of(responses.calls[0]) == "respond-async"
    assert len(responses.calls) == 1


def test_do_not_wait_with_sync_execution_is_refused_before_anything_is_sent(
    executor: Executor,
) -> None:
    with responses.RequestsMock() as mocked:
        result = run(
            executor,
            "ultraUpscale",
            {"image_url": "https://example.com/a.jpg"},
            doNotWait=True,
            execution="sync",
        )
        assert not mocked.calls
    error = only(result, "error")
    assert {
        "path": "cfg.doNotWait",
        "rule": "cannot be combined with Execution sync: a job is needed",
    } in error["problems"]


@responses.activate
def test_get_job_result_rebounds_while_running_and_returns_the_result_when_done(
    executor: Executor,
) -> None:
    poll = IMAGE + "upscale/ultra/t-1"
    responses.get(poll, json={"status": "processing", "transaction_id": "t-1"}, status=202)
    responses.get(poll, json={"status": "success", "data": {"id": "u", "url": RESULT.format(n=0)}})
    body = {"operation": "ultraUpscale", "jobId": "t-1"}
    rebound = only(run(executor, "getJobResult", body), "rebound")
    assert rebound["name"] == "JobPendingError"
    assert rebound["jobId"] == "t-1"
    done = only(run(executor, "getJobResult", body), "data").body
    assert done == {
        "status": "success",
        "jobId": "t-1",
        "operation": "ultraUpscale",
        "data": {"id": "u", "url": RESULT.format(n=0)},
    }
    assert len(responses.calls) == 2


@responses.activate
def test_get_job_result_with_an_unknown_id_fails_at_once(executor: Executor) -> None:
    responses.get(GENAI + "painting/nope", json={"detail": "no such inference"}, status=404)
    error = only(run(executor, "getJobResult", {"operation": "inpaint", "jobId": "nope"}), "error")
    assert error["name"] == "NotFoundError"
    assert len(responses.calls) == 1


def test_get_job_result_refuses_an_operation_that_has_no_jobs(executor: Executor) -> None:
    error = only(
        run(executor, "getJobResult", {"operation": "generateBleed", "jobId": "x"}), "error"
    )
    assert error["problems"][0]["path"] == "$.operation"


@responses.activate
def test_remove_objects_polled_list_becomes_one_file(executor: Executor) -> None:
    responses.post(GENAI + "painting/remove-object", json=accepted("r"), status=202)
    responses.get(GENAI + "painting/r", json=images(1))
    result = run(
        executor,
        "removeObject",
        {"image_url": "https://example.com/a.jpg", "mask_image_url": "https://example.com/m.png"},
        execution="async",
    )
    assert only(result, "data").body["data"]["url"] == RESULT.format(n=0)


@responses.activate
def test_chat_completions_returns_the_text(executor: Executor) -> None:
    responses.post(
        GENAI + "text2text/chat/completions",
        json={"status": "success", "data": "A bottle that keeps up with you."},
        match=[
            matchers.json_params_matcher(
                {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 20}
            )
        ],
    )
    result = run(
        executor,
        "chatCompletions",
        {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 20},
    )
    assert only(result, "data").body == {
        "status": "success",
        "data": "A bottle that keeps up with you.",
    }
    assert prefer_of(responses.calls[0]) is None


@responses.activate
def test_account_balance_reads_both_apis(executor: Executor) -> None:
    responses.get(IMAGE + "balance", json={"credits": 120})
    responses.get(GENAI + "balance", json={"credits": 45})
    result = run(executor, "accountBalance", {})
    assert only(result, "data").body == {"imageApiCredits": 120, "genaiApiCredits": 45}


@responses.activate
def test_a_configured_genai_base_url_is_used_and_gets_the_key(executor: Executor) -> None:
    base = "http://127.0.0.1:9/v1/"
    responses.get(IMAGE + "balance", json={"credits": 1})
    responses.get(base + "balance", json={"credits": 2})
    result = run(executor, "accountBalance", {}, genaiApiBaseUrl=base)
    assert only(result, "data").body["genaiApiCredits"] == 2
    assert responses.calls[1].request.headers["X-Picsart-API-Key"] == API_KEY


@responses.activate
def test_a_job_answer_without_an_id_is_a_clear_error(executor: Executor) -> None:
    responses.post(GENAI + "text2image", json={"status": "processing"}, status=202)
    error = only(run(executor, "textToImage", {"prompt": "a red mug"}), "error")
    assert "inference_id" in error["message"]
