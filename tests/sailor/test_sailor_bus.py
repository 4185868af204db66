"""Our sailor on a real RabbitMQ: every event it publishes, how, and what it acks.

One sailor per test, many messages per sailor, so that the real broker costs little time.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.sailor.amqp_harness import (
    COMP_ID,
    EXEC_ID,
    FORGED_PROTOCOL_VERSIONS,
    PREVIOUS_STEP_ID,
    USER_ID,
    WORKSPACE_ID,
    Broker,
    SailorLauncher,
    SailorProcess,
    Topology,
    decode_data,
    decode_error,
    decode_error_reply,
    decode_snapshot,
    make_encryptor,
    relay_env,
)
from tests.sailor.fake_platform import FakePlatform


def settled(broker: Broker, sailor: SailorProcess) -> None:
    """Stops the sailor gracefully; every message it took was acked or rejected, since an
    unsettled one would be back in its queue."""
    assert sailor.terminate() == 0
    assert broker.counts(sailor.queue) == (0, 0)


def test_data_carries_the_references_headers_and_properties(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    fake_platform.add_step(topology.flow_id, "step_1", config={"_account": "acc-1"})
    sailor = sailors.python(relay_env(topology, fake_platform)).wait_ready()
    sent = topology.send(
        "step_1",
        {"do": "data", "n": 1},
        headers={"X-EIO-Meta-Tenant": "t-9", "unrelated": "dropped"},
    )
    received = topology.receive("step_1", "data")
    message = decode_data(received)
    assert message["body"] == {"do": "data", "n": 1, "via": "python"}
    headers = received.headers
    assert headers["parentMessageId"] == sent.message_id
    assert headers["threadId"] == sent.thread_id
    assert headers["messageId"] == message["id"] != sent.message_id
    assert headers["x-eio-meta-tenant"] == "t-9"
    assert "unrelated" not in headers
    assert {k: headers[k] for k in ("execId", "taskId", "workspaceId", "containerId")} == {
        "execId": EXEC_ID,
        "taskId": topology.flow_id,
        "workspaceId": WORKSPACE_ID,
        "containerId": "container-step_1",
    }
    assert (headers["userId"], headers["stepId"], headers["compId"]) == (
        USER_ID,
        "step_1",
        COMP_ID,
    )
    assert (headers["function"], headers["protocolVersion"]) == ("relay", 1)
    assert headers["start"] <= headers["end"]
    props = received.properties
    assert (props["content_type"], props["content_encoding"]) == ("application/json", "utf8")
    assert props["delivery_mode"] == 1
    settled(broker, sailor)


def test_routing_key_header_redirects_data_and_is_not_forwarded(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    custom = f"{topology.name}.custom"
    topology.declare_queue(custom, bind_to=[custom])
    sailor = sailors.python(relay_env(topology, fake_platform)).wait_ready()
    topology.send("step_1", {"do": "route", "key": custom})
    received = topology.get(custom)
    assert received is not None
    message = decode_data(received)
    assert message["body"]["via"] == "python"
    assert "X-EIO-Routing-Key" not in message["headers"]
    settled(broker, sailor)
    assert topology.drain(topology.steps["step_1"].queues["data"]) == []


def test_an_error_is_published_with_its_input_replied_and_the_message_rejected(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    sailor = sailors.python(relay_env(topology, fake_platform)).wait_ready()
    for version in (1, 2):
        sent = topology.send(
            "step_1",
            {"do": "error", "message": f"boom {version}"},
            protocol_version=version,
            reply_to=topology.reply_key,
        )
        received = topology.receive("step_1", "error")
        error = decode_error(received)
        assert error["error"]["name"] == "RuntimeError"
        assert error["error"]["message"] == f"boom {version}"
        assert error["errorInput"] == sent.message
        if version == 1:
            assert json.loads(received.body)["errorInput"] == sent.content.decode()
        assert received.headers["parentMessageId"] == sent.message_id
        assert "protocolVersion" not in received.headers
        reply = topology.receive_reply()
        assert reply.headers["x-eio-error-response"] is True
        assert decode_error_reply(reply)["message"] == f"boom {version}"
    settled(broker, sailor)


def test_rebounds_come_back_with_growing_expiration_then_stop_at_the_limit(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    sailor = sailors.python(
        relay_env(topology, fake_platform, ELASTICIO_REBOUND_LIMIT="3")
    ).wait_ready()
    sent = topology.send("step_1", {"do": "rebound", "message": "rate limited"})
    first = topology.receive("step_1", "rebound")
    assert first.body == sent.content
    assert first.headers["reboundIteration"] == 1
    assert first.headers["reboundReason"] == "rate limited"
    assert first.headers["messageId"] == sent.message_id
    assert first.properties["expiration"] == "15000"
    topology.send(
        "step_1", {"do": "rebound"}, headers={"reboundIteration": 2}, message_id=str(uuid.uuid4())
    )
    assert topology.receive("step_1", "rebound").properties["expiration"] == "60000"
    topology.send("step_1", {"do": "rebound"}, headers={"reboundIteration": 3})
    error = decode_error(topology.receive("step_1", "error"))
    assert error["error"]["message"] == "Rebound limit exceeded"
    settled(broker, sailor)


def test_snapshots_are_plain_json_and_the_next_message_sees_them(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    fake_platform.add_step(
        topology.flow_id,
        "step_1",
        config={"_account": "acc-7", "apiKey": "k", "platformAdds": {"x": 1}},
        snapshot={"from": "platform"},
    )
    sailors.python(relay_env(topology, fake_platform)).wait_ready()
    topology.send("step_1", {"do": "seen"})
    seen = decode_data(topology.receive("step_1", "data"))["body"]
    assert seen["snapshot"] == {"from": "platform"}
    assert seen["cfg"] == {"_account": "acc-7", "apiKey": "k", "platformAdds": {"x": 1}}

    topology.send("step_1", {"do": "snapshot", "snapshot": {"cursor": 5}})
    snapshot = topology.receive("step_1", "snapshot")
    assert decode_snapshot(snapshot) == {"cursor": 5}
    assert snapshot.headers["snapshotEvent"] == "snapshot"
    topology.receive("step_1", "data")
    topology.send("step_1", {"do": "updateSnapshot", "snapshot": {"more": True}})
    update = topology.receive("step_1", "snapshot")
    assert update.headers["snapshotEvent"] == "updateSnapshot"
    assert decode_snapshot(update) == {"more": True}
    topology.receive("step_1", "data")
    topology.send("step_1", {"do": "seen"})
    seen = decode_data(topology.receive("step_1", "data"))["body"]
    assert seen["snapshot"] == {"cursor": 5, "more": True}


def test_update_keys_and_http_reply_reach_the_platform(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    fake_platform.add_step(topology.flow_id, "step_1", config={"_account": "acc-3"})
    sailor = sailors.python(relay_env(topology, fake_platform)).wait_ready()
    topology.send("step_1", {"do": "updateKeys", "keys": {"token": "t2"}})
    topology.receive("step_1", "data")
    puts = fake_platform.requests_to("PUT", "/v1/accounts/acc-3")
    assert [request.json for request in puts] == [{"keys": {"token": "t2"}}]
    topology.send("step_1", {"do": "httpReply"}, reply_to=topology.reply_key)
    reply = topology.receive_reply()
    assert reply.headers["protocolVersion"] == 1
    assert decode_data(reply) == {"statusCode": 200, "body": "ok", "headers": {}}
    topology.receive("step_1", "data")
    topology.send("step_1", {"do": "httpReply"})
    error = decode_error(topology.receive("step_1", "error"))
    assert "reply_to" in error["error"]["message"]
    settled(broker, sailor)


def test_passthrough_collects_each_steps_message(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    fake_platform.add_step(topology.flow_id, "step_1", is_passthrough=True)
    sailors.python(relay_env(topology, fake_platform)).wait_ready()
    earlier = {PREVIOUS_STEP_ID: {"body": {"first": True}, "headers": {}}}
    topology.send("step_1", {"do": "data"}, message={"passthrough": earlier})
    message = decode_data(topology.receive("step_1", "data"))
    assert message["passthrough"][PREVIOUS_STEP_ID] == earlier[PREVIOUS_STEP_ID]
    own = message["passthrough"]["step_1"]
    assert own["body"] == {"do": "data", "via": "python"}
    assert "passthrough" not in own


def test_lightweight_bodies_come_from_and_go_to_object_storage(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    encryptor = make_encryptor()
    sailors.python(
        relay_env(
            topology,
            fake_platform,
            ELASTICIO_EMIT_LIGHTWEIGHT_MESSAGE="true",
            ELASTICIO_OBJECT_STORAGE_SIZE_THRESHOLD="1000",
        )
    ).wait_ready()
    stored = encryptor.encrypt_bytes(json.dumps({"do": "big", "size": 2000}).encode())
    object_id = fake_platform.put_object(stored)
    topology.send(
        "step_1",
        {},
        message={"headers": {"x-ipaas-object-storage-id": object_id}},
    )
    message = decode_data(topology.receive("step_1", "data"))
    assert message["body"] == {}
    out_id = message["headers"]["x-ipaas-object-storage-id"]
    kept = fake_platform.objects[out_id].data
    body: Any = json.loads(encryptor.decrypt_bytes(kept))
    assert body["blob"] == "x" * 2000
    assert fake_platform.requests_to("POST", "/objects")[0].header("Authorization") == (
        f"Bearer {fake_platform.object_storage_token}"
    )
    topology.send("step_1", {}, message={"headers": {"x-ipaas-object-storage-id": "missing"}})
    error = decode_error(topology.receive("step_1", "error"))
    assert error["error"]["message"] == "Failed to get message body with id=missing"


def test_messages_that_cannot_be_read_are_rejected_and_the_sailor_goes_on(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    sailor = sailors.python(relay_env(topology, fake_platform)).wait_ready()
    queue = topology.steps["step_1"].input_queue
    topology.publish(queue, b"this is not encrypted", {"messageId": "garbage-1"})
    error = decode_error(topology.receive("step_1", "error"))
    assert error["error"]["name"] == "DecryptionError"
    topology.send("step_1", ["not", "an", "object"])
    error = decode_error(topology.receive("step_1", "error"))
    assert error["error"]["name"] == "InputError"
    topology.send("step_1", {"do": "data"})
    assert decode_data(topology.receive("step_1", "data"))["body"]["via"] == "python"
    assert sailor.returncode is None
    settled(broker, sailor)
    assert "Traceback" not in sailor.logs()


def test_a_message_over_the_outgoing_limit_is_an_error_and_is_rejected(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    sailor = sailors.python(
        relay_env(topology, fake_platform, ELASTICIO_OUTGOING_MESSAGE_SIZE_LIMIT="2000")
    ).wait_ready()
    topology.send("step_1", {"do": "big", "size": 5000})
    error = decode_error(topology.receive("step_1", "error"))
    assert error["error"]["message"].startswith("Outgoing message size ")
    assert error["error"]["message"].endswith(" exceeds limit of 2000.")
    topology.send("step_1", {"do": "big", "size": 100})
    assert decode_data(topology.receive("step_1", "data"))["body"]["via"] == "python"
    settled(broker, sailor)
    assert topology.drain(topology.steps["step_1"].queues["data"]) == []


def test_data_is_published_no_faster_than_the_emit_rate_limit(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    """A pacing property, not a speed claim: 2 data messages per 200 ms, 6 messages processed
    at once, so the last two cannot be out before 400 ms."""
    sailor = sailors.python(
        relay_env(
            topology,
            fake_platform,
            ELASTICIO_DATA_RATE_LIMIT="2",
            ELASTICIO_RATE_INTERVAL="200",
            ELASTICIO_RABBITMQ_PREFETCH_SAILOR="6",
        )
    ).wait_ready()
    started = time.monotonic()
    for n in range(6):
        topology.send("step_1", {"do": "data", "n": n})
    bodies = [decode_data(topology.receive("step_1", "data"))["body"] for _ in range(6)]
    assert time.monotonic() - started >= 0.375
    assert sorted(body["n"] for body in bodies) == list(range(6))
    settled(broker, sailor)


def test_a_forged_protocol_version_is_an_error_event_and_the_message_is_settled(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    """The reference reads such a header as some version (``Number(value || 1)``: NaN and
    Infinity as 2, ``true`` as 1) and tries to decrypt; ours says what is wrong, in the error
    event the README promises for a message that cannot be read, and rejects the message."""
    sailor = sailors.python(relay_env(topology, fake_platform)).wait_ready()
    for forged in FORGED_PROTOCOL_VERSIONS:
        topology.send("step_1", {"do": "data"}, headers={"protocolVersion": forged})
        received = topology.receive("step_1", "error")
        error = decode_error(received)
        assert error["error"]["name"] == "DecryptionError", forged
        assert error["error"]["message"].startswith("the protocolVersion header is "), forged
        assert "not a protocol version" in error["error"]["message"]
        assert "errorInput" not in error
    # What the reference reads, ours reads: absent, 0, and digits.
    for given, version in ((None, 1), (0, 1), ("2", 2), (2, 2)):
        topology.send(
            "step_1",
            {"do": "data", "v": str(given)},
            protocol_version=version,
            headers={"protocolVersion": given},
        )
        assert decode_data(topology.receive("step_1", "data"))["body"]["v"] == str(given)
    settled(broker, sailor)
    assert topology.drain(topology.steps["step_1"].queues["error"]) == []
    assert "Traceback" not in sailor.logs()


def test_a_lightweight_body_over_the_size_limit_is_refused_naming_the_setting(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    encryptor = make_encryptor()
    sailor = sailors.python(
        relay_env(topology, fake_platform, ELASTICIO_OBJECT_STORAGE_BODY_SIZE_LIMIT=str(20 << 20))
    ).wait_ready()
    # Larger than the 16 MB a document may have elsewhere: the setting decides here.
    piece = "p" * (1 << 19)
    under = {"do": "big", "size": 3, "padding": [piece] * 34}
    over = {"do": "big", "size": 3, "padding": [piece] * 42}
    for body in (under, over):
        object_id = fake_platform.put_object(encryptor.encrypt_bytes(json.dumps(body).encode()))
        topology.send("step_1", {}, message={"headers": {"x-ipaas-object-storage-id": object_id}})
    assert decode_data(topology.receive("step_1", "data"))["body"]["blob"] == "xxx"
    error = decode_error(topology.receive("step_1", "error"))
    assert error["error"]["message"] == (
        f"Failed to get message body with id={object_id}: it is larger than {20 << 20} bytes, "
        "the limit ELASTICIO_OBJECT_STORAGE_BODY_SIZE_LIMIT sets"
    )
    settled(broker, sailor)
