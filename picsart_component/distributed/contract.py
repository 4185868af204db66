"""What ``flow run --broker`` and ``flow worker`` agree on, so that independent machines meet.

Both sides derive every name from the flow file's content and the ``--run`` name, read the broker
URL, the message cipher and Redis from the same variables, and lay out the same topology (declaring
it twice is harmless), so either may start first:

- one topic exchange, ``picsart-flow.<flow hash>[.<run>]``;
- per step, a queue ``<exchange>:<step>:messages`` bound to the data key of the step before it
  (``input.message`` for the first), and a queue ``<exchange>:<step>:rebounds`` where a rebound
  waits for its expiration before the broker dead-letters it back to the step;
- one queue ``<exchange>:results``, bound to the last step's data key and every step's error key,
  which the run that published the items reads.

Messages are the platform's: encrypted with ``ELASTICIO_MESSAGE_CRYPTO_PASSWORD`` and ``_IV``,
carrying the item, its run and the earlier steps' outputs in the passthrough.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aio_pika

from ..flows.model import INPUT_NAME, Flow
from ..frontend_settings import BROKER_URL_VARIABLE
from ..lib.settings import ComponentSettings
from ..sailor.crypto import Encryptor
from ..sailor.settings import CRYPTO_SETTINGS, OPTIONAL, PREFIX, SailorSettings

CRYPTO_VARIABLES = tuple(PREFIX + key for key in CRYPTO_SETTINGS)
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
FLOW_HASH_LENGTH = 16
INPUT_ROUTING_KEY = f"{INPUT_NAME}.message"
ITEM_HEADER = "item"
RUN_HEADER = "run"
CFG_HEADER = "cfg"
CREDITS_HEADER = "picsartCreditsAvailable"
"""Set on each step's output message: the credits Picsart said were left after the step."""

# The platform's defaults of 10 data and 2 error messages per 100 ms would cap a flow far below
# Picsart's own limit; here the broker and the shared rate limit pace the work.
_SAILOR_DEFAULTS = {
    "DATA_RATE_LIMIT": 100000,
    "ERROR_RATE_LIMIT": 100000,
    "SNAPSHOT_RATE_LIMIT": 100000,
    "PROTOCOL_VERSION": 2,
    "AMQP_PERSISTENT_MESSAGES": "true",
}


class ContractError(ValueError):
    """A setting both sides need is missing or wrong; the message names it."""


def check_run_name(name: str | None) -> str | None:
    if name is not None and not RUN_NAME.match(name):
        raise ContractError(
            f"--run {name!r}: a run name is 1 to 40 letters, digits, '-' or '_', starting with a "
            "letter or digit"
        )
    return name


def message_encryptor(environ: Mapping[str, str]) -> Encryptor:
    """The platform's message cipher, from the two variables every side must set alike
    (``environ``: the platform's variables, ``FrontEndSettings.platform``)."""
    missing = [name for name in CRYPTO_VARIABLES if not environ.get(name)]
    if missing:
        raise ContractError(
            f"{' and '.join(missing)} must be set: in broker mode every message is encrypted "
            "as on the platform, and every worker and the run must share the same password and "
            "IV (the IV is 16 characters)"
        )
    try:
        return Encryptor(environ[CRYPTO_VARIABLES[0]], environ[CRYPTO_VARIABLES[1]])
    except ValueError as error:
        raise ContractError(f"ELASTICIO_{error}") from None


def broker_url(given: str | None, configured: str | None) -> str:
    """``--broker``, else ``PICSART_BROKER_URL`` (``configured``), checked."""
    url = given or configured
    if not url:
        raise ContractError(f"no broker: give --broker amqp://... or set {BROKER_URL_VARIABLE}")
    if not url.startswith(("amqp://", "amqps://")):
        raise ContractError(f"--broker must be an amqp:// or amqps:// URL, not {url[:12]!r}...")
    return url


def redis_url(settings: ComponentSettings) -> str:
    """Redis holds the record of every paid call in broker mode (and the shared rate limit)."""
    url = settings.shared_limit_url
    if url is None:
        raise ContractError(
            "PICSART_REDIS_URL (or --redis) must be set: in broker mode every paid call is "
            "recorded in Redis before and after it is made, so that a worker that dies never "
            "gets a call repeated, and every worker shares one rate limit"
        )
    return url.get_secret_value()


@dataclass(frozen=True)
class DeclaredQueue:
    messages: int
    consumers: int


