"""The Python sailor against the reference Node.js sailor, on the same RabbitMQ, side by side.

- Throughput: 4,000 messages waiting in a step's queue, one sailor starts, and the time from its
  first to its last data message is measured; twin echo actions (the Node relay component under
  elasticio-sailor-nodejs 2.7.8, the Python one under ours), prefetch 1 and 10. The emit rate
  limit is raised for both (by default both stop at 10 data messages per 100 ms), so that the
  sailors themselves are measured. Each sailor runs three times, alternating: the median of the
  three rounds' ratios and its range.
- Latency: 200 messages sent one at a time, each waiting for its data message; the median,
  measured by a consumer (not by polling), three times over.
- Make Raw Request (``GET balance``) under ours against the sandbox in its own process.

Needs RabbitMQ (``PICSART_TEST_AMQP_URL``) and node with npm (the reference is installed as the
tests install it); without them the figures say so instead.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.report import REPEATS, Figure, spread

THROUGHPUT_MESSAGES = 4000
LATENCY_MESSAGES = 200
RAW_REQUEST_MESSAGES = 500
UNLIMITED = {"ELASTICIO_DATA_RATE_LIMIT": "1000000", "ELASTICIO_RATE_INTERVAL": "100"}


def _drain_count(topology: Any, queue: str, wanted: int, timeout: float) -> tuple[int, float]:
    """Take messages from ``queue`` until ``wanted`` came; how many, and the time of the last."""
    got, last = 0, time.perf_counter()
    deadline = time.monotonic() + timeout
    while got < wanted and time.monotonic() < deadline:
        found = topology.drain(queue)
        if found:
            got += len(found)
            last = time.perf_counter()
        else:
            time.sleep(0.005)
    return got, last


def _throughput(
    broker: Any,
    platform: Any,
    start: Callable[[dict[str, str]], Any],
    env_for: Callable[[Any], dict[str, str]],
    messages: int,
) -> float:
    """Messages per second through one step whose queue holds ``messages`` at the start."""
    topology = broker.topology(["step_1"])
    try:
        step = topology.steps["step_1"]
        for n in range(messages):
            topology.send("step_1", {"do": "data", "n": n})
        sailor = start(env_for(topology))
        first = topology.get(step.queues["data"], timeout=60)
        if first is None:
            raise RuntimeError(f"no data from the sailor:\n{sailor.logs()[-3000:]}")
        started = time.perf_counter()
        got, last = _drain_count(topology, step.queues["data"], messages - 1, timeout=300)
        sailor.kill()
        if got < messages - 1:
            raise RuntimeError(f"only {got + 1} of {messages} messages came through")
        return (messages - 1) / (last - started)
    finally:
        topology.delete()


def _bare_aio_pika(broker: Any, messages: int, prefetch: int) -> float:
    """The floor under any sailor on aio-pika: consume, publish on a confirm channel, ack, with
    nothing else (no decryption, no action, no headers to build); messages per second."""
    import asyncio

    import aio_pika

    topology = broker.topology(["step_1"])
    try:
        step = topology.steps["step_1"]
        for n in range(messages):
            topology.send("step_1", {"do": "data", "n": n})

        async def measure() -> float:
            read = await aio_pika.connect(broker.url)
            write = await aio_pika.connect(broker.url)
            async with read, write:
                consumer = await read.channel()
                await consumer.set_qos(prefetch_count=prefetch)
                publisher = await write.channel(publisher_confirms=True)
                exchange = await publisher.get_exchange(topology.exchange, ensure=False)
                queue = await consumer.declare_queue(step.input_queue, passive=True)
                done = asyncio.Event()
                count = 0

                async def relay(message: Any) -> None:
                    nonlocal count
                    await exchange.publish(
                        aio_pika.Message(message.body, headers=dict(message.headers)),
                        routing_key=step.data_key,
                        mandatory=True,
                    )
                    await message.ack()
                    count += 1
                    if count == messages:
                        done.set()

                started = time.perf_counter()
                await queue.consume(relay)
                await asyncio.wait_for(done.wait(), 300)
                return messages / (time.perf_counter() - started)

        return asyncio.run(measure())
    finally:
        topology.delete()


def _latency(
    broker: Any,
    start: Callable[[dict[str, str]], Any],
    env_for: Callable[[Any], dict[str, str]],
    messages: int,
) -> float:
    """The median milliseconds from publishing one message to receiving its data message, one
    message at a time, measured by a consumer of its own (not by polling)."""
    import asyncio

    import aio_pika

    from tests.sailor.amqp_harness import encode_message, platform_headers, platform_message

    topology = broker.topology(["step_1"])
    try:
        sailor = start(env_for(topology)).wait_ready(60)
        step = topology.steps["step_1"]

        async def measure() -> list[float]:
            connection = await aio_pika.connect(broker.url)
            async with connection:
                channel = await connection.channel()
                data_queue = await channel.declare_queue(step.queues["data"], passive=True)
                arrived: asyncio.Queue[float] = asyncio.Queue()

                async def on_data(message: Any) -> None:
                    arrived.put_nowait(time.perf_counter())
                    await message.ack()

                await data_queue.consume(on_data)
                times = []
                for n in range(messages + 10):
                    content = encode_message(platform_message({"do": "data", "n": n}))
                    sent = time.perf_counter()
                    await channel.default_exchange.publish(
                        aio_pika.Message(content, headers=platform_headers()),
                        routing_key=step.input_queue,
                    )
                    received = await asyncio.wait_for(arrived.get(), 30)
                    if n >= 10:
                        times.append((received - sent) * 1000)
                return times

        times = asyncio.run(measure())
        sailor.kill()
        return statistics.median(times)
    finally:
        topology.delete()


def run() -> list[Figure]:
    try:
        from tests.sailor.amqp_harness import (
            PY_RELAY,
            SailorLauncher,
            connect_broker,
            sailor_env,
        )
        from tests.sailor.fake_platform import FakePlatform
        from tests.sailor.node_harness import COMPONENTS_DIR, node_sailor_dir

        broker = connect_broker()
        node_sailor_dir()
    except BaseException as error:  # pytest.skip is a BaseException
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [Figure("sailor: not measured", 0, "", "RabbitMQ and node", False, reason)]

    py_relay = PY_RELAY
    figures: list[Figure] = []
    logs = Path(tempfile.mkdtemp(prefix="bench-sailor-"))
    launcher = SailorLauncher(broker, logs)
    try:
        with FakePlatform() as platform:

            def env(component: Path, prefetch: int) -> Callable[[Any], dict[str, str]]:
                def make(topology: Any) -> dict[str, str]:
                    return sailor_env(
                        topology,
                        "step_1",
                        platform,
                        function="relay",
                        component_path=str(component),
                        overrides={
                            **UNLIMITED,
                            "ELASTICIO_RABBITMQ_PREFETCH_SAILOR": str(prefetch),
                        },
                    )

                return make

            for prefetch in (1, 10):
                node_rates, python_rates = [], []
                for _ in range(REPEATS):
                    node_rates.append(
                        _throughput(
                            broker,
                            platform,
                            launcher.node,
                            env(COMPONENTS_DIR / "relay", prefetch),
                            THROUGHPUT_MESSAGES,
                        )
                    )
                    python_rates.append(
                        _throughput(
                            broker,
                            platform,
                            launcher.python,
                            env(py_relay, prefetch),
                            THROUGHPUT_MESSAGES,
                        )
                    )
                ratios = spread(
                    [ours / theirs for ours, theirs in zip(python_rates, node_rates, strict=True)]
                )
                node_rate = statistics.median(node_rates)
                python_rate = statistics.median(python_rates)
                floor = max(_bare_aio_pika(broker, THROUGHPUT_MESSAGES, prefetch) for _ in range(2))
                figures.append(
                    Figure(
                        f"sailor: echo throughput, ours / reference (prefetch {prefetch})",
                        round(ratios.median, 2),
                        "",
                        ">= 1",
                        ratios.median >= 1,
                        f"{ratios.describe()}; {python_rate:.0f} msg/s ours vs "
                        f"{node_rate:.0f} msg/s elasticio-sailor-nodejs 2.7.8 (medians of "
                        f"{REPEATS} alternating runs of {THROUGHPUT_MESSAGES} messages each); a "
                        "bare aio-pika consume, publish and ack loop, which any Python sailor on "
                        f"it pays, does {floor:.0f} msg/s",
                    )
                )
            latencies = [
                (
                    _latency(broker, launcher.python, env(py_relay, 1), LATENCY_MESSAGES),
                    _latency(
                        broker, launcher.node, env(COMPONENTS_DIR / "relay", 1), LATENCY_MESSAGES
                    ),
                )
                for _ in range(REPEATS)
            ]
            latency_ratios = spread([ours / theirs for ours, theirs in latencies])
            python_ms = statistics.median(ours for ours, _ in latencies)
            node_ms = statistics.median(theirs for _, theirs in latencies)
            figures.append(
                Figure(
                    "sailor: median latency per message, ours / reference",
                    round(latency_ratios.median, 2),
                    "",
                    "<= 1",
                    latency_ratios.median <= 1,
                    f"{latency_ratios.describe()}; {python_ms:.2f} ms ours vs {node_ms:.2f} ms "
                    f"reference (medians of {REPEATS} runs of {LATENCY_MESSAGES} messages sent "
                    "one at a time)",
                )
            )
            figures.extend(_raw_request(broker, platform, launcher, sailor_env))
    finally:
        for sailor in launcher.started:
            if sailor.returncode is None:
                sailor.kill()
        broker.close()
    return figures


def _raw_request(broker: Any, platform: Any, launcher: Any, sailor_env: Any) -> list[Figure]:
    from picsart_component.sandbox.loopback import sandbox_process

    figures = []
    with sandbox_process(spike_limit=1_000_000, quota=10**9, window=3600) as root_url:
        for prefetch in (1, 8):
            topology = broker.topology(["step_1"])
            try:
                platform.add_step(
                    topology.flow_id,
                    "step_1",
                    config={"apiKey": "benchmark", "imageApiBaseUrl": root_url + "tools/1.0/"},
                )
                env = sailor_env(
                    topology,
                    "step_1",
                    platform,
                    function="makeRawRequest",
                    overrides={
                        **UNLIMITED,
                        "ELASTICIO_RABBITMQ_PREFETCH_SAILOR": str(prefetch),
                        "ELASTICIO_COMPONENT_PATH": None,
                        "PICSART_SPIKE_LIMIT": "100000",
                    },
                )
                for _ in range(RAW_REQUEST_MESSAGES):
                    topology.send("step_1", {"url": "balance", "method": "GET"})
                sailor = launcher.python(env)
                step = topology.steps["step_1"]
                first = topology.get(step.queues["data"], timeout=60)
                if first is None:
                    errors = topology.drain(step.queues["error"])
                    raise RuntimeError(f"no data ({len(errors)} errors): {sailor.logs()[-2000:]}")
                started = time.perf_counter()
                got, last = _drain_count(
                    topology, step.queues["data"], RAW_REQUEST_MESSAGES - 1, 300
                )
                sailor.kill()
                rate = got / (last - started)
                figures.append(
                    Figure(
                        f"sailor: Make Raw Request (GET balance) through ours, prefetch {prefetch}",
                        round(rate, 1),
                        "msg/s",
                        "none",
                        True,
                        f"{got + 1} of {RAW_REQUEST_MESSAGES} messages; the sandbox in its own "
                        "process, one HTTP call per message",
                    )
                )
            finally:
                topology.delete()
    return figures


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
