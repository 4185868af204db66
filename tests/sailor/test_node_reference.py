"""The harness against the reference Node.js sailor: the relay component on real queues, the
fake platform answering the reference's own HTTP clients, a TCP proxy cutting its connections."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from picsart_component.sailor.crypto import Encryptor
from tests.sailor.amqp_harness import (
    COMP_ID,
    EXEC_ID,
    OBJECT_ID_HEADER,
    USER_ID,
    WORKSPACE_ID,
    Gate,
    SailorLauncher,
    TcpProxy,
    Topology,
    decode_data,
    run_node_service,
    sailor_env,
    service_env,
)
from tests.sailor.fake_platform import FakePlatform


def test_node_sailor_relays_a_message_and_stops_on_sigterm(
    node_sailor: Path,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
) -> None:
    env = sailor_env(topology, "step_1", fake_platform, function="relay")
    sailor = sailors.node(env).wait_ready(30)
    trace = str(uuid.uuid4())

    before = int(time.time() * 1000)
    sent = topology.send("step_1", {"do": "data", "n": 1}, headers={"x-eio-meta-trace": trace})
    received = topology.receive("step_1", "data", timeout=15)

    message = decode_data(received)
    assert message["body"] == {"do": "data", "n": 1, "via": "node"}
    assert message["headers"] == {}
    headers = received.headers
    assert headers["parentMessageId"] == sent.message_id
    assert headers["threadId"] == sent.thread_id
    assert headers["messageId"] == message["id"], "a data message's id becomes its messageId"
    assert headers["x-eio-meta-trace"] == trace
    assert headers["execId"] == EXEC_ID
    assert headers["taskId"] == topology.flow_id
    assert headers["stepId"] == "step_1"
    assert headers["workspaceId"] == WORKSPACE_ID
    assert headers["containerId"] == "container-step_1"
    assert headers["userId"] == USER_ID
    assert headers["compId"] == COMP_ID
    assert headers["function"] == "relay"
    assert headers["protocolVersion"] == 1
    assert before <= headers["start"] <= headers["end"] <= int(time.time() * 1000)
    assert received.properties["content_type"] == "application/json"
    assert received.properties["content_encoding"] == "utf8"
    assert received.properties["delivery_mode"] == 1
    assert received.properties["routing_key"] == topology.steps["step_1"].data_key

    step_requests = fake_platform.requests_to("GET", rf"/v1/tasks/{topology.flow_id}/steps/step_1")
    assert [request.auth for request in step_requests] == [
        (fake_platform.username, fake_platform.api_key)
    ]
    assert sailor.terminate() == 0
    # Acked, not requeued when the consumer went away; and no error besides the data.
    assert topology.broker.counts(sailor.queue) == (0, 0)
    assert topology.drain(topology.steps["step_1"].queues["error"]) == []


def test_the_fake_platform_serves_the_reference_clients(
    node_sailor: Path,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    encryptor: Encryptor,
) -> None:
    """Step data, startup data (409 on an existing one), accounts and maester, answered to the
    reference's own HTTP clients (elasticio-rest-node, hooksData, maester-client)."""
    flow = topology.flow_id
    config = {"_account": "account-1", "apiKey": "secret"}
    fake_platform.add_step(flow, "step_1", config=config)
    fake_platform.startup_data[flow] = {"left": "over"}
    env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="relay",
        overrides={
            "ELASTICIO_STARTUP_REQUIRED": "1",
            "ELASTICIO_EMIT_LIGHTWEIGHT_MESSAGE": "true",
            "ELASTICIO_OBJECT_STORAGE_SIZE_THRESHOLD": "10",
        },
    )
    sailor = sailors.node(env).wait_ready(30)

    hook = rf"/sailor-support/hooks/task/{flow}/startup/data"
    assert [r.method for r in fake_platform.requests_to("*", hook)] == ["POST", "DELETE", "POST"]
    assert fake_platform.startup_data[flow] == {"startedBy": "relay", "cfg": config}

    # A lightweight message in: its body is an object in maester, raw AES of its JSON.
    body = {"do": "updateKeys", "keys": {"token": "new"}, "text": "big enough to upload"}
    stored = fake_platform.put_object(encryptor.encrypt_bytes(json.dumps(body).encode()))
    topology.send("step_1", {}, message={"headers": {OBJECT_ID_HEADER: stored}})
    out = decode_data(topology.receive("step_1", "data"))

    assert fake_platform.accounts == {"account-1": [{"keys": {"token": "new"}}]}
    # And a lightweight message out: the body went to maester, the message carries its id.
    assert out["body"] == {}
    uploaded = fake_platform.objects[out["headers"][OBJECT_ID_HEADER]]
    assert json.loads(encryptor.decrypt_bytes(uploaded.data)) == {**body, "via": "node"}
    (post,) = fake_platform.requests_to("POST", "/objects")
    assert post.header("authorization") == f"Bearer {fake_platform.object_storage_token}"
    assert post.header("x-request-id") == f"f:{flow};s:step_1;m:"
    assert post.header("transfer-encoding") == "chunked"
    (get,) = fake_platform.requests_to("GET", rf"/objects/{stored}")
    assert get.header("authorization") == f"Bearer {fake_platform.object_storage_token}"
    assert sailor.terminate() == 0

    # HOOK_SHUTDOWN: reads the startup data, runs shutdown, deletes it, exits without AMQP.
    shutdown_env = sailor_env(
        topology,
        "step_1",
        fake_platform,
        function="relay",
        overrides={"ELASTICIO_HOOK_SHUTDOWN": "1", "ELASTICIO_AMQP_URI": None},
    )
    assert sailors.node(shutdown_env, name="shutdown").wait(20) == 0
    assert [r.method for r in fake_platform.requests_to("*", hook)][-2:] == ["GET", "DELETE"]
    assert flow not in fake_platform.startup_data

    done = run_node_service("verifyCredentials", service_env(fake_platform, cfg=config))
    assert done.returncode == 0, done.stderr
    assert fake_platform.results == [{"status": "success", "data": {"verified": True}}]
    (result,) = fake_platform.requests_to("POST", "/result")
    assert result.auth == (fake_platform.username, fake_platform.api_key)


