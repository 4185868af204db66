"""Flows run over the real RabbitMQ and Redis by separate worker and run processes, against a
sandbox on loopback: one line per item, in the local run's format; a worker or the run killed
with SIGKILL loses nothing and repeats no paid call; rebounds come back through the broker, a job
already paid for is polled again, not paid again; the credit guard holds across workers; what is
not a result of the run, and a record the ledger cannot read, are settled and block nothing."""

from __future__ import annotations

import asyncio
import collections
import json
import re
import time
from pathlib import Path
from typing import Any

import redis
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.sailor.crypto import Encryptor
from tests.distributed.conftest import (
    CRYPTO_IV,
    CRYPTO_PASSWORD,
    JOB_FLOW,
    KEY,
    BrokerFlow,
    wait_until,
)
from tests.sailor.amqp_harness import amqp_url


def by_item(lines: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    keys = [line["item"] for line in lines]
    duplicates = [key for key, count in collections.Counter(keys).items() if count > 1]
    assert not duplicates, f"items with more than one line: {duplicates}"
    return {line["item"]: line for line in lines}


def failures(lines: dict[Any, dict[str, Any]]) -> str:
    """The failed items and their errors, for an assertion's message."""
    failed = [line for line in lines.values() if line["status"] != "done"]
    return "failed: " + "; ".join(f"item {line['item']}: {line.get('error')}" for line in failed)


def assert_all_done(lines: dict[Any, dict[str, Any]]) -> None:
    assert {line["status"] for line in lines.values()} == {"done"}, failures(lines)


def calls_per_url(flow: BrokerFlow, operation: str) -> collections.Counter[str]:
    return collections.Counter(
        str(entry["fields"].get("image_url")) for entry in flow.paid_calls(operation)
    )


def test_several_workers_give_every_item_one_line_in_the_local_format(
    broker_flow: BrokerFlow, tmp_path: Path, monkeypatch: Any
) -> None:
    urls = broker_flow.write_items(12)
    broker_flow.worker("--steps", "cutout", "--workers", "2")
    broker_flow.worker("--workers", "3")
    run = broker_flow.run()
    code = run.finish()
    lines = by_item(broker_flow.lines())
    assert code == 0, failures(lines) + "\n" + "\n".join(run.lines)
    assert sorted(lines) == list(range(1, 13))
    assert_all_done(lines)
    assert calls_per_url(broker_flow, "removebg") == collections.Counter(urls)
    assert sum(calls_per_url(broker_flow, "upscale").values()) == 12
    for key, line in lines.items():
        assert line["input"] == {"url": urls[key - 1]}
        cutout_url = line["steps"]["cutout"]["data"]["url"]
        assert line["steps"]["large"]["status"] == "success"
        assert calls_per_url(broker_flow, "upscale")[cutout_url] == 1
    summary = run.summary()
    assert summary["done"] == 12
    assert summary["requests"] == 24
    assert summary["credits"]["spent"] == broker_flow.sandbox.state()["counts"]["charged"]
    # Issue 24, 16: a broker run said "0 workers at most"; it counts the worker processes.
    assert summary["workers"] == 2
    assert any("2 workers at most" in line for line in run.lines), run.lines

    # The same flow run locally writes lines of the same shape (two items show it).
    for name, value in broker_flow.env.items():
        if name.startswith(("PICSART_", "ELASTICIO_")) and name != "PICSART_BROKER_URL":
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("PICSART_BROKER_URL", raising=False)
    local_items = tmp_path / "local-items.jsonl"
    local_items.write_text("".join(broker_flow.items.read_text().splitlines(True)[:2]))
    local_out = tmp_path / "local.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "flow",
            "run",
            str(broker_flow.flow_path),
            "--input",
            str(local_items),
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
    assert len(failed) == 1, failures(lines)
    assert len(lines) == 3
    error = failed[0]["error"]
    assert error["step"] == "large"
    assert error["status"] == 400
    assert error["correlationId"]
    assert "stack" not in error
    assert set(failed[0]["steps"]) == {"cutout"}


def test_a_broker_run_stops_publishing_after_the_same_error_in_a_row(
    broker_flow: BrokerFlow,
) -> None:
    broker_flow.write_items(12)
    broker_flow.sandbox.reset(faults="400:path=upscale")
    broker_flow.worker()
    run = broker_flow.run("--window", "1", "--stop-after-same-error", "3")
    assert run.finish() == 1, "\n".join(run.lines)
    lines = by_item(broker_flow.lines())
    assert len(lines) == 3, failures(lines)
    summary = run.summary()
    assert (summary["stopped"], summary["notStarted"]) == ("same-error", 9)
    assert any("3 items in a row failed with the same error at step large" in line
               for line in run.lines)  # fmt: skip
    assert sum(calls_per_url(broker_flow, "removebg").values()) == 3


def test_a_killed_worker_loses_nothing_and_repeats_no_paid_call(broker_flow: BrokerFlow) -> None:
    urls = broker_flow.write_items(12)
    broker_flow.sandbox.reset(latency_ms=250)
    doomed = broker_flow.worker("--workers", "4", ready=False)
    run = broker_flow.run()
    doomed.wait_for("worker ready")
    wait_until(lambda: len(broker_flow.paid_calls("removebg")) >= 4, what="4 paid calls")
    doomed.kill()
    broker_flow.worker("--workers", "4")
    assert run.finish() == 1, "\n".join(run.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == list(range(1, 13))
    interrupted = [line for line in lines.values() if line["status"] == "failed"]
    assert interrupted, "the kill should have caught calls in flight"
    for line in interrupted:
        assert line["error"]["name"] == "Interrupted", failures(lines)
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
    assert len(lines) == 12
    assert_all_done(lines)
    at_cutout = [line for line in interrupted if line["error"]["step"] == "cutout"]
    sent_again = calls_per_url(broker_flow, "removebg") - before_removebg
    assert sent_again == collections.Counter(line["input"]["url"] for line in at_cutout)
    upscales_now = sum(calls_per_url(broker_flow, "upscale").values()) - before_upscale
    assert upscales_now == len(interrupted)
    assert set(urls) == {line["input"]["url"] for line in lines.values()}


def test_a_killed_run_resumes_without_losing_or_repeating_anything(
    broker_flow: BrokerFlow,
) -> None:
    urls = broker_flow.write_items(12)
    broker_flow.sandbox.reset(latency_ms=150)
    worker = broker_flow.worker("--workers", "4", ready=False)
    run = broker_flow.run("--window", "4")
    worker.wait_for("worker ready")
    wait_until(lambda: len(broker_flow.lines()) >= 3, what="3 lines")
    run.kill()
    # The workers go on; their results wait on the broker for the resumed run.
    results = broker_flow.topology.results_queue
    wait_until(lambda: broker_flow.queued(results) > 0, what="results waiting on the broker")
    again = broker_flow.run("--window", "4", "--resume")
    assert again.finish() == 0, "\n".join(again.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == list(range(1, 13))
    assert_all_done(lines)
    assert calls_per_url(broker_flow, "removebg") == collections.Counter(urls)
    assert sum(calls_per_url(broker_flow, "upscale").values()) == 12
    assert broker_flow.sandbox.state()["counts"]["charged"] == 24
    spent = again.summary()["credits"]["spentInAllRuns"]
    assert spent == 24


def test_a_rate_limit_that_does_not_lift_is_rebounded_by_the_broker(
    broker_flow: BrokerFlow,
) -> None:
    broker_flow.write_items(2)
    broker_flow.sandbox.reset(faults="429:next=1,path=upscale,reset_in=2")
    worker = broker_flow.worker(
        PICSART_MAX_WAIT="0.3", ELASTICIO_REBOUND_INITIAL_EXPIRATION="300", ready=False
    )
    run = broker_flow.run()
    worker.wait_for("worker ready")
    assert run.finish() == 0, "\n".join(run.lines)
    lines = by_item(broker_flow.lines())
    assert_all_done(lines)
    statuses = [entry["status"] for entry in broker_flow.sandbox.request_log()]
    assert statuses.count(429) == 1
    assert any("rebounded, the broker brings it back later" in line for line in worker.lines)
    assert sum(calls_per_url(broker_flow, "upscale").values()) == 2


def test_max_credits_holds_across_workers(broker_flow: BrokerFlow) -> None:
    broker_flow.write_items(20)
    workers = [broker_flow.worker("--workers", "4", ready=False) for _ in range(2)]
    run = broker_flow.run("--max-credits", "9")
    for worker in workers:
        worker.wait_for("worker ready")
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
    worker = broker_flow.worker(ready=False)
    run = broker_flow.run()
    worker.wait_for("worker ready")
    assert run.finish() == 0, "\n".join(run.lines)
    assert any("files go to the local folder" in line for line in run.lines)
    lines = by_item(broker_flow.lines())
    assert sorted(lines) == ["a.png", "b.png"]
    for line in lines.values():
        assert line["input"]["image"].startswith("file://")
        assert line["steps"]["large"]["status"] == "success"
    uploads = [entry for entry in broker_flow.paid_calls("removebg") if entry["files"]]
    assert len(uploads) == 2


# Jobs ------------------------------------------------------------------------------------

PROMPTS = ["a red lighthouse", "a blue whale", "a green tea cup"]


def write_prompts(flow: BrokerFlow, prompts: list[str]) -> None:
    flow.items.write_text(
        "".join(json.dumps({"prompt": prompt}) + "\n" for prompt in prompts), encoding="utf-8"
    )


def jobs_accepted(sandbox: Any) -> collections.Counter[str]:
    """The text-to-image jobs the sandbox accepted (each one paid for), by prompt."""
    return collections.Counter(
        entry["fields"]["prompt"]
        for entry in sandbox.request_log()
        if entry["path"] == "/v1/text2image" and entry["method"] == "POST"
    )


STATUS_REQUESTS = re.compile(r"^picsart-flow: 0/3 items .* ([0-9.]+) requests/s")


def test_a_job_in_flight_when_its_worker_dies_is_collected_not_paid_again(
    broker: Any, redis_server: str, tmp_path: Path
) -> None:
    """The jobs take 30 s on the sandbox's clock; once their worker is killed the clock jumps a
    minute, so that the next worker finds them finished without waiting for real."""
    from picsart_component.sandbox import start_sandbox

    offset = [0.0]
    with start_sandbox(
        quiet=True, api_key=KEY, job_seconds=30, clock=lambda: time.time() + offset[0]
    ) as sandbox:
        flow = BrokerFlow(tmp_path, sandbox, redis_server, JOB_FLOW)
        try:
            flow.env["PICSART_JOB_POLL_SECONDS"] = "0.05"
            write_prompts(flow, PROMPTS)
            doomed = flow.worker("--workers", "3", ready=False)
            run = flow.run()
            doomed.wait_for("worker ready")
            client = redis.Redis.from_url(redis_server)
            pattern = f"{flow.topology.exchange}:*:step:*"
            wait_until(
                lambda: (
                    sum(bool(client.hget(key, "job")) for key in client.scan_iter(pattern))
                    == len(PROMPTS)
                ),
                what="every job recorded",
            )
            # Issue 24, 16: the status line counts the polls as they are sent, while no item
            # has ended (it said 0.0 requests/s until one did).
            found = run.wait_for(
                lambda line: bool(
                    (match := STATUS_REQUESTS.match(line)) and float(match.group(1)) > 0
                )
            )
            assert "0/3 items" in found
            doomed.kill()
            offset[0] = 60.0
            flow.worker()
            code = run.finish()
            lines = by_item(flow.lines())
            assert code == 0, failures(lines) + "\n" + "\n".join(run.lines)
            assert_all_done(lines)
            assert jobs_accepted(sandbox) == collections.Counter(PROMPTS), "paid twice"
        finally:
            flow.close()


def test_a_job_whose_poll_is_rebounded_is_polled_again_not_paid_again(
    broker: Any, redis_server: str, tmp_path: Path
) -> None:
    """Issue 24, 1: the job's first poll gets a 429 whose reset is later than PICSART_MAX_WAIT,
    so the step rebounds; the rebound released the claim and forgot the job, and the message's
    next delivery paid for a second job. (The issue's run: reset_in=15 with PICSART_MAX_WAIT=5
    and job-late 4000 ms; the same, shorter.)"""
    from picsart_component.sandbox import start_sandbox

    with start_sandbox(quiet=True, api_key=KEY) as sandbox:
        flow = BrokerFlow(tmp_path, sandbox, redis_server, JOB_FLOW)
        try:
            sandbox.reset(
                faults="job-late:ms=800,path=text2image;429:next=1,path=poll-text2image,reset_in=2"
            )
            flow.env["PICSART_JOB_POLL_SECONDS"] = "0.05"
            write_prompts(flow, PROMPTS[:1])
            worker = flow.worker(
                PICSART_MAX_WAIT="0.5", ELASTICIO_REBOUND_INITIAL_EXPIRATION="200", ready=False
            )
            run = flow.run()
            worker.wait_for("worker ready")
            code = run.finish()
            lines = by_item(flow.lines())
            assert code == 0, failures(lines) + "\n" + "\n".join(run.lines)
            assert_all_done(lines)
            assert jobs_accepted(sandbox) == collections.Counter(PROMPTS[:1]), "paid twice"
            assert [entry["status"] for entry in sandbox.request_log()].count(429) == 1
            assert any("its job is kept, and polled then" in line for line in worker.lines)
        finally:
            flow.close()


# What the run cannot take --------------------------------------------------------------

FORGED_VERSIONS: list[Any] = ["Infinity", "2e9999", -1, True, "abc"]


async def publish_forged_results(queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url())
    async with connection:
        channel = await connection.channel()
        for version in FORGED_VERSIONS:
            await channel.default_exchange.publish(
                aio_pika.Message(b"forged", headers={"protocolVersion": version}),
                routing_key=queue,
            )


def test_forged_results_and_an_unreadable_record_are_settled_and_block_nothing(
    broker_flow: BrokerFlow, tmp_path: Path
) -> None:
    """Issue 24, 5: a result whose protocolVersion is "Infinity" stayed on the results queue
    and kept every later run of the flow and name from starting. Issue 24, 4: a ledger record
    without a state spun the worker that met it for ever; it now fails that item alone."""
    urls = broker_flow.write_items(2)
    run = broker_flow.run()
    run.wait_for("no worker takes step(s) cutout, large yet")
    ledger = broker_flow.ledger(broker_flow.run_id())
    client = redis.Redis.from_url(broker_flow.redis_url)
    secret_job = {"operation": "removebg", "id": "SECRET"}
    cipher = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    job = cipher.encrypt_message(secret_job, base64_text=True).decode()
    client.hset(ledger.step_key(2, "cutout"), mapping={"owner": "someone", "job": job})
    asyncio.run(publish_forged_results(broker_flow.topology.results_queue))
    broker_flow.worker()
    code = run.finish(timeout=60)
    lines = by_item(broker_flow.lines())
    assert code == 1, failures(lines) + "\n" + "\n".join(run.lines)
    assert lines[1]["status"] == "done", failures(lines)
    error = lines[2]["error"]
    assert (error["step"], error["name"]) == ("cutout", "LedgerError")
    assert error["message"].startswith("unreadable ledger record ")
    assert "it has no state (its fields: 'job', 'owner'; its state: (none);" in error["message"]
    assert "SECRET" not in error["message"]
    assert job not in error["message"]
    said = [line for line in run.lines if "not a result of this run" in line]
    assert len(said) == 1, run.lines
    assert "protocolVersion" in said[0]
    assert run.summary()["dropped"] == len(FORGED_VERSIONS)
    assert calls_per_url(broker_flow, "removebg") == collections.Counter(urls[:1])

    # Nothing was left on the broker: a fresh run of the same flow and name starts.
    broker_flow.out = tmp_path / "fresh.jsonl"
    fresh = broker_flow.run()
    assert fresh.finish() == 0, "\n".join(fresh.lines)
    assert_all_done(by_item(broker_flow.lines()))
