"""``picsart-flow sandbox``: help, option checks, startup, and how cheap it is to import."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from picsart_component.sandbox import RunningSandbox, SandboxOptions, serve_forever
from picsart_component.sandbox.command import sandbox
from tests.sandbox.support import KEY

PACKAGE = Path(__file__).resolve().parents[2] / "picsart_component" / "sandbox"


def test_help_shows_an_example_and_the_fault_syntax() -> None:
    result = CliRunner().invoke(sandbox, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "PICSART_BASE_URL=http://127.0.0.1:8700/tools/1.0/" in result.output
    assert "--reset-time-form [epoch-ms|epoch-s|seconds]" in result.output
    assert "available0" in result.output
    assert "job-fail (word=), job-stuck" in result.output
    assert "--job-seconds FLOAT RANGE" in result.output
    assert 'pip install "picsart-component[video]"' in result.output
    assert "/__sandbox/state" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--faults", "503:next=0"], "next must be at least 1"),
        (["--faults", "explode"], "unknown kind 'explode'"),
        (["--reset-time-form", "minutes"], "'minutes' is not one of"),
        (["--quota", "0"], "0 is not in the range x>=1"),
        (["--spike-limit", "0"], "x>0"),
        (["--job-seconds", "-1"], "0<=x<=3600"),
        (["--faults", "job-word:phase=done"], "job-word needs word=WORD"),
        (["--image-processes", "65"], "0<=x<=64"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(args: list[str], words: str) -> None:
    result = CliRunner().invoke(sandbox, args)
    assert result.exit_code == 2
    assert words in result.output


def test_job_seconds_reach_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[SandboxOptions] = []
    monkeypatch.setattr(
        "picsart_component.sandbox.server.serve_forever",
        lambda options, on_ready: seen.append(options),
    )
    result = CliRunner().invoke(sandbox, ["--job-seconds", "0.5", "--quiet"])
    assert result.exit_code == 0, result.output
    assert seen[0].job_seconds == 0.5


def test_image_processes_default_to_the_cpus_and_reach_the_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[SandboxOptions] = []
    monkeypatch.setattr(
        "picsart_component.sandbox.server.serve_forever",
        lambda options, on_ready: seen.append(options),
    )
    for args in ([], ["--image-processes", "0"]):
        result = CliRunner().invoke(sandbox, [*args, "--quiet"])
        assert result.exit_code == 0, result.output
    assert [options.image_processes for options in seen] == [min(os.cpu_count() or 1, 8), 0]
    assert SandboxOptions(image_processes=65).problems() == ["image_processes must be from 0 to 64"]


def test_it_announces_the_url_and_serves_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(options: SandboxOptions, on_ready: Any) -> None:
        seen["options"] = options
        on_ready(RunningSandboxStub())

    monkeypatch.setattr("picsart_component.sandbox.server.serve_forever", fake_serve)
    result = CliRunner().invoke(
        sandbox, ["--port", "0", "--credits", "5", "--api-key", "k-123", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    options: SandboxOptions = seen["options"]
    assert (options.port, options.credits, options.api_key, options.quiet) == (0, 5, "k-123", True)
    assert options.job_seconds == 3
    assert "Picsart sandbox serving http://127.0.0.1:8700/tools/1.0/" in result.output
    assert "GenAI API: http://127.0.0.1:8700/v1/" in result.output
    assert "Video API: http://127.0.0.1:8700/video/v1/" in result.output
    assert "Variable Data API: http://127.0.0.1:8700/vd/v1/" in result.output
    assert "PICSART_API_KEY=<your --api-key>" in result.output
    assert "k-123" not in result.output
    assert "Picsart sandbox stopped." in result.output


class RunningSandboxStub:
    base_url = "http://127.0.0.1:8700/tools/1.0/"
    genai_base_url = "http://127.0.0.1:8700/v1/"
    video_base_url = "http://127.0.0.1:8700/video/v1/"
    vd_base_url = "http://127.0.0.1:8700/vd/v1/"
    control_url = "http://127.0.0.1:8700/__sandbox/"


def test_serve_forever_serves_until_stopped(http: requests.Session) -> None:
    ready: list[RunningSandbox] = []
    thread = threading.Thread(
        target=serve_forever, args=(SandboxOptions(), ready.append), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 5
    while not ready and time.monotonic() < deadline:
        time.sleep(0.01)
    running = ready[0]
    answer = http.get(running.base_url + "balance", timeout=5)
    assert answer.json() == {"credits": 1000}
    running.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_command_exits_cleanly_on_sigterm(http: requests.Session) -> None:
    code = "from picsart_component.sandbox.command import sandbox; sandbox()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0", "--api-key", KEY],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    base_url = first.split()[-1]
    try:
        answer = http.get(base_url + "balance", headers={"X-Picsart-API-Key": KEY}, timeout=5)
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        process.wait(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in rest
    assert "GET /tools/1.0/balance -> 200" in rest
    assert KEY not in first + rest
    assert rest.rstrip().endswith("Picsart sandbox stopped.")


def test_importing_the_command_loads_neither_werkzeug_nor_pillow() -> None:
    code = (
        "import sys, picsart_component.sandbox.command, picsart_component.sandbox as s;"
        "print(sorted(m for m in ('werkzeug', 'PIL', 'openapi_core') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"


def test_the_sandbox_never_imports_the_component_lib() -> None:
    for source in PACKAGE.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for name in names:
                assert "lib" not in name.split("."), f"{source.name} imports {name}"
                assert not name.startswith(".."), f"{source.name} reaches outside: {name}"
