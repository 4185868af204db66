"""``picsart-flow flow run --broker``: publish a batch's items and collect their outcomes.

The run publishes each item as a platform message to the flow's first step, at most ``window``
items in flight at a time and only while the credit guard lets one more start, and reads the
results queue: the last step's data (the item is done, the passthrough holds every step's output)
and any step's error (the item failed there). Each outcome becomes one results line in today's
format, on disk before its message is acknowledged, so that a killed run loses nothing: the broker
holds what it had not acknowledged, and ``--resume`` reads the journal to know which items it had
already published.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika

from ..flows.batch import BatchError, BatchOptions
from ..flows.command import DEFAULT_WINDOW
from ..flows.failures import SameErrorWatch
from ..flows.inputs import InputItem, ItemKey
from ..flows.journal import INTERRUPTED, JournalError, Recorder, RunPlan, now_iso
from ..flows.model import INPUT_NAME, Flow
from ..flows.progress import make_progress
from ..flows.runner import (
    CreditMeter,
    PreparationError,
    RunSummary,
    StopReason,
    failure_record,
    prepare_input,
)
from ..flows.saving import ResultSaver, SaveError
from ..lib.client import ClientSettings
from ..lib.context import Services
from ..lib.errors import ComponentError
from ..lib.store import LocalStore, MaesterStore
from ..sailor.core import new_id
from ..sailor.crypto import DecryptionError, Encryptor
from .contract import (
    CFG_HEADER,
    CREDITS_HEADER,
    INPUT_ROUTING_KEY,
    ITEM_HEADER,
    RUN_HEADER,
    DeclaredQueue,
    FlowTopology,
    message_encryptor,
)
from .ledger import Ledger, ledger_namespace, redis_client

log = logging.getLogger("picsart.distributed")

Echo = Callable[[str], None]
PUBLISH_BATCH = 100
COUNTS_EVERY_SECONDS = 1.0
MAX_PROTOCOL_VERSION = 99
"""The platform's messages say 1 or 2; a header that is not a whole number up to this is not a
message of a sailor."""
RESULTS_PREFETCH = 256
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class BrokerRun:
    """Everything ``flow run --broker`` asked for, checked by the command."""

    flow: Flow
    topology: FlowTopology
    plan: RunPlan
    header: dict[str, Any]
    out_path: Path
    cfg: dict[str, Any]
    credential_fields: frozenset[str]
    settings: ClientSettings
    environ: Mapping[str, str]
    amqp_url: str
    redis_url: str
    options: BatchOptions
    window: int = DEFAULT_WINDOW
    redact: Callable[[str], str] | None = None


@dataclass
class BrokerRunSummary(RunSummary):
    """A broker run's summary, which also counts the messages on its results queue that were
    not its results (forged, of another run, unreadable) and were dropped."""

    dropped: int = 0

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "dropped": self.dropped}


@dataclass
class _Outcome:
    key: ItemKey
    run_id: str
    line: dict[str, Any]
    credits: list[int | None] = field(default_factory=list)


class ResultDecoder:
    """Reads the results queue's messages back into results lines."""

    def __init__(self, encryptor: Encryptor, steps: list[str]) -> None:
        self._encryptor = encryptor
        self._steps = steps

    def decode(self, routing_key: str, headers: Mapping[str, Any], body: bytes) -> _Outcome:
        """The outcome a message tells; ``DecryptionError`` when it is not one of this run's."""
        version = _protocol_version(headers)
        if routing_key.endswith(".error"):
            return self._error(headers, body)
        message = self._encryptor.decrypt_message(body, base64_text=version < 2)
        if not isinstance(message, dict):
            raise DecryptionError("the result is not a JSON object")
        passthrough = message.get("passthrough")
        key, run_id, item_input = _origin(passthrough)
        assert isinstance(passthrough, dict)
        outputs, credits = self._outputs(passthrough)
        line = {"item": key, "input": item_input, "status": "done", "steps": outputs}
        return _Outcome(key, run_id, line, credits)

    def _error(self, headers: Mapping[str, Any], body: bytes) -> _Outcome:
        try:
            envelope = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DecryptionError("the error message is not JSON") from None
        if not isinstance(envelope, dict) or not envelope.get("errorInput"):
            raise DecryptionError("the error names no input, so not which item it is of")
        error = self._encryptor.decrypt_message(
            str(envelope.get("error")).encode(), base64_text=True
        )
        original = self._encryptor.decrypt_message(
            str(envelope["errorInput"]).encode(), base64_text=True
        )
        if not isinstance(original, dict):
            raise DecryptionError("the error's input is not a message")
        passthrough = original.get("passthrough")
        key, run_id, item_input = _origin(passthrough)
        assert isinstance(passthrough, dict)
        outputs, credits = self._outputs(passthrough)
        step = str(_header(headers, "stepId") or "?")
        details = dict(error) if isinstance(error, dict) else {"message": str(error)}
        details.pop("stack", None)
        name = str(details.pop("name", None) or "Error")
        text = str(details.pop("message", None) or "")
        line = {
            "item": key,
            "input": item_input,
            "status": "failed",
            "steps": outputs,
            "error": failure_record(step, name, text, **details),
        }
        return _Outcome(key, run_id, line, credits)

    def _outputs(self, passthrough: dict[str, Any]) -> tuple[dict[str, Any], list[int | None]]:
        outputs: dict[str, Any] = {}
        credits: list[int | None] = []
        for step in self._steps:
            entry = passthrough.get(step)
            if isinstance(entry, dict):
                outputs[step] = entry.get("body")
                headers = entry.get("headers")
                value = headers.get(CREDITS_HEADER) if isinstance(headers, dict) else None
                credits.append(value if isinstance(value, int) else None)
        return outputs, credits


