"""The Error policy config: what a 408, a 429, a 5xx or a timeout becomes, as the user chooses.

Table-driven in-process: every policy against every failure it governs, through the executor
(with ``responses``), the command line's ``run`` and a flow run (both against the sandbox with
its faults). The real sailor's side is in ``tests/sailor``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.lib.client import ClientSettings
from picsart_component.lib.context import Services
from picsart_component.lib.ratelimit import Throttle
from picsart_component.lib.retry import RetrySettings
from picsart_component.pytest_plugin import PicsartSandbox
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message

BASE = "https://api.picsart.io/tools/1.0/"
UPSCALE = BASE + "upscale"
BODY = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 2}
POLICIES = ("retry", "rebound", "fail", "emitError")
ATTEMPTS = 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def answer(status: int, clock: FakeClock) -> dict[str, Any]:
    """What ``responses`` answers for one failure."""
    if status == 0:
        return {"body": requests.exceptions.ReadTimeout("read timed out")}
    headers = {"X-Picsart-Correlation-Id": f"corr-{status}"}
    if status == 429:
        # The limit lifts in an hour: longer than any wait the retry policy allows.
        headers["X-Picsart-Ratelimit-Reset-Time"] = str(int((clock.now + 3600) * 1000))
    return {
        "status": status,
        "json": {"code": status, "message": "it failed"},
        "headers": headers,
    }


# failure -> what each policy gives: (event kind, attempts)
EXPECTED: dict[str, dict[str, tuple[str, int]]] = {
    "408": {"retry": ("error", 1), "rebound": ("rebound", 1), "fail": ("error", 1)},
    "429": {"retry": ("rebound", 1), "rebound": ("rebound", 1), "fail": ("error", 1)},
    "500": {"retry": ("error", ATTEMPTS), "rebound": ("rebound", 1), "fail": ("error", 1)},
    "503": {"retry": ("error", ATTEMPTS), "rebound": ("rebound", 1), "fail": ("error", 1)},
    "timeout": {"retry": ("error", ATTEMPTS), "rebound": ("rebound", 1), "fail": ("error", 1)},
}
STATUS = {"408": 408, "429": 429, "500": 500, "503": 503, "timeout": 0}
CASES = [(failure, policy) for failure in EXPECTED for policy in POLICIES]


def run_upscale(policy: str, status: int) -> tuple[Any, int, FakeClock]:
    clock = FakeClock()
    services = Services(
        settings=ClientSettings(retry=RetrySettings(max_attempts=ATTEMPTS, max_total_wait=120)),
        throttle=Throttle(300, clock=clock.time, sleep=clock.sleep),
        sleep=clock.sleep,
        clock=clock.time,
        environ={},
    )
    cfg = {"apiKey": "k-123", "imageApiBaseUrl": BASE, "errorPolicy": policy}
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, UPSCALE, **answer(status, clock))
        result = Executor(services=services).run("upscale", Message(body=BODY), cfg)
        return result, len(mocked.calls), clock


@pytest.mark.parametrize(("failure", "policy"), CASES)
def test_each_policy_turns_each_failure_into_its_event(failure: str, policy: str) -> None:
    result, attempts, clock = run_upscale(policy, STATUS[failure])
    [event] = result.events
    if policy == "emitError":
        assert (event.kind, attempts) == ("data", 1)
        error = event.payload.body["error"]
        assert set(event.payload.body) == {"error"}
        assert error["name"] in ("RequestTimeoutError", "APIStatusError", "RateLimitError",
                                 "ServerError", "APITimeoutError")  # fmt: skip
        if failure != "timeout":
            assert (error["status"], error["correlationId"]) == (STATUS[failure], f"corr-{failure}")
        if failure == "429":
            assert error["retryAt"].startswith("2027-01-15T")
        return
    kind, expected_attempts = EXPECTED[failure][policy]
    assert (event.kind, attempts) == (kind, expected_attempts)
    if policy != "retry":
        assert clock.slept == []
    if failure == "429":
        assert event.payload["retryAt"].startswith("2027-01-15T")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("status", [400, 401, 402, 404, 501, 505])
def test_failures_that_do_not_pass_with_time_fail_whatever_the_policy(
    policy: str, status: int
) -> None:
    result, attempts, _ = run_upscale(policy, status)
    [event] = result.events
    assert (event.kind, attempts) == ("error", 1)


def test_an_unknown_policy_is_refused_before_anything_is_sent() -> None:
    with responses.RequestsMock() as mocked:
        result = Executor().run(
            "upscale",
            Message(body=BODY),
            {"apiKey": "k", "imageApiBaseUrl": BASE, "errorPolicy": "ignore"},
        )
        assert len(mocked.calls) == 0
    [event] = result.events
    assert event.kind == "error"
    assert event.payload["problems"][0]["path"] == "cfg.errorPolicy"


def test_every_action_has_the_policy_and_every_output_may_hold_an_error() -> None:
    executor = Executor()
    root = executor.root
    for key, action in executor.manifest.actions.items():
        assert action.fields["errorPolicy"]["model"].keys() == set(POLICIES), key
        assert action.metadata.out is not None, key
        out = json.loads((root / action.metadata.out).read_text(encoding="utf-8"))
        error = out["properties"]["error"]
        assert error.get("required") is not True, key
        assert {"name", "message", "status", "correlationId"} <= set(error["properties"]), key


# The command line and a flow run, against the sandbox.


@pytest.fixture
def sandbox(
    picsart_sandbox: PicsartSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> PicsartSandbox:
    for name, value in picsart_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PICSART_MAX_WAIT", "5")
    return picsart_sandbox


def upscale_calls(sandbox: PicsartSandbox) -> int:
    return len(sandbox.request_log("upscale"))


# policy -> (exit code of `run`, the event it prints)
RUN_EXPECTED = {
    "rebound": (75, "rebound"),
    "fail": (1, "error"),
    "emitError": (0, "data"),
}


@pytest.mark.parametrize("fault", ["503:next=9,path=upscale", "408:next=9,path=upscale"])
@pytest.mark.parametrize("policy", list(RUN_EXPECTED))
def test_run_follows_the_policy(sandbox: PicsartSandbox, policy: str, fault: str) -> None:
    sandbox.set_faults(fault)
    result = CliRunner().invoke(
        main,
        [
            "run",
            "upscale",
            "--body",
            json.dumps(BODY),
            "--cfg",
            json.dumps({"errorPolicy": policy}),
        ],
        catch_exceptions=False,
    )
    code, kind = RUN_EXPECTED[policy]
    assert result.exit_code == code, result.output
    event = json.loads(result.stdout.strip().splitlines()[-1])
    assert event["event"] == kind
    assert upscale_calls(sandbox) == 1
    if kind == "data":
        assert event["message"]["body"]["error"]["status"] == int(fault[:3])


def test_run_with_the_default_policy_retries_a_5xx(sandbox: PicsartSandbox) -> None:
    sandbox.set_faults("503:next=1,path=upscale")
    result = CliRunner().invoke(
        main, ["run", "upscale", "--body", json.dumps(BODY)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert upscale_calls(sandbox) == 2


FLOW = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url}'
- id: large
  action: upscale
  cfg: {errorPolicy: POLICY}
  body: '{"image_url": cutout.data.url, "upscale_factor": 2}'
- id: note
  action: accountBalance
  body: '{}'
"""


