"""The broker mode's parts in-process: the names both sides derive, the refusals before anything
is sent, and the ledger's promises against a real Redis."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.distributed.command import _masked
from picsart_component.distributed.contract import (
    ContractError,
    FlowTopology,
    check_run_name,
    message_encryptor,
)
from picsart_component.distributed.ledger import Ledger
from picsart_component.flows.journal import journal_path, read_journal
from picsart_component.flows.model import load_flow
from picsart_component.runtime.executor import Executor
from picsart_component.sailor.crypto import Encryptor
from tests.distributed.conftest import CRYPTO_IV, CRYPTO_PASSWORD, FLOW, KEY

OTHER_FLOW = FLOW.replace('"upscale_factor": 2', '"upscale_factor": 4')


def flow_file(tmp_path: Path, text: str = FLOW, name: str = "flow.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def topology(path: Path, run: str | None = None) -> FlowTopology:
    return FlowTopology.of(load_flow(path, Executor()), run)


def test_names_come_from_the_flow_content_and_the_run_name(tmp_path: Path) -> None:
    first = topology(flow_file(tmp_path))
    moved = topology(flow_file(tmp_path, name="copy.yaml"))
    other = topology(flow_file(tmp_path, OTHER_FLOW, "other.yaml"))
    named = topology(flow_file(tmp_path), "nightly")
    assert first.exchange == moved.exchange
    assert len({first.exchange, other.exchange, named.exchange}) == 3
    assert named.exchange == first.exchange + ".nightly"
    assert first.input_key("cutout") == "input.message"
    assert first.input_key("large") == "cutout.message"
    assert first.messages_queue("large") == first.exchange + ":large:messages"
    assert len(set(first.all_queues())) == 5


@pytest.mark.parametrize("name", ["", "-x", "a b", "x" * 41, "a.b"])
def test_a_bad_run_name_is_refused(name: str) -> None:
    with pytest.raises(ContractError, match="--run"):
        check_run_name(name)


def test_the_message_cipher_needs_both_variables() -> None:
    with pytest.raises(ContractError) as raised:
        message_encryptor({})
    assert "ELASTICIO_MESSAGE_CRYPTO_PASSWORD and ELASTICIO_MESSAGE_CRYPTO_IV" in str(raised.value)
    with pytest.raises(ContractError, match="16"):
        message_encryptor(
            {"ELASTICIO_MESSAGE_CRYPTO_PASSWORD": "x", "ELASTICIO_MESSAGE_CRYPTO_IV": "short"}
        )


def test_the_broker_password_is_masked_in_the_resume_command() -> None:
    assert _masked("amqp://user:s3cret@rabbit:5672/vhost") == "amqp://user:****@rabbit:5672/vhost"
    assert _masked("amqp://rabbit/") == "amqp://rabbit/"


@pytest.fixture
def broker_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("PICSART_API_KEY", KEY)
    monkeypatch.setenv("PICSART_BASE_URL", "http://127.0.0.1:9/tools/1.0/")
    monkeypatch.setenv("PICSART_REDIS_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setenv("PICSART_BROKER_URL", "amqp://guest:guest@127.0.0.1:9/")
    monkeypatch.setenv("ELASTICIO_MESSAGE_CRYPTO_PASSWORD", CRYPTO_PASSWORD)
    monkeypatch.setenv("ELASTICIO_MESSAGE_CRYPTO_IV", CRYPTO_IV)
    items = tmp_path / "items.jsonl"
    items.write_text('{"url": "https://example.com/a.jpg"}\n', encoding="utf-8")
    return items


def run_cli(tmp_path: Path, items: Path, *args: str) -> Any:
    command = ["flow", "run", str(flow_file(tmp_path)), "--input", str(items)]
    return CliRunner().invoke(main, [*command, "--out", str(tmp_path / "out.jsonl"), *args])


@pytest.mark.parametrize(
    ("unset", "args", "expected"),
    [
        (["ELASTICIO_MESSAGE_CRYPTO_IV"], [], "ELASTICIO_MESSAGE_CRYPTO_IV must be set"),
        (["PICSART_REDIS_URL"], [], "PICSART_REDIS_URL (or --redis) must be set"),
        (["PICSART_API_KEY", "PICSART_BASE_URL"], [], "the built-in sandbox lives inside one"),
        ([], ["--workers", "8"], "--workers does not go with --broker"),
        ([], ["--run", "a.b"], "--run 'a.b'"),
        ([], ["--broker", "http://rabbit"], "--broker must be an amqp://"),
        ([], ["--redis", "http://redis"], "--redis must be a redis://"),
        (["PICSART_BROKER_URL"], ["--run", "nightly"], "--run and --window go with --broker"),
    ],
)
def test_a_broker_run_that_cannot_work_is_refused_before_anything_is_sent(
    broker_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unset: list[str],
    args: list[str],
    expected: str,
) -> None:
    for name in unset:
        monkeypatch.delenv(name)
    result = run_cli(tmp_path, broker_env, *args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_a_local_run_is_not_resumed_on_the_broker(broker_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("", encoding="utf-8")
    header = {"type": "header", "version": 1, "flow": "x", "input": "y"}
    journal_path(out).write_text(json.dumps(header) + "\n", encoding="utf-8")
    result = run_cli(tmp_path, broker_env, "--resume")
    assert result.exit_code == 2
    assert "written by a run without --broker" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--steps", "cutout,nope"], "--steps: nope is not a step"),
        (["--run", "bad name"], "--run 'bad name'"),
    ],
)
def test_a_worker_that_cannot_work_is_refused(
    broker_env: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    result = CliRunner().invoke(main, ["flow", "worker", str(flow_file(tmp_path)), *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output


def test_a_worker_refuses_the_built_in_sandbox(
    broker_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PICSART_API_KEY")
    monkeypatch.delenv("PICSART_BASE_URL")
    result = CliRunner().invoke(main, ["flow", "worker", str(flow_file(tmp_path))])
    assert result.exit_code == 2
    assert "picsart-flow sandbox" in result.output


def test_the_journal_keeps_what_a_broker_run_published_and_spent(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl.journal"
    records = [
        {"type": "header", "broker": "picsart-flow.x"},
        {"type": "run", "balance": 100},
        {"type": "published", "item": 1},
        {"type": "published", "item": 2},
        {"type": "steps", "item": 1, "finished": 2, "credits": 96},
    ]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    state = read_journal(path)
    assert state.items[1].published
    assert state.items[2].published
    assert state.credits_spent == 4


# The ledger, against Redis ---------------------------------------------------------------


@pytest.fixture
def ledger_pair(redis_server: str) -> Any:
    import redis

    client = redis.Redis.from_url(redis_server)
    namespace = "picsart-flow-test:" + uuid.uuid4().hex
    encryptor = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    naps: list[float] = []
    first = Ledger(client, namespace, encryptor, owner="first", lease_seconds=5)
    second = Ledger(client, namespace, encryptor, owner="second", sleep=naps.append)
    yield first, second, client, naps
    for key in client.scan_iter(namespace + ":*"):
        client.delete(key)


def test_a_finished_step_is_given_back_without_a_second_call(ledger_pair: Any) -> None:
    first, second, client, _ = ledger_pair
    assert first.claim("photo-1", "cutout").state == "new"
    first.finish("photo-1", "cutout", {"body": {"url": "secret-result"}}, 97)
    again = second.claim("photo-1", "cutout")
    assert (again.state, again.outcome, again.credits) == (
        "finished",
        {"body": {"url": "secret-result"}},
        97,
    )
    stored = b"".join(
        key + b"".join(client.hgetall(key).values())
        for key in client.scan_iter(first.namespace + ":step:*")
    )
    assert b"photo-1" not in stored
    assert b"secret-result" not in stored


def test_a_failed_step_gives_back_its_error(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.claim(7, "cutout")
    first.fail(7, "cutout", {"name": "ApiError", "message": "no"})
    claim = second.claim(7, "cutout")
    assert (claim.state, claim.outcome) == ("failed", {"name": "ApiError", "message": "no"})


def test_a_live_owner_is_waited_for(ledger_pair: Any) -> None:
    first, second, _, naps = ledger_pair
    first.start_lease()
    try:
        first.claim(3, "large")

        def nap(seconds: float) -> None:
            naps.append(seconds)
            if len(naps) == 2:
                first.finish(3, "large", {"body": {}}, None)

        second._sleep = nap
        assert second.claim(3, "large").state == "finished"
        assert len(naps) == 2
    finally:
        first.end_lease()


def test_a_gone_owner_leaves_an_interrupted_step_or_a_job_to_take_over(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.claim("a", "cutout")
    assert second.claim("a", "cutout").state == "interrupted"
    assert first.claim("a", "cutout").state == "interrupted"
    assert second.forget_interrupted("a", ["cutout", "large"]) == 1
    assert second.claim("a", "cutout").state == "new"

    first.claim("b", "large")
    first.record_job("b", "large", {"operation": "ultra", "id": "job-1"})
    taken = second.claim("b", "large")
    assert (taken.state, taken.job) == ("abandoned", {"operation": "ultra", "id": "job-1"})


def test_a_released_claim_runs_again(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.claim("r", "large")
    first.release("r", "large")
    assert second.claim("r", "large").state == "new"


def test_counts_add_up_across_ledgers(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.add_counts(5, 1)
    second.add_counts(3, 0)
    assert first.counts() == (8, 1)
