"""Faults a client's tests can switch on: error storms, broken connections, slow and odd answers,
and asynchronous jobs that fail, hang or report odd states.

A spec is a ``;``-separated list of faults, each ``KIND[:NAME=VALUE[,NAME=VALUE...]]``::

    503:next=2;429:next=1,reset=seconds;drop:p=0.1;slow:ms=1500,next=1;truncate:next=1;
    html:status=502,next=1;available0:next=1,reset_in=2;422:next=1,path=removebg;
    job-fail:next=1,path=text2image,word=failed;job-late:ms=800,path=genai

Kinds: a status code from 400 to 599 (an answer with Picsart's error body), ``drop`` (close the
connection without answering), ``reset`` (send the headers and part of the body, then reset the
connection), ``truncate`` (declare the full ``Content-Length``, send part, then close), ``html``
(an nginx-like HTML error page), ``slow`` (delay the answer), ``available0`` (a successful
answer whose ``X-Picsart-Ratelimit-Available`` is 0), ``endless`` (the real answer's start, then
a body that never ends) and ``trickle`` (the real answer, one byte every ``ms`` milliseconds,
1000 by default).

Job kinds change a job that a call starts (a 202), not the call's answer: ``job-fail`` (the job
ends failed: its polls answer 200 with ``status`` ``error``, or ``word``, and a ``detail``),
``job-stuck`` (the job never ends: its polls answer 202 for ever), ``job-word`` (the job reports
``word`` instead of ``processing`` while pending, ``phase=pending``, or instead of ``success``
when done, ``phase=done``, the default) and ``job-late`` (polls of the job answer 404 for ``ms``
milliseconds after it was accepted). A job meets at most one fault of each kind (one
``job-word`` of each phase), and a job with any of them is never answered synchronously, even
when ``Prefer: wait=N`` would allow it; a synchronous call (no ``Prefer``) meets none.

Parameters every kind takes: ``next=N`` (only the next N matching requests or jobs), ``p=F`` (each
with probability F), ``path=TARGET`` (default ``api``). A target is an operation or a poll by its
sandbox name (the catalogue's ``target``: ``removebg``, ``text2image``, ``poll-painting``;
``picsart-flow sandbox --help`` lists them all), ``results`` (result downloads) or a group: ``api``
(every API call, polls included), ``tools`` (the image API), ``genai`` (the GenAI API), ``video``
(the video API), ``vd`` (the Variable Data API), ``polls``.
For a job kind, a poll target means the jobs polled there. Without ``next`` a fault stays until it
is cleared. A status code or ``html`` takes ``headers=false`` to leave out every ``X-Picsart-*``
header; ``html`` takes ``status=NNN`` (default 502) and leaves the headers out unless
``headers=true``. ``429`` takes ``reset=epoch-ms|epoch-s|seconds|none`` (``none`` leaves out
``Reset-Time``), ``reset_in=SECONDS`` (default 1) and ``body=fault|code`` (default ``fault``).
``slow`` and ``job-late`` need ``ms=N``. ``available0`` takes ``reset_in`` and ``reset`` like
``429``. ``job-word`` needs ``word=WORD`` and takes ``phase=pending|done``; ``job-fail`` takes
``word``.

When several faults match a request, every matching ``slow`` adds its delay, and the first other
fault in the list decides the answer; ``available0`` only counts a request it changed.
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .limits import RESET_TIME_FORMS
from .operations import GROUPS, TARGETS

JOB_KINDS = ("job-fail", "job-stuck", "job-word", "job-late")
NAMED_KINDS = (
    "drop",
    "reset",
    "truncate",
    "html",
    "slow",
    "available0",
    "endless",
    "trickle",
    *JOB_KINDS,
)
WRAPPING_KINDS = frozenset({"truncate", "reset", "endless", "trickle"})
"""Kinds that let the request run and then spoil the answer on the wire."""
PHASES = ("pending", "done")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")

_COMMON = frozenset({"next", "p", "path"})
_ALLOWED: Mapping[str, frozenset[str]] = {
    "status": _COMMON | {"headers"},
    "429": _COMMON | {"headers", "reset", "reset_in", "body"},
    "drop": _COMMON,
    "reset": _COMMON,
    "truncate": _COMMON,
    "html": _COMMON | {"status", "headers"},
    "slow": _COMMON | {"ms"},
    "available0": _COMMON | {"reset", "reset_in"},
    "endless": _COMMON,
    "trickle": _COMMON | {"ms"},
    "job-fail": _COMMON | {"word"},
    "job-stuck": _COMMON,
    "job-word": _COMMON | {"word", "phase"},
    "job-late": _COMMON | {"ms"},
}
_NAME = re.compile(r"^[a-z_0-9]+$")


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; the message says which fault and why."""


