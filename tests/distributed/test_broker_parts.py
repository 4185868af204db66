"""The broker mode's parts in-process: the names both sides derive, the refusals before anything
is sent, and the ledger's promises against a real Redis."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.distributed.command import _masked
from picsart_component.distributed.contract import (
    ContractError,
    FlowTopology,
    check_run_name,
    message_encryptor,
)
from picsart_component.distributed.ledger import (
    JOB_RESULT_SECONDS,
    UNREADABLE_RECORD,
    UNREADABLE_RETRY_SECONDS,
    UNREADABLE_TRIES,
    Ledger,
)
from picsart_component.flows.journal import journal_path, read_journal
from picsart_component.flows.model import load_flow
from picsart_component.runtime.executor import Executor
from picsart_component.sailor.crypto import Encryptor
from tests.distributed.conftest import CRYPTO_IV, CRYPTO_PASSWORD, FLOW, KEY, CountingRedis

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

JOB = {"operation": "text2image", "id": "job-1", "messageId": "item-1-step-picture"}


def never(seconds: float) -> None:
    raise AssertionError(f"it waited ({seconds}s) for a claim no thread runs")


@pytest.fixture
def ledger_pair(redis_server: str) -> Any:
    """Two workers' ledgers of one run; the second counts its Redis commands and its waits."""
    client = redis.Redis.from_url(redis_server)
    namespace = "picsart-flow-test:" + uuid.uuid4().hex
    encryptor = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    naps: list[float] = []
    first = Ledger(client, namespace, encryptor, owner="first", lease_seconds=0.5, sleep=never)
    counting = CountingRedis.from_url(redis_server)
    second = Ledger(counting, namespace, encryptor, owner="second", sleep=naps.append)
    yield first, second, client, naps
    for key in client.scan_iter(namespace + ":*", count=1000):
        client.delete(key)


def record(client: Any, key: str) -> dict[str, str]:
    return {name.decode(): value.decode() for name, value in client.hgetall(key).items()}


def test_a_finished_step_is_given_back_without_a_second_call(ledger_pair: Any) -> None:
    first, second, client, _ = ledger_pair
    assert first.claim("photo-1", "cutout").state == "new"
    first.finish("photo-1", "cutout", {"body": {"url": "secret-result"}})
    again = second.claim("photo-1", "cutout")
    assert (again.state, again.outcome) == ("finished", {"body": {"url": "secret-result"}})
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
                first.finish(3, "large", {"body": {}})

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


