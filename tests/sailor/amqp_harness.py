"""RabbitMQ, messages and sailor processes for the sailor tests.

- ``Broker``: a synchronous face on one aiormq connection, whose event loop runs in a thread of
  its own, so tests publish, get and count consumers with plain calls.
- ``Topology``: one test's exchange and queues (an input queue per step, result queues bound
  for the data, error, rebound and snapshot routing keys, a reply queue), deleted at teardown.
- ``sailor_env``: the complete ``ELASTICIO_*`` environment of one step.
- ``platform_message``/``platform_headers``/``encode_message``: messages as the platform sends
  them; ``decode_data``/``decode_error``/``decode_snapshot``: what sailors publish.
- ``SailorProcess``: a Node or Python sailor in a child process, with its logs in files.
- ``TcpProxy``: a loopback TCP relay in front of RabbitMQ whose connections a test can cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiormq
from aiormq.abc import AbstractChannel, AbstractConnection
from pamqp.commands import Basic

from picsart_component.sailor.crypto import Encryptor
from tests.sailor.fake_platform import FakePlatform
from tests.sailor.node_harness import COMPONENTS_DIR, PACKAGE, node_sailor_dir, unavailable

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
TEST_CRYPTO_PASSWORD = "testCryptoPassword"
TEST_CRYPTO_IV = "iv=any16_symbols"
assert len(TEST_CRYPTO_IV) == 16

EXEC_ID = "exec-test-0001"
WORKSPACE_ID = "workspace-test-0001"
USER_ID = "user-test-0001"
COMP_ID = "comp-test-0001"
PREVIOUS_STEP_ID = "step_0"
"""The ``stepId`` header of messages sent as if from the step before the one under test."""

RESULT_KINDS = ("data", "error", "rebound", "snapshot")
OBJECT_ID_HEADER = "x-ipaas-object-storage-id"
"""The message header of a lightweight message: the maester object that holds its body."""
PROPERTY_NAMES = (
    "content_type",
    "content_encoding",
    "headers",
    "delivery_mode",
    "priority",
    "correlation_id",
    "reply_to",
    "expiration",
    "message_id",
    "timestamp",
    "message_type",
    "user_id",
    "app_id",
    "cluster_id",
)


def amqp_url() -> str:
    return os.environ.get("PICSART_TEST_AMQP_URL") or DEFAULT_AMQP_URL


def make_encryptor() -> Encryptor:
    """The encryptor for ``TEST_CRYPTO_PASSWORD``/``TEST_CRYPTO_IV``, which ``sailor_env`` sets."""
    return Encryptor(TEST_CRYPTO_PASSWORD, TEST_CRYPTO_IV)


# -- the broker ---------------------------------------------------------------------------


FORGED_PROTOCOL_VERSIONS: list[Any] = [
    "2e9999",
    "Infinity",
    -1,
    "-1",
    True,
    False,
    "abc",
    1.5,
    "1.5",
    256,
    10**12,
]
"""``protocolVersion`` headers no sailor writes: not a whole number from 0 to 255. (A double
infinity cannot travel: RabbitMQ closes the connection of whoever publishes one.)"""


class Received(NamedTuple):
    """A message taken from a queue. ``properties`` holds the AMQP basic properties by their
    pamqp names (``content_type``, ``content_encoding``, ``delivery_mode``, ``expiration`` (a
    string of milliseconds), ``message_id``, ``headers``, ...) and the delivery's
    ``routing_key``, ``exchange`` and ``redelivered``; ``headers`` is ``properties["headers"]``
    or ``{}``."""

    body: bytes
    properties: dict[str, Any]
    headers: dict[str, Any]


def _received(message: aiormq.abc.DeliveredMessage) -> Received:
    props = message.header.properties
    properties = {name: getattr(props, name, None) for name in PROPERTY_NAMES}
    properties["routing_key"] = message.routing_key
    properties["exchange"] = message.exchange
    properties["redelivered"] = getattr(message.delivery, "redelivered", None)
    headers = dict(props.headers or {})
    return Received(bytes(message.body), properties, headers)


class Broker:
    """One connection to RabbitMQ, used from synchronous test code."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="broker", daemon=True)
        self._thread.start()
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None

    @classmethod
    def connect(cls, url: str, timeout: float = 5.0) -> Broker:
        broker = cls(url)
        try:
            broker.call(broker._open, timeout)
        except BaseException:
            broker.close()
            raise
        return broker

    def call(self, make: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
        """Runs the coroutine ``make()`` on the broker's loop and waits for its result."""

        async def run() -> T:
            return await asyncio.wait_for(make(), timeout)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout + 5)

    async def _open(self) -> None:
        self._connection = await aiormq.connect(self.url)

    async def channel(self) -> AbstractChannel:
        """The broker's channel, opened again when an error (a passive declare of a missing
        queue, say) closed it."""
        if self._channel is None or self._channel.is_closed:
            assert self._connection is not None, "the broker is not connected"
            self._channel = await self._connection.channel()
        return self._channel

    def close(self) -> None:
        if self._connection is not None:
            connection = self._connection
            self._connection = None
            with contextlib.suppress(Exception):
                self.call(connection.close, 5.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    # -- operations -------------------------------------------------------------------------

    def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        headers: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Publishes ``body`` with publisher confirms; ``properties`` by pamqp names
        (``expiration`` as a string of milliseconds). aiormq gives a message without a
        ``message_id`` property a random one (uuid hex); the reference never sets it."""
        props = dict(properties or {})
        if headers is not None:
            props["headers"] = dict(headers)

        async def publish() -> None:
            channel = await self.channel()
            await channel.basic_publish(
                body,
                exchange=exchange,
                routing_key=routing_key,
                properties=Basic.Properties(**props),
            )

        self.call(publish)

    def get(self, queue: str, timeout: float = 5.0) -> Received | None:
        """The next message on ``queue`` (acknowledged), waiting up to ``timeout`` seconds."""

        async def get() -> Received | None:
            deadline = time.monotonic() + timeout
            while True:
                channel = await self.channel()
                message = await channel.basic_get(queue, no_ack=True)
                if isinstance(message.delivery, Basic.GetOk):
                    return _received(message)
                if time.monotonic() >= deadline:
                    return None
                await asyncio.sleep(0.02)

        return self.call(get, timeout + 10)

    def drain(self, queue: str) -> list[Received]:
        """Every message on ``queue`` now, acknowledged."""

        async def drain() -> list[Received]:
            found: list[Received] = []
            channel = await self.channel()
            while True:
                message = await channel.basic_get(queue, no_ack=True)
                if not isinstance(message.delivery, Basic.GetOk):
                    return found
                found.append(_received(message))

        return self.call(drain)

    def counts(self, queue: str) -> tuple[int, int]:
        """``(messages ready, consumers)`` of ``queue``, by a passive declare."""

        async def declare() -> tuple[int, int]:
            channel = await self.channel()
            ok = await channel.queue_declare(queue, passive=True)
            assert ok is not None
            return ok.message_count or 0, ok.consumer_count or 0

        return self.call(declare)

    def consumer_count(self, queue: str) -> int:
        return self.counts(queue)[1]

    def message_count(self, queue: str) -> int:
        return self.counts(queue)[0]

    def wait_for(
        self, check: Callable[[], bool], timeout: float = 10.0, what: str = "a condition"
    ) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.05)

    def topology(self, steps: Iterable[str] = ("step_1",)) -> Topology:
        topology = Topology(self)
        topology.declare()
        for step in steps:
            topology.add_step(step)
        return topology


# -- one test's exchange and queues ----------------------------------------------------------


@dataclass(frozen=True)
class StepQueues:
    """The names of one step's queue and routing keys. ``queues[kind]`` receives what the
    step's sailor publishes with ``keys[kind]`` (kind: data, error, rebound, snapshot)."""

    step_id: str
    input_queue: str
    keys: Mapping[str, str]
    queues: Mapping[str, str]

    @property
    def data_key(self) -> str:
        return self.keys["data"]

    @property
    def error_key(self) -> str:
        return self.keys["error"]

    @property
    def rebound_key(self) -> str:
        return self.keys["rebound"]

    @property
    def snapshot_key(self) -> str:
        return self.keys["snapshot"]


@dataclass(frozen=True)
class SentMessage:
    """A message ``Topology.send`` published: its headers and what it carried."""

    message_id: str
    thread_id: str
    message: dict[str, Any]
    content: bytes
    headers: dict[str, Any]


@dataclass
class Topology:
    """A direct exchange ``test-<uuid>`` (the sailors' ``PUBLISH_MESSAGES_TO``) and queues whose
    names start with it; ``delete()`` removes them (and they expire by themselves after ten
    idle minutes should a test process die first)."""

    broker: Broker
    name: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")
    flow_id: str = field(default_factory=lambda: f"flow-{uuid.uuid4().hex[:12]}")
    steps: dict[str, StepQueues] = field(default_factory=dict)
    _queues: list[str] = field(default_factory=list)

    @property
    def exchange(self) -> str:
        return self.name

    @property
    def reply_queue(self) -> str:
        """The queue bound to ``reply_key``: pass ``reply_to=topology.reply_key`` to ``send``
        and httpReply messages (and error replies) land here."""
        return f"{self.name}.reply"

    @property
    def reply_key(self) -> str:
        return f"{self.name}.reply"

    def declare(self) -> None:
        async def declare() -> None:
            channel = await self.broker.channel()
            await channel.exchange_declare(self.exchange, exchange_type="direct")

        self.broker.call(declare)
        self.declare_queue(self.reply_queue, bind_to=[self.reply_key])

    def declare_queue(
        self,
        queue: str,
        *,
        bind_to: Iterable[str] = (),
        arguments: Mapping[str, Any] | None = None,
    ) -> None:
        """Declares ``queue`` and binds it to the exchange with each key in ``bind_to``."""
        args = {"x-expires": 600_000, **(arguments or {})}

        async def declare() -> None:
            channel = await self.broker.channel()
            await channel.queue_declare(queue, arguments=args)
            for key in bind_to:
                await channel.queue_bind(queue, self.exchange, routing_key=key)

        self.broker.call(declare)
        if queue not in self._queues:
            self._queues.append(queue)

    def bind(self, queue: str, routing_key: str) -> None:
        async def bind() -> None:
            channel = await self.broker.channel()
            await channel.queue_bind(queue, self.exchange, routing_key=routing_key)

        self.broker.call(bind)

    def add_step(self, step_id: str, *, rebound_loop: bool = False) -> StepQueues:
        """The queues of ``step_id``. With ``rebound_loop``, rebounds wait out their
        ``expiration`` in the rebound queue and then go back to the input queue, as on the
        platform (and are not there to ``get``)."""
        prefix = f"{self.name}.{step_id}"
        keys = {kind: f"{prefix}.{kind}" for kind in RESULT_KINDS}
        queues = {kind: f"{prefix}.{kind}.out" for kind in RESULT_KINDS}
        step = StepQueues(step_id, f"{prefix}.messages", keys, queues)
        self.declare_queue(step.input_queue)
        for kind in RESULT_KINDS:
            arguments: dict[str, Any] = {}
            if kind == "rebound" and rebound_loop:
                arguments = {
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": step.input_queue,
                }
            self.declare_queue(queues[kind], bind_to=[keys[kind]], arguments=arguments)
        self.steps[step_id] = step
        return step

    def chain(self, from_step: str, to_step: str) -> None:
        """``from_step``'s data also goes to ``to_step``'s input queue, as in a flow."""
        self.bind(self.steps[to_step].input_queue, self.steps[from_step].data_key)

    def delete(self) -> None:
        async def delete() -> None:
            channel = await self.broker.channel()
            for queue in self._queues:
                with contextlib.suppress(aiormq.AMQPError):
                    channel = await self.broker.channel()
                    await channel.queue_delete(queue)
            channel = await self.broker.channel()
            with contextlib.suppress(aiormq.AMQPError):
                await channel.exchange_delete(self.exchange)

        self.broker.call(delete, 30.0)

    # -- messages ---------------------------------------------------------------------------

    def publish(
        self,
        queue_or_key: str,
        body: bytes,
        headers: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Publishes straight to a queue of this topology (through the default exchange), or
        else to the topology's exchange with ``queue_or_key`` as the routing key."""
        exchange = "" if queue_or_key in self._queues else self.exchange
        self.broker.publish(exchange, queue_or_key, body, headers=headers, properties=properties)

    def get(self, queue: str, timeout: float = 10.0) -> Received | None:
        return self.broker.get(queue, timeout)

    def drain(self, queue: str) -> list[Received]:
        return self.broker.drain(queue)

    def send(
        self,
        step_id: str,
        body: Any,
        *,
        protocol_version: int = 1,
        message_id: str | None = None,
        thread_id: str | None = None,
        reply_to: str | None = None,
        headers: Mapping[str, Any] | None = None,
        message: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        encryptor: Encryptor | None = None,
    ) -> SentMessage:
        """Sends ``body`` to ``step_id``'s input queue as the platform does: encrypted,
        with ``platform_headers``; ``message`` adds fields (``passthrough``, ``headers``,
        ``attachments``) to the message, ``headers`` to the AMQP headers."""
        built = platform_message(body, **dict(message or {}))
        amqp_headers = platform_headers(
            message_id=message_id,
            thread_id=thread_id,
            protocol_version=protocol_version,
            reply_to=reply_to,
            extra=headers,
        )
        content = encode_message(built, protocol_version, encryptor or make_encryptor())
        self.publish(
            self.steps[step_id].input_queue,
            content,
            amqp_headers,
            {**PLATFORM_PROPERTIES, **dict(properties or {})},
        )
        return SentMessage(
            amqp_headers["messageId"], amqp_headers["threadId"], built, content, amqp_headers
        )

    def receive(self, step_id: str, kind: str = "data", timeout: float = 10.0) -> Received:
        """The next message ``step_id``'s sailor published as ``kind``; fails on timeout."""
        queue = self.steps[step_id].queues[kind]
        found = self.broker.get(queue, timeout)
        if found is None:
            raise AssertionError(f"no {kind} message from {step_id} within {timeout} s")
        return found

    def receive_from(self, queue: str, timeout: float = 10.0) -> Received:
        """The next message on ``queue``; fails on timeout."""
        found = self.broker.get(queue, timeout)
        if found is None:
            raise AssertionError(f"nothing on {queue} within {timeout} s")
        return found

    def receive_reply(self, timeout: float = 10.0) -> Received:
        found = self.broker.get(self.reply_queue, timeout)
        if found is None:
            raise AssertionError(f"no message on the reply queue within {timeout} s")
        return found


# -- messages as the platform sends them -----------------------------------------------------

PLATFORM_PROPERTIES: Mapping[str, Any] = {
    "content_type": "application/json",
    "content_encoding": "utf8",
    "delivery_mode": 1,
}
"""The AMQP properties a sailor publishes with (and so the platform delivers)."""


def platform_message(
    body: Any,
    *,
    id: str | None = None,
    headers: Mapping[str, Any] | None = None,
    attachments: Mapping[str, Any] | None = None,
    passthrough: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An elastic.io message: ``{id, attachments, body, headers[, passthrough]}``."""
    message: dict[str, Any] = {
        "id": id or str(uuid.uuid4()),
        "attachments": dict(attachments or {}),
        "body": body,
        "headers": dict(headers or {}),
    }
    if passthrough is not None:
        message["passthrough"] = dict(passthrough)
    message.update(extra)
    return message


def platform_headers(
    *,
    message_id: str | None = None,
    thread_id: str | None = None,
    step_id: str = PREVIOUS_STEP_ID,
    protocol_version: int = 1,
    reply_to: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """AMQP headers of a message from the step before: ``messageId``, ``threadId``,
    ``stepId``, ``protocolVersion`` (and ``reply_to`` for a webhook waiting for its reply).
    The reference sailor acks by ``messageId``: a message without one is never acked."""
    headers: dict[str, Any] = {
        "messageId": message_id or str(uuid.uuid4()),
        "threadId": thread_id or str(uuid.uuid4()),
        "stepId": step_id,
        "protocolVersion": protocol_version,
    }
    if reply_to is not None:
        headers["reply_to"] = reply_to
    headers.update(extra or {})
    return headers


def encode_message(
    message: Any, protocol_version: int = 1, encryptor: Encryptor | None = None
) -> bytes:
    """``message`` encrypted as the platform carries it: base64 text for protocol version 1,
    raw bytes for 2."""
    return (encryptor or make_encryptor()).encrypt_message(
        message, base64_text=protocol_version < 2
    )


def decode_data(received: Received, encryptor: Encryptor | None = None) -> Any:
    """A data or httpReply message, decrypted by its ``protocolVersion`` header, as the
    reference reads its input."""
    version = int(received.headers.get("protocolVersion") or 1)
    return (encryptor or make_encryptor()).decrypt_message(received.body, base64_text=version < 2)


def decode_error(received: Received, encryptor: Encryptor | None = None) -> dict[str, Any]:
    """An error message: ``{"error": {name, message, stack}, "errorInput": <message>}``, both
    decrypted (they are base64 whatever the protocol version)."""
    crypto = encryptor or make_encryptor()
    payload = json.loads(received.body)
    decoded = dict(payload)
    if payload.get("error"):
        decoded["error"] = crypto.decrypt_message(payload["error"].encode(), base64_text=True)
    if payload.get("errorInput"):
        decoded["errorInput"] = crypto.decrypt_message(
            payload["errorInput"].encode(), base64_text=True
        )
    return decoded


def decode_error_reply(received: Received, encryptor: Encryptor | None = None) -> Any:
    """The copy of an error sent to ``reply_to``: only the encrypted ``{name, message,
    stack}``, base64."""
    return (encryptor or make_encryptor()).decrypt_message(received.body, base64_text=True)


def decode_snapshot(received: Received) -> Any:
    """A snapshot message: plain JSON, not encrypted."""
    return json.loads(received.body)


# -- the environment of one step ----------------------------------------------------------------


def sailor_env(
    topology: Topology,
    step_id: str,
    platform: FakePlatform,
    *,
    function: str = "echo",
    component_path: str = "",
    amqp_url: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Every ``ELASTICIO_*`` variable of ``step_id`` of ``topology``'s flow, with ``overrides``
    (full names; None removes one). Registers an empty step with ``platform`` unless one is
    registered, since a sailor exits when the step cannot be fetched."""
    step = topology.steps[step_id]
    if (topology.flow_id, step_id) not in platform.steps:
        platform.add_step(topology.flow_id, step_id)
    env = {
        "ELASTICIO_FLOW_ID": topology.flow_id,
        "ELASTICIO_EXEC_ID": EXEC_ID,
        "ELASTICIO_STEP_ID": step_id,
        "ELASTICIO_CONTAINER_ID": f"container-{step_id}",
        "ELASTICIO_WORKSPACE_ID": WORKSPACE_ID,
        "ELASTICIO_USER_ID": USER_ID,
        "ELASTICIO_COMP_ID": COMP_ID,
        "ELASTICIO_FUNCTION": function,
        "ELASTICIO_API_URI": platform.url,
        "ELASTICIO_API_USERNAME": platform.username,
        "ELASTICIO_API_KEY": platform.api_key,
        "ELASTICIO_AMQP_URI": amqp_url or topology.broker.url,
        "ELASTICIO_LISTEN_MESSAGES_ON": step.input_queue,
        "ELASTICIO_PUBLISH_MESSAGES_TO": topology.exchange,
        "ELASTICIO_DATA_ROUTING_KEY": step.data_key,
        "ELASTICIO_ERROR_ROUTING_KEY": step.error_key,
        "ELASTICIO_REBOUND_ROUTING_KEY": step.rebound_key,
        "ELASTICIO_SNAPSHOT_ROUTING_KEY": step.snapshot_key,
        "ELASTICIO_MESSAGE_CRYPTO_IV": TEST_CRYPTO_IV,
        "ELASTICIO_MESSAGE_CRYPTO_PASSWORD": TEST_CRYPTO_PASSWORD,
        "ELASTICIO_COMPONENT_PATH": component_path,
        "ELASTICIO_OBJECT_STORAGE_URI": platform.url,
        "ELASTICIO_OBJECT_STORAGE_TOKEN": platform.object_storage_token,
    }
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def service_env(
    platform: FakePlatform,
    *,
    cfg: Mapping[str, Any],
    component_path: str = "",
    action_or_trigger: str | None = None,
    get_model_method: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """The environment of a service call (runService.js): its result goes to
    ``platform.result_url``, with Basic credentials in the URL."""
    env = {
        "ELASTICIO_POST_RESULT_URL": platform.result_url,
        "ELASTICIO_CFG": json.dumps(dict(cfg)),
        "ELASTICIO_API_URI": platform.url,
        "ELASTICIO_API_USERNAME": platform.username,
        "ELASTICIO_API_KEY": platform.api_key,
        "ELASTICIO_COMPONENT_PATH": component_path,
    }
    if action_or_trigger is not None:
        env["ELASTICIO_ACTION_OR_TRIGGER"] = action_or_trigger
    if get_model_method is not None:
        env["ELASTICIO_GET_MODEL_METHOD"] = get_model_method
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _run(argv: list[str], env: Mapping[str, str], cwd: Path, timeout: float) -> Any:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("ELASTICIO_")}
    child_env.update(env)
    return subprocess.run(
        argv, cwd=cwd, env=child_env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_node_service(
    method: str,
    env: Mapping[str, str],
    cwd: Path = COMPONENTS_DIR / "relay",
    *,
    timeout: float = 30.0,
) -> subprocess.CompletedProcess[str]:
    """``node runService.js METHOD`` (verifyCredentials, getMetaModel, selectModel) to the end."""
    run_service = node_sailor_dir() / "node_modules" / PACKAGE / "runService.js"
    found: subprocess.CompletedProcess[str] = _run(
        ["node", str(run_service), method], node_component_cwd(env, cwd), cwd, timeout
    )
    return found


def run_python_service(
    method: str,
    env: Mapping[str, str],
    cwd: Path = REPO_ROOT,
    *,
    timeout: float = 30.0,
) -> subprocess.CompletedProcess[str]:
    """``python -m picsart_component.sailor service METHOD`` to the end."""
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    found: subprocess.CompletedProcess[str] = _run(
        [sys.executable, "-m", "picsart_component.sailor", "service", method],
        {"PYTHONPATH": python_path, **env},
        cwd,
        timeout,
    )
    return found


PY_RELAY = Path(__file__).resolve().parent / "py_components" / "relay"
"""The Python twin of the Node relay component: echoes and emits every event on request."""


def relay_env(
    topology: Topology,
    platform: FakePlatform,
    function: str = "relay",
    amqp_url: str | None = None,
    **overrides: str,
) -> dict[str, str]:
    """``sailor_env`` for ``step_1`` running the Python relay component."""
    return sailor_env(
        topology,
        "step_1",
        platform,
        function=function,
        component_path=str(PY_RELAY),
        amqp_url=amqp_url,
        overrides=overrides,
    )


# -- sailor processes ---------------------------------------------------------------------------

NODE_READY_LINE = "Fully initialized and waiting for messages"


class SailorProcess:
    """A sailor in a child process of its own session (a ^C to pytest does not reach it), its
    stdout and stderr in files under ``log_dir``."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: Mapping[str, str],
        cwd: Path,
        log_dir: Path,
        *,
        broker: Broker | None = None,
        ready_line: str | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.cwd = cwd
        self.broker = broker
        self.ready_line = ready_line
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = log_dir / f"{name}.stdout.log"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("ELASTICIO_")}
        child_env.update(self.env)
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    @property
    def queue(self) -> str:
        return self.env["ELASTICIO_LISTEN_MESSAGES_ON"]

    def logs(self) -> str:
        """Everything the sailor wrote so far, stdout then stderr."""
        out = self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""
        err = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return out + (f"\n--- stderr ---\n{err}" if err else "")

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines of stdout (bunyan's, for the Node sailor), parsed."""
        records: list[dict[str, Any]] = []
        if not self.stdout_path.exists():
            return records
        for line in self.stdout_path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records

    def _failure(self, what: str) -> AssertionError:
        return AssertionError(f"sailor {self.name} {what}; its logs:\n{self.logs()[-6000:]}")

    def wait_ready(self, timeout: float = 30.0, consumers: int = 1) -> SailorProcess:
        """Waits until the input queue has ``consumers`` consumers (with a broker) or the
        ready line shows in the logs; fails, with the logs, if the sailor exits first."""
        deadline = time.monotonic() + timeout
        while True:
            code = self.popen.poll()
            if code is not None:
                raise self._failure(f"exited with {code} before it was ready")
            if self.broker is not None:
                if self.broker.consumer_count(self.queue) >= consumers:
                    return self
            elif self.ready_line is not None and self.ready_line in self.logs():
                return self
            if time.monotonic() >= deadline:
                raise self._failure(f"was not ready within {timeout} s")
            time.sleep(0.05)

    def wait(self, timeout: float = 15.0) -> int:
        """The exit code, waiting up to ``timeout``; fails if it is still running."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise self._failure(f"still runs after {timeout} s") from None

    def send_signal(self, signum: int) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signum)

    def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM, then the exit code (a graceful sailor exits 0)."""
        self.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> int:
        """SIGKILL, then the exit code (``-9``)."""
        self.send_signal(signal.SIGKILL)
        return self.popen.wait(10)

    def __enter__(self) -> SailorProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.popen.poll() is None:
            self.kill()


def node_component_cwd(env: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """The Node sailor joins ``COMPONENT_PATH`` to its working folder even when it is absolute
    (``path.join(process.cwd(), path)``): an absolute path is made relative to ``cwd``."""
    fixed = dict(env)
    path = fixed.get("ELASTICIO_COMPONENT_PATH", "")
    if path and os.path.isabs(path):
        fixed["ELASTICIO_COMPONENT_PATH"] = os.path.relpath(path, cwd)
    return fixed


def start_node_sailor(
    env: Mapping[str, str],
    cwd: Path = COMPONENTS_DIR / "relay",
    *,
    broker: Broker | None = None,
    log_dir: Path | None = None,
    name: str = "node",
) -> SailorProcess:
    """The reference sailor (``node .../elasticio-sailor-nodejs/run.js``) for the component in
    ``cwd`` joined with ``COMPONENT_PATH``."""
    run_js = node_sailor_dir() / "node_modules" / PACKAGE / "run.js"
    return SailorProcess(
        name,
        ["node", str(run_js)],
        node_component_cwd(env, cwd),
        cwd,
        log_dir or Path(tempfile.mkdtemp(prefix="sailor-logs-")),
        broker=broker,
        ready_line=NODE_READY_LINE,
    )


def start_python_sailor(
    env: Mapping[str, str],
    cwd: Path = REPO_ROOT,
    *,
    broker: Broker | None = None,
    log_dir: Path | None = None,
    name: str = "python",
    ready_line: str | None = None,
) -> SailorProcess:
    """``python -m picsart_component.sailor`` with the checkout first on ``PYTHONPATH``."""
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    child_env = {"PYTHONPATH": python_path, "PYTHONUNBUFFERED": "1", **env}
    return SailorProcess(
        name,
        [sys.executable, "-m", "picsart_component.sailor"],
        child_env,
        cwd,
        log_dir or Path(tempfile.mkdtemp(prefix="sailor-logs-")),
        broker=broker,
        ready_line=ready_line,
    )


class SailorLauncher:
    """Starts sailors for one test and kills those still running at its end, printing every
    sailor's logs (pytest shows them when the test failed)."""

    def __init__(self, broker: Broker | None, log_dir: Path) -> None:
        self.broker = broker
        self.log_dir = log_dir
        self.started: list[SailorProcess] = []

    def _name(self, base: str) -> str:
        taken = {sailor.name for sailor in self.started}
        if base not in taken:
            return base
        return next(f"{base}-{n}" for n in range(2, 1000) if f"{base}-{n}" not in taken)

    def node(
        self, env: Mapping[str, str], cwd: Path = COMPONENTS_DIR / "relay", *, name: str = "node"
    ) -> SailorProcess:
        sailor = start_node_sailor(
            env, cwd, broker=self.broker, log_dir=self.log_dir, name=self._name(name)
        )
        self.started.append(sailor)
        return sailor

    def python(
        self, env: Mapping[str, str], cwd: Path = REPO_ROOT, *, name: str = "python"
    ) -> SailorProcess:
        sailor = start_python_sailor(
            env, cwd, broker=self.broker, log_dir=self.log_dir, name=self._name(name)
        )
        self.started.append(sailor)
        return sailor

    def stop_all(self) -> None:
        for sailor in self.started:
            if sailor.returncode is None:
                sailor.kill()
            print(f"\n===== sailor {sailor.name} (exit {sailor.returncode}) =====")
            print(sailor.logs()[-20000:])


# -- an action held until the test lets it go -----------------------------------------------


class Gate:
    """A FIFO that a relay's ``{"do": "wait", "gate": path}`` opens and reads (both relays):
    ``entered()`` returns once an action has opened it, that is, once the action runs, and holds
    it there; ``release()`` lets it finish (or, when its sailor died meanwhile, lets nobody go).
    No waiting on the clock: a FIFO's two ends open together."""

    def __init__(self, folder: Path, name: str = "gate") -> None:
        self.path = folder / f"{name}.fifo"
        os.mkfifo(self.path)
        self._writer: int | None = None

    def entered(self, timeout: float = 20.0) -> Gate:
        """Waits for an action to open the gate; fails after ``timeout`` seconds."""
        assert self._writer is None, "release the gate before waiting for the next action"
        opened: list[int] = []
        opener = threading.Thread(
            target=lambda: opened.append(os.open(self.path, os.O_WRONLY)), daemon=True
        )
        opener.start()
        opener.join(timeout)
        if not opened:
            # Unblock the opener (a reader of our own), then give up.
            reader = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            opener.join(5)
            os.close(reader)
            for fd in opened:
                os.close(fd)
            raise AssertionError(f"no action reached the gate within {timeout} s")
        self._writer = opened[0]
        return self

    def release(self) -> None:
        if self._writer is not None:
            os.close(self._writer)
            self._writer = None


# -- connection cuts ------------------------------------------------------------------------------


class TcpProxy:
    """A loopback TCP relay to ``target``: give sailors ``url_for(amqp_url)``; ``cut()`` drops
    every open connection, ``refuse = True`` drops new ones at once."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.refuse = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        # Closing a listening socket does not wake a blocked accept(): poll instead.
        self._listener.settimeout(0.1)
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    @classmethod
    def for_url(cls, url: str) -> TcpProxy:
        parts = urlsplit(url)
        return cls((parts.hostname or "127.0.0.1", parts.port or 5672))

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def url_for(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def cut(self) -> int:
        """Closes every relayed connection; how many there were."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        return len(pairs)

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.cut()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if self.refuse:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                self._pairs.append(pair)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink, pair), daemon=True).start()

    def _pump(
        self, source: socket.socket, sink: socket.socket, pair: tuple[socket.socket, socket.socket]
    ) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        with self._lock:
            if pair in self._pairs:
                self._pairs.remove(pair)
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def connect_broker() -> Broker:
    """A ``Broker`` on ``PICSART_TEST_AMQP_URL``; skips (fails under ``CI=true``) when
    RabbitMQ does not answer."""
    url = amqp_url()
    try:
        return Broker.connect(url, timeout=5.0)
    except Exception as error:  # any failure to connect means there is no broker
        where = f"{urlsplit(url).hostname}:{urlsplit(url).port or 5672}"
        unavailable(
            f"RabbitMQ at {where} (PICSART_TEST_AMQP_URL) does not answer "
            f"({type(error).__name__}: {error})"
        )