@dataclass(frozen=True)
class FlowTopology:
    """The names of one flow's (or one named run's) exchange, queues and routing keys."""

    exchange: str
    steps: tuple[str, ...]
    run_name: str | None = None

    @classmethod
    def of(cls, flow: Flow, run_name: str | None) -> FlowTopology:
        name = f"picsart-flow.{flow.fingerprint[:FLOW_HASH_LENGTH]}"
        if run_name:
            name += f".{run_name}"
        return cls(name, tuple(flow.step_ids()), run_name)

    @property
    def results_queue(self) -> str:
        return f"{self.exchange}:results"

    def messages_queue(self, step: str) -> str:
        return f"{self.exchange}:{step}:messages"

    def rebounds_queue(self, step: str) -> str:
        return f"{self.exchange}:{step}:rebounds"

    @staticmethod
    def data_key(step: str) -> str:
        return f"{step}.message"

    @staticmethod
    def error_key(step: str) -> str:
        return f"{step}.error"

    @staticmethod
    def rebound_key(step: str) -> str:
        return f"{step}.rebound"

    @staticmethod
    def snapshot_key(step: str) -> str:
        return f"{step}.snapshot"

    def input_key(self, step: str) -> str:
        """The data key the step listens to: the step before it, or the run's items."""
        index = self.steps.index(step)
        return INPUT_ROUTING_KEY if index == 0 else self.data_key(self.steps[index - 1])

    def all_queues(self) -> list[str]:
        queues = [self.results_queue]
        for step in self.steps:
            queues += [self.messages_queue(step), self.rebounds_queue(step)]
        return queues

    async def declare(self, channel: Any) -> dict[str, DeclaredQueue]:
        """Declares the exchange, queues and bindings on an aio-pika channel (idempotent);
        returns what each queue holds and how many consume it."""
        exchange = await channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        counts: dict[str, DeclaredQueue] = {}
        for step in self.steps:
            messages = await channel.declare_queue(self.messages_queue(step), durable=True)
            await messages.bind(exchange, self.input_key(step))
            rebounds = await channel.declare_queue(
                self.rebounds_queue(step),
                durable=True,
                arguments={
                    "x-dead-letter-exchange": self.exchange,
                    "x-dead-letter-routing-key": self.input_key(step),
                },
            )
            await rebounds.bind(exchange, self.rebound_key(step))
            counts[messages.name] = _declared(messages)
            counts[rebounds.name] = _declared(rebounds)
        results = await channel.declare_queue(self.results_queue, durable=True)
        await results.bind(exchange, self.data_key(self.steps[-1]))
        for step in self.steps:
            await results.bind(exchange, self.error_key(step))
        counts[results.name] = _declared(results)
        return counts

    async def delete(self, channel: Any) -> None:
        """Deletes the run's queues and exchange (with whatever they still hold)."""
        for queue in self.all_queues():
            await channel.queue_delete(queue)
        await channel.exchange_delete(self.exchange)

    def sailor_settings(
        self,
        step: str,
        action: str,
        *,
        amqp_url: str,
        environ: Mapping[str, str],
        worker_id: str,
        prefetch: int,
    ) -> SailorSettings:
        """The settings of the sailor that runs ``step`` here, as the platform would set them.
        ``ELASTICIO_*`` tunables the user set (rebound expiration and limit, say) are kept;
        ``environ`` holds them and the message cipher (``FrontEndSettings.platform``)."""
        values: dict[str, Any] = {
            "FLOW_ID": self.exchange,
            "EXEC_ID": self.exchange,
            "STEP_ID": step,
            "CONTAINER_ID": worker_id,
            "WORKSPACE_ID": "picsart-flow",
            "USER_ID": "picsart-flow",
            "COMP_ID": "picsart",
            "FUNCTION": action,
            # The step comes from the flow file, so the platform's API is never called.
            "API_URI": "http://127.0.0.1:9",
            "API_USERNAME": "picsart-flow",
            "API_KEY": "unused",
            "AMQP_URI": amqp_url,
            "LISTEN_MESSAGES_ON": self.messages_queue(step),
            "PUBLISH_MESSAGES_TO": self.exchange,
            "DATA_ROUTING_KEY": self.data_key(step),
            "ERROR_ROUTING_KEY": self.error_key(step),
            "REBOUND_ROUTING_KEY": self.rebound_key(step),
            "SNAPSHOT_ROUTING_KEY": self.snapshot_key(step),
            **{key: environ.get(PREFIX + key, "") for key in CRYPTO_SETTINGS},
            **_SAILOR_DEFAULTS,
            "RABBITMQ_PREFETCH_SAILOR": prefetch,
        }
        for key in OPTIONAL:
            if key != "RABBITMQ_PREFETCH_SAILOR" and environ.get(PREFIX + key):
                values[key] = environ[PREFIX + key]
        synthesized = {PREFIX + key: str(value) for key, value in values.items()}
        return SailorSettings.from_environ(synthesized)


def _declared(queue: Any) -> DeclaredQueue:
    result = getattr(queue, "declaration_result", None)
    return DeclaredQueue(
        int(getattr(result, "message_count", 0) or 0),
        int(getattr(result, "consumer_count", 0) or 0),
    )
