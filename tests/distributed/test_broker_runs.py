"""Flows run over the real RabbitMQ and Redis by separate worker and run processes, against a
sandbox on loopback: one line per item, in the local run's format; a worker or the run killed
with SIGKILL loses nothing and repeats no paid call; rebounds come back through the broker; the
credit guard holds across workers."""

from __future__ import annotations

import collections
import json
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from picsart_component.cli import main
from tests.distributed.conftest import BrokerFlow


def by_item(lines: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    keys = [line["item"] for line in lines]
    duplicates = [key for key, count in collections.Counter(keys).items() if count > 1]
    assert not duplicates, f"items with more than one line: {duplicates}"
    return {line["item"]: line for line in lines}


def calls_per_url(flow: BrokerFlow, operation: str) -> collections.Counter[str]:
    return collections.Counter(
        str(entry["fields"].get("image_url")) for entry in flow.paid_calls(operation)
    )


def wait_until(check: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_several_workers_give_every_item_one_line_in_the_local_format(
    broker_flow: BrokerFlow, tmp_path: Path, monkeypatch: Any
) -> None:
    urls = broker_flow.write_items(30)
    broker_flow.worker("--steps", "cutout", "--workers", "2")
    broker_flow.worker("--workers", "3")
    run = broker_flow.run()
    assert run.finish() == 0, "\n".join(run.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == list(range(1, 31))
    assert {line["status"] for line in lines.values()} == {"done"}
    assert calls_per_url(broker_flow, "removebg") == collections.Counter(urls)
    assert sum(calls_per_url(broker_flow, "upscale").values()) == 30
    for key, line in lines.items():
        assert line["input"] == {"url": urls[key - 1]}
        cutout_url = line["steps"]["cutout"]["data"]["url"]
        assert line["steps"]["large"]["status"] == "success"
        assert calls_per_url(broker_flow, "upscale")[cutout_url] == 1
    summary = run.summary()
    assert summary["done"] == 30
    assert summary["requests"] == 60
    assert summary["credits"]["spent"] == broker_flow.sandbox.state()["counts"]["charged"]

    # The same flow run locally writes lines of the same shape.
    for name, value in broker_flow.env.items():
        if name.startswith(("PICSART_", "ELASTICIO_")) and name != "PICSART_BROKER_URL":
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("PICSART_BROKER_URL", raising=False)
    local_out = tmp_path / "local.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "flow",
            "run",
            str(broker_flow.flow_path),
            "--input",
            str(broker_flow.items),
            "--out",
            str(local_out),
        ],
    )
    assert result.exit_code == 0, result.output
    local = [json.loads(line) for line in local_out.read_text().splitlines()]
    assert {tuple(line) for line in local} == {tuple(line) for line in lines.values()}
    assert {tuple(line["steps"]) for line in local} == {
        tuple(line["steps"]) for line in lines.values()
    }


def test_items_wait_for_a_worker_and_a_failed_step_gives_its_status_and_correlation_id(
    broker_flow: BrokerFlow,
) -> None:
    broker_flow.write_items(3)
    broker_flow.sandbox.reset(faults="400:next=1,path=upscale")
    run = broker_flow.run()
    run.wait_for("no worker takes step(s) cutout, large yet")
    broker_flow.worker()
    assert run.finish() == 1
    lines = by_item(broker_flow.lines())
    failed = [line for line in lines.values() if line["status"] == "failed"]
    assert len(failed) == 1
    assert len(lines) == 3
    error = failed[0]["error"]
    assert error["step"] == "large"
    assert error["status"] == 400
    assert error["correlationId"]
    assert "stack" not in error
    assert set(failed[0]["steps"]) == {"cutout"}


def test_a_killed_worker_loses_nothing_and_repeats_no_paid_call(broker_flow: BrokerFlow) -> None:
    urls = broker_flow.write_items(24)
    broker_flow.sandbox.reset(latency_ms=400)
    doomed = broker_flow.worker("--workers", "4")
    run = broker_flow.run()
    wait_until(lambda: len(broker_flow.paid_calls("removebg")) >= 6)
    doomed.kill()
    broker_flow.worker("--workers", "4")
    assert run.finish() == 1, "\n".join(run.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == list(range(1, 25))
    interrupted = [line for line in lines.values() if line["status"] == "failed"]
    assert interrupted, "the kill should have caught calls in flight"
    for line in interrupted:
        assert line["error"]["name"] == "Interrupted"
        assert "--retry-interrupted" in line["error"]["message"]
    assert max(calls_per_url(broker_flow, "removebg").values()) == 1
    assert max(calls_per_url(broker_flow, "upscale").values()) == 1
    assert run.summary()["thisRun"]["interrupted"] == len(interrupted)

    # Asked on purpose, the interrupted steps are sent once more, and nothing else is.
    before_removebg = calls_per_url(broker_flow, "removebg")
    before_upscale = sum(calls_per_url(broker_flow, "upscale").values())
    again = broker_flow.run("--resume", "--retry-interrupted")
    assert again.finish() == 0, "\n".join(again.lines)
    lines = by_item(broker_flow.lines())
    assert len(lines) == 24
    assert {line["status"] for line in lines.values()} == {"done"}
    at_cutout = [line for line in interrupted if line["error"]["step"] == "cutout"]
    sent_again = calls_per_url(broker_flow, "removebg") - before_removebg
    assert sent_again == collections.Counter(line["input"]["url"] for line in at_cutout)
    upscales_now = sum(calls_per_url(broker_flow, "upscale").values()) - before_upscale
    assert upscales_now == len(interrupted)
    assert set(urls) == {line["input"]["url"] for line in lines.values()}


def test_a_killed_run_resumes_without_losing_or_repeating_anything(
    broker_flow: BrokerFlow,
) -> None:
    urls = broker_flow.write_items(24)
    broker_flow.sandbox.reset(latency_ms=150)
    broker_flow.worker("--workers", "4")
    run = broker_flow.run("--window", "8")
    wait_until(lambda: len(broker_flow.lines()) >= 3)
    run.kill()
    time.sleep(1.0)  # the workers go on; their results wait on the broker
    again = broker_flow.run("--window", "8", "--resume")
    assert again.finish() == 0, "\n".join(again.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == list(range(1, 25))
    assert {line["status"] for line in lines.values()} == {"done"}
    assert calls_per_url(broker_flow, "removebg") == collections.Counter(urls)
    assert sum(calls_per_url(broker_flow, "upscale").values()) == 24
    assert broker_flow.sandbox.state()["counts"]["charged"] == 48
    spent = again.summary()["credits"]["spentInAllRuns"]
    assert spent == 48


def test_a_rate_limit_that_does_not_lift_is_rebounded_by_the_broker(
    broker_flow: BrokerFlow,
) -> None:
    broker_flow.write_items(2)
    broker_flow.sandbox.reset(faults="429:next=1,path=upscale,reset_in=2")
    worker = broker_flow.worker(
        PICSART_MAX_WAIT="0.3",
        ELASTICIO_REBOUND_INITIAL_EXPIRATION="300",
    )
    run = broker_flow.run()
    assert run.finish() == 0, "\n".join(run.lines)
    lines = by_item(broker_flow.lines())
    assert {line["status"] for line in lines.values()} == {"done"}
    statuses = [entry["status"] for entry in broker_flow.sandbox.request_log()]
    assert statuses.count(429) == 1
    assert any("rebounded, the broker brings it back later" in line for line in worker.lines)
    assert sum(calls_per_url(broker_flow, "upscale").values()) == 2


def test_max_credits_holds_across_workers(broker_flow: BrokerFlow) -> None:
    broker_flow.write_items(20)
    broker_flow.worker("--workers", "4")
    broker_flow.worker("--workers", "4")
    run = broker_flow.run("--max-credits", "9")
    assert run.finish() == 3, "\n".join(run.lines)
    summary = run.summary()
    assert summary["stopped"] == "max-credits"
    assert summary["credits"]["spent"] <= 9
    assert broker_flow.sandbox.state()["counts"]["charged"] <= 9
    assert summary["notStarted"] == 20 - len(broker_flow.lines()) > 0
    assert any("--max-credits" in line and "--resume" in line for line in run.lines)


def test_folder_items_go_through_the_shared_store(broker_flow: BrokerFlow, tmp_path: Path) -> None:
    from tests.flows.flow_support import png

    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("a.png", "b.png"):
        (photos / name).write_bytes(png())
    broker_flow.items = photos
    broker_flow.worker()
    run = broker_flow.run()
    assert run.finish() == 0, "\n".join(run.lines)
    assert any("files go to the local folder" in line for line in run.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == ["a.png", "b.png"]
    for line in lines.values():
        assert line["input"]["image"].startswith("file://")
        assert line["steps"]["large"]["status"] == "success"
    uploads = [entry for entry in broker_flow.paid_calls("removebg") if entry["files"]]
    assert len(uploads) == 2


JOB_FLOW = """\
- id: picture
  action: textToImage
  body: '{"prompt": input.prompt, "count": 1, "width": 128, "height": 128}'
"""
PROMPTS = ["a red lighthouse", "a blue whale", "a green tea cup"]


def test_a_job_in_flight_when_its_worker_dies_is_collected_not_paid_again(
    broker: Any, redis_server: str, tmp_path: Path
) -> None:
    """The jobs take 30 s on the sandbox's clock; once their worker is killed the clock jumps a
    minute, so that the next worker finds them finished without waiting for real."""
    import redis

    from picsart_component.sandbox import start_sandbox
    from tests.distributed.conftest import KEY

    offset = [0.0]
    with start_sandbox(
        quiet=True, api_key=KEY, job_seconds=30, clock=lambda: time.time() + offset[0]
    ) as sandbox:
        flow = BrokerFlow(tmp_path, sandbox, redis_server, JOB_FLOW)
        try:
            flow.env["PICSART_JOB_POLL_SECONDS"] = "0.05"
            flow.items.write_text(
                "".join(json.dumps({"prompt": prompt}) + "\n" for prompt in PROMPTS),
                encoding="utf-8",
            )
            doomed = flow.worker("--workers", "3")
            run = flow.run()
            client = redis.Redis.from_url(redis_server)
            pattern = f"picsart-flow.*.{flow.run_name}:*:step:*"
            wait_until(
                lambda: (
                    sum(bool(client.hget(key, "job")) for key in client.scan_iter(pattern))
                    == len(PROMPTS)
                )
            )
            doomed.kill()
            offset[0] = 60.0
            flow.worker()
            assert run.finish() == 0, "\n".join(run.lines)
            lines = by_item(flow.lines())
            assert [line["status"] for line in lines.values()] == ["done"] * len(PROMPTS)
            accepted = [
                entry
                for entry in sandbox.request_log()
                if entry["path"] == "/v1/text2image" and entry["status"] == 202
            ]
            assert collections.Counter(e["fields"]["prompt"] for e in accepted) == (
                collections.Counter(PROMPTS)
            ), "a prompt was paid for twice"
        finally:
            flow.close()