def _origin(passthrough: Any) -> tuple[ItemKey, str, Any]:
    origin = passthrough.get(INPUT_NAME) if isinstance(passthrough, dict) else None
    headers = origin.get("headers") if isinstance(origin, dict) else None
    if not isinstance(headers, dict):
        raise DecryptionError("the message names no item")
    assert isinstance(origin, dict)
    key, run_id = headers.get(ITEM_HEADER), headers.get(RUN_HEADER)
    if not isinstance(key, int | str) or not isinstance(run_id, str):
        raise DecryptionError("the message names no item")
    return key, run_id, origin.get("body")


def _header(headers: Mapping[str, Any], name: str) -> Any:
    value = headers.get(name)
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _protocol_version(headers: Mapping[str, Any]) -> int:
    """The message's protocol version: 1 when the header is absent, else a small whole number;
    any other value (text, a boolean, a negative or huge number) is no sailor's message."""
    value = headers.get("protocolVersion")
    if value is None:
        return 1
    if type(value) is not int or not 0 <= value <= MAX_PROTOCOL_VERSION:
        shown = repr(_header(headers, "protocolVersion"))[:40]
        raise DecryptionError(
            f"its protocolVersion header, {shown}, is not a whole number from 0 to "
            f"{MAX_PROTOCOL_VERSION}"
        )
    return value


def store_description(store: Any) -> str:
    if isinstance(store, LocalStore):
        return (
            f"the local folder {store.directory} (every worker must see it at this same path, a "
            "shared mount, with PICSART_ATTACHMENTS_DIR set to it)"
        )
    if isinstance(store, MaesterStore):
        return "Maester object storage (ELASTICIO_OBJECT_STORAGE_URI)"
    return repr(store)


