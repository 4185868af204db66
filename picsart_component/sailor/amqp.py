"""The sailor's RabbitMQ side, as the reference's ``lib/amqp.js`` does it, on aio-pika.

Two connections, one to read and one to write, so that a slow consumer never holds back
publishing. The consumer channel has the step's prefetch; the publish channel confirms every
message, and a publish that fails is retried with the reference's backoff until the connection
is back. Nothing is declared: the platform owns the topology.

Connections are robust (aio-pika reconnects and consumes again). A message in flight when its
channel closed is redelivered on the new one; the delivery is then remembered under the message's
``messageId`` (the reference's ``messagesDB``), the redelivery is not processed again, and the
first run acks or rejects the newest delivery.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    DeliveryMode,
)

from .settings import SailorSettings

log = logging.getLogger("picsart.sailor.amqp")

RECONNECT_INTERVAL = 1.0
"""Seconds between attempts to get a lost connection back (the reference tries again at once,
on the next use)."""

SETTLE_ATTEMPTS = 3
"""Channels a message's ack may follow it across before the broker is left to deliver it again."""

Handler = Callable[[AbstractIncomingMessage], Awaitable[None]]


def publish_delay(settings: SailorSettings, iteration: int) -> float:
    """Seconds before publish attempt ``iteration + 1``: ``min(delay · 2^iteration, max)``."""
    delay_ms = min(
        settings["AMQP_PUBLISH_RETRY_DELAY"] * 2**iteration,
        settings["AMQP_PUBLISH_MAX_RETRY_DELAY"],
    )
    return float(delay_ms) / 1000


class Throttle:
    """At most ``limit`` passes per ``interval_ms``, in order, as the reference's p-throttle."""

    def __init__(self, limit: int, interval_ms: int) -> None:
        self.limit = max(1, int(limit))
        self.interval = interval_ms / 1000
        self._passed: deque[float] = deque()
        self._lock = asyncio.Lock()

    def _forget(self, now: float) -> None:
        while self._passed and now - self._passed[0] >= self.interval:
            self._passed.popleft()

    async def wait(self) -> None:
        now = time.monotonic()
        self._forget(now)
        if len(self._passed) < self.limit and not self._lock.locked():
            self._passed.append(now)
            return
        async with self._lock:
            now = time.monotonic()
            self._forget(now)
            if len(self._passed) >= self.limit:
                await asyncio.sleep(self.interval - (now - self._passed[0]))
                now = time.monotonic()
                self._forget(now)
            self._passed.append(now)


class Deliveries:
    """The reference's ``messagesDB``: the newest delivery of each message in flight, by id."""

    def __init__(self) -> None:
        self._by_id: dict[str, AbstractIncomingMessage] = {}
        self._updated = asyncio.Condition()

    def get(self, message_id: str) -> AbstractIncomingMessage | None:
        return self._by_id.get(message_id)

    async def add(self, message_id: str, delivery: AbstractIncomingMessage) -> bool:
        """Remember ``delivery``; True when the message was already in flight (a redelivery)."""
        known = message_id in self._by_id
        self._by_id[message_id] = delivery
        if known:
            async with self._updated:
                self._updated.notify_all()
        return known

    def delete(self, message_id: str) -> None:
        self._by_id.pop(message_id, None)

    async def newest_open(
        self, message_id: str, *, timeout: float = 300.0
    ) -> AbstractIncomingMessage | None:
        """The newest delivery of the message on a channel that is still open, waiting for the
        redelivery when the channel it came on has closed; None when none came in ``timeout``
        seconds (the broker then gave it to another sailor of the step)."""
        async with self._updated:
            while True:
                delivery = self._by_id.get(message_id)
                if delivery is None:
                    return None
                if not _channel_closed(delivery):
                    return delivery
                log.debug("waiting for message %s to come again on the new channel", message_id)
                try:
                    await asyncio.wait_for(self._updated.wait(), timeout)
                except asyncio.TimeoutError:
                    return None


def _channel_closed(delivery: AbstractIncomingMessage) -> bool:
    try:
        channel = delivery.channel
    except aio_pika.exceptions.ChannelInvalidStateError:
        return True
    return bool(getattr(channel, "is_closed", False))


class PublishError(RuntimeError):
    """A message that could not be published after every allowed attempt."""


