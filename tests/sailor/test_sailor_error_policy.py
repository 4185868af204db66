"""The Error policy config on the platform: one real sailor per policy, on a real RabbitMQ, with
the sandbox answering 503 to every upscale. What the policy turns a failure into is what the
sailor publishes: an error, a rebound, or data that carries the error."""

from __future__ import annotations

import pytest

from picsart_component.pytest_plugin import PicsartSandbox
from tests.sailor.amqp_harness import (
    SailorLauncher,
    Topology,
    decode_data,
    decode_error,
    sailor_env,
)
from tests.sailor.fake_platform import FakePlatform

BODY = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 2}


def upscale_calls(sandbox: PicsartSandbox) -> int:
    return len(sandbox.request_log("upscale"))


# policy -> (the kind the sailor publishes, the calls Picsart gets)
EXPECTED = {
    "retry": ("error", 2),
    "rebound": ("rebound", 1),
    "fail": ("error", 1),
    "emitError": ("data", 1),
}


@pytest.mark.picsart_sandbox(faults="503:path=upscale")
@pytest.mark.parametrize("policy", list(EXPECTED))
def test_the_sailor_publishes_what_the_error_policy_says(
    policy: str,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    picsart_sandbox: PicsartSandbox,
) -> None:
    config = {**picsart_sandbox.cfg(), "errorPolicy": policy}
    fake_platform.add_step(topology.flow_id, "step_1", config=config)
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="upscale",
        overrides={"PICSART_MAX_ATTEMPTS": "2", "PICSART_MAX_WAIT": "5"},
    )
    sailor = sailors.python(env).wait_ready()
    sent = topology.send("step_1", BODY)
    kind, calls = EXPECTED[policy]
    received = topology.receive("step_1", kind, timeout=30)
    if kind == "rebound":
        assert received.headers["messageId"] == sent.message_id
    if kind == "error":
        error = decode_error(received)["error"]
        assert error["name"] == "ServerError"
        assert "Picsart answered 503" in error["message"]
    elif kind == "data":
        body = decode_data(received)["body"]
        assert set(body) == {"error"}
        assert (body["error"]["name"], body["error"]["status"]) == ("ServerError", 503)
    assert sailor.terminate() == 0
    assert upscale_calls(picsart_sandbox) == calls
    other_kinds = {"data", "error", "rebound"} - {kind}
    for other in other_kinds:
        assert topology.drain(topology.steps["step_1"].queues[other]) == [], other
