"""The credit guard: the balance is read first, and no item starts that could pass the budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from picsart_component.flows.runner import CreditMeter
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import (
    KEY,
    TWO_STEPS,
    invoke,
    paid_calls,
    results,
    summary,
    write_items,
)


def test_the_estimate_is_one_credit_a_step_until_items_settle() -> None:
    meter = CreditMeter(100, steps=2, max_credits=10)
    assert meter.estimate_per_item() == 2
    assert meter.refusal(in_flight=0) is None
    assert meter.refusal(in_flight=4) is None
    assert meter.refusal(in_flight=5) == "max-credits"
    meter.observe(97)
    meter.observe(99)
    assert meter.spent == 3
    meter.settle()
    assert meter.estimate_per_item() == 3
    assert meter.refusal(in_flight=1) is None
    assert meter.refusal(in_flight=2) == "max-credits"


def test_steps_count_a_credit_each_when_answers_carry_no_balance() -> None:
    meter = CreditMeter(100, steps=1, max_credits=4)
    for _ in range(3):
        meter.observe(None)
    assert meter.spent == 0
    assert meter.refusal(in_flight=0) is None
    meter.observe(None)
    assert meter.refusal(in_flight=0) == "max-credits"


def test_the_budget_counts_earlier_runs_and_the_balance() -> None:
    assert CreditMeter(100, 2, max_credits=10, spent_before=8).refusal(0) is None
    assert CreditMeter(100, 2, max_credits=10, spent_before=9).refusal(0) == "max-credits"
    assert CreditMeter(3, 2).refusal(0) is None
    assert CreditMeter(3, 2).refusal(1) == "balance"


@pytest.fixture
def batch(tmp_path: Path, photo_url: str) -> tuple[Path, Path, Path]:
    flow = tmp_path / "flow.yaml"
    flow.write_text(TWO_STEPS, encoding="utf-8")
    items = write_items(tmp_path / "items.jsonl", photo_url, 10)
    return flow, items, tmp_path / "results.jsonl"


def test_max_credits_stops_starting_items_and_a_resume_with_more_finishes(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path]
) -> None:
    flow, items, out = batch
    args = ["run", str(flow), "--input", str(items), "--out", str(out), "--workers", "2"]
    first = invoke(*args, "--max-credits", "7")
    assert first.exit_code == 3, first.stderr
    assert sandbox.state()["counts"]["charged"] == 6
    assert sorted(line["item"] for line in results(out)) == [1, 2, 3]
    assert summary(first)["stopped"] == "max-credits"
    assert summary(first)["notStarted"] == 7
    assert summary(first)["credits"] == {
        "balanceAtStart": 1000,
        "spent": 6,
        "spentInAllRuns": 6,
    }
    assert "stopped before 7 item(s)" in first.stderr
    assert "run again with --resume and a higher --max-credits; for all of them about 20" in (
        first.stderr
    )
    assert f"--out {out} --workers 2 --max-credits 20 --resume" in first.stderr

    second = invoke(*args, "--max-credits", "20", "--resume")
    assert second.exit_code == 0, second.stderr
    assert len(results(out)) == 10
    assert summary(second)["credits"]["spentInAllRuns"] == 20
    assert sandbox.state()["counts"]["charged"] == 20


def test_the_balance_stops_the_batch_before_any_call_is_refused_for_credits(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path]
) -> None:
    flow, items, out = batch
    sandbox.set_credits(5)
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert result.exit_code == 3, result.stderr
    assert len(results(out)) == 2
    assert all(line["status"] == "done" for line in results(out))
    assert [e for e in sandbox.request_log() if e["status"] == 402] == []
    assert summary(result)["stopped"] == "balance"
    assert "Top up the account" in result.stderr


def test_without_a_readable_balance_nothing_runs(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow, items, out = batch
    monkeypatch.setenv("PICSART_API_KEY", "not-the-key-123")
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert result.exit_code == 1
    assert "cannot read the account balance, so nothing was run" in result.stderr
    assert "not-the-key-123" not in result.output
    assert not out.exists()
    assert paid_calls(sandbox.request_log()) == []


def test_the_key_appears_in_no_output_and_no_file(
    sandbox: RunningSandbox, batch: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow, items, out = batch
    monkeypatch.delenv("PICSART_API_KEY")
    cfg = json.dumps({"apiKey": KEY})
    result = invoke(
        "run", str(flow), "--input", str(items), "--out", str(out), "--max-credits", "4",
        "--cfg", cfg, "--verbose",
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    assert "--cfg" in result.stderr
    assert KEY not in result.output
    assert KEY not in out.read_text(encoding="utf-8")
    assert KEY not in out.with_name(out.name + ".journal").read_text(encoding="utf-8")
