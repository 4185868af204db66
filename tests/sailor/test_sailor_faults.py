"""Our sailor when things go wrong: a lost connection, a killed container, SIGTERM mid-message,
a step that cannot be fetched, an action that does not exist, and secrets kept out of sight."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.conftest import CANARY_KEY
from tests.sailor.amqp_harness import (
    Broker,
    Gate,
    SailorLauncher,
    TcpProxy,
    Topology,
    decode_data,
    decode_error,
    relay_env,
    sailor_env,
)
from tests.sailor.fake_platform import FakePlatform


def data_bodies(topology: Topology) -> list[dict[str, object]]:
    """Every data message published so far, taken from the queue."""
    return [
        decode_data(item)["body"]
        for item in topology.drain(topology.steps["step_1"].queues["data"])
    ]


def test_a_connection_lost_mid_message_loses_nothing_and_repeats_nothing(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    amqp_proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    sailor = sailors.python(
        relay_env(
            topology, fake_platform, amqp_url=amqp_proxy.url_for(broker.url), LOG_LEVEL="debug"
        )
    ).wait_ready()
    gate = Gate(tmp_path)
    topology.send("step_1", {"do": "wait", "gate": str(gate.path), "n": 1})
    gate.entered()
    assert amqp_proxy.cut() == 2
    # The broker gives the unacknowledged message again on the new connection, while its first
    # run still waits at the gate.
    broker.wait_for(
        lambda: "came again while in processing" in sailor.logs(), what="the redelivery"
    )
    gate.release()
    first = topology.receive("step_1", "data", timeout=20)
    assert decode_data(first)["body"]["n"] == 1
    # One message after it: had the redelivery run again, its data would come first.
    topology.send("step_1", {"do": "data", "n": 2})
    assert decode_data(topology.receive("step_1", "data", timeout=20))["body"]["n"] == 2
    assert data_bodies(topology) == []
    assert sailor.terminate() == 0
    assert broker.counts(sailor.queue) == (0, 0)


def test_a_killed_sailors_message_goes_to_another_sailor(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    tmp_path: Path,
) -> None:
    env = relay_env(topology, fake_platform)
    doomed = sailors.python(env, name="doomed").wait_ready()
    gate = Gate(tmp_path)
    topology.send("step_1", {"do": "wait", "gate": str(gate.path), "n": 7})
    gate.entered()
    assert doomed.kill() == -9
    gate.release()
    assert data_bodies(topology) == []
    survivor = sailors.python(env, name="survivor").wait_ready()
    # The survivor gets the message again and runs it: it is in flight, not lost.
    gate.entered()
    assert survivor.kill() == -9
    gate.release()
    broker.wait_for(
        lambda: broker.counts(survivor.queue)[0] == 1, what="the message back in its queue"
    )
    assert data_bodies(topology) == []


def test_sigterm_finishes_the_messages_in_processing_then_exits_0(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    tmp_path: Path,
) -> None:
    sailor = sailors.python(
        relay_env(topology, fake_platform, ELASTICIO_RABBITMQ_PREFETCH_SAILOR="3")
    ).wait_ready()
    gates = [Gate(tmp_path, f"gate-{n}") for n in range(3)]
    for n, gate in enumerate(gates):
        topology.send("step_1", {"do": "wait", "gate": str(gate.path), "n": n})
    # All three run at once.
    for gate in gates:
        gate.entered()
    sailor.send_signal(signal.SIGTERM)
    broker.wait_for(lambda: broker.consumer_count(sailor.queue) == 0, what="consuming to stop")
    assert sailor.returncode is None, "the sailor left with messages in processing"
    for gate in gates:
        gate.release()
    assert sailor.wait(timeout=20) == 0
    assert sorted(body["n"] for body in data_bodies(topology)) == [0, 1, 2]  # type: ignore[type-var]
    assert broker.counts(sailor.queue) == (0, 0)


def test_a_step_the_platform_cannot_give_stops_the_sailor_with_an_error_event(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    env = relay_env(topology, fake_platform, ELASTICIO_API_REQUEST_RETRY_ATTEMPTS="1")
    fake_platform.fail_next("GET", r"/v1/tasks/.*", status=503, times=5)
    sailor = sailors.python(env)
    assert sailor.wait(timeout=20) == 1
    error = decode_error(topology.receive("step_1", "error"))
    assert "503" in error["error"]["message"]
    assert len(fake_platform.requests_to("GET", r"/v1/tasks/.*")) == 2


def test_an_action_the_component_lacks_stops_the_sailor_naming_it(
    broker: Broker, topology: Topology, fake_platform: FakePlatform, sailors: SailorLauncher
) -> None:
    sailor = sailors.python(relay_env(topology, fake_platform, function="relya"))
    assert sailor.wait(timeout=20) == 1
    error = decode_error(topology.receive("step_1", "error"))
    assert "relya" in error["error"]["message"]
    assert "did you mean 'relay'" in error["error"]["message"]


def test_startup_init_and_shutdown_hooks_run_as_the_reference_runs_them(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
    tmp_path: Path,
) -> None:
    hooks_log = tmp_path / "hooks.jsonl"
    fake_platform.add_step(topology.flow_id, "step_1", config={"mode": "x"})
    env = relay_env(topology, fake_platform, function="hooks", ELASTICIO_STARTUP_REQUIRED="1")
    env["RELAY_HOOKS_LOG"] = str(hooks_log)
    fake_platform.startup_data[topology.flow_id] = {"stale": True}
    sailor = sailors.python(env).wait_ready()
    assert sailor.terminate() == 0
    assert fake_platform.startup_data[topology.flow_id] == {"started": True}
    shutdown = sailors.python({**env, "ELASTICIO_HOOK_SHUTDOWN": "1"}, name="shutdown")
    assert shutdown.wait(timeout=20) == 0
    calls = [json.loads(line) for line in hooks_log.read_text().splitlines()]
    assert calls == [
        ["startup", {"mode": "x"}],
        ["init", {"mode": "x"}],
        ["shutdown", {"mode": "x"}, {"started": True}],
    ]
    assert topology.flow_id not in fake_platform.startup_data


def test_secrets_never_reach_logs_events_or_errors(
    broker: Broker,
    topology: Topology,
    fake_platform: FakePlatform,
    sailors: SailorLauncher,
) -> None:
    """The canary Picsart key really goes to the sandbox (which refuses any other), with debug
    logs on; neither it, the platform's key, the crypto password nor the storage token shows in
    the sailor's log or in anything it publishes, data or error."""
    from picsart_component.sandbox.loopback import sandbox_process

    with sandbox_process(api_key=CANARY_KEY) as root_url:
        fake_platform.add_step(
            topology.flow_id,
            "step_1",
            config={"apiKey": CANARY_KEY, "imageApiBaseUrl": root_url + "tools/1.0/"},
        )
        env = sailor_env(
            topology,
            "step_1",
            fake_platform,
            function="makeRawRequest",
            overrides={"LOG_LEVEL": "debug", "PICSART_MAX_ATTEMPTS": "1"},
        )
        platform_key = "platform-CANARY-key"
        env["ELASTICIO_API_KEY"] = fake_platform.api_key = platform_key
        sailor = sailors.python(env).wait_ready()
        topology.send("step_1", {"method": "GET", "url": "balance"})
        topology.send("step_1", {"method": "GET", "url": "no-such-endpoint"})
        topology.send("step_1", {"method": "POST", "url": "removebg", "data": {"x": 1}})
        data = [decode_data(topology.receive("step_1", "data"))]
        errors = [decode_error(topology.receive("step_1", "error")) for _ in range(2)]
        assert data[0]["body"]["responseBody"] == {"credits": 1000}
        assert sailor.terminate() == 0
    seen = sailor.logs() + json.dumps([data, errors])
    assert "DEBUG" in seen
    for secret in (
        CANARY_KEY,
        platform_key,
        env["ELASTICIO_MESSAGE_CRYPTO_PASSWORD"],
        env["ELASTICIO_OBJECT_STORAGE_TOKEN"],
    ):
        assert secret not in seen
