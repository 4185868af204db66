"""A batch of text-to-image prompts: jobs polled to the end, and a run killed while its jobs run
resumes by collecting them, paying for none of them twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.conftest import REPO_ROOT
from tests.flows.flow_support import KEY, invoke, results, summary

PROMPTS = ["a red lighthouse", "a blue whale", "a green tea cup", "a yellow kite", "a grey owl"]
FLOW = """\
- id: picture
  action: textToImage
  body: '{"prompt": input.prompt, "count": 1, "width": 128, "height": 128}'
"""
SUBMIT_PATH = "/v1/text2image"


@pytest.fixture
def genai(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    monkeypatch.setenv("PICSART_GENAI_BASE_URL", sandbox.genai_base_url)
    monkeypatch.setenv("PICSART_JOB_POLL_SECONDS", "0.05")
    return sandbox


def write_batch(tmp_path: Path) -> tuple[Path, Path, Path]:
    flow = tmp_path / "flow.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    items = tmp_path / "prompts.jsonl"
    items.write_text("".join(json.dumps({"prompt": p}) + "\n" for p in PROMPTS), encoding="utf-8")
    return flow, items, tmp_path / "results.jsonl"


def submissions(sandbox: RunningSandbox) -> Counter[str]:
    """Accepted text-to-image submissions, by prompt."""
    return Counter(
        entry["fields"].get("prompt", "")
        for entry in sandbox.request_log()
        if entry["path"] == SUBMIT_PATH and entry["status"] == 202
    )


def journal_records(out: Path, kind: str) -> list[dict[str, Any]]:
    journal = out.with_name(out.name + ".journal")
    if not journal.exists():
        return []
    lines = journal.read_text(encoding="utf-8").splitlines()
    return [record for line in lines if (record := json.loads(line)).get("type") == kind]


def test_a_batch_of_prompts_runs_its_jobs_to_the_end(genai: RunningSandbox, tmp_path: Path) -> None:
    genai.reset(job_seconds=0.2)
    flow, items, out = write_batch(tmp_path)
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--workers", "3")
    assert result.exit_code == 0, result.stderr
    lines = results(out)
    assert sorted(line["input"]["prompt"] for line in lines) == sorted(PROMPTS)
    for line in lines:
        picture = line["steps"]["picture"]
        assert picture["status"] == "success"
        assert picture["operation"] == "textToImage"
        assert len(picture["data"]) == 1
    assert submissions(genai) == Counter(PROMPTS)
    jobs = {record["job"]["id"] for record in journal_records(out, "job")}
    assert jobs == {line["steps"]["picture"]["jobId"] for line in lines}
    assert summary(result)["thisRun"]["done"] == len(PROMPTS)


def test_a_run_killed_while_its_jobs_run_resumes_without_paying_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The jobs take 30 s on the sandbox's clock; once the run is killed the clock jumps a
    minute, so that the resumed run finds them finished without waiting for real."""
    offset = [0.0]
    with start_sandbox(
        quiet=True, api_key=KEY, job_seconds=30, clock=lambda: time.time() + offset[0]
    ) as sandbox:
        monkeypatch.setenv("PICSART_API_KEY", KEY)
        monkeypatch.setenv("PICSART_BASE_URL", sandbox.base_url)
        monkeypatch.setenv("PICSART_GENAI_BASE_URL", sandbox.genai_base_url)
        monkeypatch.setenv("PICSART_JOB_POLL_SECONDS", "0.05")
        monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
        flow, items, out = write_batch(tmp_path)
        command = [sys.executable, "-m", "picsart_component", "flow", "run", str(flow)]
        command += ["--input", str(items), "--out", str(out), "--workers", "5"]
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while len(journal_records(out, "job")) < len(PROMPTS) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[1]
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        started = {record["item"]: record["job"]["id"] for record in journal_records(out, "job")}
        assert len(started) == len(PROMPTS), "every job should have been accepted by now"
        assert not out.exists() or not out.read_text(encoding="utf-8").strip()
        assert submissions(sandbox) == Counter(PROMPTS)

        offset[0] = 60.0
        resumed = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--resume")
        assert resumed.exit_code == 0, resumed.stderr
        lines = results(out)
        assert len(lines) == len(PROMPTS)
        for line in lines:
            assert line["status"] == "done", line
            assert line["steps"]["picture"]["jobId"] == started[line["item"]]
        assert submissions(sandbox) == Counter(PROMPTS), "a prompt was paid for twice"
        assert summary(resumed)["thisRun"]["interrupted"] == 0


CHAIN = """\
- id: picture
  action: textToImage
  body: '{"prompt": input.prompt, "count": 1, "width": 96, "height": 64}'
- id: wider
  action: expandImage
  cfg: {execution: async}
  body: >-
    {"image_url": picture.data[0].url, "prompt": "more of the same",
     "width": 160, "height": 96, "count": 1}
- id: sharper
  action: ultraUpscale
  cfg: {downloadResult: true}
  body: '{"image_url": wider.data[0].url, "upscale_factor": 2, "format": "PNG"}'
"""


def test_generative_steps_chain_in_a_flow(genai: RunningSandbox, tmp_path: Path) -> None:
    flow = tmp_path / "chain.yaml"
    flow.write_text(CHAIN, encoding="utf-8")
    items = tmp_path / "two.jsonl"
    items.write_text('{"prompt": "a red kite"}\n{"prompt": "a green hill"}\n', encoding="utf-8")
    out = tmp_path / "chain.jsonl"
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    for line in results(out):
        steps = line["steps"]
        assert steps["picture"]["jobId"]
        assert steps["wider"]["operation"] == "expandImage"
        assert steps["sharper"]["attachmentUrl"].startswith("file://")
    log = genai.request_log()
    expands = [e for e in log if e["path"] == "/v1/painting/expand"]
    assert [e["headers"].get("Prefer") for e in expands] == ["respond-async"] * 2