@dataclass(frozen=True)
class Fault:
    """One fault as configured. ``status`` is set for status-code and ``html`` faults."""

    kind: str
    status: int | None = None
    next: int | None = None
    p: float = 1.0
    path: str = "api"
    ms: float = 0.0
    reset: str | None = None
    reset_in: float = 1.0
    body: str = "fault"
    headers: bool = True
    word: str | None = None
    phase: str = "done"

    @property
    def for_jobs(self) -> bool:
        return self.kind in JOB_KINDS

    def matches(self, target: str) -> bool:
        group = GROUPS.get(self.path)
        if group is not None:
            return target in group
        return self.path == target

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"kind": self.kind, "path": self.path, "p": self.p}
        if self.kind in ("status", "html"):
            shown["status"] = self.status
            shown["headers"] = self.headers
        if self.next is not None:
            shown["next"] = self.next
        if self.kind in ("slow", "trickle", "job-late"):
            shown["ms"] = self.ms
        if self.word is not None:
            shown["word"] = self.word
        if self.kind == "job-word":
            shown["phase"] = self.phase
        if self.status == 429 or self.kind == "available0":
            shown["reset"] = self.reset
            shown["reset_in"] = self.reset_in
        if self.status == 429 and self.kind == "status":
            shown["body"] = self.body
        return shown


def parse_fault_spec(spec: str) -> list[Fault]:
    """The faults a spec string lists; ``FaultSpecError`` for the first one that is wrong."""
    faults: list[Fault] = []
    items = [item.strip() for item in spec.split(";")]
    for number, item in enumerate(items, start=1):
        if not item:
            continue
        kind, _, rest = item.partition(":")
        params: dict[str, str] = {}
        for pair in rest.split(",") if rest.strip() else []:
            name, equals, value = pair.partition("=")
            name = name.strip()
            if not equals or not name or not value.strip():
                raise FaultSpecError(
                    f"fault {number} ({item!r}): expected NAME=VALUE, got {pair.strip()!r}"
                )
            if name in params:
                raise FaultSpecError(f"fault {number} ({item!r}): {name} given twice")
            params[name] = value.strip()
        try:
            faults.append(build_fault(kind.strip(), params))
        except FaultSpecError as error:
            raise FaultSpecError(f"fault {number} ({item!r}): {error}") from None
    return faults


def faults_from_json(value: Any) -> list[Fault]:
    """Faults from the control API: a spec string, or a list of objects like ``{"kind": "503"}``."""
    if isinstance(value, str):
        return parse_fault_spec(value)
    if not isinstance(value, list):
        raise FaultSpecError("faults must be a spec string or a list of fault objects")
    faults: list[Fault] = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or "kind" not in item:
            raise FaultSpecError(f"fault {number}: expected an object with a 'kind'")
        params = {str(name): _json_text(raw) for name, raw in item.items() if name != "kind"}
        try:
            faults.append(build_fault(_json_text(item["kind"]), params))
        except FaultSpecError as error:
            raise FaultSpecError(f"fault {number}: {error}") from None
    return faults


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    return str(value)


def build_fault(kind: str, params: Mapping[str, str]) -> Fault:
    """One fault from its kind and text parameters, every value checked."""
    status: int | None = None
    if kind.isdigit():
        status = int(kind)
        if not 400 <= status <= 599:
            raise FaultSpecError(f"status {status} is not from 400 to 599")
        rules = "429" if status == 429 else "status"
        kind = "status"
    elif kind in NAMED_KINDS:
        rules = kind
    else:
        raise FaultSpecError(
            f"unknown kind {kind!r}; use a status code (400-599) or one of {', '.join(NAMED_KINDS)}"
        )
    for name in params:
        if not _NAME.match(name) or name not in _ALLOWED[rules]:
            allowed = ", ".join(sorted(_ALLOWED[rules]))
            raise FaultSpecError(f"unknown parameter {name!r}; this kind takes {allowed}")
    values: dict[str, Any] = {"kind": kind, "status": status}
    if "next" in params:
        values["next"] = _integer(params, "next", minimum=1)
    if "p" in params:
        values["p"] = _number(params, "p")
        if not 0 < values["p"] <= 1:
            raise FaultSpecError("p must be above 0 and at most 1")
    if "path" in params:
        if params["path"] not in TARGETS:
            raise FaultSpecError(f"path must be one of {', '.join(TARGETS)}")
        values["path"] = params["path"]
    if kind == "html":
        values["status"] = _integer(params, "status", minimum=400, maximum=599, default=502)
        values["headers"] = _boolean(params, "headers", default=False)
    if kind == "status":
        values["headers"] = _boolean(params, "headers", default=True)
    if kind in ("slow", "job-late") and "ms" not in params:
        raise FaultSpecError(f"{kind} needs ms=MILLISECONDS")
    if kind == "job-word" and "word" not in params:
        raise FaultSpecError("job-word needs word=WORD")
    if "word" in params:
        if not _WORD.fullmatch(params["word"]):
            raise FaultSpecError("word must be a letter then up to 39 letters, digits, '-' or '_'")
        values["word"] = params["word"]
    if "phase" in params:
        if params["phase"] not in PHASES:
            raise FaultSpecError("phase must be pending or done")
        values["phase"] = params["phase"]
    if kind == "trickle":
        values["ms"] = 1000.0
    if "ms" in params:
        values["ms"] = _number(params, "ms")
        if values["ms"] < 0:
            raise FaultSpecError("ms must be 0 or more")
    if "reset" in params:
        if params["reset"] not in (*RESET_TIME_FORMS, "none"):
            raise FaultSpecError(f"reset must be one of {', '.join(RESET_TIME_FORMS)} or none")
        values["reset"] = params["reset"]
    if "reset_in" in params:
        values["reset_in"] = _number(params, "reset_in")
        if values["reset_in"] < 0:
            raise FaultSpecError("reset_in must be 0 or more seconds")
    if "body" in params:
        if params["body"] not in ("fault", "code"):
            raise FaultSpecError("body must be fault or code")
        values["body"] = params["body"]
    return Fault(**values)


