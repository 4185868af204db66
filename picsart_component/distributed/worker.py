"""``picsart-flow flow worker``: sailors that run a flow's steps from the broker.

Each step gets one sailor (the platform's own message handling, ``sailor/core.py``), whose action
run is a flow step as the local runner runs it (``flows/steps.py``: the mapping over the item and
the earlier steps' outputs, which the messages carry in their passthrough, the claim, the action,
the record), kept in the run's ledger in Redis (``LedgerSteps``), so that no paid call is ever
made twice.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import aio_pika
from pydantic import SecretStr

from ..flows.evaluation import IsolatedEvaluator
from ..flows.journal import INTERRUPTED
from ..flows.mapping import ExpressionEvaluator
from ..flows.model import INPUT_NAME, Flow, FlowStep
from ..flows.pacing import BatchThrottle
from ..flows.steps import StepClaim, StepEngine, StepOutcome
from ..lib.context import Services
from ..lib.credentials import read_credentials
from ..lib.ratelimit import ThrottleState
from ..lib.settings import ComponentSettings
from ..lib.shared_limit import shared_state
from ..runtime.manifest import COMPONENT_ROOT
from ..runtime.messages import Event, Message
from ..sailor.core import MessageRun, Sailor
from ..sailor.crypto import Encryptor
from ..sailor.platform import StepData
from .contract import (
    CFG_HEADER,
    CREDITS_HEADER,
    ITEM_HEADER,
    RUN_HEADER,
    FlowTopology,
    message_encryptor,
)
from .ledger import DEFAULT_LEASE_SECONDS, Ledger, ledger_namespace, redis_client

log = logging.getLogger("picsart.distributed")

LEDGER_ERROR = "LedgerError"
INTERRUPTED_MESSAGE = (
    "the worker running this step stopped while its call was in flight, so Picsart may have "
    "charged it; it was not sent again, so it cannot be charged twice. To send it once more "
    "(which may charge it again), run the same flow run command with --resume --retry-interrupted"
)
_AFTER_RELEASE = {
    "released": "",
    "parked": "; its job is kept, and polled then",
    "not held": "; its claim was no longer this worker's",
}
# Mappings take microseconds; a few processes serve many action threads.
MAPPING_PROCESSES = 4


class Ledgers:
    """One ledger per run id this worker meets (a named run started afresh gets a new id)."""

    def __init__(
        self,
        redis: Any,
        exchange: str,
        encryptor: Encryptor,
        lease: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._redis = redis
        self._exchange = exchange
        self._encryptor = encryptor
        self._lease = lease
        self._sleep = sleep
        self._owner = f"{socket.gethostname()}-{os.getpid()}-{os.urandom(4).hex()}"
        self._ledgers: dict[str, Ledger] = {}
        self._lock = threading.Lock()

    def of(self, run_id: str) -> Ledger:
        with self._lock:
            ledger = self._ledgers.get(run_id)
            if ledger is None:
                ledger = Ledger(
                    self._redis,
                    ledger_namespace(self._exchange, run_id),
                    self._encryptor,
                    owner=self._owner,
                    lease_seconds=self._lease,
                    sleep=self._sleep,
                )
                ledger.start_lease()
                self._ledgers[run_id] = ledger
            return ledger

    def close(self) -> None:
        with self._lock:
            for ledger in self._ledgers.values():
                ledger.end_lease()
            self._ledgers.clear()


class RunCounts:
    """Adds each request and 429 to the counts (in Redis) of the run whose item the thread that
    sends it is running: the run's status line moves with the requests, not only when an item
    ends. What a process counts for a run goes to Redis at most every ``FLUSH_SECONDS`` and when
    an item's step ends, so that a paid call never waits on a Redis round trip of its own."""

    FLUSH_SECONDS = 0.5

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._running = threading.local()
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[int, tuple[Ledger, int, int]] = {}
        self._flushed_at: dict[int, float] = {}

    @contextmanager
    def running(self, ledger: Ledger) -> Iterator[None]:
        """This thread's requests count for ``ledger``'s run until the block ends."""
        self._running.ledger = ledger
        try:
            yield
        finally:
            self._running.ledger = None
            self._flush(ledger)

    def add(self, requests: int, rate_limited: int) -> None:
        ledger: Ledger | None = getattr(self._running, "ledger", None)
        if ledger is None:
            return
        with self._lock:
            _, pending_requests, pending_limited = self._pending.get(id(ledger), (ledger, 0, 0))
            self._pending[id(ledger)] = (
                ledger,
                pending_requests + requests,
                pending_limited + rate_limited,
            )
            due = self._clock() - self._flushed_at.get(id(ledger), -math.inf) >= self.FLUSH_SECONDS
        if due:
            self._flush(ledger)

    def _flush(self, ledger: Ledger) -> None:
        with self._lock:
            _, requests, rate_limited = self._pending.pop(id(ledger), (ledger, 0, 0))
            self._flushed_at[id(ledger)] = self._clock()
        try:
            ledger.add_counts(requests, rate_limited)
        except Exception as error:
            log.warning("adding to the run's request counts in Redis failed: %s", error)


