"""The video API's actions against the sandbox over real sockets, every answer checked against
the video OpenAPI file: each action's EXAMPLE with Download result, the stored file opened by
PyAV and measured; and a video job whose step was cut off, collected without paying again."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest

from picsart_component.lib.jobs import OPERATIONS
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from picsart_component.runtime.messages import Message
from picsart_component.sandbox import media, samples
from tests.e2e import SandboxHarness
from tests.helpers import video_seconds

MANIFEST = load_manifest(COMPONENT_ROOT)
TESTED_ON_THEIR_OWN = {
    "videoMetadata": "a value, no file",
    "extractVideoThumbnail": "JPG pictures",
    "setVideoThumbnail": "an MP4 whose thumbnail is checked",
    "extractAudio": "a sound",
    "transcribeAudio": "a text file",
}
"""The video actions whose result is not a video to measure here: each runs from its EXAMPLE
over sockets with Download result in tests/sandbox/test_video_audio.py, its stored files opened
by PyAV, Pillow or ``wave`` or read as text, and checked there."""
VIDEO_ACTIONS = [
    name
    for name, operation in OPERATIONS.items()
    if operation.api == "video" and name in MANIFEST.actions and name not in TESTED_ON_THEIR_OWN
]


EXPECTED_SECONDS: dict[str, Callable[[dict[str, Any]], float]] = {
    "trimVideo": lambda body: (body["end"] - body["start"]) / 1000,
    # issue 28, group A (crop, fit, edit, adjust, effects, watermark)
    # The whole stand-in clip: 2 s (samples.STAND_IN_CLIP_SECONDS), whatever the picture becomes.
    "cropVideo": lambda body: 2.0,
    "fitVideo": lambda body: 2.0,
    "editVideo": lambda body: 2.0,
    "adjustVideo": lambda body: 2.0,
    "applyVideoEffect": lambda body: 2.0,
    "addVideoWatermark": lambda body: 2.0,
    # issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
    # A video item is the whole stand-in clip (2 s); an image shows for its duration.
    "concatVideos": lambda body: sum(
        item.get("duration", 1000) / 1000 if "image_url" in item else 2.0 for item in body["items"]
    ),
    "videoHighlights": lambda body: sum(
        (segment["end"] - segment["start"]) / 1000 for segment in body["trim_segments"]
    ),
    "makeVideoCtvCompatible": lambda body: 2.0,
    "upscaleVideoFps": lambda body: 2.0,
    "removeVideoBackground": lambda body: 2.0,
    "uploadVideo": lambda body: 2.0,  # the stand-in clip, as uploaded
    # issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
    "adjustAudio": lambda body: 2.0,  # the stand-in clip's whole length: the sound is remixed
    # issue 28, group D (the Variable Data API)
}
"""How long each action's result lasts, from its EXAMPLE."""

EXPECTED_SIZE: dict[str, tuple[int, int]] = {
    "cropVideo": (32, 48),  # the EXAMPLE's rectangle
    "fitVideo": (114, 64),  # 16:9 (ratio 1.7778) at the clip's height, rounded down to even
    "editVideo": (48, 84),  # the 48x48 crop fitted into 9:16 (ratio 0.5625), even sides
    "makeVideoCtvCompatible": (114, 64),  # padded to 16:9 at the clip's own height
}
"""The result's picture size where the EXAMPLE changes it; the others keep the stand-in clip's
64x64."""
EXPECTED_RATE = {"upscaleVideoFps": 60, "uploadVideo": 24}
"""Frame rates other than Picsart's default 30: FPS upscale makes 60; an upload is the file as
sent (the stand-in clip, 24 frames a second)."""


def example(action: str) -> dict[str, Any]:
    module = load_module(COMPONENT_ROOT, MANIFEST.action(action).main)
    body: dict[str, Any] = dict(module.EXAMPLE)
    return body


def video_cfg(harness: SandboxHarness, **cfg: Any) -> dict[str, Any]:
    return {"videoApiBaseUrl": harness.sandbox.video_base_url, **cfg}


def submissions(harness: SandboxHarness, action: str) -> list[dict[str, Any]]:
    path = harness.sandbox.video_base_url.removeprefix(harness.sandbox.root_url)
    return [
        entry
        for entry in harness.sandbox.request_log()
        if entry["method"] == "POST" and entry["path"] == "/" + path + OPERATIONS[action].path
    ]


def stored(harness: SandboxHarness, url: str) -> bytes:
    with harness.store.read(url) as chunks:
        return b"".join(chunks)


def measured(data: bytes) -> tuple[float, float, bool]:
    """The stored video's length in seconds (its picture track's, or the container's where the
    track states none, as in WEBM), its frame rate, and whether it has sound."""
    seconds, rate, sound, _ = measured_with_size(data)
    return seconds, rate, sound


