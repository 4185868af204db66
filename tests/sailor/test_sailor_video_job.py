"""A video job under the sailor (issue 28): the sailor running Trim video is killed with SIGKILL
while it polls the job; the platform delivers the same message to the next sailor with the
step's snapshot, and that sailor collects that very job, paying for no other."""

from __future__ import annotations

from typing import Any

from picsart_component.lib.jobs import OPERATIONS
from picsart_component.sandbox.server import RunningSandbox
from tests.sailor.amqp_harness import (
    Broker,
    SailorLauncher,
    Topology,
    decode_data,
    decode_snapshot,
    sailor_env,
)
from tests.sailor.conftest import JOB_SECONDS, HeldClock
from tests.sailor.fake_platform import FakePlatform


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
    held_sandbox: RunningSandbox,
    held_clock: HeldClock,
) -> None:
    config = {
        "apiKey": "sandbox-key",
        "imageApiBaseUrl": held_sandbox.base_url,
        "videoApiBaseUrl": held_sandbox.video_base_url,
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
        lambda: len(trim_log(held_sandbox, "GET")) >= 2, timeout=20, what="the job polled"
    )
    assert {entry["status"] for entry in trim_log(held_sandbox, "GET")} == {202}
    assert doomed.kill() == -9

    # The platform stores the step's snapshot; the next sailor starts with it, and the broker
    # delivers the message the dead one never acknowledged.
    fake_platform.add_step(topology.flow_id, "step_1", config=config, snapshot=snapshot)
    survivor = sailors.python(env, name="survivor").wait_ready()
    held_clock.advance(JOB_SECONDS)
    collected = topology.receive("step_1", "data", timeout=20)
    assert collected.headers["parentMessageId"] == sent.message_id
    result = decode_data(collected)["body"]
    assert result["jobId"] == job["id"]
    assert result["operation"] == "trimVideo"
    assert result["data"]["url"].endswith(".mp4")
    assert topology.drain(topology.steps["step_1"].queues["snapshot"]) == []
    assert [entry["status"] for entry in trim_log(held_sandbox, "POST")] == [202], "paid twice"
    assert held_sandbox.state()["counts"]["charged"] == OPERATIONS["trimVideo"].price
    assert {entry["path"].rsplit("/", 1)[-1] for entry in trim_log(held_sandbox, "GET")} == {
        job["id"]
    }
    assert survivor.terminate() == 0
    assert broker.counts(survivor.queue) == (0, 0)
