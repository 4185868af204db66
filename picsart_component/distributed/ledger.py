"""The record in Redis of every paid call of a broker run: the promise that none is repeated.

Before a step's action runs for an item, its worker claims the item's step: one hash, created
atomically with state ``started`` and the worker's id. After the action, the worker records the
outcome (``finished`` with the output, ``failed`` with the error) before it publishes anything, and
a Picsart job's id as soon as the job starts. A message that comes again (its worker died, or the
run published it twice) finds the claim and:

- ``finished`` or ``failed``: emits the recorded outcome again, paying nothing;
- ``started`` by a worker that is alive: waits for that worker's outcome;
- ``started`` by a worker that is gone, with a job: takes the job over and polls it;
- ``started`` by a worker that is gone, without a job: the call may have been charged, so the item
  fails as ``Interrupted`` (``flow run --resume --retry-interrupted`` clears the claim on purpose).

A worker is alive while its lease key exists; a thread renews it. Outputs and errors are stored
encrypted with the message cipher; item keys only as hashes. Records expire a week after their last
change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import redis

from ..sailor.crypto import Encryptor

log = logging.getLogger("picsart.distributed")

RECORD_TTL_SECONDS = 7 * 24 * 3600
DEFAULT_LEASE_SECONDS = 10.0
WAIT_POLL_SECONDS = 0.2

_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'started', 'owner', ARGV[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return {}
end
return redis.call('HGETALL', KEYS[1])
"""
_TAKE_OVER = """
if redis.call('HGET', KEYS[1], 'state') == 'started'
    and redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2])
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

ClaimState = Literal["new", "finished", "failed", "interrupted", "abandoned"]


@dataclass(frozen=True)
class Claim:
    """What the ledger says of an item's step when a worker comes to run it."""

    state: ClaimState
    outcome: Any = None
    """The recorded output message (finished) or error payload (failed)."""
    credits: int | None = None
    job: Any = None
    """The job a gone worker started (abandoned), which the new claimant polls."""


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
        self._lease_stop = threading.Event()
        self._lease_thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Ledger(namespace={self.namespace!r}, owner={self.owner!r})"

    # Keys ----------------------------------------------------------------------------------

    def _step_key(self, item: Any, step: str) -> str:
        return f"{self.namespace}:step:{item_digest(item)}:{step}"

    def _lease_key(self, owner: str) -> str:
        return f"{self.namespace}:worker:{owner}"

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
        self._redis.set(self._lease_key(self.owner), "1", px=int(self.lease_seconds * 1000))

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
        except Exception as error:
            log.debug("deleting the lease failed: %s", error)

    def is_alive(self, owner: str) -> bool:
        return owner == self.owner or bool(self._redis.exists(self._lease_key(owner)))

    # Claims --------------------------------------------------------------------------------

    def claim(self, item: Any, step: str) -> Claim:
        """Claims the item's step for this worker, or says what an earlier claim left; waits
        while another live worker is running it."""
        key = self._step_key(item, step)
        while True:
            found = self._claim(keys=[key], args=[self.owner, RECORD_TTL_SECONDS])
            if not found:
                return Claim("new")
            record = _pairs(found)
            state = record.get("state")
            if state == "finished":
                output = self._decrypt(record.get("output"))
                credits = record.get("credits")
                return Claim("finished", output, int(credits) if credits else None)
            if state == "failed":
                return Claim("failed", self._decrypt(record.get("error")))
            if state == "interrupted":
                return Claim("interrupted")
            owner = record.get("owner", "")
            if owner != self.owner and not self.is_alive(owner):
                job = self._decrypt(record["job"]) if record.get("job") else None
                if job is not None:
                    if self._take_over(keys=[key], args=[owner, self.owner]):
                        return Claim("abandoned", job=job)
                    continue
                if self._mark_interrupted(keys=[key], args=[owner]):
                    return Claim("interrupted")
                continue
            self._sleep(WAIT_POLL_SECONDS)

    def record_job(self, item: Any, step: str, job: Any) -> None:
        self._redis.hset(self._step_key(item, step), "job", self._encrypt(job))

    def finish(self, item: Any, step: str, output: Any, credits: int | None) -> None:
        mapping = {"state": "finished", "output": self._encrypt(output)}
        if credits is not None:
            mapping["credits"] = str(credits)
        self._write(item, step, mapping)

    def fail(self, item: Any, step: str, error: Any) -> None:
        self._write(item, step, {"state": "failed", "error": self._encrypt(error)})

    def release(self, item: Any, step: str) -> None:
        """Forgets a claim whose call was not charged (a rate limit that did not lift), so the
        message's next delivery runs it."""
        self._redis.delete(self._step_key(item, step))

    def forget_interrupted(self, item: Any, steps: list[str]) -> int:
        """Clears the item's interrupted steps so that they run again; how many there were."""
        cleared = 0
        for step in steps:
            key = self._step_key(item, step)
            if self._redis.hget(key, "state") in ("interrupted", b"interrupted"):
                cleared += int(self._redis.delete(key))
        return cleared

    def _write(self, item: Any, step: str, mapping: dict[str, str]) -> None:
        key = self._step_key(item, step)
        pipeline = self._redis.pipeline()
        pipeline.hset(key, mapping=mapping)
        pipeline.expire(key, RECORD_TTL_SECONDS)
        pipeline.execute()

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
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def redis_client(url: str) -> Any:
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)


def ledger_namespace(exchange: str, run_id: str) -> str:
    return f"{exchange}:{run_id}"
