"""One flow step on your machine, as the elastic.io platform runs it: RabbitMQ, the Python sailor,
the built-in sandbox standing in for Picsart.

    python examples/sailor_demo.py

It needs RabbitMQ (``AMQP_URL``, default ``amqp://guest:guest@127.0.0.1:5672/``) and the
``platform`` extra. It declares a throwaway exchange and queues, starts ``picsart-flow sailor
--step step.json`` with the environment the platform would set for a Make Raw Request step,
publishes one encrypted message as the step before would, prints the message the sailor
publishes, and stops the sailor with SIGTERM. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import aio_pika

from picsart_component.sailor.crypto import Encryptor
from picsart_component.sandbox.loopback import sandbox_process

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PASSWORD, IV = "demo-password", "0123456789abcdef"


def step_environment(name: str, step_file: Path) -> dict[str, str]:
    """What the platform sets for one step (here a Make Raw Request step)."""
    settings = {
        "FLOW_ID": "demo-flow",
        "EXEC_ID": "demo-exec",
        "STEP_ID": "step_1",
        "CONTAINER_ID": "demo-container",
        "WORKSPACE_ID": "demo-workspace",
        "USER_ID": "demo-user",
        "COMP_ID": "picsart",
        "FUNCTION": "makeRawRequest",
        # The step's data comes from --step here; the API is not called.
        "API_URI": "http://127.0.0.1:9",
        "API_USERNAME": "demo",
        "API_KEY": "unused",
        "AMQP_URI": AMQP_URL,
        "LISTEN_MESSAGES_ON": f"{name}.step_1.messages",
        "PUBLISH_MESSAGES_TO": name,
        "DATA_ROUTING_KEY": f"{name}.step_1.data",
        "ERROR_ROUTING_KEY": f"{name}.step_1.error",
        "REBOUND_ROUTING_KEY": f"{name}.step_1.rebound",
        "SNAPSHOT_ROUTING_KEY": f"{name}.step_1.snapshot",
        "MESSAGE_CRYPTO_PASSWORD": PASSWORD,
        "MESSAGE_CRYPTO_IV": IV,
    }
    return {f"ELASTICIO_{key}": value for key, value in settings.items()}


async def demo(sandbox_url: str, folder: Path) -> int:
    try:
        connection = await aio_pika.connect(AMQP_URL)
    except (OSError, aio_pika.exceptions.AMQPError) as error:
        print(f"RabbitMQ does not answer at {AMQP_URL}: {error}", file=sys.stderr)
        return 2
    name = f"demo-{uuid.uuid4().hex[:8]}"
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(name, auto_delete=True)
        inbox = await channel.declare_queue(f"{name}.step_1.messages", auto_delete=True)
        outbox = await channel.declare_queue(f"{name}.step_1.out", auto_delete=True)
        for kind in ("data", "error", "rebound"):
            await outbox.bind(exchange, f"{name}.step_1.{kind}")

        step_file = folder / "step.json"
        step = {"config": {"apiKey": "demo-key", "imageApiBaseUrl": sandbox_url}}
        step_file.write_text(json.dumps(step))
        command = shutil.which("picsart-flow") or "picsart-flow"
        sailor = subprocess.Popen(
            [command, "sailor", "--step", str(step_file)],
            env={**os.environ, **step_environment(name, step_file)},
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(200):
                if (await inbox.declare()).consumer_count:
                    break
                if sailor.poll() is not None:
                    print(f"the sailor stopped with {sailor.returncode}", file=sys.stderr)
                    return 1
                await asyncio.sleep(0.05)
            print("sailor: consuming", inbox.name)

            encryptor = Encryptor(PASSWORD, IV)
            message = {
                "id": str(uuid.uuid4()),
                "body": {"method": "GET", "url": "balance"},
                "headers": {},
            }
            await channel.default_exchange.publish(
                aio_pika.Message(
                    encryptor.encrypt_message(message, base64_text=True),
                    headers={"messageId": str(uuid.uuid4()), "protocolVersion": 1},
                ),
                routing_key=inbox.name,
            )
            async with outbox.iterator(timeout=30) as published:
                async for received in published:
                    await received.ack()
                    kind = (received.routing_key or "").rsplit(".", 1)[-1]
                    if kind == "error":
                        error = json.loads(received.body)["error"]
                        shown = encryptor.decrypt_message(error.encode(), base64_text=True)
                    else:
                        body = encryptor.decrypt_message(received.body, base64_text=True)["body"]
                        shown = {key: body[key] for key in ("statusCode", "responseBody")}
                    print(f"{kind}: {json.dumps(shown)}")
                    break
        finally:
            sailor.send_signal(signal.SIGTERM)
            print("sailor: exit code", sailor.wait(timeout=30))
    return 0


def main() -> int:
    with tempfile.TemporaryDirectory() as folder, sandbox_process() as root_url:
        return asyncio.run(demo(root_url + "tools/1.0/", Path(folder)))


if __name__ == "__main__":
    sys.exit(main())
