"""Every generative action and Ultra upscale against the sandbox over real sockets: each way
Picsart runs it (at once, as a job, or either), with Download result, every answer checked
against the OpenAPI files; then jobs that pend, fail, stall or speak an unusual status word."""

from __future__ import annotations

import io
import wave
import xml.etree.ElementTree as ET
from typing import Any

import av
import pytest
from PIL import Image

from picsart_component.lib.jobs import OPERATIONS
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from picsart_component.sandbox import media
from tests.e2e import SandboxHarness

MANIFEST = load_manifest(COMPONENT_ROOT)
JOB_ACTIONS = [
    name
    for name, operation in OPERATIONS.items()
    if (operation.api == "genai" or name == "ultraUpscale") and name in MANIFEST.actions
]
RUNS = [
    (action, execution)
    for action in JOB_ACTIONS
    for execution in (
        ("sync", "async", "auto") if OPERATIONS[action].chooses_execution else (None,)
    )
]
EXPECTED_TYPES = {
    "textToVideo": "video/mp4",
    "imageToVideo": "video/mp4",
    "textToSpeech": "audio/wav",
    "textToSound": "audio/wav",
    "laserEngraving": "image/svg+xml",
}


def example(action: str) -> dict[str, Any]:
    module = load_module(COMPONENT_ROOT, MANIFEST.action(action).main)
    body: dict[str, Any] = dict(module.EXAMPLE)
    return body


def submissions(h: SandboxHarness, action: str) -> list[dict[str, Any]]:
    path = "/" + OPERATIONS[action].path
    return [
        entry
        for entry in h.sandbox.request_log()
        if entry["method"] == "POST" and entry["path"].endswith(path)
    ]


def stored(h: SandboxHarness, url: str) -> bytes:
    with h.store.read(url) as chunks:
        return b"".join(chunks)


def check_file(action: str, content_type: str, data: bytes) -> None:
    """The stored result is a real file of its type, which its own library opens."""
    expected = EXPECTED_TYPES.get(action)
    if expected is not None:
        assert content_type == expected
    if content_type.startswith("image/svg"):
        assert ET.fromstring(data).tag.endswith("svg")  # noqa: S314 - the sandbox's own file
    elif content_type.startswith("image/"):
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert image.width > 0
    elif content_type == "audio/wav":
        with wave.open(io.BytesIO(data)) as sound:
            assert sound.getnframes() > 0
    elif content_type == "video/mp4":
        with av.open(io.BytesIO(data)) as container:
            assert container.streams.video[0].frames > 0 or container.duration
    else:
        raise AssertionError(f"{action} made a {content_type} file")


@pytest.mark.parametrize(("action", "execution"), RUNS)
def test_each_operation_runs_end_to_end_with_download_result(
    harness: SandboxHarness, action: str, execution: str | None
) -> None:
    operation = OPERATIONS[action]
    cfg: dict[str, Any] = {} if action == "chatCompletions" else {"downloadResult": True}
    if execution is not None:
        cfg["execution"] = execution
    result = harness.run(action, example(action), **cfg)
    assert result.of_kind("error") == []
    (message,) = result.of_kind("data")
    body = message.body
    (submitted,) = submissions(harness, action)
    ran_as_job = submitted["status"] == 202
    prefer = submitted["headers"].get("Prefer")
    if not operation.asynchronous:
        assert (ran_as_job, prefer) == (False, None)
    elif not operation.sync:
        assert (ran_as_job, prefer) == (True, "respond-async")
    else:
        expected_prefer = {"sync": None, "async": "respond-async"}.get(execution or "")
        if execution == "auto":
            assert prefer is not None
            assert prefer.startswith("respond-async")
        else:
            assert prefer == expected_prefer
        assert ran_as_job == (execution == "async")
    assert ("jobId" in body) == ran_as_job
    if ran_as_job:
        assert body["operation"] == action
        snapshots = result.of_kind("snapshot")
        assert snapshots == [{"job": {**snapshots[0]["job"], "id": body["jobId"]}}]
    if operation.shape == "text":
        assert isinstance(body["data"], str)
        assert body["data"]
        return
    files = body["data"] if operation.shape == "list" else [body["data"]]
    assert len(files) >= 1
    stored_urls = body["attachmentUrls"] if operation.shape == "list" else [body["attachmentUrl"]]
    assert len(stored_urls) == len(files) == len(message.attachments)
    for url in stored_urls:
        (attachment,) = [a for a in message.attachments.values() if a.url == url]
        check_file(action, attachment.content_type or "", stored(harness, url))


