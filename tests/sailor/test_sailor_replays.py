"""A message the broker brings back: a rebound, a redelivery after a crash, the same ``messageId``
after its ack. The platform delivers at least once, and so does the reference sailor: each of
them runs the action again. What a GenAI job must not do is pay twice: the job's id, kept in the
step's snapshot under the message's id, makes the run that comes back collect that job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from picsart_component.sandbox.server import RunningSandbox
from tests.sailor.amqp_harness import (
    PY_RELAY,
    Broker,
    SailorLauncher,
    SailorProcess,
    Topology,
    decode_data,
    decode_snapshot,
    sailor_env,
)
from tests.sailor.conftest import JOB_SECONDS, HeldClock
from tests.sailor.fake_platform import FakePlatform


@pytest.fixture
def looping_topology(broker: Broker) -> Iterator[Topology]:
    """One step whose rebounds wait out their expiration and come back to its queue, as on the
    platform, and a copy of each rebound in ``<name>.rebounds``, for the test to look at."""
    made = broker.topology([])
    step = made.add_step("step_1", rebound_loop=True)
    # A rebound expires in every queue it is in: the tap passes its copy on at once to a queue
    # where it stays (a dead-lettered message loses its expiration).
    made.declare_queue(f"{made.name}.rebounds")
    made.declare_queue(
        f"{made.name}.rebound-tap",
        bind_to=[step.rebound_key],
        arguments={
            "x-message-ttl": 0,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": f"{made.name}.rebounds",
        },
    )
    yield made
    made.delete()


def genai_config(held_sandbox: RunningSandbox) -> dict[str, Any]:
    return {
        "apiKey": "sandbox-key",
        "imageApiBaseUrl": held_sandbox.base_url,
        "genaiApiBaseUrl": held_sandbox.genai_base_url,
        "execution": "async",
        "_account": "acc-1",
    }


def paid_posts(held_sandbox: RunningSandbox, path: str) -> list[int]:
    """The credits each ``POST path`` that the sandbox charged for cost, oldest first."""
    return [
        entry["charged"]
        for entry in held_sandbox.request_log()
        if entry["method"] == "POST" and entry["path"] == path and entry["charged"]
    ]


def polls(held_sandbox: RunningSandbox, job_id: str) -> list[int]:
    """The statuses the sandbox gave the polls of ``job_id``, oldest first."""
    return [
        entry["status"]
        for entry in held_sandbox.request_log()
        if entry["method"] == "GET" and entry["path"].endswith("/" + job_id)
    ]


RESET_IN = 1.0
MAX_WAIT = 0.2
"""The issue's case (``reset_in=15``, ``PICSART_MAX_WAIT=5``) on a shorter clock: the 429's reset
is later than the client may wait, so the step rebounds, and the sailor's client holds every call
until the reset, so that the rebounds come back (after 150, 300, 600 ms, ...) until it passes."""


def test_a_job_rebounded_by_a_429_on_its_poll_is_collected_when_it_comes_back_not_paid_again(
    broker: Broker,
    looping_topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    held_sandbox: RunningSandbox,
    held_clock: HeldClock,
) -> None:
    """Issue 24, item 1. The job is accepted (paid), its first poll meets a 429 whose reset is
    later than ``PICSART_MAX_WAIT``, and the step rebounds. The same message comes back, with
    the same ``messageId``, finds the job in the step's snapshot and polls it, through the 404s
    of a job Picsart has not registered yet, instead of paying for a second one."""
    topology = looping_topology
    held_sandbox.set_faults(
        "job-late:ms=4000,path=text2image;"
        f"429:next=1,path=poll-text2image,reset=seconds,reset_in={RESET_IN:g}"
    )
    fake_platform.add_step(topology.flow_id, "step_1", config=genai_config(held_sandbox))
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="textToImage",
        overrides={
            "PICSART_JOB_POLL_SECONDS": "0.05",
            "PICSART_MAX_WAIT": str(MAX_WAIT),
            "ELASTICIO_REBOUND_INITIAL_EXPIRATION": "150",
        },
    )
    sailor = sailors.python(env).wait_ready()
    sent = topology.send("step_1", {"prompt": "a blue whale", "width": 128, "height": 128})
    snapshot = decode_snapshot(topology.receive("step_1", "snapshot", timeout=20))
    job_id = snapshot["job"]["id"]
    assert snapshot["job"]["messageId"] == sent.message["id"]

    rebound = topology.receive_from(f"{topology.name}.rebounds")
    assert rebound.headers["messageId"] == sent.message_id
    assert rebound.headers["reboundIteration"] == 1
    assert "429" in rebound.headers["reboundReason"]
    # It came back, and its run polls the job, which the sandbox does not know yet.
    broker.wait_for(lambda: 404 in polls(held_sandbox, job_id), timeout=20, what="a poll after it")
    held_clock.advance(JOB_SECONDS)
    collected = topology.receive("step_1", "data", timeout=20)
    assert collected.headers["parentMessageId"] == sent.message_id
    assert decode_data(collected)["body"]["jobId"] == job_id

    assert sailor.terminate() == 0
    assert broker.counts(sailor.queue) == (0, 0)
    (paid,) = paid_posts(held_sandbox, "/v1/text2image")
    assert held_sandbox.state()["counts"]["charged"] == paid
    seen = polls(held_sandbox, job_id)
    assert (seen[0], seen[-1]) == (429, 200)
    assert topology.drain(topology.steps["step_1"].queues["snapshot"]) == []


def test_a_job_is_collected_by_its_own_message_after_a_crash_and_by_no_other(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    held_sandbox: RunningSandbox,
    held_clock: HeldClock,
) -> None:
    """The platform keeps one snapshot per step for all its messages. A GenAI job's snapshot
    names its message: when the sailor dies while the job runs, the same message, delivered to
    the next sailor, collects that job instead of paying for another; any other message starts
    its own."""
    config = genai_config(held_sandbox)
    fake_platform.add_step(topology.flow_id, "step_1", config=config)
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="textToImage",
        overrides={"PICSART_JOB_POLL_SECONDS": "0.05"},
    )
    doomed = sailors.python(env, name="doomed").wait_ready()
    sent = topology.send("step_1", {"prompt": "a blue whale", "width": 128, "height": 128})
    snapshot = decode_snapshot(topology.receive("step_1", "snapshot", timeout=20))
    assert snapshot["job"]["messageId"] == sent.message["id"]
    assert doomed.kill() == -9
    # The platform stores the step's snapshot; the next sailor starts with it.
    fake_platform.add_step(topology.flow_id, "step_1", config=config, snapshot=snapshot)
    survivor = sailors.python(env, name="survivor").wait_ready()
    held_clock.advance(JOB_SECONDS)
    collected = topology.receive("step_1", "data", timeout=20)
    assert collected.headers["parentMessageId"] == sent.message_id
    assert decode_data(collected)["body"]["jobId"] == snapshot["job"]["id"]
    assert topology.drain(topology.steps["step_1"].queues["snapshot"]) == []
    assert len(paid_posts(held_sandbox, "/v1/text2image")) == 1

    other = topology.send("step_1", {"prompt": "a red whale", "width": 128, "height": 128})
    own = decode_snapshot(topology.receive("step_1", "snapshot", timeout=20))
    assert own["job"]["messageId"] == other.message["id"]
    held_clock.advance(JOB_SECONDS)
    second = decode_data(topology.receive("step_1", "data", timeout=20))
    assert second["body"]["jobId"] == own["job"]["id"] != snapshot["job"]["id"]
    assert len(paid_posts(held_sandbox, "/v1/text2image")) == 2
    assert survivor.terminate() == 0
    assert broker.counts(survivor.queue) == (0, 0)


def start_relay(
    kind: str, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> SailorProcess:
    """The relay component under our sailor (``python``) or the reference (``node``)."""
    if kind == "python":
        env = sailor_env(
            topology,
            "step_1",
            fake_platform,
            function="relay",
            component_path=str(PY_RELAY),
            overrides={"ELASTICIO_REBOUND_INITIAL_EXPIRATION": "1"},
        )
        return sailors.python(env).wait_ready()
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="relay",
        overrides={"ELASTICIO_REBOUND_INITIAL_EXPIRATION": "1"},
    )
    return sailors.node(env).wait_ready(30)


@pytest.mark.parametrize("kind", ["python", "node"])
def test_a_message_that_comes_back_runs_again_as_the_reference_runs_it(
    request: pytest.FixtureRequest,
    kind: str,
    broker: Broker,
    looping_topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    tmp_path: Path,
) -> None:
    """At least once, as the platform promises and the reference does (issue 24, item 3): a
    rebound comes back with its ``messageId`` and runs again, and so does a message whose
    ``messageId`` was seen and acknowledged before. Only a copy that arrives while the first
    is still in processing (a redelivery after a lost connection) is not run twice."""
    if kind == "node":
        request.getfixturevalue("node_sailor")
    topology = looping_topology
    sailor = start_relay(kind, topology, fake_platform, sailors)
    runs = tmp_path / "runs.txt"
    sent = topology.send("step_1", {"do": "reboundOnce", "runs": str(runs)})
    rebound = topology.receive_from(f"{topology.name}.rebounds")
    assert rebound.headers["messageId"] == sent.message_id
    data = topology.receive("step_1", "data", timeout=20)
    assert data.headers["parentMessageId"] == sent.message_id
    assert decode_data(data)["body"]["run"] == 2
    assert runs.read_text().splitlines() == [sent.message["id"]] * 2

    again = topology.send("step_1", {"do": "data", "n": 1}, message_id=sent.message_id)
    replayed = topology.receive("step_1", "data", timeout=20)
    assert replayed.headers["parentMessageId"] == again.message_id == sent.message_id
    assert decode_data(replayed)["body"]["n"] == 1
    assert sailor.terminate() == 0
    assert broker.counts(sailor.queue) == (0, 0)


def test_a_rebounded_job_is_collected_even_after_another_message_started_a_job(
    broker: Broker,
    looping_topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    held_sandbox: RunningSandbox,
    held_clock: HeldClock,
) -> None:
    """The step's snapshot holds the job of every message that may come back, not only the last
    one started: a message that rebounded while the next one started its own job finds its job
    when it comes back, and the two messages pay for two jobs, not three."""
    topology = looping_topology
    held_sandbox.set_faults("429:next=1,path=poll-text2image,reset=seconds,reset_in=0")
    fake_platform.add_step(topology.flow_id, "step_1", config=genai_config(held_sandbox))
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="textToImage",
        overrides={
            "PICSART_JOB_POLL_SECONDS": "0.05",
            "PICSART_MAX_ATTEMPTS": "1",
            "ELASTICIO_REBOUND_INITIAL_EXPIRATION": "1",
        },
    )
    sailor = sailors.python(env).wait_ready()
    body = {"prompt": "a blue whale", "width": 128, "height": 128}
    first = topology.send("step_1", body)
    second = topology.send("step_1", {**body, "prompt": "a red whale"})
    first_job = decode_snapshot(topology.receive("step_1", "snapshot", timeout=20))["job"]
    assert first_job["messageId"] == first.message["id"]
    rebound = topology.receive_from(f"{topology.name}.rebounds")
    assert rebound.headers["messageId"] == first.message_id
    # The second message runs while the first waits behind it, and starts its own job.
    second_job = decode_snapshot(topology.receive("step_1", "snapshot", timeout=20))["job"]
    assert second_job["messageId"] == second.message["id"]
    held_clock.advance(JOB_SECONDS)
    collected = {}
    for _ in range(2):
        data = topology.receive("step_1", "data", timeout=30)
        collected[data.headers["parentMessageId"]] = decode_data(data)["body"]["jobId"]
    assert collected == {
        first.message_id: first_job["id"],
        second.message_id: second_job["id"],
    }
    assert len(paid_posts(held_sandbox, "/v1/text2image")) == 2
    assert sailor.terminate() == 0
    assert broker.counts(sailor.queue) == (0, 0)
