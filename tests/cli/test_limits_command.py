"""``picsart-flow limits show|reset``: the hold a long 429 leaves in Redis for every process using
the key, seen with the answer that set it, and lifted per API; the blocked run's error names both
commands; without Redis, a sentence saying the hold lives in one process.

A real sandbox answers (its image API at ``127.0.0.1``, its GenAI API at ``localhost``, so the two
are two origins, as Picsart's are), a real Redis keeps the state (``PICSART_TEST_REDIS_URL``),
and each test has a key of its own, so tests run in parallel.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from click.testing import CliRunner, Result

from picsart_component.cli import main
from picsart_component.lib.client import forget_shared_throttles
from picsart_component.lib.errors import RateLimitError
from picsart_component.lib.ratelimit import LimitAnswer, LocalState
from picsart_component.lib.retry import RetrySettings
from picsart_component.lib.shared_limit import RedisState, namespace
from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.e2e import SandboxAnswers
from tests.helpers import FakeTime, make_client

HOUR = 3600
SHOW = "`picsart-flow limits show`"
RESET = "`picsart-flow limits reset`"


@pytest.fixture
def key() -> Iterator[str]:
    secret = f"pk-CANARY-{uuid.uuid4().hex}"
    yield secret
    forget_shared_throttles()


@pytest.fixture
def sandbox(key: str, check_sandbox_answers: SandboxAnswers) -> Iterator[RunningSandbox]:
    with start_sandbox(quiet=True, api_key=key, quota=100_000) as running:
        yield running


@pytest.fixture
def env(key: str, sandbox: RunningSandbox, redis_server: str) -> Iterator[dict[str, str | None]]:
    """The environment of every command: the key, the sandbox's two APIs at two origins, and
    Redis; the state is removed from Redis afterwards."""
    genai = sandbox.genai_base_url.replace("127.0.0.1", "localhost")
    yield {
        "PICSART_API_KEY": key,
        "PICSART_BASE_URL": sandbox.base_url,
        "PICSART_GENAI_BASE_URL": genai,
        "PICSART_VIDEO_BASE_URL": sandbox.video_base_url,
        "PICSART_VD_BASE_URL": sandbox.vd_base_url,
        "PICSART_REDIS_URL": redis_server,
        "PICSART_MAX_WAIT": "300",
    }
    import redis

    redis.Redis.from_url(redis_server).delete(
        namespace(key, sandbox.base_url), namespace(key, genai)
    )


def invoke(args: list[str], env: dict[str, str | None]) -> Result:
    result = CliRunner().invoke(main, args, env=env)
    assert "Traceback" not in result.output, result.output
    return result


def shown(env: dict[str, str | None]) -> dict[str, dict[str, Any]]:
    result = invoke(["limits", "show", "--json"], env)
    assert result.exit_code == 0, result.output
    return {entry["api"]: entry for entry in map(json.loads, result.stdout.splitlines())}


def test_a_long_429_holds_its_api_in_redis_and_limits_shows_and_lifts_it(
    sandbox: RunningSandbox, env: dict[str, str | None], key: str
) -> None:
    sandbox.set_faults("429:reset=seconds,reset_in=3600,path=genai-balance")
    run = invoke(["run", "accountBalance", "--body", "{}"], env)
    assert run.exit_code == 75, run.output
    rebound = json.loads(run.stdout.splitlines()[-1])
    assert rebound["event"] == "rebound"
    message = rebound["rebound"]["message"]
    assert SHOW in message
    assert RESET in message

    state = shown(env)
    genai, image = state["genai"], state["image"]
    assert genai["shared"] is True
    assert genai["origin"] == f"http://localhost:{sandbox.port}"
    assert genai["held"] is True
    assert HOUR - 60 < genai["heldForSeconds"] <= HOUR
    assert genai["heldUntil"].endswith("+00:00")
    assert genai["heldBy"]["status"] == 429
    assert genai["heldBy"]["resetTime"] == "3600"
    assert genai["heldBy"]["correlationId"] == rebound["rebound"]["correlationId"]
    assert image["origin"] == f"http://127.0.0.1:{sandbox.port}"
    assert image["held"] is False
    # The image API answered first, with its headers: its pace is learned, from that answer.
    assert image["quota"]["learnedFrom"]["status"] == 200
    assert image["quota"]["secondsPerCall"] > 0

    text = invoke(["limits", "show"], env)
    assert text.exit_code == 0
    genai_text = text.stdout.split("genai API", 1)[1]
    assert genai_text.startswith(f" (http://localhost:{sandbox.port})\n  hold:  until ")
    assert "set by a 429 answer at" in genai_text
    assert "reset time '3600'" in genai_text
    assert rebound["rebound"]["correlationId"] in genai_text

    sandbox.set_faults("429:reset=seconds,reset_in=3600,path=balance")
    invoke(["run", "accountBalance", "--body", "{}"], env)
    assert shown(env)["image"]["held"] is True
    sandbox.set_faults("")
    calls = len(sandbox.request_log())
    blocked = invoke(["run", "accountBalance", "--body", "{}"], env)
    assert blocked.exit_code == 75
    blocked_message = json.loads(blocked.stdout.splitlines()[-1])["rebound"]["message"]
    assert "nothing was sent" in blocked_message
    assert SHOW in blocked_message
    assert RESET in blocked_message
    assert len(sandbox.request_log()) == calls

    cleared = invoke(["limits", "reset", "--api", "genai"], env)
    assert cleared.exit_code == 0, cleared.output
    assert cleared.stdout.startswith(
        f"genai API (http://localhost:{sandbox.port}): cleared the hold until "
    )
    after = shown(env)
    assert after["genai"]["held"] is False
    assert after["image"]["held"] is True
    again = invoke(["limits", "reset", "--api", "genai"], env)
    assert again.exit_code == 0
    assert "nothing to clear" in again.stdout
    for result in (run, text, blocked, cleared, again):
        assert key not in result.output


def test_reset_without_api_clears_every_api(
    sandbox: RunningSandbox, env: dict[str, str | None]
) -> None:
    sandbox.set_faults("429:reset=seconds,reset_in=3600,path=balance")
    invoke(["run", "accountBalance", "--body", "{}"], env)
    assert shown(env)["image"]["held"] is True
    cleared = invoke(["limits", "reset"], env)
    assert cleared.exit_code == 0
    lines = cleared.stdout.splitlines()
    assert lines[0].startswith("image API")
    assert "cleared the hold" in lines[0]
    assert lines[1].startswith("genai API")
    assert "nothing to clear" in lines[1]
    sandbox.set_faults("")
    calls = len(sandbox.request_log())
    invoke(["run", "accountBalance", "--body", "{}"], env)
    sent = [entry["path"] for entry in sandbox.request_log()[calls:]]
    assert sent == ["/tools/1.0/balance", "/v1/balance", "/video/v1/balance", "/vd/v1/balance"]


@pytest.mark.parametrize("command", ["show", "reset"])
def test_without_redis_the_commands_say_the_hold_lives_in_one_process(command: str) -> None:
    result = invoke(
        ["limits", command], {"PICSART_REDIS_URL": None, "PICSART_API_KEY": "pk-test-key"}
    )
    assert result.exit_code == 0, result.output
    assert "PICSART_REDIS_URL is not set" in result.stdout
    assert "lives only in the process that met it" in result.stdout
    assert "a new process starts free" in result.stdout


def test_without_redis_show_json_says_so_in_json() -> None:
    result = invoke(
        ["limits", "show", "--json"], {"PICSART_REDIS_URL": None, "PICSART_API_KEY": "pk-test-key"}
    )
    assert result.exit_code == 0, result.output
    said = json.loads(result.stdout)
    assert said["shared"] is False
    assert "lives only in the process that met it" in said["message"]


def test_a_mistyped_api_name_gets_a_did_you_mean() -> None:
    result = invoke(["limits", "reset", "--api", "gen-ai"], {"PICSART_API_KEY": "pk-test-key"})
    assert result.exit_code == 2
    assert "--api: 'gen-ai' is not an API here; did you mean 'genai'?" in result.output
    assert "the APIs are: image, genai" in result.output


def test_without_a_key_it_is_a_usage_error_naming_the_key(redis_server: str) -> None:
    result = invoke(
        ["limits", "show"], {"PICSART_API_KEY": None, "PICSART_REDIS_URL": redis_server}
    )
    assert result.exit_code == 2
    assert "needs the API key" in result.output
    assert "PICSART_API_KEY" in result.output


def test_a_redis_that_does_not_answer_is_named_with_its_password_masked() -> None:
    result = invoke(
        ["limits", "show", "--redis", "redis://:s3cret-pw@127.0.0.1:1/0"],
        {"PICSART_API_KEY": "pk-test-key", "PICSART_REDIS_URL": None},
    )
    assert result.exit_code == 1
    assert "--redis: Redis at redis://:****@127.0.0.1:1/0 does not answer" in result.output
    assert "s3cret" not in result.output


def test_a_redis_option_that_is_no_redis_url_is_a_usage_error() -> None:
    result = invoke(
        ["limits", "show", "--redis", "http://127.0.0.1:6379"], {"PICSART_API_KEY": "pk-test-key"}
    )
    assert result.exit_code == 2
    assert "--redis must be a redis://, rediss:// or unix:// URL" in result.output


def test_two_apis_at_one_origin_are_said_to_share_one_state(redis_server: str) -> None:
    key = f"pk-CANARY-{uuid.uuid4().hex}"
    same = "https://sandbox.example/"
    env: dict[str, str | None] = {
        "PICSART_API_KEY": key,
        "PICSART_BASE_URL": same + "tools/1.0/",
        "PICSART_GENAI_BASE_URL": same + "v1/",
        "PICSART_REDIS_URL": redis_server,
    }
    result = invoke(["limits", "reset", "--api", "genai"], env)
    assert result.exit_code == 0
    assert result.stdout.startswith("genai API (https://sandbox.example, one state with image):")


def test_the_rate_limit_error_names_both_commands() -> None:
    error = RateLimitError("quota", method="GET", url="https://api.picsart.io/x", status=429)
    assert str(error).startswith("Picsart answered 429 Too Many Requests to GET")
    assert SHOW in str(error)
    assert RESET in str(error)


@responses.activate
def test_a_hold_after_a_429_remembers_that_answer_in_the_process_too() -> None:
    fake_time = FakeTime()
    responses.get(
        "https://api.picsart.io/tools/1.0/balance",
        status=429,
        json={"detail": "quota"},
        headers={
            "X-Picsart-Ratelimit-Reset-Time": "7200",
            "X-Picsart-Correlation-Id": "corr-7",
            "X-Picsart-Ratelimit-Available": "0",
        },
    )
    client = make_client(fake_time, retry=RetrySettings(max_total_wait=60))
    with pytest.raises(RateLimitError):
        client.balance()
    state = client.throttle.state
    assert isinstance(state, LocalState)
    assert state.held_by == LimitAnswer(
        at=fake_time.now, status=429, reset_time="7200", correlation_id="corr-7", available=0
    )
    assert client.throttle.held_until == fake_time.now + 7200


def test_a_longer_hold_with_no_answer_forgets_the_earlier_answer(
    redis_server: str, key: str
) -> None:
    shared = RedisState(redis_server, namespace(key, "https://api.picsart.io/"))
    answer = LimitAnswer(at=1.0, status=429, reset_time="60", correlation_id="c-1")
    now = 1_700_000_000.0
    shared.hold_until(now, now + 60, answer)
    assert shared.inspect().held_by == answer
    shared.hold_until(now, now + 30, LimitAnswer(at=2.0, status=429))
    assert shared.inspect().held_by == answer
    shared.hold_until(now, now + 90)
    seen = shared.inspect()
    assert seen.held
    assert seen.held_by is None
    assert shared.clear().held
    assert shared.inspect().empty
    shared.clear()