def test_a_pending_job_is_polled_until_it_ends(harness: SandboxHarness) -> None:
    harness.sandbox.reset(job_seconds=20, spike_limit=10_000, quota=100_000)
    result = harness.run("textToImage", {"prompt": "a blue whale", "count": 2, "width": 128})
    (message,) = result.of_kind("data")
    assert len(message.body["data"]) == 2
    polls = [e for e in harness.sandbox.request_log() if e["method"] == "GET"]
    assert [e["status"] for e in polls][-1] == 200
    assert all(e["status"] == 202 for e in polls[:-1])
    assert len(polls) >= 4
    assert 20 <= sum(harness.time.sleeps) <= 31
    assert max(harness.time.sleeps) <= 10


@pytest.mark.parametrize(
    ("faults", "outcome"),
    [
        ("job-fail:next=1,word=FAILED", "JobFailedError"),
        ("job-word:next=1,word=FINISHED", "FINISHED"),
        ("job-word:next=1,word=completed;job-word:next=1,word=ACCEPTED,phase=pending", "completed"),
        ("job-late:next=1,ms=3000", "success"),
    ],
)
def test_jobs_that_fail_or_speak_another_status_word(
    harness: SandboxHarness, faults: str, outcome: str
) -> None:
    harness.sandbox.reset(job_seconds=2, spike_limit=10_000, quota=100_000, faults=faults)
    with harness.unchecked():
        result = harness.run("textToSound", {"prompt": "a door creaking open"})
    if outcome.endswith("Error"):
        (error,) = result.of_kind("error")
        assert error["name"] == outcome
        assert "'FAILED'" in error["message"]
        assert error["jobId"]
    else:
        (message,) = result.of_kind("data")
        assert message.body["status"] == outcome
        assert message.body["data"]["url"]


def test_a_stuck_job_times_out_and_is_collected_later_without_paying_again(
    harness: SandboxHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.services.environ = {"PICSART_JOB_TIMEOUT": "30"}
    harness.services.__dict__.pop("environment", None)
    harness.sandbox.reset(spike_limit=10_000, quota=100_000, faults="job-stuck:next=1")
    result = harness.run("ultraUpscale", example("ultraUpscale"), execution="async")
    (error,) = result.of_kind("error")
    assert error["name"] == "JobTimeoutError"
    job = {"operation": "ultraUpscale", "jobId": error["jobId"]}
    (rebound,) = harness.run("getJobResult", job).of_kind("rebound")
    assert rebound["name"] == "JobPendingError"
    assert len(submissions(harness, "ultraUpscale")) == 1


def test_submit_now_and_collect_later_with_download_result(harness: SandboxHarness) -> None:
    harness.sandbox.reset(job_seconds=60, spike_limit=10_000, quota=100_000)
    (accepted,) = harness.run(
        "textToSticker", {"prompt": "a happy cactus", "count": 2}, doNotWait=True
    ).of_kind("data")
    job = {"operation": accepted.body["operation"], "jobId": accepted.body["jobId"]}
    assert accepted.body["status"] == "processing"
    assert "data" not in accepted.body
    (rebound,) = harness.run("getJobResult", job, downloadResult=True).of_kind("rebound")
    assert rebound["jobId"] == job["jobId"]
    harness.time.sleep(61)
    (done,) = harness.run("getJobResult", job, downloadResult=True).of_kind("data")
    assert len(done.body["data"]) == 2
    assert len(done.body["attachmentUrls"]) == 2
    assert len(done.attachments) == 2
    assert len(submissions(harness, "textToSticker")) == 1


def test_a_mask_of_another_size_is_refused_before_paying(harness: SandboxHarness) -> None:
    image = harness.upload()
    mask = harness.upload(_png((10, 10)))
    result = harness.run(
        "removeObject",
        {"image": image["url"], "mask_image": mask["url"]},
    )
    (error,) = result.of_kind("error")
    assert error["problems"][0]["path"] == "$.mask_image"
    assert submissions(harness, "removeObject") == []


def test_video_without_the_extra_is_a_clear_error(
    harness: SandboxHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "video_available", lambda: False)
    with harness.unchecked():
        (error,) = harness.run("textToVideo", example("textToVideo")).of_kind("error")
    assert error["status"] == 501
    assert "picsart-component[video]" in error["message"]


def test_expand_below_the_image_size_is_refused_before_paying(harness: SandboxHarness) -> None:
    image = harness.upload(_png((300, 200)))
    result = harness.run(
        "expandImage", {"image": image["url"], "prompt": "more sky", "width": 200, "height": 400}
    )
    (error,) = result.of_kind("error")
    assert error["problems"] == [
        {
            "path": "$.width",
            "rule": "must be at least the image's width (300 px): expanding only adds pixels",
        }
    ]
    assert submissions(harness, "expandImage") == []


def _png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()