def test_the_reference_rides_out_connection_cuts(
    node_sailor: Path,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    amqp_proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    """Cut while idle, then cut while a message is in flight: it reconnects, publishes once and
    acks the redelivered copy (its messagesDB dedupes by messageId)."""
    broker = topology.broker
    env = sailor_env(
        topology, "step_1", fake_platform, function="relay", amqp_url=amqp_proxy.url_for(broker.url)
    )
    sailor = sailors.node(env).wait_ready(30)
    assert amqp_proxy.open_connections == 2, "a read and a write connection"

    assert amqp_proxy.cut() == 2
    topology.send("step_1", {"do": "data", "n": 1})
    assert decode_data(topology.receive("step_1"))["body"]["n"] == 1

    gate = Gate(tmp_path)
    topology.send("step_1", {"do": "wait", "gate": str(gate.path), "n": 2})
    gate.entered(30)
    amqp_proxy.cut()
    broker.wait_for(
        lambda: "Duplicate message detected" in sailor.logs(), timeout=20, what="the redelivery"
    )
    gate.release()
    assert decode_data(topology.receive("step_1", timeout=20))["body"]["n"] == 2
    # One message after it: had the redelivery run again, its data would come first.
    topology.send("step_1", {"do": "data", "n": 3})
    assert decode_data(topology.receive("step_1", timeout=20))["body"]["n"] == 3
    assert topology.drain(topology.steps["step_1"].queues["data"]) == []
    # The reference counts the ignored duplicate as in progress for good, so SIGTERM would
    # wait for ever: it gets SIGKILL, and the message must not come back.
    sailor.kill()
    # Through the proxy, the broker hears of the dead consumer only when the relay closes.
    broker.wait_for(lambda: broker.counts(sailor.queue)[1] == 0, what="the consumer to go")
    assert broker.counts(sailor.queue) == (0, 0)