class CountingThrottle(BatchThrottle):
    """The batch throttle, telling ``RunCounts`` of every request it lets go and every 429."""

    def __init__(self, spike_limit: float, *, state: ThrottleState, counts: RunCounts) -> None:
        super().__init__(spike_limit, state=state)
        self._counts = counts

    def acquire(self, max_wait: float = math.inf) -> float:
        waited = super().acquire(max_wait)
        self._counts.add(1, 0)
        return waited

    def hold_until(self, moment: float) -> None:
        super().hold_until(moment)
        self._counts.add(0, 1)


class LedgerSteps:
    """A broker run's step store: the run's ledger in Redis, claimed lazily (a step whose mapping
    fails touches no ledger). What an earlier delivery recorded is given back without a call:
    its output, its error, or an ``Interrupted`` error for a call a gone worker left."""

    def __init__(self, ledgers: Ledgers, run_id: str, counts: RunCounts) -> None:
        self._ledgers = ledgers
        self._run_id = run_id
        self._counts = counts

    @cached_property
    def ledger(self) -> Ledger:
        return self._ledgers.of(self._run_id)

    def calling(self) -> AbstractContextManager[None]:
        return self._counts.running(self.ledger)

    def claim(self, item: Any, step: str) -> StepClaim:
        claim = self.ledger.claim(item, step)
        if claim.state == "unreadable":
            return StepClaim(decided=StepOutcome.failed(LEDGER_ERROR, claim.outcome))
        if claim.state == "finished":
            log.info("item %r step %s finished before: its output is sent again", item, step)
            return StepClaim(
                decided=StepOutcome(Event("data", Message.model_validate(claim.outcome)))
            )
        if claim.state == "failed":
            return StepClaim(decided=StepOutcome(Event("error", claim.outcome)))
        if claim.state == "interrupted":
            return StepClaim(decided=StepOutcome.failed(INTERRUPTED, INTERRUPTED_MESSAGE))
        return StepClaim(job=claim.job)

    def record_job(self, item: Any, step: str, job: Any) -> None:
        if not self.ledger.record_job(item, step, job):
            log.warning(
                "item %r, step %s: its job could not be recorded, as its claim is no longer "
                "this worker's",
                item,
                step,
            )

    def finish(self, item: Any, step: str, output: Message, credits: int | None) -> Message:
        """The output carries the credits left to the run (``CREDITS_HEADER``)."""
        if credits is not None:
            output.headers[CREDITS_HEADER] = credits
        self.ledger.finish(item, step, output.to_json())
        return output

    def fail(self, item: Any, step: str, error: dict[str, Any]) -> None:
        self.ledger.fail(item, step, error)

    def rebound(self, item: Any, step: str, failure: dict[str, Any]) -> None:
        released = self.ledger.release(item, step)
        reason = failure.get("message") if isinstance(failure, dict) else None
        log.warning(
            "item %r, step %s: rebounded, the broker brings it back later (%s)%s",
            item,
            step,
            reason or "the rate limit did not lift in time",
            _AFTER_RELEASE[released],
        )

    def crashed(self, item: Any, step: str, error: dict[str, Any]) -> None:
        """The sailor turns the exception into the item's error; a later copy must not wait."""
        self.ledger.fail(item, step, error)


@dataclass(frozen=True)
class _Item:
    key: Any
    run_id: str
    document: dict[str, Any]
    run_cfg: dict[str, Any]


