"""Batches from the page: the runner of ``flow run``, its journal and results file; Stop as
SIGTERM stops a run; ``flow run --resume`` (or the page) finishes a run the page started."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.flows.journal import journal_path
from picsart_component.flows.runner import BatchRunner
from tests.designer.conftest import Designer

FLOW = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url}'
"""
WAIT = 30.0
Held = tuple[threading.Event, Callable[[], None]]


def prepare(designer: Designer, items: int) -> None:
    (designer.root / "flow.yaml").write_text(FLOW)
    rows = "".join(f"https://example.com/{index}.jpg\n" for index in range(items))
    (designer.root / "items.csv").write_text("url\n" + rows)


def results(designer: Designer) -> list[dict[str, Any]]:
    text = (designer.root / "results.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def finish(designer: Designer, run_id: str) -> dict[str, Any]:
    thread = designer.app.batches.get(run_id).thread
    assert thread is not None
    thread.join(WAIT)
    assert not thread.is_alive()
    progress: dict[str, Any] = designer.get(f"/api/batch/{run_id}").get_json()
    return progress


def start(designer: Designer, **extra: Any) -> str:
    answer = designer.post(
        "/api/batch",
        {"flowPath": "flow.yaml", "input": "items.csv", "out": "results.jsonl", **extra},
    )
    assert answer.status_code == 200, answer.get_json()
    run_id: str = answer.get_json()["runId"]
    return run_id


@pytest.fixture
def first_item_held(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Held]:
    """Holds the run's first item until the test lets it go: (entered, release)."""
    entered, gate = threading.Event(), threading.Event()
    original = BatchRunner._timed_process
    calls = 0

    def held(self: BatchRunner, work: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            entered.set()
            assert gate.wait(WAIT)
        return original(self, work)

    monkeypatch.setattr(BatchRunner, "_timed_process", held)
    yield entered, gate.set
    gate.set()


def test_a_batch_runs_every_item_and_shows_a_gallery(designer: Designer) -> None:
    prepare(designer, 3)
    progress = finish(designer, start(designer, options={"workers": 2}))
    assert progress["state"] == "finished"
    assert (progress["done"], progress["failed"], progress["total"]) == (3, 0, 3)
    assert progress["summary"].startswith("3 items: 3 done, 0 failed")
    assert progress["credits"]["spent"] == 3
    for result in progress["results"]:
        assert result["ok"] is True
        [media] = result["media"]
        assert designer.get(media["url"]).get_data().startswith(b"\x89PNG")
    assert journal_path(designer.root / "results.jsonl").exists()


def test_stop_then_flow_run_resume_finishes_the_same_run(
    designer: Designer,
    first_item_held: Held,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered, release = first_item_held
    prepare(designer, 4)
    run_id = start(designer, options={"workers": 1})
    assert entered.wait(WAIT)
    running = designer.get(f"/api/batch/{run_id}").get_json()
    assert running["state"] == "running"
    assert running["total"] == 4
    stopping = designer.post(f"/api/batch/{run_id}/stop")
    assert stopping.get_json()["stopping"] is True
    release()
    stopped = finish(designer, run_id)
    assert stopped["state"] == "stopped"
    assert (stopped["done"], stopped["total"]) == (1, 4)
    assert [line["item"] for line in results(designer)] == [1]
    monkeypatch.chdir(designer.root)
    resumed = CliRunner().invoke(
        main,
        [
            "flow",
            "run",
            "flow.yaml",
            "--input",
            "items.csv",
            "--out",
            "results.jsonl",
            "--resume",
        ],
    )
    assert resumed.exit_code == 0, resumed.output
    assert "resuming" in resumed.output
    lines = results(designer)
    assert sorted(line["item"] for line in lines) == [1, 2, 3, 4]
    assert all(line["status"] == "done" for line in lines)


def test_the_page_resumes_a_stopped_run_too(designer: Designer, first_item_held: Held) -> None:
    entered, release = first_item_held
    prepare(designer, 3)
    run_id = start(designer, options={"workers": 1})
    assert entered.wait(WAIT)
    switched = designer.post("/api/credentials", {"apiKey": "pk-not-now"})
    assert switched.status_code == 409
    assert switched.get_json()["error"].startswith("credentials:")
    designer.post(f"/api/batch/{run_id}/stop")
    release()
    assert finish(designer, run_id)["done"] == 1
    refused = designer.post(
        "/api/batch", {"flowPath": "flow.yaml", "input": "items.csv", "out": "results.jsonl"}
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"].startswith("out:")
    again = finish(designer, start(designer, resume=True))
    assert again["state"] == "finished"
    assert (again["done"], again["total"]) == (3, 3)
    assert sorted(line["item"] for line in results(designer)) == [1, 2, 3]


@pytest.mark.parametrize(
    ("flow", "status", "starts"),
    [
        ("- id: a\n  action: nope\n  body: {}\n", 422, "flowPath:"),
        (
            "- id: a\n  action: upscale\n  body: '{\"image_url\": $uppercas(input.url)}'\n",
            422,
            "flowPath:",
        ),
    ],
)
def test_a_flow_that_cannot_run_is_refused_before_anything_is_paid(
    designer: Designer, flow: str, status: int, starts: str
) -> None:
    prepare(designer, 1)
    (designer.root / "flow.yaml").write_text(flow)
    answer = designer.post(
        "/api/batch", {"flowPath": "flow.yaml", "input": "items.csv", "out": "results.jsonl"}
    )
    assert answer.status_code == status
    assert answer.get_json()["error"].startswith(starts)
    assert not (designer.root / "results.jsonl").exists()


def test_bad_batch_options_name_the_option(designer: Designer) -> None:
    prepare(designer, 1)
    for options, field in (({"workers": 0}, "options.workers"), ({"speed": 1}, "options:")):
        answer = designer.post(
            "/api/batch", {"flowPath": "flow.yaml", "input": "items.csv", "options": options}
        )
        assert answer.status_code == 400
        assert answer.get_json()["error"].startswith(field)


def test_results_default_beside_the_input(designer: Designer, tmp_path: Path) -> None:
    prepare(designer, 1)
    answer = designer.post("/api/batch", {"flowPath": "flow.yaml", "input": "items.csv"})
    run_id = answer.get_json()["runId"]
    assert finish(designer, run_id)["state"] == "finished"
    assert (designer.root / "flow-results.jsonl").exists()
