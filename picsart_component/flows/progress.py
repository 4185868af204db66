"""Progress on stderr: a rich progress bar on a terminal, a plain status line every few seconds
otherwise (a log file or CI output has no use for a redrawn bar)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Snapshot:
    total: int
    done: int
    failed: int
    requests: int
    seconds: float

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def item_rate(self) -> float:
        return self.finished / self.seconds if self.seconds > 0 else 0.0

    @property
    def request_rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        rate = self.item_rate
        return (self.total - self.finished) / rate if rate > 0 else None


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def status_line(snapshot: Snapshot) -> str:
    return (
        f"{snapshot.finished}/{snapshot.total} items (done {snapshot.done}, failed "
        f"{snapshot.failed}), {snapshot.item_rate:.1f} items/s, {snapshot.request_rate:.1f} "
        f"requests/s, ETA {format_duration(snapshot.eta_seconds)}"
    )


class ProgressReporter(Protocol):
    def start(self, total: int) -> None: ...

    def update(self, done: int, failed: int, requests: int) -> None: ...

    def stop(self) -> None: ...


class _Counters:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self.total = 0
        self.done = 0
        self.failed = 0
        self.requests = 0

    def start(self, total: int) -> None:
        with self._lock:
            self._started = self._clock()
            self.total = total

    def update(self, done: int, failed: int, requests: int) -> None:
        with self._lock:
            self.done, self.failed, self.requests = done, failed, requests

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(
                self.total, self.done, self.failed, self.requests, self._clock() - self._started
            )


class PlainProgress:
    """One status line every ``interval`` seconds, from a background thread."""

    def __init__(
        self, echo: Echo, interval: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._echo = echo
        self._interval = interval
        self._counters = _Counters(clock)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, total: int) -> None:
        self._counters.start(total)
        self._thread = threading.Thread(target=self._tick, name="picsart-flow-status", daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        while not self._stopped.wait(self._interval):
            self._echo(status_line(self._counters.snapshot()))

    def update(self, done: int, failed: int, requests: int) -> None:
        self._counters.update(done, failed, requests)

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class RichProgress:
    """rich's progress bar: done, failed, items and requests a second, and the time left.

    While it is shown, log records go through rich's stand-in for stderr, so that a warning
    prints above the bar instead of through it.
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]items"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("done [green]{task.fields[done]}[/] failed [red]{task.fields[failed]}[/]"),
            TextColumn(
                "{task.fields[item_rate]:.1f} items/s {task.fields[request_rate]:.1f} req/s"
            ),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stream or sys.stderr),
        )
        self._counters = _Counters(time.monotonic)
        self._task: Any = None
        self._redirected: list[tuple[logging.StreamHandler[Any], Any]] = []

    def start(self, total: int) -> None:
        self._counters.start(total)
        real_stderr = sys.stderr
        self._progress.start()
        self._task = self._progress.add_task(
            "items", total=total, done=0, failed=0, item_rate=0.0, request_rate=0.0
        )
        if sys.stderr is real_stderr:
            return
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is real_stderr:
                self._redirected.append((handler, handler.stream))
                handler.setStream(sys.stderr)

    def update(self, done: int, failed: int, requests: int) -> None:
        self._counters.update(done, failed, requests)
        snapshot = self._counters.snapshot()
        self._progress.update(
            self._task,
            completed=snapshot.finished,
            done=done,
            failed=failed,
            item_rate=snapshot.item_rate,
            request_rate=snapshot.request_rate,
        )

    def stop(self) -> None:
        self._progress.stop()
        for handler, stream in self._redirected:
            handler.setStream(stream)
        self._redirected.clear()


def make_progress(echo: Echo, interval: float, stream: IO[str] | None = None) -> ProgressReporter:
    """A bar when ``stream`` (stderr) is a terminal, status lines otherwise."""
    target = stream or sys.stderr
    if target.isatty():
        return RichProgress(target)
    return PlainProgress(echo, interval)
