"""One rate limit for a key across processes, kept in a real Redis (``PICSART_TEST_REDIS_URL``,
default ``redis://127.0.0.1:6379/0``): shared slots, holds and quota, the key never stored, a
clear error when Redis is down at the start, going on alone when it stops answering, and four
processes paced together against a sandbox at 40 requests a second."""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from picsart_component.cli import main
from picsart_component.lib.client import ClientSettings, PicsartClient, forget_shared_throttles
from picsart_component.lib.errors import HeldTooLong, SettingsError
from picsart_component.lib.ratelimit import LimitAnswer
from picsart_component.lib.settings import ComponentSettings
from picsart_component.lib.shared_limit import (
    FALLBACK_FRACTION,
    RedisState,
    namespace,
    shown_redis_url,
)
from picsart_component.sandbox.loopback import sandbox_process
from tests.conftest import REPO_ROOT
from tests.sailor.amqp_harness import TcpProxy

BASE = "https://api.picsart.io/tools/1.0/"
INTERVAL = 0.05


@pytest.fixture
def key() -> Iterator[str]:
    """A fresh API key per test, so each test has a state of its own."""
    secret = f"pk-CANARY-{uuid.uuid4().hex}"
    yield secret
    forget_shared_throttles()


def state(url: str, key: str, **options: Any) -> RedisState:
    return RedisState(url, namespace(key, BASE), **options)


def test_two_processes_take_turns_in_one_schedule(redis_server: str, key: str) -> None:
    """Read in Redis's schedule, not on our clock: the slots a process gets back are Redis's
    read on its own clock, a round trip's jitter apart, which a busy machine stretches. A
    second between slots keeps every reservation in the queue however slow a round trip is."""
    import redis

    first, second = state(redis_server, key), state(redis_server, key)
    client = redis.Redis.from_url(redis_server)
    interval = 1.0
    slots, next_slots = [], []
    for n in range(20):
        slots.append((first if n % 2 else second).reserve(time.time(), interval, math.inf))
        next_slots.append(float(client.hget(namespace(key, BASE), "next") or 0))
    assert slots == sorted(slots)
    gaps = [later - earlier for earlier, later in itertools.pairwise(next_slots)]
    assert gaps == pytest.approx([interval] * 19, abs=1e-5)


def test_a_hold_and_a_learned_quota_reach_every_process(redis_server: str, key: str) -> None:
    first, second = state(redis_server, key), state(redis_server, key)
    now = time.time()
    first.learn_quota(now, available=10, reset_at=now + 2)
    assert second.quota_interval(now) == pytest.approx(0.2, abs=0.01)
    a = second.reserve(now, INTERVAL, math.inf)
    b = second.reserve(now, INTERVAL, math.inf)
    assert b - a == pytest.approx(0.2, abs=0.01)

    first.hold_until(now, now + 5)
    assert second.held_until(now) == pytest.approx(now + 5, abs=0.05)
    with pytest.raises(HeldTooLong):
        second.reserve(now, INTERVAL, max_wait=1)
    assert second.reserve(now, INTERVAL, math.inf) >= now + 4.95
    first.learn_quota(now, available=0, reset_at=now + 30)
    assert second.held_until(now) == pytest.approx(now + 30, abs=0.05)


def test_a_hold_and_a_quota_keep_the_answer_that_set_them_for_every_process(
    redis_server: str, key: str
) -> None:
    first, second = state(redis_server, key), state(redis_server, key)
    now = time.time()
    taught = LimitAnswer(at=now, status=200, reset_time="60", correlation_id="c-1", available=9)
    first.learn_quota(now, available=9, reset_at=now + 60, answer=taught)
    spent = LimitAnswer(at=now, status=429, reset_time="7200", correlation_id="c-2", available=0)
    first.learn_quota(now, available=0, reset_at=now + 7200, answer=spent)
    seen = second.inspect()
    assert seen.held_by == spent
    assert seen.held_until - seen.now == pytest.approx(7200, abs=1)
    assert seen.quota_by == taught
    assert seen.quota_interval == pytest.approx(60 / 9, abs=0.01)
    cleared = second.clear()
    assert (cleared.held_by, cleared.quota_by) == (spent, taught)
    assert first.inspect().empty
    assert first.held_until(now) < now
    assert first.quota_interval(now) == 0


