"""``--workers auto``: as many items in flight as the pace and the measured latency need."""

from __future__ import annotations

from pathlib import Path

import pytest

from picsart_component.flows.sizing import MOST, START, WorkerCount
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import TWO_STEPS, invoke, paid_calls, results, summary, write_items


def test_a_fixed_count_stays_whatever_the_items_take() -> None:
    workers = WorkerCount(3, pace=lambda: 300)
    workers.item_finished(seconds=2.0, throttle_wait=0.0, calls=2)
    assert workers.current() == 3
    assert workers.most == 3


def finished(workers: WorkerCount, items: int, seconds: float) -> None:
    """``items`` of one call each, busy for ``seconds`` each."""
    for _ in range(items):
        workers.item_finished(seconds=seconds, throttle_wait=0.0, calls=1)


def test_auto_starts_small_and_follows_pace_times_latency() -> None:
    workers = WorkerCount(None, pace=lambda: 100)
    assert workers.current() == START
    for _ in range(50):
        workers.item_finished(seconds=0.5, throttle_wait=0.1, calls=2)  # 0.2 s busy per call
    assert workers.current() == 25  # 100 calls/s * 0.2 s * 1.25 headroom
    assert workers.largest == 25


def test_auto_grows_by_one_worker_for_each_item_that_ends() -> None:
    workers = WorkerCount(None, pace=lambda: 300)
    finished(workers, 1, seconds=1.0)
    assert workers.current() == START + 1
    finished(workers, 3, seconds=1.0)
    assert workers.current() == START + 4


def test_items_without_a_measured_call_do_not_let_it_grow() -> None:
    workers = WorkerCount(None, pace=lambda: 300)
    for _ in range(20):
        workers.item_finished(seconds=0.0, throttle_wait=0.0, calls=0)  # say an unreadable input
    finished(workers, 1, seconds=1.0)
    assert workers.current() == START + 1


def test_time_spent_waiting_for_the_throttle_does_not_add_workers() -> None:
    workers = WorkerCount(None, pace=lambda: 100)
    for _ in range(20):
        workers.item_finished(seconds=1.0, throttle_wait=0.97, calls=1)
    assert workers.current() == START


@pytest.mark.parametrize(("busy", "expected"), [(10.0, MOST), (0.001, START)])
def test_auto_stays_between_its_bounds(busy: float, expected: int) -> None:
    workers = WorkerCount(None, pace=lambda: 300)
    finished(workers, 100, seconds=busy)
    assert workers.current() == expected


def test_later_items_move_the_estimate_a_little_at_a_time() -> None:
    workers = WorkerCount(None, pace=lambda: 100)
    finished(workers, 1, seconds=0.2)
    finished(workers, 1, seconds=1.2)  # one slow answer
    assert workers.busy_per_call == pytest.approx(0.2 + 0.1 * (1.2 - 0.2))
    workers.item_finished(seconds=0.0, throttle_wait=0.0, calls=0)
    assert workers.busy_per_call == pytest.approx(0.3)


def test_left_to_itself_a_run_adds_workers_when_latency_holds_it_back(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    sandbox.reset(latency_ms=150)
    flow = tmp_path / "flow.yaml"
    flow.write_text(TWO_STEPS, encoding="utf-8")
    items = write_items(tmp_path / "items.jsonl", photo_url, 60)
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert len(results(out)) == 60
    calls = paid_calls(sandbox.request_log())
    spans = [(entry["time"] - entry["duration_ms"] / 1000, entry["time"]) for entry in calls]
    most_at_once = max(
        sum(1 for start, end in spans if start <= moment < end) for moment, _ in spans
    )
    assert most_at_once > 2 * START
    assert summary(result)["workers"] > 2 * START
    assert "workers at most" in result.stderr
