"""A flow run over RabbitMQ by 1, 2 and 4 worker processes sharing one limit through Redis,
side by side with the same workers each pacing alone, and the broker path's cost per item next
to a local run's.

The flow makes two calls per item (two Make Raw Request steps reading the balance, so that the
sandbox's own image work does not bound the rate) against a sandbox in its own process at a spike
limit of 50 requests a second. The figure is the requests the
sandbox accepted after the first second, as a fraction of the limit, with the 429s after the first
second. "Alone" gives every worker its own key, so that each paces to the whole limit by itself,
as workers without a shared limit would. Each run is made three times: the median and its range
(for 429s, the most any run met). Needs RabbitMQ and Redis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from benchmarks.report import REPEATS, Figure, median_run, spread

LIMIT = 50
SECONDS = 8
ITEMS = LIMIT * SECONDS // 2
OVERHEAD_ITEMS = 200
WORKER_COUNTS = (1, 2, 4)
REPO_ROOT = Path(__file__).resolve().parents[1]
FLOW = """\
- id: first
  action: makeRawRequest
  body: '{"url": "balance", "method": "GET"}'
- id: second
  action: makeRawRequest
  body: '{"url": "balance", "method": "GET", "headers": {"X-Item": input.url}}'
"""
CRYPTO = {
    "ELASTICIO_MESSAGE_CRYPTO_PASSWORD": "benchmark-password",
    "ELASTICIO_MESSAGE_CRYPTO_IV": "0123456789abcdef",
}


def _services() -> tuple[str, str] | str:
    """The broker's and Redis's URLs, or why they cannot be used."""
    import aio_pika  # noqa: F401
    import redis

    amqp = os.environ.get("PICSART_TEST_AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672/"
    redis_url = os.environ.get("PICSART_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"Redis: {error}"
    return amqp, redis_url


class Sandbox:
    def __init__(self, root_url: str) -> None:
        self.root_url = root_url
        self.base_url = root_url + "tools/1.0/"
        self._headers = {"X-Picsart-API-Key": "benchmark"}

    def clear(self) -> None:
        requests.delete(self.root_url + "__sandbox/requests", headers=self._headers, timeout=10)

    def log(self) -> list[dict[str, Any]]:
        answer = requests.get(
            self.root_url + "__sandbox/requests", headers=self._headers, timeout=30
        )
        found: list[dict[str, Any]] = answer.json()["requests"]
        return found


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "picsart_component", "flow", *args]


def _env(base_url: str, amqp: str, redis_url: str, key: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        **CRYPTO,
        "PICSART_API_KEY": key,
        "PICSART_BASE_URL": base_url,
        "PICSART_BROKER_URL": amqp,
        "PICSART_REDIS_URL": redis_url,
        "PICSART_SPIKE_LIMIT": str(LIMIT),
        **extra,
    }
    env.pop("CI", None)
    return env


def _items(folder: Path, count: int) -> Path:
    path = folder / f"items-{count}.jsonl"
    path.write_text(
        "".join(
            json.dumps({"url": f"https://images.example.com/{index}.jpg"}) + "\n"
            for index in range(count)
        ),
        encoding="utf-8",
    )
    return path


def _start_workers(
    flow: Path, run_name: str, envs: list[dict[str, str]]
) -> list[subprocess.Popen[str]]:
    workers = [
        subprocess.Popen(
            _cli("worker", str(flow), "--run", run_name, "--workers", "8"),
            env=env,
            cwd=REPO_ROOT,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        for env in envs
    ]
    for worker in workers:
        assert worker.stderr is not None
        line = worker.stderr.readline()
        if "worker ready" not in line:
            raise RuntimeError(f"a worker did not start: {line}{worker.stderr.read()}")
    return workers


def _stop(workers: list[subprocess.Popen[str]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def _collect(
    flow: Path, items: Path, out: Path, env: dict[str, str], *args: str, must_succeed: bool = True
) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        _cli("run", str(flow), "--input", str(items), "--out", str(out), *args),
        env=env,
        cwd=REPO_ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if must_succeed and done.returncode != 0:
        raise RuntimeError(f"the run ended with {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def _rates(log: list[dict[str, Any]]) -> dict[str, float]:
    # The first balance read is the run's own, before any item is published.
    paid = [entry for entry in log if entry["path"].endswith("/balance")][1:]
    start = min(entry["time"] for entry in paid)
    end = max(entry["time"] for entry in paid)
    steady = [entry for entry in paid if entry["time"] >= start + 1.0]
    accepted = sum(1 for entry in steady if entry["status"] == 200)
    return {
        "rate": accepted / max(end - start - 1.0, 1e-9) / LIMIT,
        "limited_after_first_second": float(sum(1 for e in steady if e["status"] == 429)),
        "limited": float(sum(1 for entry in paid if entry["status"] == 429)),
    }


def _limit_run(
    sandbox: Sandbox, folder: Path, amqp: str, redis_url: str, workers: int, shared: bool
) -> dict[str, float]:
    flow = folder / "flow.yaml"
    run_name = "bench" + uuid.uuid4().hex[:10]
    keys = [f"bench-{uuid.uuid4().hex}" for _ in range(workers if not shared else 1)]
    envs = [
        _env(sandbox.base_url, amqp, redis_url, keys[index % len(keys)], PICSART_MAX_WAIT="30")
        for index in range(workers)
    ]
    sandbox.clear()
    started = _start_workers(flow, run_name, envs)
    try:
        out = folder / f"{run_name}.jsonl"
        _collect(flow, _items(folder, ITEMS), out, envs[0], "--run", run_name, must_succeed=shared)
    finally:
        _stop(started)
    _delete_topology(flow, run_name, amqp)
    return _rates(sandbox.log())


def _overhead(sandbox: Sandbox, folder: Path, amqp: str, redis_url: str) -> tuple[float, float]:
    """Seconds per item of a local run (8 workers) and of a broker run (one worker, 8 at a
    time per step), at a limit neither reaches."""
    flow = folder / "flow.yaml"
    items = _items(folder, OVERHEAD_ITEMS)
    run_name = "bench" + uuid.uuid4().hex[:10]
    env = _env(sandbox.base_url, amqp, redis_url, run_name, PICSART_SPIKE_LIMIT="100000")
    local_env = {key: value for key, value in env.items() if key != "PICSART_BROKER_URL"}
    local = _collect(flow, items, folder / f"{run_name}-local.jsonl", local_env, "--workers", "8")
    started = _start_workers(flow, run_name, [env])
    try:
        broker = _collect(flow, items, folder / f"{run_name}-broker.jsonl", env, "--run", run_name)
    finally:
        _stop(started)
    _delete_topology(flow, run_name, amqp)
    return local / OVERHEAD_ITEMS, broker / OVERHEAD_ITEMS


def _delete_topology(flow: Path, run_name: str, amqp: str) -> None:
    import asyncio

    import aio_pika

    from picsart_component.distributed.contract import FlowTopology
    from picsart_component.flows.model import load_flow
    from picsart_component.runtime.executor import Executor

    topology = FlowTopology.of(load_flow(flow, Executor()), run_name)

    async def delete() -> None:
        connection = await aio_pika.connect(amqp)
        async with connection:
            await topology.delete(await connection.channel())

    asyncio.run(delete())


def run() -> list[Figure]:
    try:
        services = _services()
    except ImportError as error:
        return [Figure("broker run: not measured", 0, "", "", False, str(error))]
    if isinstance(services, str):
        return [Figure("broker run: not measured", 0, "", "", False, services)]
    amqp, redis_url = services
    import tempfile

    from picsart_component.sandbox.loopback import sandbox_process

    figures = []
    with (
        tempfile.TemporaryDirectory() as temporary,
        sandbox_process(
            spike_limit=LIMIT, quota=10**9, window=3600, credits=10**9, log_size=100_000
        ) as root_url,
    ):
        folder = Path(temporary)
        (folder / "flow.yaml").write_text(FLOW, encoding="utf-8")
        sandbox = Sandbox(root_url)
        for workers in WORKER_COUNTS:
            shared = [
                _limit_run(sandbox, folder, amqp, redis_url, workers, shared=True)
                for _ in range(REPEATS)
            ]
            alone = [
                _limit_run(sandbox, folder, amqp, redis_url, workers, shared=False)
                for _ in range(REPEATS)
            ]
            rates = spread([run["rate"] * 100 for run in shared])
            alone_rates = spread([run["rate"] * 100 for run in alone])
            late = max(int(run["limited_after_first_second"]) for run in shared)
            alone_limited = ", ".join(str(int(run["limited"])) for run in alone)
            alone_late = max(int(run["limited_after_first_second"]) for run in alone)
            met = rates.median >= 90 and late == 0
            figures.append(
                Figure(
                    f"broker run: {workers} worker process(es), accepted rate / limit",
                    round(rates.median, 1),
                    "%",
                    ">= 90 %, 0 429s after the first second",
                    met,
                    f"{rates.describe(1, ' %')}; at most {late} 429s after the first second in "
                    f"a run ({', '.join(str(int(run['limited'])) for run in shared)} in all); "
                    f"each worker pacing alone instead: {alone_rates.describe(1, ' %')} "
                    f"accepted, {alone_limited} 429s (up to {alone_late} after the first second)",
                )
            )
    with (
        tempfile.TemporaryDirectory() as temporary,
        sandbox_process(spike_limit=100_000, quota=10**9, window=3600, credits=10**9) as root_url,
    ):
        folder = Path(temporary)
        (folder / "flow.yaml").write_text(FLOW, encoding="utf-8")
        pairs = [_overhead(Sandbox(root_url), folder, amqp, redis_url) for _ in range(REPEATS)]
        ratios = spread([broker / local for local, broker in pairs])
        local, broker = median_run(pairs, lambda pair: pair[1] / pair[0])
        figures.append(
            Figure(
                "broker run: time per item, broker path / local run",
                round(ratios.median, 2),
                "x",
                "reported",
                True,
                f"{ratios.describe()}; {OVERHEAD_ITEMS} two-step items, no limit reached: in the "
                f"median run local (8 workers) {local * 1000:.2f} ms/item, broker (1 worker "
                f"process, 8 at a time per step) {broker * 1000:.2f} ms/item, both including "
                "process start",
            )
        )
    return figures


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