def test_a_reset_lifts_the_hold_for_every_process_and_keeps_the_pace(
    redis_server: str, key: str
) -> None:
    import redis

    first, second = state(redis_server, key), state(redis_server, key)
    now = time.time()
    first.reserve(now, INTERVAL, math.inf)
    first.hold_until(now, now + 3600, LimitAnswer(at=now, status=429))
    with pytest.raises(HeldTooLong):
        first.reserve(now, INTERVAL, max_wait=300)
    cleared = second.clear()
    assert cleared.held
    assert cleared.held_by == LimitAnswer(at=now, status=429)
    first.reserve(time.time(), INTERVAL, max_wait=0)
    assert redis.Redis.from_url(redis_server).hexists(namespace(key, BASE), "next")
    assert second.clear().empty


def test_an_answer_stored_by_someone_else_reads_as_no_answer(redis_server: str, key: str) -> None:
    import redis

    shared = state(redis_server, key)
    now = time.time()
    shared.hold_until(now, now + 60)
    redis.Redis.from_url(redis_server).hset(namespace(key, BASE), "held_by", "{not json")
    seen = shared.inspect()
    assert seen.held
    assert seen.held_by is None
    shared.clear()


def test_the_key_is_never_stored_only_a_hash_of_it(redis_server: str, key: str) -> None:
    import redis

    state(redis_server, key).reserve(time.time(), INTERVAL, math.inf)
    client = redis.Redis.from_url(redis_server)
    names = [name.decode() for name in client.scan_iter("picsart:limit:*")]
    assert namespace(key, BASE) in names
    assert not [name for name in names if key in name]
    stored = {str(k): str(v) for k, v in client.hgetall(namespace(key, BASE)).items()}
    assert key not in json.dumps(stored)
    assert set(stored) == {"b'next'"}
    assert client.ttl(namespace(key, BASE)) > 3600


def test_a_redis_that_does_not_answer_at_the_start_is_one_clear_error(key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        RedisState("redis://:s3cret-password@127.0.0.1:1/0", namespace(key, BASE))
    message = str(caught.value)
    assert message.startswith(
        "PICSART_REDIS_URL: Redis at redis://:****@127.0.0.1:1/0 does not answer"
    )
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "redis://:s3cret-pw@127.0.0.1:port/0",
            "redis://:****@127.0.0.1:port/0 is not a Redis URL",
        ),
        ("redis://:s3cret-pw@[::1/0", "a URL that does not parse is not a Redis URL"),
    ],
)
def test_a_redis_url_that_does_not_parse_is_one_clear_error(key: str, url: str, shown: str) -> None:
    with pytest.raises(SettingsError) as caught:
        RedisState(url, namespace(key, BASE))
    assert str(caught.value).startswith(f"PICSART_REDIS_URL: {shown}")
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@127.0.0.1:6379/0", "redis://:****@127.0.0.1:6379/0"),
        ("rediss://user:s3cret@redis.internal/1", "rediss://user:****@redis.internal/1"),
        ("redis://127.0.0.1/0?password=s3cret&db=1", "redis://127.0.0.1/0?password=****&db=1"),
        ("unix://:s3cret@/run/redis.sock?db=0", "unix://:****@/run/redis.sock?db=0"),
    ],
)
def test_a_redis_url_is_shown_with_its_password_masked(url: str, shown: str) -> None:
    assert shown_redis_url(url) == shown


