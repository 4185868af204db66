"""What a sandbox is started with, and what may be changed while it runs.

This module stays free of werkzeug and Pillow so that the CLI can build and check options cheaply.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from picsart_component.catalogue.operations import OPERATIONS

from .faults import FaultSpecError, parse_fault_spec
from .limits import RESET_TIME_FORMS
from .production import ANSWERS

MIB = 1024 * 1024
MAX_JOB_SECONDS = 3600.0
"""A job pends at most an hour; a synchronous answer sleeps that long, so longer is a mistake."""
MAX_IMAGE_PROCESSES = 64

RATELIMIT_BODIES = ("auto", "fault", "code")
"""The body of a 429: ``fault`` is the older gateway shape ``{"fault": {...}}``, ``code`` the
``{"code", "message", "detail"}`` shape; ``auto`` uses ``fault`` for the quota and ``code`` for the
spike arrest."""

PRICES: Mapping[str, int] = MappingProxyType(
    {operation.target: operation.price for operation in OPERATIONS}
)
"""Credits per operation, by its sandbox name: the catalogue's prices.

A call is charged when it is answered 200 or its job is accepted (202); a job that later fails
(a ``job-fail`` fault) stays charged, as a paid call at Picsart would. Refused and rate-limited
calls cost nothing, and a call the balance cannot pay for is answered 402 and costs nothing
either."""

RUNTIME_OPTIONS = frozenset(
    {
        "api_key",
        "credits",
        "spike_limit",
        "quota",
        "window",
        "latency_ms",
        "faults",
        "reset_time_form",
        "ratelimit_body",
        "max_upload_bytes",
        "max_pixels",
        "job_seconds",
        "answers",
    }
)
"""The options ``POST /__sandbox/reset`` may change; the others fix the server's shape."""

_INT_OPTIONS = frozenset({"credits", "quota", "max_upload_bytes", "max_pixels"})
_FLOAT_OPTIONS = frozenset({"spike_limit", "window", "latency_ms", "job_seconds"})
_OPTIONAL_TEXT_OPTIONS = frozenset({"api_key", "faults"})
_TEXT_OPTIONS = frozenset({"reset_time_form", "ratelimit_body", "answers"})


