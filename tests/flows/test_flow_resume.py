"""Nothing lost, nothing paid twice: kill -9, Ctrl-C, cut lines, in-flight calls, and resume."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from picsart_component.flows.journal import read_journal
from picsart_component.sandbox import RunningSandbox
from tests.conftest import REPO_ROOT
from tests.flows.flow_support import (
    TWO_STEPS,
    invoke,
    paid_calls,
    repeated_paid_calls,
    results,
    summary,
    write_items,
)


@pytest.fixture
def batch(tmp_path: Path, photo_url: str) -> tuple[Path, Path, Path]:
    flow = tmp_path / "flow.yaml"
    flow.write_text(TWO_STEPS, encoding="utf-8")
    return flow, tmp_path / "items.jsonl", tmp_path / "results.jsonl"


def journal_of(out: Path) -> Path:
    return out.with_name(out.name + ".journal")


def start_run(flow: Path, items: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "picsart_component", "flow", "run", str(flow)]
    command += ["--input", str(items), "--out", str(out), *extra]
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lines(path: Path, count: int, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.01)


def wait_for_text(path: Path, text: bytes, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_bytes()):
        assert process.poll() is None, f"the run ended before {text!r} came"
        assert time.monotonic() < deadline, f"{text!r} never came"
        time.sleep(0.01)


def assert_one_line_per_item(out: Path, count: int, note: str = "") -> list[dict[str, Any]]:
    lines = results(out)
    keys = [line["item"] for line in lines]
    assert sorted(keys) == list(range(1, count + 1)), note
    return lines


def test_a_run_killed_at_a_random_point_resumes_without_paying_twice(
    sandbox: RunningSandbox,
    batch: tuple[Path, Path, Path],
    photo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed = random.randrange(1_000_000)
    note = f"(random seed {seed})"
    count = 30
    flow, items, out = batch
    write_items(items, photo_url, count)
    sandbox.reset(spike_limit=40, credits=1000, quota=100_000, window=60, latency_ms=50)
    monkeypatch.setenv("PICSART_SPIKE_LIMIT", "40")
    records_before_kill = random.Random(seed).randint(3, 5 * count - 10)
    process = start_run(flow, items, out)
    wait_for_lines(journal_of(out), records_before_kill, process, timeout=60)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, f"the run ended before the kill {note}"

    resumed = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--resume")
    assert resumed.exit_code in (0, 1), resumed.stderr
    lines = assert_one_line_per_item(out, count, note)
    assert repeated_paid_calls(sandbox.request_log()) == [], note
    interrupted = [line for line in lines if line["status"] == "failed"]
    assert all(line["error"]["name"] == "Interrupted" for line in interrupted), note
    for line in lines:
        if line["status"] == "done":
            assert list(line["steps"]) == ["cutout", "large"], note
    assert summary(resumed)["thisRun"]["interrupted"] == len(interrupted)

    retried = invoke(
        "run", str(flow), "--input", str(items), "--out", str(out), "--resume",
        "--retry-interrupted",
    )  # fmt: skip
    assert retried.exit_code == 0, retried.stderr
    lines = assert_one_line_per_item(out, count, note)
    assert all(line["status"] == "done" for line in lines), note
    allowed = {
        ("/tools/1.0/removebg", line["input"]["url"])
        if line["error"]["step"] == "cutout"
        else ("/tools/1.0/upscale", line["steps"]["cutout"]["data"]["url"])
        for line in interrupted
    }
    assert set(repeated_paid_calls(sandbox.request_log())) <= allowed, note


def test_ctrl_c_finishes_the_running_items_and_says_how_to_resume(
    sandbox: RunningSandbox,
    batch: tuple[Path, Path, Path],
    photo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = 30
    flow, items, out = batch
    write_items(items, photo_url, count)
    sandbox.reset(spike_limit=10, credits=1000, quota=100_000, window=60)
    monkeypatch.setenv("PICSART_SPIKE_LIMIT", "10")
    process = start_run(flow, items, out, "--workers", "3")
    wait_for_lines(out, 1, process, timeout=60)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "stopping: no new item starts" in stderr
    command = f"picsart-flow flow run {flow} --input {items} --out {out} --workers 3 --resume"
    assert f"To resume: {command}" in stderr
    lines = results(out)
    assert 1 <= len(lines) < count
    assert all(line["status"] == "done" for line in lines), "a running item was cut off"
    assert json.loads(stdout.splitlines()[-1])["summary"]["stopped"] == "interrupted"

    monkeypatch.setenv("PICSART_SPIKE_LIMIT", "300")
    sandbox.reset(spike_limit=300, credits=1000, quota=100_000, window=60)
    resumed = invoke(*command.split()[2:])
    assert resumed.exit_code == 0, resumed.stderr
    assert_one_line_per_item(out, count)
    assert len(paid_calls(sandbox.request_log())) == 2 * (count - len(lines))


def test_a_second_ctrl_c_stops_at_once(
    sandbox: RunningSandbox,
    batch: tuple[Path, Path, Path],
    photo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flow, items, out = batch
    write_items(items, photo_url, 30)
    sandbox.reset(spike_limit=5, credits=1000, quota=100_000, window=60, latency_ms=300)
    monkeypatch.setenv("PICSART_SPIKE_LIMIT", "5")
    process = start_run(flow, items, out)
    wait_for_text(journal_of(out), b'"type":"started"', process, timeout=60)
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "stopping: no new item starts" in line:
            break
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=10)
    stderr = "".join(seen) + rest
    assert process.returncode == 130, stderr
    assert "stopped at once" in stderr
    assert "--resume" in stderr
    in_flight = re.search(r"the (\d+) call\(s\) in flight count as spent", stderr)
    assert in_flight is not None, stderr
    # Each call in flight at the kill counts as spent once, beside every finished step.
    journal = read_journal(journal_of(out))
    finished = journal.runs[0].finished_steps
    assert 1 <= journal.runs[0].possibly_charged <= int(in_flight.group(1))
    assert journal.credits_spent >= finished + journal.runs[0].possibly_charged
    resumed = invoke(
        "run", str(flow), "--input", str(items), "--out", str(out), "--resume", "--max-credits",
        str(journal.credits_spent),
    )  # fmt: skip
    report = summary(resumed)
    assert (report["stopped"], report["credits"]["spentInAllRuns"]) == (
        "max-credits",
        journal.credits_spent,
    )


def test_a_cut_last_line_is_repaired_and_rebuilt_from_the_journal(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path], photo_url: str
) -> None:
    flow, items, out = batch
    write_items(items, photo_url, 3)
    assert invoke("run", str(flow), "--input", str(items), "--out", str(out)).exit_code == 0
    complete = out.read_bytes().splitlines(keepends=True)
    lost = json.loads(complete[-1])
    out.write_bytes(b"".join(complete[:-1]) + complete[-1][:25])
    with journal_of(out).open("ab") as journal:
        journal.write(b'{"type": "started", "it')
    sandbox.app.state.log.clear()

    resumed = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    lines = assert_one_line_per_item(out, 3)
    assert [line for line in lines if line["item"] == lost["item"]] == [lost]
    assert paid_calls(sandbox.request_log()) == []
    assert "removed the last line, which a kill had cut short" in resumed.stderr
    assert journal_of(out).read_bytes().endswith(b"\n")


def edit_journal(out: Path, keep: Any) -> None:
    """Keeps the journal records ``keep`` accepts, and empties the results file."""
    journal = journal_of(out)
    records = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    journal.write_text(
        "".join(json.dumps(record) + "\n" for record in records if keep(record)),
        encoding="utf-8",
    )
    out.write_text("", encoding="utf-8")


def test_a_step_in_flight_is_not_sent_again_unless_asked(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path], photo_url: str
) -> None:
    flow, items, out = batch
    write_items(items, photo_url, 1)
    assert invoke("run", str(flow), "--input", str(items), "--out", str(out)).exit_code == 0
    edit_journal(out, lambda r: not (r["type"] == "finished" and r["step"] == "large"))
    sandbox.app.state.log.clear()

    resumed = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--resume")
    assert resumed.exit_code == 1
    (line,) = results(out)
    assert line["status"] == "failed"
    assert list(line["steps"]) == ["cutout"]
    assert line["error"]["step"] == "large"
    assert line["error"]["name"] == "Interrupted"
    assert "it was not sent again, so it cannot be charged twice" in line["error"]["message"]
    assert "--resume --retry-interrupted" in line["error"]["message"]
    assert paid_calls(sandbox.request_log()) == []

    again = invoke(
        "run", str(flow), "--input", str(items), "--out", str(out), "--resume",
        "--retry-interrupted",
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr
    (line,) = results(out)
    assert line["status"] == "done"
    assert [call["path"] for call in paid_calls(sandbox.request_log())] == ["/tools/1.0/upscale"]


def test_a_resumed_item_continues_from_its_next_step(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path], photo_url: str
) -> None:
    flow, items, out = batch
    write_items(items, photo_url, 2)
    assert invoke("run", str(flow), "--input", str(items), "--out", str(out)).exit_code == 0
    first_cutouts = {line["item"]: line["steps"]["cutout"] for line in results(out)}
    edit_journal(out, lambda r: r.get("step") != "large")
    sandbox.app.state.log.clear()

    resumed = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    lines = assert_one_line_per_item(out, 2)
    assert {line["item"]: line["steps"]["cutout"] for line in lines} == first_cutouts
    assert [call["path"] for call in paid_calls(sandbox.request_log())] == [
        "/tools/1.0/upscale",
        "/tools/1.0/upscale",
    ]


def test_resume_refuses_another_flow_or_input_and_a_run_refuses_to_overwrite(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path], photo_url: str, tmp_path: Path
) -> None:
    flow, items, out = batch
    write_items(items, photo_url, 1)
    args = ["run", str(flow), "--input", str(items), "--out", str(out)]
    assert invoke(*args).exit_code == 0

    again = invoke(*args)
    assert again.exit_code == 2
    assert "holds an earlier run; add --resume to finish it, or give another --out" in again.stderr

    other_flow = tmp_path / "other.yaml"
    other_flow.write_text(TWO_STEPS.replace('"upscale_factor": 2', '"upscale_factor": 4'), "utf-8")
    refused = invoke("run", str(other_flow), "--input", str(items), "--out", str(out), "--resume")
    assert refused.exit_code == 2
    assert "it was written for another flow" in refused.stderr

    write_items(items, photo_url, 2)
    refused = invoke(*args, "--resume")
    assert refused.exit_code == 2
    assert "it was written for another input" in refused.stderr

    journal_of(out).unlink()
    refused = invoke(*args, "--resume")
    assert refused.exit_code == 2
    assert "its journal results.jsonl.journal is missing" in refused.stderr

    refused = invoke(*args, "--retry-interrupted")
    assert refused.exit_code == 2
    assert "--retry-interrupted goes with --resume" in refused.stderr
    assert len(paid_calls(sandbox.request_log())) == 2
