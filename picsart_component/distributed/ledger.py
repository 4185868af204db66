"""The record in Redis of every paid call of a broker run: the promise that none is repeated.

Before a step's action runs for an item, its worker claims the item's step: one hash, created
atomically with state ``started`` and the worker's id. After the action, the worker records the
outcome (``finished`` with the output, ``failed`` with the error) before it publishes anything, and
a Picsart job's id as soon as the job starts. A message that comes again (its worker died, it was
rebounded, or the run published it twice) finds the claim and:

- ``finished`` or ``failed``: emits the recorded outcome again, paying nothing;
- ``parked`` (rebounded after its job started): takes the job over and polls it;
- ``started`` by a worker that is alive: waits for that worker's outcome;
- ``started`` by a worker that is gone, or by this one in a run that ended without an outcome,
  with a job: takes the job over and polls it;
- the same without a job: the call may have been charged, so the item fails as ``Interrupted``
  (``flow run --resume --retry-interrupted`` clears the claim on purpose).

A rebound releases its claim only while nothing was charged: once a job's id is recorded, the claim
is parked with its job instead, so that the message's next delivery polls that job rather than
paying for another. A record that cannot be read (no state, an unknown one, ``started`` without an
owner, an outcome that does not decrypt) is read again, up to three times a second apart, and then
fails its item as an unreadable ledger record, leaving the record as it was.

A worker is alive while its lease key exists; a thread renews it, and the worker's place in the
run's set of workers, which the run counts for its summary. Outputs, errors and jobs are stored
encrypted with the message cipher; item keys only as hashes. Records expire a week after their
last change, whatever the lease: longer than Picsart keeps a job's result (a day).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import redis

from ..sailor.crypto import DecryptionError, Encryptor

log = logging.getLogger("picsart.distributed")

JOB_RESULT_SECONDS = 24 * 3600
"""How long Picsart keeps a job's result: a record with a job lives at least this long."""
RECORD_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_LEASE_SECONDS = 10.0
WAIT_POLL_SECONDS = 0.2
UNREADABLE_TRIES = 3
UNREADABLE_RETRY_SECONDS = 1.0
UNREADABLE_RECORD = "unreadable ledger record"
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,23}")

_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'started', 'owner', ARGV[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return {}
end
return redis.call('HGETALL', KEYS[1])
"""
_TAKE_OVER = """
local found = redis.call('HMGET', KEYS[1], 'state', 'owner')
if found[1] == ARGV[1] and (found[2] or '') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'state', 'started', 'owner', ARGV[3])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
  return 1
end
return 0
"""
_MARK_INTERRUPTED = """
if redis.call('HGET', KEYS[1], 'state') == 'started'
    and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', 'interrupted')
  return 1
end
return 0
"""
_RECORD_JOB = """
if redis.call('HGET', KEYS[1], 'state') == 'started'
    and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'job', ARGV[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0
"""
_RENEW_LEASE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[2]))
redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
"""
_COUNT_WORKERS = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], ms, '+inf')
"""
_RELEASE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'started'
    or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 'not held'
end
if redis.call('HEXISTS', KEYS[1], 'job') == 1 then
  redis.call('HSET', KEYS[1], 'state', 'parked')
  redis.call('HDEL', KEYS[1], 'owner')
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 'parked'
end
redis.call('DEL', KEYS[1])
return 'released'
"""

ClaimState = Literal[
    "new", "finished", "failed", "interrupted", "abandoned", "resumed", "unreadable"
]
Release = Literal["released", "parked", "not held"]
_RELEASES: dict[str, Release] = {"released": "released", "parked": "parked"}


@dataclass(frozen=True)
class Claim:
    """What the ledger says of an item's step when a worker comes to run it."""

    state: ClaimState
    outcome: Any = None
    """The recorded output message (finished), error payload (failed), or what makes the
    record unreadable (unreadable)."""
    job: Any = None
    """The job to poll instead of paying for a new one: a gone worker's (abandoned) or a
    rebounded delivery's (resumed)."""


class _Unreadable(Exception):
    """A record this code cannot act on; the message says why, naming no value that could
    hold a secret."""


def item_digest(key: Any) -> str:
    return hashlib.sha256(json.dumps(key).encode("utf-8")).hexdigest()[:32]