@dataclass(frozen=True)
class SandboxOptions:
    """Everything a sandbox is started with. ``port=0`` picks a free port.

    ``clock`` returns epoch seconds; tests pass a fake one to drive the rate limits and jobs
    without sleeping. Without ``api_key`` any non-empty key is accepted. ``job_seconds`` is how
    long a job stays pending (and how long a synchronous answer to a job operation takes).
    ``image_processes`` runs Remove background and upscale in that many worker processes (0: in
    the serving process, one request at a time). ``answers`` is ``file`` (the OpenAPI files'
    shapes) or ``production`` (the shapes production gives instead: ``production.py``).
    """

    host: str = "127.0.0.1"
    port: int = 0
    api_key: str | None = field(default=None, repr=False)
    credits: int = 1000
    spike_limit: float = 300
    quota: int = 500
    window: float = 60
    latency_ms: float = 0
    job_seconds: float = 0
    faults: str | None = None
    reset_time_form: str = "epoch-ms"
    ratelimit_body: str = "auto"
    answers: str = "file"
    max_upload_bytes: int = 100 * MIB
    max_pixels: int = 64_000_000
    max_stored_files: int = 512
    max_stored_bytes: int = 512 * MIB
    max_request_memory_mb: int = 1024
    max_memory_mb: int = 2048
    max_connections: int = 256
    image_processes: int = 0
    idle_timeout: float = 10.0
    fetch_timeout: float = 10.0
    stand_ins: bool = True
    results_dir: str | None = None
    log_size: int = 1000
    seed: int | None = None
    quiet: bool = True
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def problems(self) -> list[str]:
        """Every reason these options cannot run a sandbox; empty when they can."""
        found: list[str] = []
        if not 0 <= self.port <= 65535:
            found.append(f"port must be from 0 to 65535, not {self.port}")
        if self.api_key is not None and not self.api_key.strip():
            found.append("api_key must not be blank (leave it unset to accept any key)")
        if self.credits < 0:
            found.append(f"credits must be 0 or more, not {self.credits}")
        if not (math.isfinite(self.spike_limit) and self.spike_limit > 0):
            found.append(f"spike_limit must be a positive number, not {self.spike_limit}")
        if self.quota < 1:
            found.append(f"quota must be 1 or more, not {self.quota}")
        if not (math.isfinite(self.window) and self.window > 0):
            found.append(f"window must be a positive number of seconds, not {self.window}")
        if not (math.isfinite(self.latency_ms) and self.latency_ms >= 0):
            found.append(f"latency_ms must be 0 or more, not {self.latency_ms}")
        if not (math.isfinite(self.job_seconds) and 0 <= self.job_seconds <= MAX_JOB_SECONDS):
            found.append(
                f"job_seconds must be from 0 to {MAX_JOB_SECONDS:g}, not {self.job_seconds}"
            )
        if self.reset_time_form not in RESET_TIME_FORMS:
            found.append(f"reset_time_form must be one of {', '.join(RESET_TIME_FORMS)}")
        if self.ratelimit_body not in RATELIMIT_BODIES:
            found.append(f"ratelimit_body must be one of {', '.join(RATELIMIT_BODIES)}")
        if self.answers not in ANSWERS:
            found.append(f"answers must be one of {', '.join(ANSWERS)}")
        for name in (
            "max_upload_bytes",
            "max_pixels",
            "max_stored_files",
            "max_stored_bytes",
            "max_request_memory_mb",
            "max_memory_mb",
            "max_connections",
        ):
            if getattr(self, name) < 1:
                found.append(f"{name} must be 1 or more")
        if not 0 <= self.image_processes <= MAX_IMAGE_PROCESSES:
            found.append(f"image_processes must be from 0 to {MAX_IMAGE_PROCESSES}")
        if not (math.isfinite(self.idle_timeout) and self.idle_timeout > 0):
            found.append("idle_timeout must be a positive number of seconds")
        if self.log_size < 0:
            found.append("log_size must be 0 or more")
        if not self.fetch_timeout > 0:
            found.append("fetch_timeout must be positive")
        if self.faults:
            try:
                parse_fault_spec(self.faults)
            except FaultSpecError as error:
                found.append(f"faults: {error}")
        return found

    def check(self) -> SandboxOptions:
        """These options, or ``ValueError`` naming every problem."""
        found = self.problems()
        if found:
            raise ValueError("; ".join(found))
        return self

    def public(self) -> dict[str, Any]:
        """The options as JSON for ``GET /__sandbox/state``; the key only as its length."""
        shown: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            if item.name == "clock":
                continue
            shown[item.name] = getattr(self, item.name)
        shown["api_key"] = mask_secret(self.api_key) if self.api_key is not None else None
        return shown


def mask_secret(value: str) -> str:
    """Hides a secret completely; only its length is left, to tell an empty key from a real one."""
    return f"****({len(value)} chars)"


def with_changes(options: SandboxOptions, changes: Mapping[str, Any]) -> SandboxOptions:
    """``options`` with JSON-supplied ``changes``, checked; ``ValueError`` says what is wrong."""
    unknown = sorted(set(changes) - RUNTIME_OPTIONS)
    if unknown:
        allowed = ", ".join(sorted(RUNTIME_OPTIONS))
        raise ValueError(f"cannot change {', '.join(unknown)} at run time; allowed: {allowed}")
    typed: dict[str, Any] = {}
    for name, value in changes.items():
        if name in _INT_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer")
        elif name in _FLOAT_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number")
            typed[name] = float(value)
            continue
        elif name in _OPTIONAL_TEXT_OPTIONS:
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string or null")
        elif name in _TEXT_OPTIONS and not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        typed[name] = value
    return dataclasses.replace(options, **typed).check()
