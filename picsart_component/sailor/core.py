"""One step's sailor: takes the step's messages, runs its action on each, publishes what it emits.

It follows ``lib/sailor.js`` of elasticio-sailor-nodejs 2.7.8: the outgoing headers, the
passthrough, the lightweight (object storage) bodies, the emit rate limits, the rebound with its
growing expiration, and ack when the action emitted no error, reject (without requeue) when it did.

AMQP lives on an asyncio loop, so heartbeats never wait for an action. Each message's work
(decrypt, run the action, encrypt what it emits) runs in a pool of ``RABBITMQ_PREFETCH_SAILOR``
threads, which hand every event over to the loop as it comes; the loop publishes them in order
and settles the message once the last one is confirmed.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import logging
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from aio_pika.abc import AbstractIncomingMessage

from ..runtime.documents import loads_json
from ..runtime.errors import error_payload
from ..runtime.executor import Executor
from ..runtime.messages import Event, Message
from .amqp import AmqpConnection, Throttle, original_properties
from .crypto import MAX_DEPTH, DecryptionError, Encryptor, js_json
from .platform import PlatformApi, StepData
from .settings import OPTIONAL, SailorSettings

log = logging.getLogger("picsart.sailor")

META_PREFIX = "x-eio-meta-"
OBJECT_ID_HEADER = "x-ipaas-object-storage-id"
ROUTING_KEY_HEADER = "x-eio-routing-key"
ERROR_RESPONSE_HEADER = "x-eio-error-response"


BODY_LIMIT_SETTING = "ELASTICIO_OBJECT_STORAGE_BODY_SIZE_LIMIT"


class BodyTooLargeError(Exception):
    """A body in object storage larger than ``ELASTICIO_OBJECT_STORAGE_BODY_SIZE_LIMIT``; it
    was read no further than that."""


class ObjectStorage:
    """Message bodies kept in the platform's object storage, encrypted with the message cipher
    (raw AES bytes of the body's JSON), as the reference's maester client keeps them.

    A body is streamed and decrypted as it comes, and read no further than ``max_body_bytes``
    (``ELASTICIO_OBJECT_STORAGE_BODY_SIZE_LIMIT``; the reference reads any size)."""

    def __init__(
        self,
        store: Any,
        encryptor: Encryptor,
        *,
        max_body_bytes: int = OPTIONAL["OBJECT_STORAGE_BODY_SIZE_LIMIT"],
    ) -> None:
        self._store = store
        self._encryptor = encryptor
        self.max_body_bytes = max_body_bytes

    def fetch(self, object_id: str) -> Any:
        # The object's address as the store's streaming reader takes it (the platform's own
        # attachment URL); the store checks that the id is one plain path segment.
        url = f"{self._store.uri}/objects/{object_id}?storage_type=maester"
        with self._store.read(url) as chunks:
            plaintext = self._encryptor.decrypt_chunks(self._capped(chunks))
        text = plaintext.decode("utf-8")
        del plaintext
        return loads_json(text, max_depth=MAX_DEPTH, max_bytes=self.max_body_bytes)

    def _capped(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        limit, read = self.max_body_bytes, 0
        for chunk in chunks:
            read += len(chunk)
            if read > limit:
                raise BodyTooLargeError(
                    f"it is larger than {limit} bytes, the limit {BODY_LIMIT_SETTING} sets"
                )
            yield chunk

    def upload(self, body_json: bytes) -> str:
        object_id: str = self._store.put_object(self._encryptor.encrypt_bytes(body_json))
        return object_id


_WORDS = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[A-Z]+|\d+")


def camel_case(name: str) -> str:
    """lodash's ``camelCase`` for a variable name: ``TASK_USER_EMAIL`` → ``taskUserEmail``."""
    words: list[str] = _WORDS.findall(name)
    if not words:
        return ""
    return words[0].lower() + "".join(word[:1].upper() + word[1:].lower() for word in words[1:])


def new_id() -> str:
    """A random (version 4) UUID for a message. Ids need to be unique, not secret: this takes
    no system call (``uuid4`` reads ``os.urandom``, letting another thread take the GIL)."""
    return str(uuid.UUID(int=_ids.getrandbits(128), version=4))


_ids = random.Random()  # noqa: S311 - ids must be unique, not unpredictable


def now_ms() -> int:
    return int(time.time() * 1000)


def error_object(payload: Any) -> dict[str, Any]:
    """An error event's payload as the platform carries it: name, message and stack (the
    reference's ``formatError``), then whatever else the component said of it."""
    if isinstance(payload, Mapping) and "message" in payload:
        found = {
            "name": payload.get("name") or "Error",
            "message": payload.get("message"),
            "stack": payload.get("stack") or "Not Available",
        }
        found.update({k: v for k, v in payload.items() if k not in found})
        return found
    return {"name": "Error", "message": payload or "Not Available", "stack": "Not Available"}


@dataclass(frozen=True)
class _Prepared:
    """A data message ready to publish, prepared in the action's thread."""

    routing_key: str
    body: bytes
    headers: dict[str, Any]


@dataclass(frozen=True)
class _Unreadable:
    """A message that could not be decrypted or parsed."""

    reason: str


_Item = Event | _Prepared | _Unreadable


class _Handover:
    """Items from an action's thread to the loop, in order, with one wake-up of the loop for
    all the items that arrive before it runs (``None`` ends them)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._pending: list[_Item | None] = []
        self._scheduled = False
        self.queue: asyncio.Queue[_Item | None] = asyncio.Queue()

    def put(self, item: _Item | None) -> None:
        with self._lock:
            self._pending.append(item)
            if self._scheduled:
                return
            self._scheduled = True
        self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            items, self._pending, self._scheduled = self._pending, [], False
        for item in items:
            self.queue.put_nowait(item)


@dataclass
class MessageRun:
    """One message in processing."""

    delivery: AbstractIncomingMessage
    payload: dict[str, Any]
    incoming: dict[str, Any]
    outgoing: dict[str, Any]
    cfg: dict[str, Any]
    errors: int = 0
    message_id: str | None = None
    orig_passthrough: dict[str, Any] = field(default_factory=dict)


class Sailor:
    """The sailor of one step of one flow."""

    def __init__(
        self,
        settings: SailorSettings,
        *,
        component_root: Path,
        services: object = None,
        platform: PlatformApi | None = None,
        object_storage: ObjectStorage | None = None,
        step: StepData | None = None,
    ) -> None:
        self.settings = settings
        self._given_step = step
        self.function = str(settings["FUNCTION"])
        self.component_root = component_root
        self.executor = Executor(component_root, services=services)
        self.platform = platform or PlatformApi(settings)
        self.encryptor = Encryptor(
            settings.get("MESSAGE_CRYPTO_PASSWORD"), settings.get("MESSAGE_CRYPTO_IV")
        )
        self.object_storage = object_storage
        self.amqp = AmqpConnection(settings)
        self.step = StepData()
        self.snapshot: dict[str, Any] = {}
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, int(settings["RABBITMQ_PREFETCH_SAILOR"])),
            thread_name_prefix="sailor-action",
        )
        interval = int(settings["RATE_INTERVAL"])
        self.throttles = {
            "data": Throttle(settings["DATA_RATE_LIMIT"], interval),
            "error": Throttle(settings["ERROR_RATE_LIMIT"], interval),
            "snapshot": Throttle(settings["SNAPSHOT_RATE_LIMIT"], interval),
        }

    def __repr__(self) -> str:
        return f"Sailor(function={self.function!r}, step={self.settings['STEP_ID']!r})"

    # Lifecycle -----------------------------------------------------------------------------

    @staticmethod
    async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
        """A blocking call (the platform's API, object storage) off the loop, in the loop's
        default pool: never in the actions' pool, whose threads may be waiting for it."""
        return await asyncio.to_thread(function, *args)

    async def connect(self) -> None:
        await self.amqp.connect()

    async def prepare(self) -> None:
        """Fetch the step's data and check that the component has the step's action."""
        if self._given_step is not None:
            self.step = self._given_step
        else:
            self.step = await self._in_thread(self.platform.retrieve_step, self.settings["STEP_ID"])
        self.snapshot = dict(self.step.snapshot)
        self.executor.action_module(self.function)

    def _hook(self, name: str) -> Callable[..., Any] | None:
        hook = getattr(self.executor.action_module(self.function), name, None)
        return hook if callable(hook) else None

    async def startup(self) -> None:
        hook = self._hook("startup")
        result = await self._in_thread(hook, copy.deepcopy(self.step.config)) if hook else None
        await self._in_thread(self.platform.create_startup_data, result or {})

    async def init(self) -> None:
        hook = self._hook("init")
        if hook is not None:
            await self._in_thread(hook, copy.deepcopy(self.step.config))

    async def run_shutdown_hook(self) -> None:
        state = await self._in_thread(self.platform.retrieve_startup_data)
        hook = self._hook("shutdown")
        if hook is not None:
            await self._in_thread(hook, copy.deepcopy(self.step.config), state)
        await self._in_thread(self.platform.delete_startup_data)

    async def run(self) -> None:
        await self.amqp.listen(self.on_delivery)

    async def schedule_shutdown(self) -> None:
        """Stop taking messages and wait for those in processing to end."""
        await self.amqp.stop_consuming()
        await self._idle.wait()

    async def disconnect(self) -> None:
        await self.amqp.disconnect()
        self._pool.shutdown(wait=False)

    async def report_error(self, error: BaseException) -> None:
        """An error outside any message (a failed start), published as the reference does."""
        headers = {**self._additional_headers(), **self._identity()}
        await self._send_error(error_object(error_payload(error)), headers, None, throttle=False)

    # Headers -------------------------------------------------------------------------------

    def _additional_headers(self) -> dict[str, Any]:
        found = self.settings.additional_vars or {}
        return {camel_case(key): value for key, value in found.items()}

    def _identity(self) -> dict[str, Any]:
        settings = self.settings
        return {
            "execId": settings["EXEC_ID"],
            "taskId": settings["FLOW_ID"],
            "workspaceId": settings["WORKSPACE_ID"],
            "containerId": settings["CONTAINER_ID"],
            "userId": settings["USER_ID"],
            "stepId": settings["STEP_ID"],
            "compId": settings["COMP_ID"],
            "function": settings["FUNCTION"],
        }

    @staticmethod
    def incoming_headers(amqp_headers: Mapping[str, Any]) -> dict[str, Any]:
        """The reference's ``readIncomingMessageHeaders``."""
        meta = {
            key.lower(): value
            for key, value in amqp_headers.items()
            if key.lower().startswith(META_PREFIX)
        }
        found: dict[str, Any] = {
            "stepId": amqp_headers.get("stepId"),
            **meta,
            "threadId": amqp_headers.get("threadId") or meta.get(META_PREFIX + "trace-id"),
            "messageId": amqp_headers.get("messageId"),
            "parentMessageId": amqp_headers.get("parentMessageId"),
        }
        if not found["threadId"]:
            found["threadId"] = new_id()
        if amqp_headers.get("reply_to"):
            found["reply_to"] = amqp_headers["reply_to"]
        return found

    # Messages ------------------------------------------------------------------------------

    def decode(self, delivery: AbstractIncomingMessage) -> dict[str, Any]:
        """The message in a delivery; ``DecryptionError`` when it cannot be read."""
        headers = _text_headers(delivery.headers)
        if self.settings["INPUT_FORMAT"] == "error":
            payload = self._decode_error_message(delivery.body, headers)
        else:
            version = protocol_version(headers)
            payload = self.encryptor.decrypt_message(delivery.body, base64_text=version < 2)
        if not isinstance(payload, dict):
            raise DecryptionError("the message is not a JSON object")
        message_headers = payload.get("headers")
        if not isinstance(message_headers, dict):
            message_headers = {}
            payload["headers"] = message_headers
        if headers.get("reply_to"):
            message_headers["reply_to"] = headers["reply_to"]
        return payload

    def _decode_error_message(self, body: bytes, headers: dict[str, Any]) -> dict[str, Any]:
        try:
            error_body = loads_json(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DecryptionError("the error message is not JSON") from None
        if not isinstance(error_body, dict):
            raise DecryptionError("the error message is not a JSON object")
        for key in ("error", "errorInput"):
            if error_body.get(key):
                error_body[key] = self.encryptor.decrypt_message(
                    str(error_body[key]).encode(), base64_text=True
                )
        return {"body": error_body, "headers": dict(headers)}

    async def on_delivery(self, delivery: AbstractIncomingMessage) -> None:
        # aio-pika cancels a consumer's callbacks when its channel closes; the message's run
        # goes on in a task of its own, to publish its events and settle the newest delivery.
        task = asyncio.create_task(self._guarded(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            log.debug("the channel of a message in processing closed; its run goes on")

    async def _guarded(self, delivery: AbstractIncomingMessage) -> None:
        self.in_flight += 1
        self._idle.clear()
        try:
            await self._process(delivery)
        except Exception:
            log.exception("a message could not be processed; it is rejected")
            await self.amqp.reject_undecodable(delivery)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()

    async def _process(self, delivery: AbstractIncomingMessage) -> None:
        amqp_headers = _text_headers(delivery.headers)
        log.debug(
            "message %s received (delivery %s, redelivered %s)",
            amqp_headers.get("messageId"),
            delivery.delivery_tag,
            delivery.redelivered,
        )
        incoming = self.incoming_headers(amqp_headers)
        message_id = incoming.get("messageId")
        message_id = str(message_id) if message_id else None
        outgoing = {
            **incoming,
            **self._additional_headers(),
            "parentMessageId": incoming.get("messageId"),
            "threadId": incoming["threadId"],
            "messageId": new_id(),
            **self._identity(),
            "start": now_ms(),
        }
        if message_id is not None:
            if await self.amqp.deliveries.add(message_id, delivery):
                log.warning(
                    "message %s came again while in processing; the first run settles it",
                    message_id,
                )
                return
        else:
            log.warning("a message without messageId: it cannot be deduplicated")
        run = MessageRun(
            delivery=delivery,
            payload={},
            incoming=incoming,
            outgoing=outgoing,
            cfg=copy.deepcopy(self.step.config),
            message_id=message_id,
        )
        # The action's thread does the message's work (decrypt, run, encrypt) and hands each
        # event to the loop as it comes; the loop publishes them in order, then settles.
        handover = _Handover(asyncio.get_running_loop())
        snapshot = copy.deepcopy(self.snapshot)

        def work() -> None:
            try:
                self._work(run, snapshot, handover.put)
            except Exception as error:
                log.exception("a message's run failed")
                handover.put(Event("error", error_payload(error)))
            finally:
                handover.put(None)

        self._pool.submit(work)
        await self._publish_items(run, handover.queue)
        if run.errors:
            await self.amqp.reject(message_id, delivery)
        else:
            await self.amqp.ack(message_id, delivery)

    def _work(
        self,
        run: MessageRun,
        snapshot: dict[str, Any],
        hand_over: Callable[[_Item], None],
    ) -> None:
        """Everything of one message that is not AMQP, in an action thread."""
        try:
            payload = self.decode(run.delivery)
        except DecryptionError as error:
            log.error("message %s cannot be read, it is rejected: %s", run.message_id, error)
            hand_over(_Unreadable(str(error)))
            return
        run.payload = payload
        run.orig_passthrough = copy.deepcopy(payload.get("passthrough") or {})
        try:
            self._resolve_lightweight(payload)
        except Exception as error:
            hand_over(Event("error", error_payload(error)))
            return
        message_id = payload.get("id") or run.message_id or new_id()
        try:
            message = Message.model_validate({**payload, "id": str(message_id)})
        except Exception as error:
            failure = f"not an elastic.io message: {error}"
            hand_over(Event("error", {"name": "InputError", "message": failure}))
            return

        def on_event(event: Event) -> None:
            if event.kind == "data":
                data, headers = self._data_message(run, event.payload)
                if not self._needs_storage(data):
                    try:
                        hand_over(self._prepare_data(run, data, headers))
                    except Exception as error:
                        hand_over(Event("error", error_payload(error)))
                    return
            hand_over(event)

        self.run_action(run, message, snapshot, on_event)

    def run_action(
        self,
        run: MessageRun,
        message: Message,
        snapshot: dict[str, Any],
        on_event: Callable[[Event], None],
    ) -> None:
        """Runs the step's action on one message, in an action thread; a front end that does
        more around each run (a flow worker's mapping and ledger) overrides it."""
        self.executor.run(self.function, message, run.cfg, snapshot, on_event=on_event)

    async def _publish_items(self, run: MessageRun, items: asyncio.Queue[_Item | None]) -> None:
        while (item := await items.get()) is not None:
            try:
                if isinstance(item, _Unreadable):
                    # No errorInput: what came is not a message the platform could read back.
                    failure = {"name": "DecryptionError", "message": item.reason}
                    await self._on_error(run, failure, with_input=False)
                elif isinstance(item, _Prepared):
                    try:
                        await self.amqp.publish(
                            item.routing_key,
                            item.body,
                            item.headers,
                            throttle=self.throttles["data"],
                        )
                    except Exception as error:
                        await self._on_error(run, error_payload(error))
                else:
                    await self._on_event(run, item)
            except Exception:
                log.exception("publishing an event failed")
                run.errors += 1

    def _resolve_lightweight(self, payload: dict[str, Any]) -> None:
        spec = self.executor.manifest.action(self.function)
        if getattr(spec, "autoResolveObjectReferences", True) is False:
            return
        payload["body"] = self._fetch_body(payload)
        passthrough = payload.get("passthrough")
        if isinstance(passthrough, dict):
            for step in passthrough.values():
                if isinstance(step, dict):
                    step["body"] = self._fetch_body(step)

    def _fetch_body(self, message: Mapping[str, Any]) -> Any:
        headers = message.get("headers")
        object_id = headers.get(OBJECT_ID_HEADER) if isinstance(headers, Mapping) else None
        if not object_id:
            return message.get("body")
        if self.object_storage is None:
            raise RuntimeError(
                f"Failed to get message body with id={object_id}: "
                "ELASTICIO_OBJECT_STORAGE_URI and ELASTICIO_OBJECT_STORAGE_TOKEN are not set"
            )
        try:
            return self.object_storage.fetch(str(object_id))
        except BodyTooLargeError as error:
            log.error("message body %s is not read: %s", object_id, error)
            raise RuntimeError(f"Failed to get message body with id={object_id}: {error}") from None
        except Exception as error:
            log.error("fetching message body %s failed: %s", object_id, error)
            raise RuntimeError(f"Failed to get message body with id={object_id}") from None

    # Events --------------------------------------------------------------------------------

    async def _on_event(self, run: MessageRun, event: Event) -> None:
        handlers = {
            "data": self._on_data,
            "error": self._on_error,
            "rebound": self._on_rebound,
            "snapshot": self._on_snapshot,
            "updateSnapshot": self._on_update_snapshot,
            "updateKeys": self._on_update_keys,
            "httpReply": self._on_http_reply,
        }
        await handlers[event.kind](run, event.payload)

    async def _on_error(self, run: MessageRun, payload: Any, *, with_input: bool = True) -> None:
        run.errors += 1
        headers = dict(run.outgoing, end=now_ms())
        original = run.delivery if with_input else None
        await self._send_error(error_object(payload), headers, original)

    def _data_message(self, run: MessageRun, payload: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """A data event as the platform carries it, with its headers and the passthrough of
        the steps before (the reference's ``onData`` up to the object storage)."""
        data = payload.to_json() if isinstance(payload, Message) else copy.deepcopy(payload)
        if not isinstance(data, dict):
            data = {"body": data}
        headers = dict(run.outgoing)
        headers["messageId"] = data.get("id") or headers["messageId"]
        headers["end"] = now_ms()
        if self.step.is_passthrough:
            data["passthrough"] = dict(run.orig_passthrough)
            step_id = run.incoming.get("stepId")
            if self.settings["NO_SELF_PASSTRHOUGH"] and step_id:
                data["passthrough"][step_id] = {
                    k: v for k, v in run.payload.items() if k != "passthrough"
                }
        if not isinstance(data.get("headers"), dict):
            data["headers"] = {}
        return data, headers

    def _needs_storage(self, data: Mapping[str, Any]) -> bool:
        """Whether a data message's bodies go to or come from object storage."""
        if self.settings["EMIT_LIGHTWEIGHT_MESSAGE"]:
            return True
        passthrough = data.get("passthrough") or {}
        return any(isinstance(item, dict) and not item.get("body") for item in passthrough.values())

    def _prepare_data(
        self, run: MessageRun, data: dict[str, Any], headers: dict[str, Any]
    ) -> _Prepared:
        """The rest of ``onData``: this step's own passthrough, the routing key, encryption."""
        settings = self.settings
        if self.step.is_passthrough and not settings["NO_SELF_PASSTRHOUGH"]:
            data["passthrough"] = {
                **run.orig_passthrough,
                settings["STEP_ID"]: {k: v for k, v in data.items() if k != "passthrough"},
            }
        routing_key = _routing_key(data["headers"]) or settings["DATA_ROUTING_KEY"]
        headers["protocolVersion"] = settings["PROTOCOL_VERSION"]
        body = self._encode_message(data, headers)
        return _Prepared(str(routing_key), body, _with_message_id(headers))

    async def _on_data(self, run: MessageRun, payload: Any) -> None:
        data, headers = self._data_message(run, payload)
        try:
            await self._lighten(data)
        except Exception as error:
            log.error("uploading a message body failed: %s", error)
            failure = "Lightweight message/passthrough body upload error"
            await self._on_error(run, {"name": "Error", "message": failure})
            return
        try:
            prepared = self._prepare_data(run, data, headers)
            await self.amqp.publish(
                prepared.routing_key,
                prepared.body,
                prepared.headers,
                throttle=self.throttles["data"],
            )
        except Exception as error:
            await self._on_error(run, error_payload(error))

    async def _lighten(self, data: dict[str, Any]) -> None:
        """Move big bodies to object storage (``EMIT_LIGHTWEIGHT_MESSAGE``), or fetch the
        passthrough bodies that are there when the next step expects them inline."""
        passthrough = data.get("passthrough") or {}
        if self.settings["EMIT_LIGHTWEIGHT_MESSAGE"]:
            if self.object_storage is None:
                raise RuntimeError("object storage is not configured")
            body_json = js_json(data.get("body")).encode("utf-8")
            parts = {
                step: js_json(item.get("body")).encode("utf-8")
                for step, item in passthrough.items()
                if isinstance(item, dict)
            }
            total = len(body_json) + sum(len(part) for part in parts.values())
            if total <= self.settings["OBJECT_STORAGE_SIZE_THRESHOLD"]:
                return
            body_id = await self._in_thread(self.object_storage.upload, body_json)
            data["body"] = {}
            data["headers"] = {**data["headers"], OBJECT_ID_HEADER: body_id}
            for step, part in parts.items():
                item = passthrough[step]
                item_headers = item.get("headers") if isinstance(item.get("headers"), dict) else {}
                known = item_headers.get(OBJECT_ID_HEADER)
                part_id = known or await self._in_thread(self.object_storage.upload, part)
                item["body"] = {}
                item["headers"] = {**item_headers, OBJECT_ID_HEADER: part_id}
            return
        for item in passthrough.values():
            if isinstance(item, dict) and not item.get("body"):
                item["body"] = await self._in_thread(self._fetch_body, item)

    async def _on_rebound(self, run: MessageRun, payload: Any) -> None:
        reason = error_object(payload)["message"]
        delivery = run.delivery
        headers = {**_text_headers(delivery.headers), "end": now_ms(), "reboundReason": reason}
        iteration = headers.get("reboundIteration")
        iteration = iteration + 1 if type(iteration) is int else 1
        if iteration > self.settings["REBOUND_LIMIT"]:
            await self._send_error(
                error_object({"name": "Error", "message": "Rebound limit exceeded"}),
                dict(run.outgoing),
                delivery,
                throttle=False,
            )
            return
        expiration_ms = 2 ** (iteration - 1) * self.settings["REBOUND_INITIAL_EXPIRATION"]
        headers["reboundIteration"] = iteration
        properties = original_properties(delivery)
        properties["expiration"] = expiration_ms / 1000
        await self.amqp.publish(
            self.settings["REBOUND_ROUTING_KEY"], delivery.body, headers, properties=properties
        )

    async def _on_snapshot(self, run: MessageRun, payload: Any) -> None:
        headers = dict(run.outgoing, snapshotEvent="snapshot")
        self.snapshot = copy.deepcopy(payload) if isinstance(payload, dict) else {}
        await self.amqp.publish(
            self.settings["SNAPSHOT_ROUTING_KEY"],
            js_json(payload).encode("utf-8"),
            _with_message_id(headers),
            throttle=self.throttles["snapshot"],
        )

    async def _on_update_snapshot(self, run: MessageRun, payload: Any) -> None:
        if not isinstance(payload, dict):
            log.error("updateSnapshot needs an object")
            return
        if "$set" in payload:
            log.warning("$set is not supported any more in updateSnapshot")
            return
        headers = dict(run.outgoing, snapshotEvent="updateSnapshot")
        self.snapshot.update(copy.deepcopy(payload))
        await self.amqp.publish(
            self.settings["SNAPSHOT_ROUTING_KEY"],
            js_json(payload).encode("utf-8"),
            _with_message_id(headers),
        )

    async def _on_update_keys(self, run: MessageRun, payload: Any) -> None:
        try:
            await self._in_thread(self.platform.update_account, run.cfg.get("_account"), payload)
        except Exception as error:
            log.error("updating the account's keys failed: %s", error)
            await self._on_error(run, error_payload(error))

    async def _on_http_reply(self, run: MessageRun, payload: Any) -> None:
        reply_to = run.outgoing.get("reply_to")
        if not reply_to:
            await self._on_error(
                run,
                {
                    "name": "Error",
                    "message": "Component emitted 'httpReply' event but 'reply_to' was not "
                    "found in AMQP headers",
                },
            )
            return
        headers = dict(run.outgoing, protocolVersion=1)
        body = self._encode_message(payload, headers)
        await self.amqp.publish(str(reply_to), body, _with_message_id(headers))

    # Publishing ----------------------------------------------------------------------------

    def _encode_message(self, data: Any, headers: Mapping[str, Any]) -> bytes:
        """``data`` encrypted for its protocol version, its routing header removed; a
        ``ValueError`` past ``OUTGOING_MESSAGE_SIZE_LIMIT``."""
        if isinstance(data, dict):
            data = dict(data)
            data["headers"] = {
                k: v
                for k, v in (data.get("headers") or {}).items()
                if k.lower() != ROUTING_KEY_HEADER
            }
        version = int(headers.get("protocolVersion") or 1)
        encrypted = self.encryptor.encrypt_message(data, base64_text=version < 2)
        limit = self.settings["OUTGOING_MESSAGE_SIZE_LIMIT"]
        if len(encrypted) > limit:
            raise ValueError(f"Outgoing message size {len(encrypted)} exceeds limit of {limit}.")
        return encrypted

    async def _send_error(
        self,
        error: dict[str, Any],
        headers: dict[str, Any],
        original: AbstractIncomingMessage | None,
        *,
        throttle: bool = True,
    ) -> None:
        headers = _with_message_id(headers)
        encrypted_error = self.encryptor.encrypt_message(error, base64_text=True).decode("ascii")
        payload: dict[str, Any] = {"error": encrypted_error}
        if original is not None and original.body:
            try:
                version: int | None = protocol_version(_text_headers(original.headers))
            except DecryptionError:
                version = None
            if version is None:
                payload["errorInput"] = base64.b64encode(original.body).decode("ascii")
            elif version >= 2:
                try:
                    content = self.encryptor.decrypt_message(original.body, base64_text=False)
                    payload["errorInput"] = self.encryptor.encrypt_message(
                        content, base64_text=True
                    ).decode("ascii")
                except DecryptionError:
                    payload["errorInput"] = base64.b64encode(original.body).decode("ascii")
            else:
                payload["errorInput"] = original.body.decode("utf-8", errors="replace")
        await self.amqp.publish(
            self.settings["ERROR_ROUTING_KEY"],
            js_json(payload).encode("utf-8"),
            headers,
            throttle=self.throttles["error"] if throttle else None,
        )
        reply_to = headers.get("reply_to")
        if not self.settings["NO_ERROR_REPLIES"] and reply_to:
            await self.amqp.publish(
                str(reply_to),
                encrypted_error.encode("ascii"),
                {**headers, ERROR_RESPONSE_HEADER: True},
            )


def _with_message_id(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {**headers, "messageId": headers.get("messageId") or new_id()}


def _routing_key(headers: Mapping[str, Any]) -> Any:
    for key, value in headers.items():
        if key.lower() == ROUTING_KEY_HEADER:
            return value
    return None


MAX_PROTOCOL_VERSION = 255
"""Protocol versions are small whole numbers (1 and 2 exist); any other ``protocolVersion`` is
not a message the platform sent."""
_DIGITS = re.compile(r"[0-9]{1,9}")


def protocol_version(headers: Mapping[str, Any]) -> int:
    """The ``protocolVersion`` header: 1 when it is absent, empty or 0 (the reference's
    ``Number(value || 1)``), else a whole number up to ``MAX_PROTOCOL_VERSION``, given as a
    number or as digits. ``DecryptionError`` for anything else (``2e9999``, ``Infinity``,
    ``-1``, ``1.5``, ``true``, ``"abc"``), which the reference would read as some version and
    try to decrypt."""
    value = headers.get("protocolVersion")
    if value is None or value == "":
        return 1
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float | Decimal):
        try:
            number = int(value) if value == int(value) else None
        except (ArithmeticError, ValueError):
            number = None
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value)
    if number is None or not 0 <= number <= MAX_PROTOCOL_VERSION:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise DecryptionError(
            f"the protocolVersion header is {shown}, not a protocol version (a whole number "
            f"from 0 to {MAX_PROTOCOL_VERSION}): the message is not read"
        )
    return number or 1


def _text_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """AMQP headers with byte strings read as text, as amqplib hands them to the reference."""
    found: dict[str, Any] = {}
    for key, value in (headers or {}).items():
        found[key] = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    return found
