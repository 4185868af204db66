"""A recognisable key goes through every command and error path; it must surface nowhere.

The sandbox is started with ``api_key`` set to the canary, so every call really carries it, and a
call without it would fail. With ``--verbose`` on, the key must not appear in stdout, stderr, log
records, emitted messages, exception reprs or the sandbox's request log.

A retry after a 5xx or a lost connection waits 10 ms here instead of a second or more: how long it
waits is not what these tests look at, and every path still retries as it does in use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from picsart_component.cli import main
from picsart_component.lib import errors
from picsart_component.lib import settings as component_settings
from picsart_component.lib.client import ClientSettings, PicsartClient, forget_shared_throttles
from picsart_component.lib.ratelimit import Throttle
from picsart_component.lib.retry import RetrySettings
from picsart_component.lib.store import LocalStore
from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.conftest import CANARY_KEY
from tests.e2e import SandboxAnswers, png


@dataclass(frozen=True)
class QuickRetrySettings(RetrySettings):
    """Retries whose back-off after a 5xx or a lost connection starts at 10 ms, not 1 s."""

    backoff_initial: float = 0.01


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[RunningSandbox]:
    with start_sandbox(quiet=True, api_key=CANARY_KEY) as running:
        monkeypatch.setenv("PICSART_API_KEY", CANARY_KEY)
        monkeypatch.setenv("PICSART_BASE_URL", running.base_url)
        monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
        monkeypatch.setenv("PICSART_MAX_ATTEMPTS", "2")
        monkeypatch.setenv("PICSART_MAX_WAIT", "3")
        monkeypatch.setenv("PICSART_READ_TIMEOUT", "2")
        monkeypatch.setattr(component_settings, "RetrySettings", QuickRetrySettings)
        yield running
    logging.getLogger().setLevel(logging.WARNING)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--verbose"], catch_exceptions=False)


def test_the_key_never_surfaces_on_any_path(
    sandbox: RunningSandbox,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    check_sandbox_answers: SandboxAnswers,
) -> None:
    store = LocalStore(tmp_path / "store")
    image = store.save(iter([png((60, 40))]), "image/png").url
    bodies = {
        "raw get": ("makeRawRequest", {"url": "balance", "method": "GET"}),
        "raw 404": ("makeRawRequest", {"url": "nope", "method": "GET"}),
        "raw post": (
            "makeRawRequest",
            {"url": "upload", "method": "POST", "data": {"image_url": sandbox.root_url + "x.png"}},
        ),
        "raw foreign host": ("makeRawRequest", {"url": "https://evil.example/k", "method": "GET"}),
        "bad input": ("removeBackground", {"image": image, "bg_blur": 500}),
        "cutout": ("removeBackground", {"image": image}),
        "upscale": ("upscale", {"image": image, "upscale_factor": 2}),
        "unknown id": ("upscale", {"image_id": "0" * 32, "upscale_factor": 2}),
        "private source": ("upscale", {"image": "http://10.0.0.1/a.png", "upscale_factor": 2}),
    }
    results: list[Result] = [invoke("actions"), invoke("verify")]
    for action, body in bodies.values():
        results.append(invoke("run", action, "--body", json.dumps(body)))
        results.append(
            invoke("run", action, "--body", json.dumps(body), "--cfg", '{"downloadResult": true}')
        )
    with check_sandbox_answers.unchecked():
        for fault in (
            "401:next=2",
            "422:next=1",
            "503",
            "drop",
            "html",
            "truncate",
            "429:reset=none",
        ):
            sandbox.set_faults(fault)
            results.append(
                invoke(
                    "run", "upscale", "--body", json.dumps({"image": image, "upscale_factor": 2})
                )
            )
            results.append(invoke("verify"))
            sandbox.clear_faults()
    # The 429 without a reset time held every request of this process for a minute.
    forget_shared_throttles()
    wrong_key = CliRunner().invoke(
        main, ["verify", "--cfg", json.dumps({"apiKey": CANARY_KEY + "-wrong"}), "-v"]
    )
    results.append(wrong_key)
    results.append(invoke("demo", "--out", str(tmp_path / "demo")))

    assert {r.exit_code for r in results} >= {0, 1}
    assert any('"event": "error"' in r.stdout for r in results)
    assert any('"event": "data"' in r.stdout for r in results)
    for result in results:
        assert CANARY_KEY not in result.stdout
        assert CANARY_KEY not in result.stderr
    for record in caplog.records:
        assert CANARY_KEY not in record.getMessage()
        assert CANARY_KEY not in repr(record.args)
        if record.exc_info and record.exc_info[1] is not None:
            assert CANARY_KEY not in repr(record.exc_info[1])
            assert CANARY_KEY not in str(record.exc_info[1])
    log = sandbox.request_log()
    assert len(log) > 40
    assert CANARY_KEY not in json.dumps(log)
    assert CANARY_KEY not in json.dumps(sandbox.state())


def test_exception_reprs_and_the_client_never_hold_the_key(
    sandbox: RunningSandbox, check_sandbox_answers: SandboxAnswers
) -> None:
    client = PicsartClient(
        CANARY_KEY,
        sandbox.base_url,
        settings=ClientSettings(read_timeout=1, retry=RetrySettings(max_attempts=1)),
        throttle=Throttle(1e9),
    )
    caught: list[BaseException] = []
    with check_sandbox_answers.unchecked():
        for fault in (
            "401:next=1",
            "402:next=1",
            "422:next=1",
            "503:next=1",
            "drop:next=1",
            "html:next=1",
            "slow:ms=1500,next=1",
            # Last: the throttle holds every later call of this client until its reset time.
            "429:next=1,reset=seconds",
        ):
            sandbox.set_faults(fault)
            with pytest.raises(errors.APIError) as error:
                client.balance()
            caught.append(error.value)
    assert {type(e).__name__ for e in caught} >= {
        "AuthenticationError",
        "PaymentRequiredError",
        "RequestValidationError",
        "RateLimitError",
        "ServerError",
        "APIConnectionError",
        "APITimeoutError",
    }
    for exception in caught:
        assert CANARY_KEY not in repr(exception)
        assert CANARY_KEY not in str(exception)
        assert CANARY_KEY not in repr(vars(exception))
    assert CANARY_KEY not in repr(client)