class AmqpConnection:
    """The step's two connections: consume from one queue, publish to one exchange."""

    def __init__(self, settings: SailorSettings) -> None:
        self.settings = settings
        self.deliveries = Deliveries()
        self._read: AbstractRobustConnection | None = None
        self._write: AbstractRobustConnection | None = None
        self._consumer_channel: AbstractChannel | None = None
        self._publish_channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self.closed = True

    async def connect(self) -> None:
        read, write = await asyncio.gather(self._connect("read"), self._connect("write"))
        self._read, self._write = read, write
        self._consumer_channel = await read.channel()
        await self._consumer_channel.set_qos(
            prefetch_count=int(self.settings["RABBITMQ_PREFETCH_SAILOR"])
        )
        self._publish_channel = await write.channel(publisher_confirms=True)
        self._exchange = await self._publish_channel.get_exchange(
            self.settings["PUBLISH_MESSAGES_TO"], ensure=False
        )
        self.closed = False

    async def _connect(self, name: str) -> AbstractRobustConnection:
        attempts = int(self.settings["AMQP_RECONNECT_ATTEMPTS"])
        pause = int(self.settings["AMQP_RECONNECT_TIMEOUT"]) / 1000
        last: BaseException | None = None
        for attempt in range(attempts + 1):
            if attempt:
                await asyncio.sleep(pause)
            try:
                return await aio_pika.connect_robust(
                    self.settings["AMQP_URI"],
                    client_properties={"connection_name": f"{socket.gethostname()}-{name}"},
                    reconnect_interval=RECONNECT_INTERVAL,
                )
            except (OSError, aio_pika.exceptions.AMQPError) as error:
                last = error
                log.error("AMQP %s connection failed (attempt %d): %s", name, attempt + 1, error)
        assert last is not None
        raise last

    async def listen(self, handler: Handler) -> None:
        assert self._consumer_channel is not None
        # A passive declare changes nothing on the broker, and registers the queue with the
        # robust channel, which consumes from it again after a reconnection.
        self._queue = await self._consumer_channel.declare_queue(
            self.settings["LISTEN_MESSAGES_ON"], passive=True
        )
        self._consumer_tag = await self._queue.consume(handler, no_ack=False)
        log.debug("listening for messages on %s", self.settings["LISTEN_MESSAGES_ON"])

    async def stop_consuming(self) -> None:
        if self._queue is not None and self._consumer_tag is not None:
            tag, self._consumer_tag = self._consumer_tag, None
            try:
                await self._queue.cancel(tag)
            except Exception as error:
                log.debug("cancelling the consumer failed: %s", error)

    async def disconnect(self) -> None:
        await self.stop_consuming()
        self.closed = True
        for connection in (self._read, self._write):
            if connection is not None:
                try:
                    await connection.close()
                except Exception as error:
                    log.debug("closing an AMQP connection failed: %s", error)

    async def ack(self, message_id: str | None, delivery: AbstractIncomingMessage) -> None:
        await self._settle(message_id, delivery, accept=True)

    async def reject(self, message_id: str | None, delivery: AbstractIncomingMessage) -> None:
        await self._settle(message_id, delivery, accept=False)

    async def _settle(
        self, message_id: str | None, delivery: AbstractIncomingMessage, *, accept: bool
    ) -> None:
        """Ack or reject the newest delivery of a message. When its channel closes before the
        broker hears it, the settle waits for the message to come again on the new channel (a
        redelivery is not processed twice) and settles that one."""
        tracked = message_id is not None and self.deliveries.get(message_id) is not None
        try:
            for _ in range(SETTLE_ATTEMPTS):
                if tracked:
                    assert message_id is not None
                    newest = await self.deliveries.newest_open(message_id)
                    if newest is None:
                        log.warning(
                            "message %s did not come again; the broker keeps it", message_id
                        )
                        return
                    delivery = newest
                log.debug(
                    "%s message %s (delivery %s)",
                    "ack" if accept else "reject",
                    message_id,
                    delivery.delivery_tag,
                )
                try:
                    if accept:
                        await delivery.ack()
                    else:
                        await delivery.reject(requeue=False)
                    return
                except Exception as error:
                    log.warning("could not settle message %s: %s", message_id, error)
                    if not tracked:
                        return
        finally:
            if message_id is not None:
                self.deliveries.delete(message_id)

    async def reject_undecodable(self, delivery: AbstractIncomingMessage) -> None:
        try:
            await delivery.reject(requeue=False)
        except Exception as error:
            log.warning("could not reject a message: %s", error)

    async def publish(
        self,
        routing_key: str,
        body: bytes,
        headers: Mapping[str, Any],
        *,
        throttle: Throttle | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> None:
        """Publish ``body`` to the step's exchange with the reference's properties, retrying
        with its backoff while the broker cannot take it."""
        if throttle is not None:
            await throttle.wait()
        sent_headers = dict(headers)
        iteration = 0
        while True:
            if iteration:
                sent_headers["retry"] = iteration
            message = self._message(body, sent_headers, properties)
            try:
                assert self._exchange is not None
                await self._exchange.publish(message, routing_key=routing_key, mandatory=True)
                return
            except Exception as error:
                log.error("publishing to %s failed: %s", routing_key, error)
                delay = publish_delay(self.settings, iteration)
                iteration += 1
                if iteration >= self.settings["AMQP_PUBLISH_RETRY_ATTEMPTS"]:
                    raise PublishError(
                        f"Failed on publishing {headers.get('messageId')} message to MQ: {error}"
                    ) from None
                await asyncio.sleep(delay)

    def _message(
        self, body: bytes, headers: Mapping[str, Any], properties: Mapping[str, Any] | None
    ) -> aio_pika.Message:
        persistent = bool(self.settings["AMQP_PERSISTENT_MESSAGES"])
        fields: dict[str, Any] = {
            "content_type": "application/json",
            "content_encoding": "utf8",
        }
        if properties:
            fields.update(properties)
        fields["headers"] = {key: value for key, value in headers.items() if value is not None}
        fields["delivery_mode"] = (
            DeliveryMode.PERSISTENT if persistent else DeliveryMode.NOT_PERSISTENT
        )
        message = aio_pika.Message(body, **fields)
        if "priority" not in fields:
            # aio-pika writes priority 0 where the reference writes none.
            message.priority = None
        return message


def original_properties(delivery: AbstractIncomingMessage) -> dict[str, Any]:
    """The AMQP properties a delivery came with, to publish its bytes again (a rebound)."""
    found: dict[str, Any] = {
        "content_type": delivery.content_type,
        "content_encoding": delivery.content_encoding,
        # aio-pika reads an absent priority as 0; the reference republishes none.
        "priority": delivery.priority or None,
        "correlation_id": delivery.correlation_id,
        "reply_to": delivery.reply_to,
        "message_id": delivery.message_id,
        "type": delivery.type,
        "user_id": delivery.user_id,
        "app_id": delivery.app_id,
    }
    timestamp = delivery.timestamp
    if isinstance(timestamp, datetime):
        found["timestamp"] = timestamp
    return {key: value for key, value in found.items() if value is not None}