def _integer(
    params: Mapping[str, str],
    name: str,
    *,
    minimum: int,
    maximum: int | None = None,
    default: int | None = None,
) -> int:
    text = params.get(name)
    if text is None:
        if default is None:
            raise FaultSpecError(f"{name} is required")
        return default
    if not re.fullmatch(r"[0-9]+", text):
        raise FaultSpecError(f"{name} must be a whole number, not {text!r}")
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise FaultSpecError(f"{name} must be at least {minimum}{upper}")
    return value


def _number(params: Mapping[str, str], name: str) -> float:
    try:
        value = float(params[name])
    except ValueError:
        raise FaultSpecError(f"{name} must be a number, not {params[name]!r}") from None
    if not math.isfinite(value):
        raise FaultSpecError(f"{name} must be a finite number")
    return value


def _boolean(params: Mapping[str, str], name: str, *, default: bool) -> bool:
    text = params.get(name)
    if text is None:
        return default
    if text.lower() in ("true", "yes", "1"):
        return True
    if text.lower() in ("false", "no", "0"):
        return False
    raise FaultSpecError(f"{name} must be true or false, not {text!r}")


@dataclass
class _Armed:
    fault: Fault
    remaining: int | None
    fired: int = 0


@dataclass(frozen=True)
class Drawn:
    """The faults one request meets: the one that decides its answer, and the delay to add."""

    decisive: Fault | None = None
    delay_ms: float = 0.0


@dataclass
class FaultBoard:
    """The active faults, shared by the server's threads; spent ``next=N`` faults drop off."""

    rng: random.Random = field(default_factory=random.Random)
    _armed: list[_Armed] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def replace(self, faults: Iterable[Fault]) -> None:
        with self._lock:
            self._armed = [_Armed(fault, fault.next) for fault in faults]

    def add(self, faults: Iterable[Fault]) -> None:
        with self._lock:
            self._armed.extend(_Armed(fault, fault.next) for fault in faults)

    def clear(self) -> None:
        self.replace([])

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {**armed.fault.to_json(), "remaining": armed.remaining, "fired": armed.fired}
                for armed in self._armed
            ]

    def draw(self, target: str) -> Drawn:
        """Fires the faults that apply to a request to ``target``, spending their counts."""
        decisive: Fault | None = None
        delay = 0.0
        with self._lock:
            for armed in list(self._armed):
                fault = armed.fault
                if fault.kind == "available0" or fault.for_jobs or not fault.matches(target):
                    continue
                if fault.kind != "slow" and decisive is not None:
                    continue
                if not self._fire(armed):
                    continue
                if fault.kind == "slow":
                    delay += fault.ms
                else:
                    decisive = fault
        return Drawn(decisive, delay)

    def take_available0(self, target: str) -> Fault | None:
        """The ``available0`` fault for a successful answer to ``target``, if one fires."""
        with self._lock:
            for armed in list(self._armed):
                fault = armed.fault
                if fault.kind == "available0" and fault.matches(target) and self._fire(armed):
                    return fault
        return None

    def take_job_faults(self, operation: str, poll: str) -> list[Fault]:
        """The job faults for a new job of ``operation`` (polled at ``poll``): the first of each
        kind (each phase, for ``job-word``) that matches and fires."""
        chosen: dict[tuple[str, str], Fault] = {}
        with self._lock:
            for armed in list(self._armed):
                fault = armed.fault
                slot = (fault.kind, fault.phase if fault.kind == "job-word" else "")
                if not fault.for_jobs or slot in chosen:
                    continue
                if not (fault.matches(operation) or fault.matches(poll)):
                    continue
                if self._fire(armed):
                    chosen[slot] = fault
        return list(chosen.values())

    def _fire(self, armed: _Armed) -> bool:
        if armed.fault.p < 1 and self.rng.random() >= armed.fault.p:
            return False
        armed.fired += 1
        if armed.remaining is not None:
            armed.remaining -= 1
            if armed.remaining <= 0:
                self._armed.remove(armed)
        return True