class Collector:
    """One broker run: publishes its items and writes their lines."""

    def __init__(self, run: BrokerRun, echo: Echo, resume_command: str) -> None:
        self.run = run
        self.echo = echo
        self.resume_command = resume_command
        self.encryptor = message_encryptor(run.environ)
        self.services = Services(settings=run.settings)
        self.decoder = ResultDecoder(self.encryptor, list(run.topology.steps))
        plan = run.plan
        if plan.journal is not None:
            self.run_id = str(plan.journal.header.get("runId") or "")
            if not self.run_id:
                raise BatchError(f"cannot resume {run.out_path}: its journal names no run id")
        else:
            self.run_id = uuid.uuid4().hex[:16]
        self.finished: set[ItemKey] = set(plan.finished)
        self.in_flight: set[ItemKey] = set()
        self.to_publish: deque[InputItem] = deque()
        self.done_now = self.failed_now = self.interrupted_now = 0
        self.stop_reason: StopReason | None = None
        self.stopping = False
        self._same_error = SameErrorWatch(run.options.stop_after_same_error)
        self.requests = self.rate_limited = 0
        self.dropped = 0
        self.workers_most = 0
        self._changed = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self.run_cfg = {
            key: value for key, value in run.cfg.items() if key not in run.credential_fields
        }

    # Setting up ----------------------------------------------------------------------------

    def _ledger(self) -> Ledger:
        redis = redis_client(self.run.redis_url)
        try:
            redis.ping()
        except Exception as error:
            host = self.run.redis_url.rsplit("@", 1)[-1]
            raise BatchError(
                f"nothing was run: Redis at {host} does not answer ({type(error).__name__}); "
                "broker mode records every paid call there"
            ) from None
        return Ledger(
            redis, ledger_namespace(self.run.topology.exchange, self.run_id), self.encryptor
        )

    def _balance(self) -> int | None:
        try:
            return self.services.client(self.run.cfg).balance()
        except (ComponentError, ValueError) as error:
            raise BatchError(
                f"cannot read the account balance, so nothing was run: {error}"
            ) from None

    def _spent_while_away(self, balance: int | None) -> int:
        """Credits the workers spent while no run collected (after a kill, before this resume):
        the lowest balance the last run saw, less today's. Counting them keeps --max-credits
        honest (another user of the key makes it count high, never low)."""
        journal = self.run.plan.journal
        if journal is None or not journal.runs or balance is None:
            return 0
        last = journal.runs[-1]
        seen = last.lowest if last.lowest is not None else last.balance
        return max(0, seen - balance) if seen is not None else 0

    def execute(self) -> RunSummary:
        ledger = self._ledger()
        balance = self._balance()
        store = self.services.attachment_store()
        plan = self.run.plan
        if plan.resumed:
            self.echo(
                f"resuming {self.run.out_path} on the broker: {len(plan.finished)} item(s) "
                f"already have a line, {len(plan.works)} to go"
                + (
                    f" ({plan.retried_interrupted} interrupted, sent again)"
                    if plan.retried_interrupted
                    else ""
                )
            )
        self.echo(
            f"broker run {self.run.topology.exchange} (run id {self.run_id}); files go to "
            + store_description(store)
        )
        credits = CreditMeter(
            balance,
            len(self.run.flow.steps),
            max_credits=self.run.options.max_credits,
            spent_before=plan.credits_spent_before + self._spent_while_away(balance),
        )
        try:
            return asyncio.run(self._run(ledger, credits, store))
        except JournalError as error:
            raise BatchError(f"stopped: {error}") from None

    def _open_records(self, ledger: Ledger, balance: int | None) -> Recorder:
        """The results file and its journal, once the broker is known to be there."""
        plan = self.run.plan
        try:
            recorder = Recorder(self.run.out_path, redact=self.run.redact)
        except JournalError as error:
            raise BatchError(str(error), usage=True) from None
        try:
            if not plan.resumed:
                recorder.journal({**self.run.header, "runId": self.run_id, "created": now_iso()})
            recorder.journal({"type": "run", "balance": balance, "at": now_iso()})
            for key in plan.retried_keys:
                ledger.forget_interrupted(key, list(self.run.topology.steps))
        except BaseException:
            recorder.close()
            raise
        return recorder

    # The run -------------------------------------------------------------------------------

    async def _run(self, ledger: Ledger, credits: CreditMeter, store: Any) -> BrokerRunSummary:
        started = time.monotonic()
        requests_before, limited_before = await asyncio.to_thread(ledger.counts)
        try:
            connection = await aio_pika.connect_robust(self.run.amqp_url, reconnect_interval=1)
        except Exception as error:
            raise BatchError(
                f"nothing was run: the broker does not answer ({type(error).__name__}: {error})"
            ) from None
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            declared = await self.run.topology.declare(channel)
            self._check_queues(declared)
            recorder = await asyncio.to_thread(self._open_records, ledger, credits.balance)
            try:
                await self._collect(connection, channel, recorder, ledger, credits, store)
            finally:
                recorder.close()
        requests, limited = await asyncio.to_thread(ledger.counts)
        await self._count_workers(ledger)
        plan = self.run.plan
        summary = BrokerRunSummary(items=len(plan.finished) + len(plan.works))
        summary.not_started = len(self.to_publish)
        summary.stop_reason = self.stop_reason
        if self.stop_reason == "same-error":
            summary.same_error = self._same_error.signature
            summary.same_error_count = self._same_error.count
        summary.done_now, summary.failed_now = self.done_now, self.failed_now
        summary.interrupted_now = self.interrupted_now
        summary.seconds = time.monotonic() - started
        summary.balance = credits.balance
        summary.credits_spent = credits.spent
        summary.credits_spent_before = credits.spent_before
        summary.credits_per_item = credits.estimate_per_item()
        summary.requests = requests - requests_before
        summary.rate_limited = limited - limited_before
        summary.spike_limit = self.run.settings.spike_limit
        summary.done = self._done_total()
        summary.failed = self._failed_total()
        summary.workers = self.workers_most
        summary.dropped = self.dropped
        return summary

    def _check_queues(self, declared: dict[str, DeclaredQueue]) -> None:
        """A fresh run on queues that hold an unfinished run's messages would mix the two; a
        step that no worker consumes yet is worth a word."""
        topology = self.run.topology
        waiting = sum(queue.messages for queue in declared.values())
        if self.run.plan.journal is None and waiting:
            raise BatchError(
                f"the broker already holds {waiting} message(s) of {topology.exchange}, from "
                "an earlier run of this flow that did not end: resume that run (its --out with "
                "--resume), or start this one under another --run NAME",
                usage=True,
            )
        idle = [
            step for step in topology.steps if not declared[topology.messages_queue(step)].consumers
        ]
        if idle:
            self.echo(
                f"no worker takes step(s) {', '.join(idle)} yet; items wait on the broker until "
                f"one does: picsart-flow flow worker {self.run.flow.path}"
                + (f" --run {topology.run_name}" if topology.run_name else "")
            )

    async def _collect(
        self,
        connection: Any,
        channel: Any,
        recorder: Recorder,
        ledger: Ledger,
        credits: CreditMeter,
        store: Any,
    ) -> None:
        plan = self.run.plan
        requests_before, limited_before = await asyncio.to_thread(ledger.counts)
        exchange = await channel.get_exchange(self.run.topology.exchange)
        results_channel = await connection.channel()
        await results_channel.set_qos(prefetch_count=RESULTS_PREFETCH)
        results = await results_channel.get_queue(self.run.topology.results_queue)
        progress = make_progress(self.echo, self.run.options.status_every)
        progress.start(len(plan.finished) + len(plan.works))
        self._progress, self._recorder, self._credits, self._store = (
            progress,
            recorder,
            credits,
            store,
        )
        retried = set(plan.retried_keys)
        try:
            for work in plan.works:
                if work.item.problem is not None:
                    failure = failure_record(INPUT_NAME, "InputError", work.item.problem)
                    await self._write(self._failed_at_input(work.key, failure))
                elif (
                    work.journal is not None and work.journal.published and work.key not in retried
                ):
                    self.in_flight.add(work.key)
                else:
                    self.to_publish.append(work.item)
            tag = await results.consume(self._on_result)
            counter = asyncio.create_task(
                self._follow_counts(ledger, requests_before, limited_before)
            )
            with _signals(self):
                try:
                    await self._publish_all(exchange, recorder, credits)
                finally:
                    counter.cancel()
                    await results.cancel(tag)
        finally:
            progress.stop()

    async def _publish_all(self, exchange: Any, recorder: Recorder, credits: CreditMeter) -> None:
        while True:
            if self.stopping and self.to_publish and self.stop_reason is None:
                self.stop_reason = "interrupted"
            if not self.to_publish or self.stop_reason is not None:
                if not self.in_flight:
                    return
                await self._wait_for_change()
                continue
            batch: list[InputItem] = []
            room = self.run.window - len(self.in_flight)
            while self.to_publish and len(batch) < min(room, PUBLISH_BATCH):
                refusal = credits.refusal(len(self.in_flight) + len(batch))
                if refusal is not None:
                    if not self.in_flight and not batch:
                        self.stop_reason = refusal
                    break
                batch.append(self.to_publish.popleft())
            if not batch:
                if self.stop_reason is None:
                    await self._wait_for_change()
                continue
            await self._publish(exchange, recorder, batch)

    async def _wait_for_change(self) -> None:
        self._changed.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout=1.0)

    async def _publish(self, exchange: Any, recorder: Recorder, batch: list[InputItem]) -> None:
        prepared: list[tuple[InputItem, bytes]] = []
        for item in batch:
            try:
                item_input = await asyncio.to_thread(prepare_input, item, self._store)
            except PreparationError as error:
                failure = failure_record(INPUT_NAME, error.name, str(error))
                await self._write(self._failed_at_input(item.key, failure))
                continue
            prepared.append((item, self._encode(item, item_input)))
        for item, _ in prepared:
            self.in_flight.add(item.key)
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        body,
                        headers={
                            "messageId": new_id(),
                            "threadId": new_id(),
                            "protocolVersion": 2,
                            "taskId": self.run.topology.exchange,
                        },
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        content_type="application/octet-stream",
                    ),
                    routing_key=INPUT_ROUTING_KEY,
                )
                for _, body in prepared
            )
        )
        records = [{"type": "published", "item": item.key} for item, _ in prepared]
        if records:
            await asyncio.to_thread(recorder.journal_many, records)

    def _failed_at_input(self, key: ItemKey, failure: dict[str, Any]) -> _Outcome:
        line = {"item": key, "input": None, "status": "failed", "steps": {}, "error": failure}
        return _Outcome(key, self.run_id, line)

    def _encode(self, item: InputItem, item_input: Any) -> bytes:
        origin = {
            "id": new_id(),
            "body": item_input,
            "headers": {ITEM_HEADER: item.key, RUN_HEADER: self.run_id, CFG_HEADER: self.run_cfg},
        }
        message = {"id": new_id(), "body": {}, "headers": {}, "passthrough": {INPUT_NAME: origin}}
        return self.encryptor.encrypt_message(message, base64_text=False)

    # Outcomes ------------------------------------------------------------------------------

    async def _on_result(self, delivery: Any) -> None:
        try:
            outcome = await asyncio.to_thread(
                self.decoder.decode,
                delivery.routing_key or "",
                delivery.headers or {},
                delivery.body,
            )
        except Exception as error:
            # Whatever cannot be read is not a result of this run. Left on the queue, it would
            # come back to every later run of this flow and name, and keep them from starting.
            reason = str(error) if isinstance(error, DecryptionError) else type(error).__name__
            self._drop(reason)
            await delivery.ack()
            return
        if outcome.run_id != self.run_id:
            self._drop(f"it is a result of another run, {outcome.run_id[:40]!r}")
            await delivery.ack()
            return
        await self._write(outcome)
        await delivery.ack()

    def _drop(self, reason: str) -> None:
        """Counts a message that is not a result of this run; says so the first time only."""
        self.dropped += 1
        if self.dropped == 1:
            self.echo(
                "a message on the results queue is not a result of this run, and was dropped "
                f'({reason}); any more are only counted ("dropped" in the summary)'
            )
        else:
            log.debug("another message that is not a result of this run was dropped: %s", reason)

    async def _write(self, outcome: _Outcome) -> None:
        async with self._write_lock:
            if outcome.key in self.finished:
                return
            line = outcome.line
            if line["status"] == "done" and self.run.options.save_to is not None:
                line.update(await asyncio.to_thread(self._save, line))
            await asyncio.to_thread(self._recorder.result, line)
            lowest = min((value for value in outcome.credits if value is not None), default=None)
            if outcome.credits:
                await asyncio.to_thread(
                    self._recorder.journal,
                    {
                        "type": "steps",
                        "item": outcome.key,
                        "finished": len(outcome.credits),
                        "credits": lowest,
                    },
                )
            for value in outcome.credits:
                self._credits.observe(value)
            self._credits.settle()
            self.finished.add(outcome.key)
            self.in_flight.discard(outcome.key)
            error = line.get("error")
            interrupted = isinstance(error, dict) and error.get("name") == INTERRUPTED
            if line["status"] == "done":
                self.done_now += 1
            else:
                self.failed_now += 1
                self.interrupted_now += interrupted
            failed = line["status"] == "failed" and isinstance(error, dict) and not interrupted
            if self._same_error.observe(error if failed else None) and self.to_publish:
                # Items already on the broker (at most --window) still run.
                self.stop_reason = self.stop_reason or "same-error"
            self._progress.update(self._done_total(), self._failed_total(), self.requests)
            self._changed.set()

    def _done_total(self) -> int:
        before = self.run.plan.finished.values()
        return self.done_now + sum(1 for line in before if line["status"] == "done")

    def _failed_total(self) -> int:
        before = self.run.plan.finished.values()
        return self.failed_now + sum(1 for line in before if line["status"] == "failed")

    def _save(self, line: dict[str, Any]) -> dict[str, str]:
        folder = self.run.options.save_to
        assert folder is not None
        base_url = self.services.client(self.run.cfg).base_url
        saver = ResultSaver(folder, self.services.files(self.run.cfg), self._store, base_url)
        last = self.run.topology.steps[-1]
        try:
            return {
                "savedAs": str(saver.save(line["item"], line["input"], line["steps"].get(last)))
            }
        except (SaveError, ComponentError) as error:
            return {"saveError": str(error)}

    async def _follow_counts(self, ledger: Ledger, requests: int, limited: int) -> None:
        while True:
            await asyncio.sleep(COUNTS_EVERY_SECONDS)
            try:
                now_requests, now_limited = await asyncio.to_thread(ledger.counts)
            except Exception as error:
                log.debug("reading the run's counts failed: %s", error)
                continue
            self.requests = now_requests - requests
            self.rate_limited = now_limited - limited
            self._progress.update(self._done_total(), self._failed_total(), self.requests)
            await self._count_workers(ledger)

    async def _count_workers(self, ledger: Ledger) -> None:
        """The most worker processes seen at work on this run at once (each holds a lease)."""
        try:
            workers = await asyncio.to_thread(ledger.workers)
        except Exception as error:
            log.debug("counting the run's workers failed: %s", error)
            return
        self.workers_most = max(self.workers_most, workers)

    def stop_publishing(self) -> None:
        self.stopping = True
        self._changed.set()


class _signals:
    """First Ctrl-C (or SIGTERM): publish nothing more, collect what is in flight. Second: exit
    at once; the broker keeps every message, and --resume carries on."""

    def __init__(self, collector: Collector) -> None:
        self._collector = collector
        self._presses = 0

    def _on_signal(self) -> None:
        self._presses += 1
        collector = self._collector
        if self._presses == 1:
            collector.stop_publishing()
            collector.echo(
                f"stopping: publishing no new item; waiting for the {len(collector.in_flight)} "
                "item(s) on the broker to end (Ctrl-C again stops at once)"
            )
            return
        collector.echo(
            "stopped at once. The broker keeps the items in flight and the workers go on with "
            f"them; their lines are written when you resume: {collector.resume_command}"
        )
        os._exit(EXIT_INTERRUPTED)

    def __enter__(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._on_signal)

    def __exit__(self, *exc_info: object) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