def run_flow(tmp_path: Path, policy: str, *extra: str) -> tuple[Any, Path]:
    flow = tmp_path / "flow.yaml"
    flow.write_text(FLOW.replace("POLICY", policy), encoding="utf-8")
    items = tmp_path / "items.jsonl"
    items.write_text(
        "".join(json.dumps({"url": f"https://example.com/{n}.png"}) + "\n" for n in range(2)),
        encoding="utf-8",
    )
    out = tmp_path / "results.jsonl"
    command = ["flow", "run", str(flow), "--input", str(items), "--out", str(out), *extra]
    return CliRunner().invoke(main, command, catch_exceptions=False), out


def lines_of(out: Path) -> list[dict[str, Any]]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_a_flow_step_that_rebounds_leaves_its_item_for_resume(
    sandbox: PicsartSandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("503:next=1,path=upscale")
    result, out = run_flow(tmp_path, "rebound", "--workers", "1")
    assert result.exit_code == 75, result.stderr
    assert "rebounded" in result.stderr
    assert all(line["status"] == "done" for line in lines_of(out))
    assert len(lines_of(out)) <= 1
    resumed, _ = run_flow(tmp_path, "rebound", "--workers", "1", "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert sorted(line["item"] for line in lines_of(out)) == [1, 2]
    cutouts = sandbox.request_log("removebg")
    assert len(cutouts) == 2, "the cutout of the rebounded item was paid for again"


def test_a_flow_step_that_fails_under_dont_retry_fails_its_item(
    sandbox: PicsartSandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("503:next=1,path=upscale")
    result, out = run_flow(tmp_path, "fail", "--workers", "1")
    assert result.exit_code == 1, result.stderr
    failed = [line for line in lines_of(out) if line["status"] == "failed"]
    assert [(line["error"]["step"], line["error"]["status"]) for line in failed] == [("large", 503)]
    assert upscale_calls(sandbox) == 2


def test_a_flow_step_that_emits_its_error_lets_the_flow_go_on(
    sandbox: PicsartSandbox, tmp_path: Path
) -> None:
    sandbox.set_faults("503:next=1,path=upscale")
    result, out = run_flow(tmp_path, "emitError", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    lines = lines_of(out)
    assert all(line["status"] == "done" for line in lines)
    errors = [
        line["steps"]["large"]["error"] for line in lines if "error" in line["steps"]["large"]
    ]
    assert [(error["name"], error["status"]) for error in errors] == [("ServerError", 503)]
    assert all("note" in line["steps"] for line in lines)