def measured_with_size(data: bytes) -> tuple[float, float, bool, tuple[int, int]]:
    """As ``measured``, and the size of the first frame decoded."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate is not None
        seconds = video_seconds(container, stream)
        frame = next(container.decode(stream))
        size = (frame.width, frame.height)
        return seconds, float(stream.average_rate), bool(container.streams.audio), size


def example_body(harness: SandboxHarness, action: str, tmp_path: Path) -> dict[str, Any]:
    """The action's EXAMPLE, but for Upload video or audio, whose ``file`` the component itself
    downloads (``example.com`` is not reachable from the tests): the same stand-in clip, attached
    from the attachment store as ``picsart-flow attach`` would."""
    body = example(action)
    if action == "uploadVideo":
        clip, _ = samples.stand_in_video(body["file"])
        path = tmp_path / "clip.mp4"
        path.write_bytes(clip)
        body["file"] = harness.upload_file(path)
    return body


def test_every_video_action_says_what_its_result_lasts() -> None:
    assert set(EXPECTED_SECONDS) == set(VIDEO_ACTIONS), "add the action's row to EXPECTED_SECONDS"
    assert set(EXPECTED_SIZE) | set(EXPECTED_RATE) <= set(VIDEO_ACTIONS)


@pytest.mark.parametrize("action", VIDEO_ACTIONS)
def test_each_example_runs_with_download_result(
    harness: SandboxHarness, action: str, tmp_path: Path
) -> None:
    body = example_body(harness, action, tmp_path)
    result = harness.run(action, body, **video_cfg(harness, downloadResult=True))
    assert result.of_kind("error") == []
    (message,) = result.of_kind("data")
    if OPERATIONS[action].asynchronous:
        assert message.body["operation"] == action
        (snapshot,) = result.of_kind("snapshot")
        assert snapshot["job"]["id"] == message.body["jobId"]
    else:
        assert result.of_kind("snapshot") == []  # answered at once: no job to resume
    (attachment,) = message.attachments.values()
    assert attachment.url == message.body["attachmentUrl"]
    assert attachment.content_type == "video/mp4"
    seconds, rate, sound, size = measured_with_size(stored(harness, attachment.url))
    expected = EXPECTED_SECONDS[action](body)
    assert abs(seconds - expected) <= 1 / rate
    assert rate == EXPECTED_RATE.get(action, 30)  # Picsart's default frame rate: 30
    assert size == EXPECTED_SIZE.get(action, (64, 64))
    assert sound  # the stand-in clip has a quiet tone, and every action keeps a sound track
    assert len(submissions(harness, action)) == 1


@pytest.mark.parametrize(
    ("export", "content_type", "sound"),
    [
        ({"format": "WEBM", "frame_rate": 12}, "video/webm", True),
        ({"format": "GIF", "frame_rate": 10}, "image/gif", False),
    ],
)
def test_the_export_settings_choose_the_container_and_the_rate(
    harness: SandboxHarness, export: dict[str, Any], content_type: str, sound: bool
) -> None:
    body = {"video_url": "https://example.com/clip.mov", "start": 0, "end": 1500, "export": export}
    result = harness.run("trimVideo", body, **video_cfg(harness, downloadResult=True))
    (message,) = result.of_kind("data")
    (attachment,) = message.attachments.values()
    assert attachment.content_type == content_type
    seconds, rate, has_sound = measured(stored(harness, attachment.url))
    assert rate == export["frame_rate"]
    assert abs(seconds - 1.5) <= 1 / rate
    assert has_sound == sound


def test_a_stand_in_clip_is_as_long_as_the_trim_asks(harness: SandboxHarness) -> None:
    body = {"video_url": "https://example.com/long-talk.mp4", "start": 5000, "end": 8000}
    result = harness.run("trimVideo", body, **video_cfg(harness, downloadResult=True))
    assert result.of_kind("error") == []
    (message,) = result.of_kind("data")
    (attachment,) = message.attachments.values()
    seconds, rate, _ = measured(stored(harness, attachment.url))
    assert abs(seconds - 3.0) <= 1 / rate


def test_a_video_job_cut_off_mid_poll_is_collected_from_its_snapshot_without_paying_again(
    harness: SandboxHarness,
) -> None:
    harness.services.environ = {"PICSART_JOB_TIMEOUT": "30"}
    harness.services.__dict__.pop("environment", None)
    harness.sandbox.reset(job_seconds=60, spike_limit=10_000, quota=100_000)
    credits = harness.sandbox.state()["credits"]
    message = Message(body=example("trimVideo"))
    cfg = {**harness.cfg, **video_cfg(harness, downloadResult=True)}
    first = harness.executor.run("trimVideo", message, cfg)
    (error,) = first.of_kind("error")
    assert error["name"] == "JobTimeoutError"
    (snapshot,) = first.of_kind("snapshot")
    assert snapshot["job"]["id"] == error["jobId"]
    harness.time.sleep(31)
    again = harness.executor.run("trimVideo", message, cfg, snapshot=snapshot)
    (done,) = again.of_kind("data")
    assert done.body["jobId"] == error["jobId"]
    assert done.body["attachmentUrl"]
    assert len(submissions(harness, "trimVideo")) == 1
    assert harness.sandbox.state()["credits"] == credits - OPERATIONS["trimVideo"].price


def test_without_the_video_extra_the_sandbox_names_it(
    harness: SandboxHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media, "video_available", lambda: False)
    (error,) = harness.run("trimVideo", example("trimVideo"), **video_cfg(harness)).of_kind("error")
    assert error["status"] == 501
    assert "picsart-component[video]" in error["message"]
