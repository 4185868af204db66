"""Ours against the reference: twin relay components (Node under elasticio-sailor-nodejs, Python
under ours) given the same messages publish the same headers and properties, apart from ids and
times; and the two sailors, chained on one broker, pass data, errors and rebounds to each other.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sailor.amqp_harness import (
    PY_RELAY,
    Broker,
    Received,
    SailorLauncher,
    Topology,
    decode_data,
    decode_error,
    decode_error_reply,
    decode_snapshot,
    make_encryptor,
    sailor_env,
)
from tests.sailor.fake_platform import FakePlatform
from tests.sailor.node_harness import COMPONENTS_DIR

NODE_RELAY = COMPONENTS_DIR / "relay"
VARYING = {"messageId", "start", "end", "parentMessageId"}
"""Headers that differ between any two runs: fresh ids and the clock."""
VARYING_PROPERTIES = {"headers", "routing_key", "exchange", "redelivered", "message_id"}
"""Besides the headers and where a message went: the AMQP ``message_id`` property, which the
reference leaves out and aio-pika always sets (a fresh id, used to match publisher confirms)."""


@pytest.fixture
def twin_topologies(broker: Broker) -> Iterator[tuple[Topology, Topology]]:
    pair = (broker.topology(["step_1"]), broker.topology(["step_1"]))
    yield pair
    for topology in pair:
        topology.delete()


def same_flow_env(
    topology: Topology, platform: FakePlatform, component: Path, flow_id: str, **overrides: str
) -> dict[str, str]:
    return sailor_env(
        topology,
        "step_1",
        platform,
        function="relay",
        component_path=str(component),
        overrides={
            "ELASTICIO_FLOW_ID": flow_id,
            "ELASTICIO_ADDITIONAL_VARS_FOR_HEADERS": "ELASTICIO_TASK_USER_EMAIL, SOME_OTHER",
            "ELASTICIO_TASK_USER_EMAIL": "me@example.com",
            **overrides,
        },
    )


def comparable(received: Received, topology: Topology) -> dict[str, Any]:
    """Headers and properties, with what varies by run taken out and the topology's names
    made generic."""
    headers = {key: value for key, value in received.headers.items() if key not in VARYING}
    properties = {
        key: value for key, value in received.properties.items() if key not in VARYING_PROPERTIES
    }
    shown = json.dumps({"headers": headers, "properties": properties}, sort_keys=True, default=str)
    return dict(json.loads(shown.replace(topology.name, "TOPOLOGY")))


def test_twin_relays_publish_the_same_headers_and_properties(
    node_sailor: Path,
    twin_topologies: tuple[Topology, Topology],
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
) -> None:
    node_side, python_side = twin_topologies
    flow_id = f"flow-{uuid.uuid4().hex[:8]}"
    fake_platform.add_step(flow_id, "step_1", config={"_account": "acc-1"}, is_passthrough=True)
    # Both start at once; each is ready when its queue has a consumer.
    node = sailors.node(same_flow_env(node_side, fake_platform, NODE_RELAY, flow_id))
    python = sailors.python(same_flow_env(python_side, fake_platform, PY_RELAY, flow_id))
    node.wait_ready(30)
    python.wait_ready()

    def both(body: dict[str, Any], kind: str, **send: Any) -> tuple[Received, Received]:
        message_id, thread_id = str(uuid.uuid4()), str(uuid.uuid4())
        found = []
        for topology in (node_side, python_side):
            extra = dict(send)
            if extra.pop("reply", False):
                extra["reply_to"] = topology.reply_key
            topology.send(
                "step_1",
                body,
                message_id=message_id,
                thread_id=thread_id,
                headers={"X-EIO-Meta-Lane": "blue", "x-eio-meta-trace-id": "tr-1"},
                **extra,
            )
            found.append(
                topology.receive_reply() if kind == "reply" else topology.receive("step_1", kind)
            )
        node_got, python_got = found
        ours, theirs = comparable(python_got, python_side), comparable(node_got, node_side)
        assert ours == theirs, f"{kind}: ours {ours}\n reference {theirs}"
        return node_got, python_got

    node_data, python_data = both({"do": "data"}, "data")
    assert python_data.headers["taskUserEmail"] == "me@example.com"
    node_message, python_message = decode_data(node_data), decode_data(python_data)
    assert node_message["body"]["via"] == "node"
    assert python_message["body"]["via"] == "python"
    assert set(python_message["passthrough"]) == set(node_message["passthrough"]) == {"step_1"}

    for version in (1, 2):
        node_error, python_error = both(
            {"do": "error", "message": "boom"}, "error", protocol_version=version, reply=True
        )
        node_body, python_body = decode_error(node_error), decode_error(python_error)
        assert {**python_body["errorInput"], "id": "-"} == {**node_body["errorInput"], "id": "-"}
        assert python_body["error"]["message"] == node_body["error"]["message"] == "boom"
        assert set(node_body["error"]) <= set(python_body["error"])
        node_reply = node_side.receive_reply()
        python_reply = python_side.receive_reply()
        assert comparable(python_reply, python_side) == comparable(node_reply, node_side)
        assert decode_error_reply(python_reply)["message"] == "boom"

    node_rebound, python_rebound = both({"do": "rebound", "message": "later"}, "rebound")
    assert python_rebound.properties["expiration"] == node_rebound.properties["expiration"]

    node_snapshot, python_snapshot = both({"do": "snapshot", "snapshot": {"at": 3}}, "snapshot")
    assert decode_snapshot(python_snapshot) == decode_snapshot(node_snapshot) == {"at": 3}
    both({"do": "updateSnapshot", "snapshot": {"more": 1}}, "snapshot")

    both({"do": "httpReply"}, "reply", reply=True)


def test_node_and_python_steps_pass_data_errors_and_rebounds_to_each_other(
    node_sailor: Path,
    broker: Broker,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
) -> None:
    topology = broker.topology(["step_1", "step_2", "step_3", "errors"])
    try:
        topology.chain("step_1", "step_2")
        topology.chain("step_2", "step_3")
        topology.bind(topology.steps["errors"].input_queue, topology.steps["step_2"].error_key)

        def env(step: str, component: Path, **overrides: str) -> dict[str, str]:
            return sailor_env(
                topology,
                step,
                fake_platform,
                function="relay",
                component_path=str(component),
                overrides=overrides,
            )

        # Every sailor starts at once; each is ready when its queue has a consumer.
        queue = f"{topology.name}.limited"
        topology.declare_queue(queue)
        limited = env("step_2", PY_RELAY, ELASTICIO_REBOUND_LIMIT="1")
        started = [
            sailors.node(env("step_1", NODE_RELAY), name="node-1"),
            sailors.python(env("step_2", PY_RELAY), name="python-2"),
            sailors.node(env("step_3", NODE_RELAY), name="node-3"),
            sailors.node(
                env("errors", NODE_RELAY, ELASTICIO_INPUT_FORMAT="error"), name="node-errors"
            ),
            sailors.python({**limited, "ELASTICIO_LISTEN_MESSAGES_ON": queue}, name="limited"),
        ]
        for sailor in started:
            sailor.wait_ready(30)

        sent = topology.send("step_1", {"do": "data", "n": 5})
        last = topology.receive("step_3", "data", timeout=20)
        assert decode_data(last)["body"] == {"do": "data", "n": 5, "via": "node"}
        assert last.headers["threadId"] == sent.thread_id

        # Python's error, read by a Node step that takes errors as its input.
        topology.send("step_2", {"do": "error", "message": "from python"})
        handled = decode_data(topology.receive("errors", "data", timeout=20))
        assert handled["body"]["error"]["message"] == "from python"
        assert handled["body"]["errorInput"]["body"] == {"do": "error", "message": "from python"}
        topology.receive("step_2", "error")

        # Node's rebound, taken back by the Python step as the broker would redeliver it.
        topology.send("step_1", {"do": "rebound", "message": "busy"})
        rebound = topology.receive("step_1", "rebound", timeout=20)
        assert rebound.headers["reboundIteration"] == 1
        topology.publish(queue, rebound.body, rebound.headers)
        error = decode_error(topology.receive("step_2", "error", timeout=20))
        assert error["error"]["message"] == "Rebound limit exceeded"
        message = make_encryptor().decrypt_message(rebound.body, base64_text=True)
        assert message["body"] == {"do": "rebound", "message": "busy"}
    finally:
        topology.delete()