class FlowStepSailor(Sailor):
    """The sailor of one step of a flow run over the broker."""

    def __init__(
        self,
        topology: FlowTopology,
        step: FlowStep,
        *,
        amqp_url: str,
        environ: Mapping[str, str],
        worker_id: str,
        prefetch: int,
        services: Services,
        worker_cfg: Mapping[str, Any],
        ledgers: Ledgers,
        evaluator: ExpressionEvaluator,
        counts: RunCounts,
    ) -> None:
        settings = topology.sailor_settings(
            step.id,
            step.action,
            amqp_url=amqp_url,
            environ=environ,
            worker_id=worker_id,
            prefetch=prefetch,
        )
        super().__init__(
            settings,
            component_root=COMPONENT_ROOT,
            services=services,
            step=StepData(is_passthrough=True),
        )
        self.flow_step = step
        self._earlier = set(topology.steps[: topology.steps.index(step.id)])
        self._worker_cfg = dict(worker_cfg)
        self._ledgers = ledgers
        self._counts = counts
        self._engine = StepEngine(self.executor, evaluator)

    def run_action(
        self,
        run: MessageRun,
        message: Message,
        snapshot: dict[str, Any],
        on_event: Callable[[Event], None],
    ) -> None:
        item = self._item(message)
        if item is None:
            failure = "not a message of a picsart-flow run: its passthrough names no item and run"
            on_event(Event("error", {"name": "InputError", "message": failure}))
            return
        store = LedgerSteps(self._ledgers, item.run_id, self._counts)
        cfg = {**self._worker_cfg, **item.run_cfg}
        on_event(self._engine.run(self.flow_step, item.key, item.document, cfg, store).event)

    def _item(self, message: Message) -> _Item | None:
        passthrough = (message.model_extra or {}).get("passthrough")
        if not isinstance(passthrough, dict):
            return None
        origin = passthrough.get(INPUT_NAME)
        headers = origin.get("headers") if isinstance(origin, dict) else None
        if not isinstance(headers, dict) or not isinstance(headers.get(RUN_HEADER), str):
            return None
        key = headers.get(ITEM_HEADER)
        if not isinstance(key, int | str) or isinstance(key, bool):
            return None
        assert isinstance(origin, dict)
        document: dict[str, Any] = {INPUT_NAME: origin.get("body")}
        for step_id, entry in passthrough.items():
            if step_id in self._earlier and isinstance(entry, dict):
                document[step_id] = entry.get("body")
        run_cfg = headers.get(CFG_HEADER)
        return _Item(
            key, headers[RUN_HEADER], document, run_cfg if isinstance(run_cfg, dict) else {}
        )


@dataclass(frozen=True)
class WorkerOptions:
    flow: Flow
    topology: FlowTopology
    steps: tuple[str, ...]
    amqp_url: str
    redis_url: str
    cfg: Mapping[str, Any]
    settings: ComponentSettings
    environ: Mapping[str, str]
    workers: int
    lease_seconds: float = DEFAULT_LEASE_SECONDS


async def serve(options: WorkerOptions, echo: Callable[[str], None]) -> int:
    """Runs the steps' sailors until SIGTERM or Ctrl-C; then finishes the messages in hand."""
    encryptor = message_encryptor(options.environ)
    client_settings = options.settings.client_settings()
    credentials = read_credentials(options.cfg)
    state = shared_state(SecretStr(options.redis_url), credentials.apiKey, credentials.base_url)
    counts = RunCounts()
    throttle = CountingThrottle(client_settings.spike_limit, state=state, counts=counts)
    services = Services(settings=client_settings, throttle=throttle)
    redis = redis_client(options.redis_url)
    ledgers = Ledgers(redis, options.topology.exchange, encryptor, options.lease_seconds)
    evaluator = IsolatedEvaluator(min(options.workers * len(options.steps), MAPPING_PROCESSES))
    worker_id = f"{socket.gethostname()}-{os.getpid()}"
    connection = await aio_pika.connect(options.amqp_url)
    try:
        await options.topology.declare(await connection.channel())
    finally:
        await connection.close()
    by_id = {step.id: step for step in options.flow.steps}
    sailors = [
        FlowStepSailor(
            options.topology,
            by_id[step_id],
            amqp_url=options.amqp_url,
            environ=options.environ,
            worker_id=worker_id,
            prefetch=options.workers,
            services=services,
            worker_cfg=options.cfg,
            ledgers=ledgers,
            evaluator=evaluator,
            counts=counts,
        )
        for step_id in options.steps
    ]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        for sailor in sailors:
            await sailor.connect()
            await sailor.prepare()
            await sailor.run()
        echo(
            f"worker ready: steps {', '.join(options.steps)} of {options.topology.exchange}, "
            f"{options.workers} message(s) at a time per step; Ctrl-C or SIGTERM stops it"
        )
        await stop.wait()
        echo(
            "stopping: taking no new message; finishing "
            f"{sum(sailor.in_flight for sailor in sailors)} in hand"
        )
        for sailor in sailors:
            await sailor.schedule_shutdown()
    finally:
        for sailor in sailors:
            await sailor.disconnect()
        ledgers.close()
        evaluator.close()
        redis.close()
    return 0
