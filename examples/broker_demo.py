"""A flow run over RabbitMQ on your machine: two worker processes, one run that publishes and
collects, a standalone sandbox standing in for Picsart, and Redis recording every paid call.

    python examples/broker_demo.py

It needs RabbitMQ (``AMQP_URL``, default ``amqp://guest:guest@127.0.0.1:5672/``), Redis
(``REDIS_URL``, default ``redis://127.0.0.1:6379/0``) and the ``platform`` extra. It runs
``examples/cutout-then-upscale.yaml`` over ``examples/items.csv`` under a throwaway ``--run`` name,
prints the run's last lines, stops the workers with SIGTERM and deletes the run's queues. Every
machine of a real setup runs the same two commands with the same variables.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import aio_pika

from picsart_component.distributed.contract import FlowTopology
from picsart_component.flows.model import load_flow
from picsart_component.runtime.executor import Executor
from picsart_component.sandbox.loopback import sandbox_process

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
HERE = Path(__file__).resolve().parent
FLOW = HERE / "cutout-then-upscale.yaml"
ITEMS = HERE / "items.csv"


async def delete_topology(run_name: str) -> None:
    topology = FlowTopology.of(load_flow(FLOW, Executor()), run_name)
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        await topology.delete(await connection.channel())


def main() -> int:
    command = shutil.which("picsart-flow") or "picsart-flow"
    run_name = f"demo{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder, sandbox_process() as root_url:
        env = {
            **os.environ,
            "PICSART_BROKER_URL": AMQP_URL,
            "PICSART_REDIS_URL": REDIS_URL,
            "PICSART_API_KEY": "demo-key",
            "PICSART_BASE_URL": root_url + "tools/1.0/",
            "PICSART_GENAI_BASE_URL": root_url + "v1/",
            "PICSART_ATTACHMENTS_DIR": str(Path(folder) / "shared-store"),
            "ELASTICIO_MESSAGE_CRYPTO_PASSWORD": "demo-password",
            "ELASTICIO_MESSAGE_CRYPTO_IV": "0123456789abcdef",
        }
        workers = [
            subprocess.Popen(
                [command, "flow", "worker", str(FLOW), "--run", run_name],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            for worker in workers:
                assert worker.stderr is not None
                line = worker.stderr.readline()
                if "worker ready" not in line:
                    print(f"a worker did not start: {line}{worker.stderr.read()}", file=sys.stderr)
                    return 1
                print("worker:", line.removeprefix("picsart-flow: ").strip())
            out = Path(folder) / "results.jsonl"
            run = subprocess.run(
                [
                    command,
                    "flow",
                    "run",
                    str(FLOW),
                    "--input",
                    str(ITEMS),
                    "--out",
                    str(out),
                    "--run",
                    run_name,
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            for line in run.stderr.splitlines()[-4:-1]:
                print("run:", line.removeprefix("picsart-flow: "))
            print("results:", len(out.read_text().splitlines()) if out.exists() else 0, "lines")
            print("run: exit code", run.returncode)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=30)
            asyncio.run(delete_topology(run_name))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
