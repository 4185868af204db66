"""Fixtures of the broker-mode tests: real RabbitMQ and Redis, a sandbox that every process
reaches on loopback, and a harness that starts ``flow worker`` and ``flow run --broker`` as the
separate processes they are in use (so that they can be killed with SIGKILL).

Every test has names of its own (a ``--run`` name, so its own exchange, queues and Redis keys),
so that the tests can run beside each other under ``pytest -n``; none sleeps: each waits for a
condition, with a deadline."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.conftest import REPO_ROOT
from tests.sailor.amqp_harness import Broker, amqp_url, connect_broker

KEY = "broker-test-key-7e1a"
CRYPTO_PASSWORD = "broker-tests-password"
CRYPTO_IV = "0123456789abcdef"
FLOW = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url, "image": input.image, "format": "PNG"}'
- id: large
  action: upscale
  body: '{"image_url": cutout.data.url, "upscale_factor": 2, "format": "PNG"}'
"""
JOB_FLOW = """\
- id: picture
  action: textToImage
  body: '{"prompt": input.prompt, "count": 1, "width": 128, "height": 128}'
"""
POLL_SECONDS = 0.05
"""How often a test looks again for what it waits for."""
_POLL = threading.Event()


def wait_until(check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> None:
    """Looks at ``check`` every ``POLL_SECONDS`` until it holds; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting {timeout:g}s for {what or check}"
        _POLL.wait(POLL_SECONDS)


class CountingRedis(redis.Redis):
    """A Redis client that counts the commands it sends (not a pipeline's) and fails the test
    when there are more than ``limit``: a loop that spins on Redis ends the test at once."""

    limit = 200

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: list[str] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands.append(str(args[0]).upper())
        assert len(self.commands) <= self.limit, (
            f"{len(self.commands)} Redis commands: it spins ({self.commands[-5:]})"
        )
        return super().execute_command(*args, **options)  # type: ignore[no-untyped-call]


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    connected = connect_broker()
    yield connected
    connected.close()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(
        quiet=True, api_key=KEY, credits=100_000, quota=1_000_000, log_size=10_000
    ) as running:
        yield running


class Process:
    """A child process whose stderr lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.log = log
        self.lines: list[str] = []
        self.popen = subprocess.Popen(
            args,
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout = ""
        self._changed = threading.Condition()
        self._ended = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_out, daemon=True)
        self._out_reader.start()

    def _read(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            with self.log.open("a", encoding="utf-8") as file:
                file.write(line)
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def _read_out(self) -> None:
        assert self.popen.stdout is not None
        self.stdout = self.popen.stdout.read()

    def wait_for(self, text: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        """The first stderr line that holds ``text`` (or passes it, a test), as it comes."""
        matches = text if callable(text) else (lambda line: text in line)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((line for line in self.lines if matches(line)), None)
                if found is not None:
                    return found
                if self._ended:
                    raise AssertionError(f"{self.args[3:5]} ended: " + "\n".join(self.lines[-20:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no {text!r} within {timeout}s: " + "\n".join(self.lines[-20:])
                    )
                self._changed.wait(left)

    def finish(self, timeout: float = 120.0) -> int:
        code = self.popen.wait(timeout=timeout)
        self._reader.join(timeout=5)
        self._out_reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def summary(self) -> dict[str, Any]:
        for line in reversed(self.stdout.splitlines()):
            if line.startswith('{"summary"'):
                found: dict[str, Any] = json.loads(line)["summary"]
                return found
        raise AssertionError("no summary line: " + "\n".join(self.lines[-20:]))


class BrokerFlow:
    """One flow file and one named run on the real broker, and the processes that run it."""

    def __init__(self, tmp_path: Path, sandbox: RunningSandbox, redis: str, flow: str) -> None:
        self.tmp_path = tmp_path
        self.sandbox = sandbox
        self.redis_url = redis
        self.run_name = "t" + uuid.uuid4().hex[:12]
        self.flow_path = tmp_path / "flow.yaml"
        self.flow_path.write_text(flow, encoding="utf-8")
        self.out = tmp_path / "results.jsonl"
        self.items = tmp_path / "items.jsonl"
        self.processes: list[Process] = []
        self.env = {
            **os.environ,
            "PICSART_API_KEY": KEY,
            "PICSART_BASE_URL": sandbox.base_url,
            "PICSART_GENAI_BASE_URL": sandbox.genai_base_url,
            "PICSART_VIDEO_BASE_URL": sandbox.video_base_url,
            "PICSART_VD_BASE_URL": sandbox.vd_base_url,
            "PICSART_REDIS_URL": redis,
            "PICSART_BROKER_URL": amqp_url(),
            "PICSART_ATTACHMENTS_DIR": str(tmp_path / "shared-store"),
            "PICSART_MAX_WAIT": "10",
            "ELASTICIO_MESSAGE_CRYPTO_PASSWORD": CRYPTO_PASSWORD,
            "ELASTICIO_MESSAGE_CRYPTO_IV": CRYPTO_IV,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("PICSART_SPIKE_LIMIT", "CI"):
            self.env.pop(name, None)

    @property
    def topology(self) -> Any:
        from picsart_component.distributed.contract import FlowTopology
        from picsart_component.flows.model import load_flow
        from picsart_component.runtime.executor import Executor

        return FlowTopology.of(load_flow(self.flow_path, Executor()), self.run_name)

    def run_id(self) -> str:
        """The id of the run writing ``out`` (from its journal's header), once it has one."""
        from picsart_component.flows.journal import journal_path

        journal = journal_path(self.out)
        wait_until(lambda: journal.exists() and journal.read_text().endswith("\n"), what="journal")
        header: dict[str, Any] = json.loads(journal.read_text().splitlines()[0])
        return str(header["runId"])

    def ledger(self, run_id: str, client: Any = None) -> Any:
        """The run's ledger as a process that is no worker sees it (to read and plant records)."""
        from picsart_component.distributed.ledger import Ledger, ledger_namespace
        from picsart_component.sailor.crypto import Encryptor

        return Ledger(
            client or redis.Redis.from_url(self.redis_url),
            ledger_namespace(self.topology.exchange, run_id),
            Encryptor(CRYPTO_PASSWORD, CRYPTO_IV),
        )

    def queued(self, queue: str) -> int:
        """How many messages ``queue`` holds now."""
        return asyncio.run(self._queued(queue))

    async def _queued(self, queue: str) -> int:
        import aio_pika

        connection = await aio_pika.connect(amqp_url())
        async with connection:
            declared = await (await connection.channel()).declare_queue(queue, passive=True)
            return int(declared.declaration_result.message_count or 0)

    def write_items(self, count: int) -> list[str]:
        urls = [f"https://images.example.com/{self.run_name}/{index}.jpg" for index in range(count)]
        self.items.write_text(
            "".join(json.dumps({"url": url}) + "\n" for url in urls), encoding="utf-8"
        )
        return urls

    def _cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "picsart_component", "flow", *args]

    def worker(self, *args: str, lease: float = 1.0, ready: bool = True, **env: str) -> Process:
        """A ``flow worker`` process; with ``ready=False`` the test goes on while it starts
        (and may wait for its "worker ready" later)."""
        command = self._cli(
            "worker", str(self.flow_path), "--run", self.run_name, "--lease", str(lease), *args
        )
        log = self.tmp_path / f"worker-{len(self.processes)}.log"
        process = Process(command, {**self.env, **env}, log)
        self.processes.append(process)
        if ready:
            process.wait_for("worker ready")
        return process

    def run(self, *args: str, **env: str) -> Process:
        command = self._cli(
            "run",
            str(self.flow_path),
            "--input",
            str(self.items),
            "--out",
            str(self.out),
            "--run",
            self.run_name,
            "--status-every",
            "0.5",
            *args,
        )
        log = self.tmp_path / f"run-{len(self.processes)}.log"
        process = Process(command, {**self.env, **env}, log)
        self.processes.append(process)
        return process

    def lines(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        text = self.out.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.endswith("}")]

    def paid_calls(self, operation: str) -> list[dict[str, Any]]:
        """The sandbox's log of one operation's requests that were answered 200."""
        return [
            entry
            for entry in self.sandbox.request_log()
            if entry["path"].endswith(f"/{operation}") and entry["status"] == 200
        ]

    def close(self) -> None:
        for process in self.processes:
            process.stop()
        asyncio.run(self._delete_topology())
        client = redis.Redis.from_url(self.redis_url)
        for key in client.scan_iter(match=self.topology.exchange + ":*", count=1000):
            client.delete(key)

    async def _delete_topology(self) -> None:
        import aio_pika

        connection = await aio_pika.connect(amqp_url())
        async with connection:
            await self.topology.delete(await connection.channel())


@pytest.fixture
def broker_flow(
    broker: Broker, redis_server: str, sandbox: RunningSandbox, tmp_path: Path
) -> Iterator[BrokerFlow]:
    made = BrokerFlow(tmp_path, sandbox, redis_server, FLOW)
    try:
        yield made
    finally:
        made.close()