def test_a_rebound_before_anything_was_charged_forgets_the_claim(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.claim("r", "large")
    assert first.release("r", "large") == "released"
    assert second.claim("r", "large").state == "new"


def test_a_rebound_after_its_job_started_keeps_the_job_for_the_next_delivery(
    ledger_pair: Any,
) -> None:
    """Issue 24, 1: a rebound forgot the job, and the message's next delivery paid again."""
    first, second, client, naps = ledger_pair
    key = first.step_key(1, "picture")
    assert first.claim(1, "picture").state == "new"
    assert first.record_job(1, "picture", JOB)
    assert client.ttl(key) >= JOB_RESULT_SECONDS > first.lease_seconds

    assert first.release(1, "picture") == "parked"
    parked = record(client, key)
    assert parked["state"] == "parked"
    assert "owner" not in parked
    assert "job-1" not in parked["job"]
    assert client.ttl(key) >= JOB_RESULT_SECONDS

    # The next delivery comes to the same worker: it polls the job, without waiting for itself.
    again = first.claim(1, "picture")
    assert (again.state, again.job) == ("resumed", JOB)
    assert record(client, key)["owner"] == "first"

    # Rebounded once more, it comes to another worker, which polls the same job.
    assert first.release(1, "picture") == "parked"
    taken = second.claim(1, "picture")
    assert (taken.state, taken.job) == ("resumed", JOB)
    assert naps == []
    second.finish(1, "picture", {"body": {"url": "done"}})
    assert first.claim(1, "picture").state == "finished"


def test_a_job_taken_over_from_a_gone_worker_is_kept_when_it_rebounds(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.claim(2, "picture")
    first.record_job(2, "picture", JOB)
    assert second.claim(2, "picture").state == "abandoned"
    assert second.release(2, "picture") == "parked"
    assert first.claim(2, "picture").job == JOB


def test_a_claim_this_worker_left_behind_is_not_waited_for(ledger_pair: Any) -> None:
    """A run of the step in this process that ended without a record (Redis failed then) must
    not make the message's next delivery to this process wait for itself for ever."""
    first, _, client, _ = ledger_pair
    first.claim("with-job", "picture")
    first.record_job("with-job", "picture", JOB)
    first.claim("without", "picture")
    later = Ledger(client, first.namespace, Encryptor(CRYPTO_PASSWORD, CRYPTO_IV), owner="first")
    later._sleep = never
    taken = later.claim("with-job", "picture")
    assert (taken.state, taken.job) == ("abandoned", JOB)
    assert later.claim("without", "picture").state == "interrupted"


def test_a_job_is_recorded_only_on_a_claim_this_worker_holds(ledger_pair: Any) -> None:
    """Issue 24, 4: recording a job on a missing (expired) record made a record without a
    state, which spun every worker that met it."""
    first, second, client, _ = ledger_pair
    assert not first.record_job("never-claimed", "picture", JOB)
    assert not client.exists(first.step_key("never-claimed", "picture"))

    first.claim("expired", "picture")
    client.delete(first.step_key("expired", "picture"))
    assert not first.record_job("expired", "picture", JOB)
    assert not client.exists(first.step_key("expired", "picture"))

    first.claim("theirs", "picture")
    assert not second.record_job("theirs", "picture", JOB)
    assert "job" not in record(client, first.step_key("theirs", "picture"))


SECRET_JOB = {"operation": "text2image", "id": "job-SECRET-7f3a"}


@pytest.mark.parametrize(
    ("shape", "planted", "problem", "state"),
    [
        ("no state", {"owner": "gone", "job": "SECRET"}, "it has no state", "(none)"),
        ("unknown state", {"state": "weird", "owner": "gone"}, "unknown", "'weird'"),
        ("started without owner", {"state": "started", "job": "SECRET"}, "by no worker", None),
        ("started, empty owner", {"state": "started", "owner": ""}, "by no worker", None),
        ("parked without job", {"state": "parked"}, "it has no job", "'parked'"),
        ("undecryptable output", {"state": "finished", "output": "eA=="}, "decrypt", None),
    ],
)
def test_an_unreadable_record_fails_its_item_after_three_reads(
    ledger_pair: Any, shape: str, planted: dict[str, str], problem: str, state: str | None
) -> None:
    """Issue 24, 4: such a record made a worker call Redis thousands of times a second, for
    ever. Now it is read three times, a second apart, and the item fails saying why."""
    _, second, client, naps = ledger_pair
    encryptor = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    secret = encryptor.encrypt_message(SECRET_JOB, base64_text=True).decode()
    values = {name: secret if value == "SECRET" else value for name, value in planted.items()}
    key = second.step_key(5, "picture")
    client.hset(key, mapping=values)

    claim = second.claim(5, "picture")

    assert claim.state == "unreadable", shape
    assert naps == [UNREADABLE_RETRY_SECONDS] * (UNREADABLE_TRIES - 1)
    assert second._redis.commands.count("EVALSHA") == UNREADABLE_TRIES
    assert len(second._redis.commands) <= 2 * UNREADABLE_TRIES
    message = claim.outcome
    assert message.startswith(f"{UNREADABLE_RECORD} {key}: ")
    assert problem in message
    for name in planted:
        assert repr(name) in message
    if state is not None:
        assert f"its state: {state}" in message
    assert "SECRET" not in message
    assert secret not in message
    assert record(client, key) == values, "an unreadable record is left as it was"


def test_the_workers_of_a_run_are_those_holding_a_lease(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    assert first.workers() == 0
    first.start_lease()
    second.start_lease()
    try:
        assert first.workers() == 2
    finally:
        second.end_lease()
        assert first.workers() == 1
        first.end_lease()
    assert first.workers() == 0


def test_counts_add_up_across_ledgers(ledger_pair: Any) -> None:
    first, second, _, _ = ledger_pair
    first.add_counts(5, 1)
    second.add_counts(3, 0)
    assert first.counts() == (8, 1)


# A worker's step, in-process, against Redis ---------------------------------------------


def test_an_unreadable_record_fails_the_item_with_what_was_in_it_and_sends_nothing(
    tmp_path: Path, redis_server: str
) -> None:
    from picsart_component.distributed.contract import ITEM_HEADER, RUN_HEADER
    from picsart_component.distributed.worker import (
        LEDGER_ERROR,
        FlowStepSailor,
        Ledgers,
        RunCounts,
    )
    from picsart_component.flows.evaluation import InProcessEvaluator
    from picsart_component.lib.context import Services
    from picsart_component.lib.settings import ComponentSettings
    from picsart_component.runtime.messages import Event, Message

    loaded = load_flow(flow_file(tmp_path), Executor())
    flow_topology = FlowTopology.of(loaded, "t" + uuid.uuid4().hex[:12])
    environ = {
        "ELASTICIO_MESSAGE_CRYPTO_PASSWORD": CRYPTO_PASSWORD,
        "ELASTICIO_MESSAGE_CRYPTO_IV": CRYPTO_IV,
    }
    encryptor = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    client = CountingRedis.from_url(redis_server)
    naps: list[float] = []
    ledgers = Ledgers(client, flow_topology.exchange, encryptor, 5.0, sleep=naps.append)
    # Nothing listens there: a request sent would end in an error event of another name.
    settings = ComponentSettings(
        PICSART_API_KEY=KEY, PICSART_BASE_URL="http://127.0.0.1:9/tools/1.0/"
    )
    sailor = FlowStepSailor(
        flow_topology,
        loaded.steps[0],
        amqp_url="amqp://guest:guest@127.0.0.1:9/",
        environ=environ,
        worker_id="in-process",
        prefetch=1,
        services=Services(settings=settings.client_settings()),
        worker_cfg={"apiKey": KEY},
        ledgers=ledgers,
        evaluator=InProcessEvaluator(),
        counts=RunCounts(),
    )
    ledger = ledgers.of("run-1")
    try:
        key = ledger.step_key(1, "cutout")
        client.hset(key, mapping={"state": "bogus", "owner": "gone", "output": "c2VjcmV0"})
        origin = {
            "id": "o",
            "body": {"url": "https://example.com/a.jpg"},
            "headers": {ITEM_HEADER: 1, RUN_HEADER: "run-1"},
        }
        message = Message.model_validate({"id": "m", "body": {}, "passthrough": {"input": origin}})
        events: list[Event] = []
        sailor.run_action(None, message, {}, events.append)  # type: ignore[arg-type]
    finally:
        ledgers.close()
        plain = redis.Redis.from_url(redis_server)
        for planted in plain.scan_iter(match=flow_topology.exchange + ":*", count=1000):
            plain.delete(planted)
    assert [event.kind for event in events] == ["error"]
    error = events[0].payload
    assert error["name"] == LEDGER_ERROR
    assert error["message"].startswith(f"unreadable ledger record {key}: its state is unknown")
    assert "its fields: 'output', 'owner', 'state'; its state: 'bogus'" in error["message"]
    assert "c2VjcmV0" not in error["message"]
    assert naps == [1.0, 1.0]


def test_a_mapping_process_that_starts_slowly_is_not_stopped_as_a_slow_expression(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24, 17: on a loaded machine (a fresh clone's first run, the suite under -n 2) a
    mapping child's start took longer than the 2 s an expression may take, and the item failed
    with "the body expression took longer than 2 s". A child here starts a second late."""
    from picsart_component.flows.evaluation import IsolatedEvaluator

    slow_start = tmp_path / "slow-start"
    slow_start.mkdir()
    (slow_start / "sitecustomize.py").write_text("import time\ntime.sleep(1.0)\n")
    monkeypatch.setenv("PYTHONPATH", str(slow_start))
    with IsolatedEvaluator(timeout=0.5) as evaluator:
        assert evaluator.evaluate('{"a": input.url}', {"input": {"url": "x"}}) == {"a": "x"}


@pytest.mark.parametrize("version", ["Infinity", "2e9999", -1, True, "abc", b"2", 2.0, 10**6])
def test_a_result_whose_protocol_version_is_no_small_whole_number_is_not_a_result(
    version: Any,
) -> None:
    """Issue 24, 5: "Infinity" raised OverflowError, which left the message on the queue."""
    from picsart_component.distributed.collector import ResultDecoder
    from picsart_component.sailor.crypto import DecryptionError

    decoder = ResultDecoder(Encryptor(CRYPTO_PASSWORD, CRYPTO_IV), ["cutout", "large"])
    with pytest.raises(DecryptionError, match="protocolVersion header") as raised:
        decoder.decode("large.message", {"protocolVersion": version}, b"forged")
    assert "is not a whole number from 0 to 99" in str(raised.value)


def test_a_result_of_protocol_version_2_or_none_is_read() -> None:
    from picsart_component.distributed.collector import ResultDecoder

    encryptor = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    origin = {"id": "o", "body": {"url": "u"}, "headers": {"item": 4, "run": "r1"}}
    message = {"id": "m", "body": {}, "passthrough": {"input": origin, "large": {"body": {}}}}
    decoder = ResultDecoder(encryptor, ["cutout", "large"])
    for headers, base64_text in (({"protocolVersion": 2}, False), ({}, True)):
        body = encryptor.encrypt_message(message, base64_text=base64_text)
        outcome = decoder.decode("large.message", headers, body)
        assert (outcome.key, outcome.run_id, outcome.line["status"]) == (4, "r1", "done")


def test_counts_go_to_redis_at_most_twice_a_second_and_when_a_step_ends() -> None:
    """A paid call never waits on a Redis round trip of its own; the run's status line still
    moves within a second, and nothing counted is lost when the step ends."""
    from picsart_component.distributed.worker import RunCounts

    class Recording:
        def __init__(self) -> None:
            self.added: list[tuple[int, int]] = []

        def add_counts(self, requests: int, rate_limited: int) -> None:
            self.added.append((requests, rate_limited))

    now = [0.0]
    counts = RunCounts(clock=lambda: now[0])
    ledger = Recording()
    with counts.running(ledger):  # type: ignore[arg-type]
        counts.add(1, 0)
        counts.add(1, 0)
        counts.add(0, 1)
        assert ledger.added == [(1, 0)]
        now[0] += RunCounts.FLUSH_SECONDS
        counts.add(1, 0)
        assert ledger.added == [(1, 0), (2, 1)]
        counts.add(1, 0)
    assert ledger.added == [(1, 0), (2, 1), (1, 0)]
    counts.add(5, 5)  # a request outside any step counts for no run
    assert ledger.added == [(1, 0), (2, 1), (1, 0)]


def test_the_ledger_as_a_step_store_gives_back_what_an_earlier_delivery_recorded(
    redis_server: str,
) -> None:
    from picsart_component.distributed.contract import CREDITS_HEADER
    from picsart_component.distributed.ledger import ledger_namespace
    from picsart_component.distributed.worker import (
        INTERRUPTED_MESSAGE,
        Ledgers,
        LedgerSteps,
        RunCounts,
    )
    from picsart_component.flows.journal import INTERRUPTED
    from picsart_component.flows.steps import StepClaim, StepOutcome
    from picsart_component.runtime.messages import Message

    exchange = "picsart-flow-test-" + uuid.uuid4().hex
    client = redis.Redis.from_url(redis_server)
    encryptor = Encryptor(CRYPTO_PASSWORD, CRYPTO_IV)
    ledgers = Ledgers(client, exchange, encryptor, 5.0, sleep=never)

    def decided(claim: StepClaim) -> StepOutcome:
        assert claim.decided is not None
        return claim.decided

    try:
        first = LedgerSteps(ledgers, "run-1", RunCounts())
        with first.calling():
            assert first.claim(1, "cutout") == StepClaim()
            sent = first.finish(1, "cutout", Message(body={"url": "u"}), 97)
        assert sent.headers[CREDITS_HEADER] == 97
        first.claim(2, "cutout")
        first.fail(2, "cutout", {"name": "ApiError", "message": "no"})
        first.claim(3, "cutout")
        first.record_job(3, "cutout", JOB)
        first.rebound(3, "cutout", {"name": "RateLimitError", "message": "later"})
        first.claim(4, "cutout")
        first.rebound(4, "cutout", {"name": "RateLimitError", "message": "later"})
        first.claim(5, "cutout")
        first.crashed(5, "cutout", {"name": "RuntimeError", "message": "a bug"})
        gone = Ledger(client, ledger_namespace(exchange, "run-1"), encryptor, owner="gone")
        gone.claim(6, "cutout")

        again = LedgerSteps(ledgers, "run-1", RunCounts())
        replayed = decided(again.claim(1, "cutout")).output
        assert replayed is not None
        assert (replayed.body, replayed.headers) == ({"url": "u"}, {CREDITS_HEADER: 97})
        assert decided(again.claim(2, "cutout")).failure == {"name": "ApiError", "message": "no"}
        assert again.claim(3, "cutout") == StepClaim(job=JOB), "the parked job is polled"
        assert again.claim(4, "cutout") == StepClaim(), "nothing was charged: it runs afresh"
        assert decided(again.claim(5, "cutout")).failure == {
            "name": "RuntimeError",
            "message": "a bug",
        }
        assert decided(again.claim(6, "cutout")).failure == {
            "name": INTERRUPTED,
            "message": INTERRUPTED_MESSAGE,
        }
    finally:
        ledgers.close()
        for key in client.scan_iter(match=exchange + ":*", count=1000):
            client.delete(key)
