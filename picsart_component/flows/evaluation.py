"""Evaluating a flow's JSONata mappings where they can be stopped for certain.

A mapping is code from a flow file, run once per item. JSONata's own time limit covers its
evaluator, but not the built-in functions beneath it: a catastrophic regular expression holds a
CPU (and the interpreter lock) for as long as it likes, and ``$pad("", 1500000000, "x")`` asks
for gigabytes before anything can check. So a batch evaluates its mappings in child processes
with a memory limit, and kills a child that does not answer within the time limit. An ordinary
mapping costs a round trip over a pipe (well under a millisecond); the expression is parsed once
per child.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import queue
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import IO, Any, Protocol, cast

from .mapping import MappingError, evaluate_expression

try:
    import resource
except ImportError:  # pragma: no cover - Windows has no resource limits
    resource = None  # type: ignore[assignment]

log = logging.getLogger("picsart.flows")

DEFAULT_TIMEOUT = 2.0
DEFAULT_MEMORY_MB = 512


class Evaluator(Protocol):
    """Evaluates a body expression against an item's document."""

    def evaluate(self, expression: str, document: Mapping[str, Any]) -> dict[str, Any]: ...


class InProcessEvaluator:
    """Evaluates in this process: for expressions already trusted (and for tests of the
    language itself); a batch never uses it."""

    def evaluate(self, expression: str, document: Mapping[str, Any]) -> dict[str, Any]:
        return evaluate_expression(expression, document)


class IsolatedEvaluator:
    """Evaluates in up to ``processes`` child processes, each limited to ``memory_mb`` and
    killed when an evaluation takes longer than ``timeout`` seconds.

    Safe to share between threads: each evaluation has a child to itself. Children start on
    first use and after one was stopped; ``close`` (or leaving the ``with`` block) ends them.
    Requests and answers cross the pipe as JSON lines, never as pickles: the child runs code
    from a flow file, and must not be able to hand the parent anything but data.
    """

    def __init__(
        self,
        processes: int = 1,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = DEFAULT_MEMORY_MB,
    ) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._idle: queue.Queue[_Child] = queue.Queue()
        for _ in range(processes):
            self._idle.put(_Child(memory_mb))
        self._children = processes

    def __enter__(self) -> IsolatedEvaluator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def evaluate(self, expression: str, document: Mapping[str, Any]) -> dict[str, Any]:
        request = json.dumps({"expression": expression, "document": document}, allow_nan=False)
        child = self._idle.get()
        try:
            reply = child.ask(request, self.timeout)
        except _Stopped as stopped:
            child.stop()
            raise MappingError(self._stopped_message(stopped.reason)) from None
        finally:
            self._idle.put(child)
        if "ok" in reply and isinstance(reply["ok"], dict):
            return reply["ok"]
        code = reply.get("code")
        raise MappingError(
            str(reply.get("error", "the body expression failed")),
            code if isinstance(code, str) else None,
        )

    def _stopped_message(self, reason: str) -> str:
        if reason == "timeout":
            return (
                f"the body expression took longer than {self.timeout:g} s, so it was stopped "
                "(a regular expression that backtracks without end, or a loop, does this)"
            )
        return (
            "the body expression ended its evaluation process, which happens when it needs "
            f"more than {self.memory_mb} MB"
        )

    def close(self) -> None:
        for _ in range(self._children):
            with contextlib.suppress(queue.Empty):
                self._idle.get(timeout=self.timeout + 1).stop()


class _Stopped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Child:
    """One evaluation process, started when first needed."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self._process: subprocess.Popen[bytes] | None = None

    def ask(self, request: str, timeout: float) -> dict[str, Any]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(self.memory_mb)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            # Starting (an interpreter, then JSONata's import) is not the expression's time: on
            # a loaded machine it alone can pass the limit. An empty mapping first, with room.
            self.ask('{"expression": "{}", "document": {}}', max(timeout, 60.0))
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        try:
            stdin.write(request.encode() + b"\n")
            stdin.flush()
            if not _readable_within(stdout, timeout):
                raise _Stopped("timeout")
            line = stdout.readline()
        except OSError:
            raise _Stopped("died") from None
        try:
            answer = json.loads(line)
        except ValueError:
            raise _Stopped("died") from None
        return answer if isinstance(answer, dict) else {}

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _readable_within(stream: IO[bytes], timeout: float) -> bool:
    """Whether the child answers within ``timeout`` seconds."""
    if sys.platform != "win32":
        ready, _, _ = select.select([stream], [], [], timeout)
        return bool(ready)
    # Windows cannot select on pipes: a helper thread waits for the answer instead.
    reader = cast(io.BufferedReader, stream)
    waiter = threading.Thread(target=reader.peek, daemon=True)
    waiter.start()
    waiter.join(timeout)
    return not waiter.is_alive()


def serve(memory_mb: int) -> None:
    """The child: evaluate each JSON line from stdin, answer with one JSON line on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if resource is not None:
        limit = memory_mb << 20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            answer: dict[str, Any] = {
                "ok": evaluate_expression(request["expression"], request["document"])
            }
        except MappingError as error:
            answer = {"error": str(error), "code": error.code}
        except MemoryError:
            answer = {"error": f"the body expression needs more than {memory_mb} MB"}
        except Exception as error:
            answer = {"error": f"the body expression failed: {error or type(error).__name__}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEMORY_MB)