class Ledger:
    """One run's records (``namespace`` names the run) as one worker process sees them."""

    def __init__(
        self,
        client: Any,
        namespace: str,
        encryptor: Encryptor,
        *,
        owner: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._redis = client
        self.namespace = namespace
        self._encryptor = encryptor
        self.owner = owner or uuid.uuid4().hex
        self.lease_seconds = lease_seconds
        self._sleep = sleep
        self._claim = client.register_script(_CLAIM)
        self._take_over = client.register_script(_TAKE_OVER)
        self._mark_interrupted = client.register_script(_MARK_INTERRUPTED)
        self._record_job = client.register_script(_RECORD_JOB)
        self._release = client.register_script(_RELEASE)
        self._renew_lease = client.register_script(_RENEW_LEASE)
        self._count_workers = client.register_script(_COUNT_WORKERS)
        self._lease_stop = threading.Event()
        self._lease_thread: threading.Thread | None = None
        self._held: set[str] = set()
        """The claims a thread of this process is running now (the same owner id is every
        thread's, so the record alone cannot tell a claim in hand from one left behind)."""
        self._held_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Ledger(namespace={self.namespace!r}, owner={self.owner!r})"

    # Keys ----------------------------------------------------------------------------------

    def step_key(self, item: Any, step: str) -> str:
        """The Redis key of the record of an item's step."""
        return f"{self.namespace}:step:{item_digest(item)}:{step}"

    def _lease_key(self, owner: str) -> str:
        return f"{self.namespace}:worker:{owner}"

    @property
    def _workers_key(self) -> str:
        """The run's workers, each with the moment its lease ends (on Redis's clock)."""
        return f"{self.namespace}:workers"

    @property
    def _counts_key(self) -> str:
        return f"{self.namespace}:counts"

    # The worker's lease --------------------------------------------------------------------

    def start_lease(self) -> None:
        """Marks this worker alive, and keeps it so from a thread until ``end_lease``."""
        self._renew()
        self._lease_thread = threading.Thread(
            target=self._keep_lease, name="picsart-flow-lease", daemon=True
        )
        self._lease_thread.start()

    def _renew(self) -> None:
        self._renew_lease(
            keys=[self._lease_key(self.owner), self._workers_key],
            args=[self.owner, int(self.lease_seconds * 1000), RECORD_TTL_SECONDS],
        )

    def _keep_lease(self) -> None:
        while not self._lease_stop.wait(self.lease_seconds / 3):
            try:
                self._renew()
            except Exception as error:
                log.warning("renewing this worker's lease in Redis failed: %s", error)

    def end_lease(self) -> None:
        """A graceful stop: every message this worker took has ended, so its lease can go."""
        self._lease_stop.set()
        if self._lease_thread is not None:
            self._lease_thread.join(timeout=5)
        try:
            self._redis.delete(self._lease_key(self.owner))
            self._redis.zrem(self._workers_key, self.owner)
        except Exception as error:
            log.debug("deleting the lease failed: %s", error)

    def is_alive(self, owner: str) -> bool:
        return owner == self.owner or bool(self._redis.exists(self._lease_key(owner)))

    def workers(self) -> int:
        """How many worker processes hold a lease in this run now."""
        return int(self._count_workers(keys=[self._workers_key]))

    # Claims --------------------------------------------------------------------------------

    def claim(self, item: Any, step: str) -> Claim:
        """Claims the item's step for this worker, or says what an earlier claim left; waits
        while another live worker, or another thread of this one, is running it."""
        key = self.step_key(item, step)
        unreadable = 0
        while True:
            found = self._claim(keys=[key], args=[self.owner, RECORD_TTL_SECONDS])
            if not found:
                self._hold(key)
                return Claim("new")
            record = _pairs(found)
            try:
                claim = self._decide(key, record)
            except _Unreadable as problem:
                unreadable += 1
                if unreadable < UNREADABLE_TRIES:
                    self._sleep(UNREADABLE_RETRY_SECONDS)
                    continue
                names = ", ".join(_shown(name) for name in sorted(record)) or "none"
                text = (
                    f"{UNREADABLE_RECORD} {key}: {problem} (its fields: {names}; its state: "
                    f"{_shown(record.get('state'))}; read {unreadable} times, a second apart). "
                    "The step was not run, as the record may stand for a paid call; delete the "
                    "key to run it again"
                )
                log.error("%s", text)
                return Claim("unreadable", text)
            if claim is not None:
                return claim

    def _decide(self, key: str, record: dict[str, str]) -> Claim | None:
        """The claim an existing record gives, or None to look again (after a wait when a
        live worker runs the step)."""
        state = record.get("state")
        if state == "finished":
            return Claim("finished", self._field(record, "output"))
        if state == "failed":
            return Claim("failed", self._field(record, "error"))
        if state == "interrupted":
            return Claim("interrupted")
        if state == "parked":
            job = self._field(record, "job")
            if self._take_over(keys=[key], args=["parked", "", self.owner, RECORD_TTL_SECONDS]):
                self._hold(key)
                return Claim("resumed", job=job)
            return None
        if state != "started":
            raise _Unreadable("it has no state" if state is None else "its state is unknown")
        owner = record.get("owner")
        if not owner:
            raise _Unreadable("it is started by no worker")
        running_here = owner == self.owner and self._holds(key)
        running_elsewhere = owner != self.owner and self.is_alive(owner)
        if running_here or running_elsewhere:
            self._sleep(WAIT_POLL_SECONDS)
            return None
        # Its worker is gone, or is this process, whose run of the step ended without a record.
        job = self._field(record, "job") if "job" in record else None
        if job is not None:
            if self._take_over(keys=[key], args=["started", owner, self.owner, RECORD_TTL_SECONDS]):
                self._hold(key)
                return Claim("abandoned", job=job)
            return None
        if self._mark_interrupted(keys=[key], args=[owner]):
            return Claim("interrupted")
        return None

    def record_job(self, item: Any, step: str, job: Any) -> bool:
        """Records the job of a claim this worker holds; False (and nothing written) when the
        claim is not this worker's any more, or its record is gone."""
        return bool(
            self._record_job(
                keys=[self.step_key(item, step)],
                args=[self.owner, self._encrypt(job), RECORD_TTL_SECONDS],
            )
        )

    def finish(self, item: Any, step: str, output: Any) -> None:
        """Records the step's output message, which carries the credits left in its headers."""
        self._write(item, step, {"state": "finished", "output": self._encrypt(output)})

    def fail(self, item: Any, step: str, error: Any) -> None:
        self._write(item, step, {"state": "failed", "error": self._encrypt(error)})

    def release(self, item: Any, step: str) -> Release:
        """Lets a claim go after a rebound (a rate limit that did not lift, a job still
        running): forgotten while nothing was charged, so that the message's next delivery
        runs it; parked with its job once one was recorded, so that the next delivery polls
        that job instead of paying for another."""
        key = self.step_key(item, step)
        try:
            answer = self._release(keys=[key], args=[self.owner, RECORD_TTL_SECONDS])
        finally:
            self._let_go(key)
        return _RELEASES.get(_text(answer), "not held")

    def forget_interrupted(self, item: Any, steps: list[str]) -> int:
        """Clears the item's interrupted steps so that they run again; how many there were."""
        cleared = 0
        for step in steps:
            key = self.step_key(item, step)
            if self._redis.hget(key, "state") in ("interrupted", b"interrupted"):
                cleared += int(self._redis.delete(key))
        return cleared

    def _write(self, item: Any, step: str, mapping: dict[str, str]) -> None:
        key = self.step_key(item, step)
        try:
            pipeline = self._redis.pipeline()
            pipeline.hset(key, mapping=mapping)
            pipeline.expire(key, RECORD_TTL_SECONDS)
            pipeline.execute()
        finally:
            self._let_go(key)

    def _field(self, record: dict[str, str], name: str) -> Any:
        if name not in record:
            raise _Unreadable(f"it has no {name}")
        try:
            return self._decrypt(record[name])
        except (DecryptionError, ValueError):
            problem = f"its {name} does not decrypt with this run's message cipher"
            raise _Unreadable(problem) from None

    def _hold(self, key: str) -> None:
        with self._held_lock:
            self._held.add(key)

    def _holds(self, key: str) -> bool:
        with self._held_lock:
            return key in self._held

    def _let_go(self, key: str) -> None:
        with self._held_lock:
            self._held.discard(key)

    # Counts of the whole run ---------------------------------------------------------------

    def add_counts(self, requests: int, rate_limited: int) -> None:
        if requests or rate_limited:
            pipeline = self._redis.pipeline()
            pipeline.hincrby(self._counts_key, "requests", requests)
            pipeline.hincrby(self._counts_key, "rateLimited", rate_limited)
            pipeline.expire(self._counts_key, RECORD_TTL_SECONDS)
            pipeline.execute()

    def counts(self) -> tuple[int, int]:
        found = _pairs(self._redis.hgetall(self._counts_key) or {})
        return int(found.get("requests", 0)), int(found.get("rateLimited", 0))

    # Encryption ----------------------------------------------------------------------------

    def _encrypt(self, value: Any) -> str:
        return self._encryptor.encrypt_message(value, base64_text=True).decode("ascii")

    def _decrypt(self, text: Any) -> Any:
        if text is None:
            return None
        raw = text if isinstance(text, bytes) else str(text).encode("ascii")
        return self._encryptor.decrypt_message(raw, base64_text=True)


def _pairs(found: Any) -> dict[str, str]:
    """A Redis hash as text, from HGETALL's dict or a script's flat list."""
    items = found.items() if isinstance(found, dict) else zip(found[::2], found[1::2], strict=True)
    return {_text(key): _text(value) for key, value in items}


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _shown(word: str | None) -> str:
    """A record's field name or state as an error may show it: only a short plain word, so
    that nothing that could hold a secret is ever repeated."""
    if word is None:
        return "(none)"
    if _PLAIN_WORD.fullmatch(word):
        return repr(word)
    return f"(a value of {len(word)} characters)"


def redis_client(url: str) -> Any:
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)


def ledger_namespace(exchange: str, run_id: str) -> str:
    return f"{exchange}:{run_id}"
