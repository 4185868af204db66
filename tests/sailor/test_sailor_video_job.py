"""A video job under the sailor (issue 28): the sailor running Trim video is killed with SIGKILL
while it polls the job; the platform delivers the same message to the next sailor with the
step's snapshot, and that sailor collects that very job, paying for no other."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from picsart_component.lib.jobs import OPERATIONS
from picsart_component.sandbox.server import RunningSandbox, start_sandbox
from tests.sailor.amqp_harness import (
    Broker,
    SailorLauncher,
    Topology,
    decode_data,
    decode_snapshot,
    sailor_env,
)
from tests.sailor.fake_platform import FakePlatform

JOB_SECONDS = 3600.0
"""No job ends before the test moves the sandbox's clock on by this much."""


class VideoClock:
    """The sandbox's clock, standing still until the test moves it, so the job stays pending
    for as long as the test needs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = time.time()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@pytest.fixture
def video_clock() -> VideoClock:
    return VideoClock()


@pytest.fixture
def video_sandbox(video_clock: VideoClock) -> Iterator[RunningSandbox]:
    with start_sandbox(
        job_seconds=JOB_SECONDS, clock=video_clock, reset_time_form="seconds", quota=100_000
    ) as running:
        yield running


def trim_log(sandbox: RunningSandbox, method: str) -> list[dict[str, Any]]:
    """The sandbox's log of trims (``POST``) or of the video API's polls (``GET``)."""
    wanted = "/video/v1/trim" if method == "POST" else "/video/v1/video/"
    return [
        entry
        for entry in sandbox.request_log()
        if entry["method"] == method and entry["path"].startswith(wanted)
    ]


def test_a_video_job_killed_mid_poll_is_collected_by_its_own_message_not_paid_again(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    video_sandbox: RunningSandbox,
    video_clock: VideoClock,
) -> None:
    config = {
        "apiKey": "sandbox-key",
        "imageApiBaseUrl": video_sandbox.base_url,
        "videoApiBaseUrl": video_sandbox.video_base_url,
        "_account": "acc-1",
    }
    fake_platform.add_step(topology.flow_id, "step_1", config=config)
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="trimVideo",
        overrides={"PICSART_JOB_POLL_SECONDS": "0.05"},
    )
    doomed = sailors.python(env, name="doomed").wait_ready()
    body = {"video_url": "https://videos.example.com/talk.mov", "start": 250, "end": 1250}
    sent = topology.send("step_1", body)
    snapshot = decode_snapshot(topology.receive("step_1", "snapshot", timeout=20))
    job = snapshot["job"]
    assert (job["operation"], job["messageId"]) == ("trimVideo", sent.message["id"])
    broker.wait_for(
        lambda: len(trim_log(video_sandbox, "GET")) >= 2, timeout=20, what="the job polled"
    )
    assert {entry["status"] for entry in trim_log(video_sandbox, "GET")} == {202}
    assert doomed.kill() == -9

    # The platform stores the step's snapshot; the next sailor starts with it, and the broker
    # delivers the message the dead one never acknowledged.
    fake_platform.add_step(topology.flow_id, "step_1", config=config, snapshot=snapshot)
    survivor = sailors.python(env, name="survivor").wait_ready()
    video_clock.advance(JOB_SECONDS)
    collected = topology.receive("step_1", "data", timeout=20)
    assert collected.headers["parentMessageId"] == sent.message_id
    result = decode_data(collected)["body"]
    assert result["jobId"] == job["id"]
    assert result["operation"] == "trimVideo"
    assert result["data"]["url"].endswith(".mp4")
    assert topology.drain(topology.steps["step_1"].queues["snapshot"]) == []
    assert [entry["status"] for entry in trim_log(video_sandbox, "POST")] == [202], "paid twice"
    assert video_sandbox.state()["counts"]["charged"] == OPERATIONS["trimVideo"].price
    assert {entry["path"].rsplit("/", 1)[-1] for entry in trim_log(video_sandbox, "GET")} == {
        job["id"]
    }
    assert survivor.terminate() == 0
    assert broker.counts(survivor.queue) == (0, 0)
