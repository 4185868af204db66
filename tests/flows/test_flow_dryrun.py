"""Dry runs: every mapping and every step's input checked for every item, and nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from picsart_component.flows.dryrun import placeholder_output
from picsart_component.flows.mapping import StepBody
from picsart_component.flows.model import FlowStep
from picsart_component.runtime.executor import Executor
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import TWO_STEPS, invoke, png


def report_lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_a_dry_run_reports_each_items_problems_and_sends_nothing(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        TWO_STEPS.replace('"upscale_factor": 2', '"upscale_factor": $number(input.factor)'),
        encoding="utf-8",
    )
    items = tmp_path / "items.csv"
    items.write_text(
        "url,factor\n"
        "https://x.test/a.png,2\n"
        "not a url,4\n"
        "https://x.test/c.png,3\n"
        "https://x.test/d.png\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--dry-run")
    assert result.exit_code == 1
    assert report_lines(result.stdout) == [
        {
            "item": 2,
            "problems": [{"step": "cutout", "path": "$.image_url", "rule": "must be a valid uri"}],
        },
        {
            "item": 3,
            "problems": [
                {"step": "large", "path": "$.upscale_factor", "rule": "must be one of: 2, 4, 6, 8"}
            ],
        },
        {
            "item": 4,
            "problems": [
                {
                    "step": "input",
                    "path": "$",
                    "rule": "row 4 (line 5) has 1 values, but the header has 2 columns",
                }
            ],
        },
        {"dryRun": {"items": 4, "withProblems": 3}},
    ]
    assert "nothing was sent" in result.stderr
    assert sandbox.request_log() == []
    assert not out.exists()


def test_a_clean_dry_run_exits_0_and_needs_no_out_and_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PICSART_API_KEY", raising=False)
    monkeypatch.delenv("PICSART_BASE_URL", raising=False)
    flow = tmp_path / "flow.yaml"
    flow.write_text(TWO_STEPS, encoding="utf-8")
    items = tmp_path / "items.jsonl"
    items.write_text('{"url": "https://x.test/a.png"}\n', encoding="utf-8")
    result = invoke("run", str(flow), "--input", str(items), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert report_lines(result.stdout) == [{"dryRun": {"items": 1, "withProblems": 0}}]
    assert "sandbox mode" not in result.stderr


def test_a_dry_run_over_a_folder_copies_nothing_into_the_store(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "mug.png").write_bytes(png())
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        TWO_STEPS.replace('"image_url": input.url', '"image": input.image'), encoding="utf-8"
    )
    result = invoke("run", str(flow), "--input", str(folder), "--dry-run")
    assert result.exit_code == 0, result.stdout
    assert not (tmp_path / "store").exists()
    assert sandbox.request_log() == []


def test_a_later_step_maps_from_stand_ins_shaped_like_real_outputs() -> None:
    executor = Executor()
    cutout = FlowStep("cutout", "removeBackground", StepBody(expression="{}"))
    raw = FlowStep("raw", "makeRawRequest", StepBody(expression="{}"))
    assert placeholder_output(executor, cutout) == {
        "status": "https://dry-run.invalid/cutout/status",
        "data": {
            "url": "https://dry-run.invalid/cutout/data/url",
            "id": "https://dry-run.invalid/cutout/data/id",
        },
        "attachmentUrl": "https://dry-run.invalid/cutout/attachmentUrl",
    }
    assert placeholder_output(executor, raw) == {
        "statusCode": 0,
        "headers": {},
        "responseBody": {},
    }
