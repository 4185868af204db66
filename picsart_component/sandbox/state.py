"""Everything a running sandbox remembers, shared by its server threads."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from .asyncjobs import JobBoard
from .faults import FaultBoard, faults_from_json, parse_fault_spec
from .imagework import ImageWork
from .limits import MemoryBudget, RateLimiter
from .options import MIB, PRICES, SandboxOptions
from .requestlog import RequestLog
from .store import FileStore


class SandboxState:
    """Options, balance, rate limits, faults, stored files, jobs and the request log.

    ``restart`` puts all of them back to how ``options`` starts them, which is what
    ``POST /__sandbox/reset`` does.
    """

    def __init__(self, options: SandboxOptions) -> None:
        self._lock = threading.Lock()
        self.image_work = ImageWork(options.image_processes)
        self.restart(options)

    def restart(self, options: SandboxOptions) -> None:
        options.check()
        board = FaultBoard(rng=random.Random(options.seed))  # noqa: S311 - faults, not secrets
        board.replace(parse_fault_spec(options.faults) if options.faults else [])
        with self._lock:
            self.options = options
            self._credits = options.credits
            self.limiter = RateLimiter(
                options.spike_limit, options.quota, options.window, options.clock
            )
            self.memory = MemoryBudget(
                options.max_memory_mb * MIB, options.max_request_memory_mb * MIB
            )
            self.faults = board
            self.store = FileStore(
                options.max_stored_files,
                options.max_stored_bytes,
                Path(options.results_dir) if options.results_dir else None,
            )
            self.jobs = JobBoard()
            self.stand_ins: list[str] = []
            self.log = RequestLog(options.log_size)
            self._statuses: Counter[str] = Counter()
            self._endpoints: Counter[str] = Counter()
            self._charged = 0

    @property
    def credits(self) -> int:
        with self._lock:
            return self._credits

    def set_credits(self, credits: int) -> None:
        with self._lock:
            self._credits = credits

    def can_pay(self, price: int) -> bool:
        with self._lock:
            return self._credits >= price

    def charge(self, price: int) -> bool:
        """Takes ``price`` credits if the balance covers them; otherwise takes nothing."""
        with self._lock:
            if self._credits < price:
                return False
            self._credits -= price
            self._charged += price
            return True

    def note_stand_in(self, url: str) -> None:
        """Remembers a URL answered with a made-up image, for whoever reports on the run."""
        with self._lock:
            if url not in self.stand_ins:
                self.stand_ins.append(url)

    def count(self, endpoint: str, status: int | str) -> None:
        """Counts an answer by status and endpoint (``results``: downloads; ``unknown``: 404s)."""
        with self._lock:
            self._statuses[str(status)] += 1
            self._endpoints[endpoint] += 1

    def set_faults(self, spec: Any, *, add: bool = False) -> list[dict[str, Any]]:
        """Replaces (or extends) the faults from a spec string or a list of fault objects."""
        faults = faults_from_json(spec)
        if add:
            self.faults.add(faults)
        else:
            self.faults.replace(faults)
        return self.faults.describe()

    def snapshot(self) -> dict[str, Any]:
        """The JSON behind ``GET /__sandbox/state``."""
        quota = self.limiter.status()
        with self._lock:
            counts = {
                "requests": sum(self._statuses.values()),
                "by_status": dict(sorted(self._statuses.items())),
                "by_endpoint": dict(sorted(self._endpoints.items())),
                "charged": self._charged,
            }
            credits = self._credits
            options = self.options
        return {
            "credits": credits,
            "stand_ins": list(self.stand_ins),
            "prices": dict(PRICES),
            "counts": counts,
            "quota": {
                "limit": quota.limit,
                "available": quota.available,
                "reset_at": quota.reset_at,
                "window": options.window,
            },
            "spike_limit": options.spike_limit,
            "faults": self.faults.describe(),
            "stored": self.store.usage(),
            "jobs": len(self.jobs),
            "options": options.public(),
        }