def test_when_redis_stops_answering_the_process_goes_on_alone_and_says_so_once(
    redis_server: str, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    parts = urlsplit(redis_server)
    with TcpProxy((parts.hostname or "127.0.0.1", parts.port or 6379)) as proxy:
        shared = state(proxy.url_for(redis_server), key)
        now = time.time()
        shared.reserve(now, INTERVAL, math.inf)
        proxy.refuse = True
        proxy.cut()
        with caplog.at_level(logging.WARNING, logger="picsart.shared_limit"):
            slots = [shared.reserve(now, INTERVAL, math.inf) for _ in range(3)]
            shared.hold_until(now, now + 1)
    assert not shared.shared
    warnings = [r.getMessage() for r in caplog.records if r.name == "picsart.shared_limit"]
    assert len(warnings) == 1
    assert "stopped answering" in warnings[0]
    assert slots[1] - slots[0] == pytest.approx(INTERVAL / FALLBACK_FRACTION)
    assert shared.held_until(now) == now + 1


def test_clients_and_settings_share_the_limit_when_redis_is_configured(
    redis_server: str, key: str
) -> None:
    settings = ComponentSettings.from_environ({"PICSART_REDIS_URL": redis_server})
    client_settings = settings.client_settings()
    assert client_settings.redis_url is not None
    assert redis_server not in repr(client_settings)
    first = PicsartClient(key, BASE, settings=client_settings)
    second = PicsartClient(key, BASE, settings=client_settings)
    assert first.throttle is second.throttle
    assert isinstance(first.throttle.state, RedisState)
    other_key = PicsartClient(key + "-other", BASE, settings=client_settings)
    assert other_key.throttle is not first.throttle
    alone = PicsartClient(key, BASE, settings=ClientSettings())
    assert not isinstance(alone.throttle.state, RedisState)


def test_a_batch_with_a_redis_that_does_not_answer_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path
    items = folder / "items.jsonl"
    items.write_text('{"url": "https://example.com/a.jpg"}\n')
    flow = folder / "flow.yaml"
    flow.write_text(
        "- id: cutout\n  action: removeBackground\n  body: '{\"image_url\": input.url}'\n"
    )
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(
        main,
        ["flow", "run", str(flow), "--input", str(items), "--out", str(folder / "r.jsonl")],
        env={"PICSART_REDIS_URL": "redis://127.0.0.1:1/0", "PICSART_API_KEY": "pk-test-key"},
    )
    assert result.exit_code == 1, result.output
    assert "PICSART_REDIS_URL: Redis at redis://127.0.0.1:1/0 does not answer" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "r.jsonl").exists() or not (folder / "r.jsonl").read_text().strip()


WORKER = textwrap.dedent(
    """
    import json, sys, time
    import requests
    from picsart_component.lib.client import ClientSettings, PicsartClient
    from picsart_component.lib.errors import RateLimitError
    from picsart_component.lib.retry import RetrySettings
    from pydantic import SecretStr

    base_url, redis_url, key, count, limit = sys.argv[1:6]
    sent = []

    class Recording(requests.Session):
        def send(self, request, **kwargs):
            sent.append(time.time())
            return super().send(request, **kwargs)

    settings = ClientSettings(
        spike_limit=float(limit), redis_url=SecretStr(redis_url),
        retry=RetrySettings(max_attempts=1),
    )
    client = PicsartClient(key, base_url, settings=settings, session=Recording())
    limited = []
    for _ in range(int(count)):
        try:
            client.request("GET", "balance")
        except RateLimitError:
            limited.append(sent[-1])
    print(json.dumps({"sent": sent, "limited": limited}))
    """
)


def test_four_processes_together_stay_within_one_limit(redis_server: str, key: str) -> None:
    """A pacing property, not a speed claim: 4 processes, a limit of 40 a second at the
    sandbox, each paced at 38 (5 % under, as a batch paces); in no one-second window do they send
    more than the limit, and no 429 comes after the first second."""
    per_process, processes = 30, 4
    with sandbox_process(spike_limit=40, api_key=key, quota=10**6) as root_url:
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER,
                    root_url + "tools/1.0/",
                    redis_server,
                    key,
                    str(per_process),
                    "38",
                ],
                stdout=subprocess.PIPE,
                text=True,
                cwd=REPO_ROOT,
                env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            )
            for _ in range(processes)
        ]
        outputs = [json.loads(child.communicate(timeout=120)[0]) for child in children]
    sent = sorted(moment for output in outputs for moment in output["sent"])
    limited = [moment for output in outputs for moment in output["limited"]]
    assert len(sent) == per_process * processes
    busiest = max(sum(1 for other in sent if start <= other < start + 1.0) for start in sent)
    assert busiest <= 40 + 1
    assert [moment for moment in limited if moment > sent[0] + 1.0] == []
    # Together, not each alone: alone, each process would send 38 a second.
    assert sent[-1] - sent[0] >= (per_process * processes - 40) / 40


def test_the_shared_state_is_secret_free_in_reprs(redis_server: str, key: str) -> None:
    shown = repr(state(redis_server, key)) + repr(SecretStr(redis_server))
    assert key not in shown
