"""``picsart-flow`` from a user's point of view: output, exit codes, config, fixtures, secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner, Result
from responses import matchers

from picsart_component.cli import main
from picsart_component.console import EXIT_REBOUND
from picsart_component.lib.client import API_KEY_HEADER, PicsartClient
from tests.conftest import CANARY_KEY
from tests.helpers import BASE_URL

BALANCE = BASE_URL + "balance"
RAW_BALANCE = '{"url": "balance", "method": "GET"}'


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("PICSART_API_KEY", "PICSART_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PICSART_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("PICSART_MAX_WAIT", "0.01")
    yield
    logging.getLogger().setLevel(logging.WARNING)


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_actions_lists_each_key_and_title() -> None:
    result = invoke("actions")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split(None, 1) for line in lines[:3]] == [
        ["makeRawRequest", "Make Raw Request"],
        ["removeBackground", "Remove background"],
        ["upscale", "Upscale"],
    ]
    title_columns = {len(line) - len(line.split(None, 1)[1]) for line in lines}
    assert len(title_columns) == 1, "the titles start in one column"
    assert json.loads(invoke("actions", "--json").stdout)[2] == {
        "key": "upscale",
        "title": "Upscale",
    }


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["actions"],
        ["validate"],
        ["verify"],
        ["run"],
        ["generate"],
        ["demo"],
        ["attach"],
        ["sandbox"],
        ["flow", "validate"],
        ["flow", "run"],
    ],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


@responses.activate
def test_run_prints_a_data_event_and_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICSART_API_KEY", "env-key-123")
    responses.get(BALANCE, json={"credits": 5}, headers={"X-Picsart-Correlation-Id": "c1"})
    result = invoke("run", "makeRawRequest", "--body", RAW_BALANCE)
    assert result.exit_code == 0
    (event,) = lines(result)
    assert event["event"] == "data"
    assert event["message"]["body"]["responseBody"] == {"credits": 5}
    assert responses.calls[0].request.headers[API_KEY_HEADER] == "env-key-123"


@responses.activate
def test_run_prints_an_error_event_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICSART_API_KEY", "env-key-123")
    responses.get(
        BALANCE, status=401, json={"detail": "Bad key"}, headers={"X-Picsart-Correlation-Id": "c9"}
    )
    result = invoke("run", "makeRawRequest", "--body", RAW_BALANCE)
    assert result.exit_code == 1
    (event,) = lines(result)
    assert event == {
        "event": "error",
        "error": {
            "name": "AuthenticationError",
            "message": event["error"]["message"],
            "status": 401,
            "correlationId": "c9",
        },
    }
    assert "Bad key" in event["error"]["message"]
    assert result.stderr == ""


@responses.activate
def test_an_exhausted_rate_limit_is_a_rebound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICSART_API_KEY", "env-key-123")
    responses.get(
        BALANCE,
        status=429,
        json={"detail": "quota"},
        headers={"X-Picsart-Ratelimit-Reset-Time": "3600"},
    )
    result = invoke("run", "makeRawRequest", "--body", RAW_BALANCE)
    assert result.exit_code == EXIT_REBOUND
    (event,) = lines(result)
    assert event["event"] == "rebound"
    assert event["rebound"]["status"] == 429
    assert event["rebound"]["retryAt"].endswith("+00:00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nope", "--body", "{}"], "unknown action 'nope'"),
        (["run", "makeRawRequest", "--body", "{not json"], "--body is not valid JSON"),
        (["run", "makeRawRequest"], "give exactly one of --body, --msg and --fixture"),
        (["run", "makeRawRequest", "--body", "{}", "--fixture", "x"], "exactly one of"),
        (["run", "makeRawRequest", "--body", "{}", "--cfg", "[1]"], "--cfg must be a JSON object"),
        (["run", "makeRawRequest", "--body", "@/no/such/file.json"], "cannot read"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


@responses.activate
def test_cfg_wins_over_the_environment_and_can_come_from_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PICSART_API_KEY", "env-key-123")
    monkeypatch.setenv("PICSART_BASE_URL", "https://example.com/not-used/")
    cfg_file = tmp_path / "cfg.json"
    cfg_file.write_text(json.dumps({"apiKey": "file-key-456", "imageApiBaseUrl": BASE_URL}))
    responses.get(
        BALANCE,
        json={"credits": 1},
        match=[matchers.header_matcher({API_KEY_HEADER: "file-key-456"})],
    )
    result = invoke("run", "makeRawRequest", "--body", RAW_BALANCE, "--cfg", f"@{cfg_file}")
    assert result.exit_code == 0, result.output


@responses.activate
def test_msg_reads_a_whole_message_from_a_file_or_stdin(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PICSART_API_KEY", "env-key-123")
    responses.get(BALANCE, json={"credits": 1})
    message = {"id": "m-1", "body": json.loads(RAW_BALANCE), "headers": {"x": "y"}}
    msg_file = tmp_path / "msg.json"
    msg_file.write_text(json.dumps(message))
    assert invoke("run", "makeRawRequest", "--msg", str(msg_file)).exit_code == 0
    assert invoke("run", "makeRawRequest", "--msg", "-", stdin=json.dumps(message)).exit_code == 0
    no_body = invoke("run", "makeRawRequest", "--msg", "-", stdin="{}")
    assert no_body.exit_code == 2
    assert "a message needs a body" in no_body.stderr


def write_fixtures(folder: Path, fixtures: dict[str, Any], env: str = "") -> Path:
    (folder / "test").mkdir()
    fixture_file = folder / "test" / "fixture.json"
    fixture_file.write_text(json.dumps({"fixtures": fixtures}))
    (folder / ".env").write_text(env)
    return fixture_file


@responses.activate
def test_fixtures_fill_placeholders_from_dotenv_and_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fixture_file = write_fixtures(
        tmp_path,
        {
            "balance": {
                "cfg": {"apiKey": "{{PICSART_KEY}}", "imageApiBaseUrl": "{{ BASE }}"},
                "msg": {"body": {"url": "{{PATH}}", "method": "GET"}},
            }
        },
        env=f"PICSART_KEY=dotenv-key-789\nBASE={BASE_URL}\nPATH_UNUSED=x\n",
    )
    monkeypatch.setenv("PATH", "balance")
    responses.get(
        BALANCE,
        json={"credits": 1},
        match=[matchers.header_matcher({API_KEY_HEADER: "dotenv-key-789"})],
    )
    result = invoke(
        "run", "makeRawRequest", "--fixture", "balance", "--fixtures", str(fixture_file)
    )
    assert result.exit_code == 0, result.output


def test_a_fixture_value_cannot_inject_json_structure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fixture_file = write_fixtures(
        tmp_path, {"f": {"cfg": {"apiKey": "k-1234"}, "msg": {"body": {"url": "{{EVIL}}"}}}}
    )
    monkeypatch.setenv("EVIL", 'balance", "method": "GET", "x": "')
    result = invoke("run", "makeRawRequest", "--fixture", "f", "--fixtures", str(fixture_file))
    assert result.exit_code == 1
    (event,) = lines(result)
    assert event["error"]["problems"] == [{"path": "$.method", "rule": "is required"}]


def test_fixture_problems_are_usage_errors(tmp_path: Path) -> None:
    fixture_file = write_fixtures(tmp_path, {"f": {"cfg": {"apiKey": "{{MISSING_VAR}}"}}})
    result = invoke("run", "makeRawRequest", "--fixture", "f", "--fixtures", str(fixture_file))
    assert result.exit_code == 2
    assert "{{MISSING_VAR}}" in result.stderr
    unknown = invoke("run", "makeRawRequest", "--fixture", "g", "--fixtures", str(fixture_file))
    assert unknown.exit_code == 2
    assert "no fixture named 'g'" in unknown.stderr


@responses.activate
def test_verify_prints_verified_with_credits_and_exits_0() -> None:
    responses.get(BALANCE, json={"credits": 120})
    result = invoke("verify", "--cfg", '{"apiKey": "good-key-1"}')
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"verified": True, "credits": 120}


@responses.activate
def test_verify_prints_picsarts_reason_and_exits_1_when_refused() -> None:
    responses.get(
        BALANCE,
        status=401,
        json={"code": 401, "message": "Unauthorized", "detail": "Invalid API key"},
        headers={"X-Picsart-Correlation-Id": "v-1"},
    )
    result = invoke("verify", "--cfg", '{"apiKey": "bad-key-1"}')
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "verified": False,
        "reason": "Unauthorized",
        "status": 401,
        "correlationId": "v-1",
    }


def test_verify_without_a_key_says_how_to_set_one_and_never_asks_the_sandbox() -> None:
    result = invoke("verify")
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["verified"] is False
    assert "PICSART_API_KEY" in answer["reason"]
    assert "--sandbox" in answer["reason"]
    assert "sandbox mode" not in result.stderr
    misspelt = invoke("verify", "--cfg", '{"apikey": "my-key-123"}')
    assert misspelt.exit_code == 2
    assert "did you mean 'apiKey'?" in misspelt.output


def test_verify_sandbox_checks_the_built_in_sandbox_and_says_so() -> None:
    result = invoke("verify", "--sandbox")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"verified": True, "credits": 1000, "sandbox": True}
    assert "sandbox mode" in result.stderr


def test_without_a_key_or_base_url_the_embedded_sandbox_answers_and_says_so() -> None:
    ran = invoke("run", "makeRawRequest", "--body", RAW_BALANCE)
    assert ran.exit_code == 0
    (event,) = lines(ran)
    assert event["message"]["body"]["responseBody"] == {"credits": 1000}
    assert "sandbox mode" in ran.stderr


@responses.activate
def test_a_user_with_a_key_never_silently_gets_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PICSART_API_KEY", "real-key-1")
    responses.get(BALANCE, json={"credits": 7})
    result = invoke("verify")
    assert json.loads(result.stdout) == {"verified": True, "credits": 7}
    assert "sandbox" not in result.stderr
    assert responses.calls[0].request.url == BALANCE


def test_a_base_url_without_a_key_is_an_error_not_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PICSART_BASE_URL", "http://127.0.0.1:9/tools/1.0/")
    result = invoke("verify")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["reason"].startswith("no API key is configured")
    assert "sandbox mode" not in result.stderr
    ran = invoke("run", "makeRawRequest", "--body", RAW_BALANCE)
    assert ran.exit_code == 1
    assert lines(ran)[0]["error"]["message"] == "Invalid credentials: cfg.apiKey: is required"
    assert "sandbox mode" not in ran.stderr


def test_a_crash_inside_an_action_is_an_error_event_with_traceback_only_when_verbose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(PicsartClient, "request", explode)
    monkeypatch.setenv("PICSART_API_KEY", "env-key-123")
    quiet = invoke("run", "makeRawRequest", "--body", RAW_BALANCE)
    assert quiet.exit_code == 1
    assert lines(quiet)[0]["error"] == {"name": "RuntimeError", "message": "boom"}
    assert "Traceback" not in quiet.output
    loud = invoke("run", "makeRawRequest", "--body", RAW_BALANCE, "--verbose")
    assert loud.exit_code == 1
    assert "Traceback" in loud.stderr
    assert "Traceback" not in loud.stdout


@responses.activate
def test_the_api_key_never_appears_in_output_or_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A canary key goes through success and failure paths; it must surface nowhere."""
    monkeypatch.setenv("PICSART_MAX_WAIT", "10")
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    responses.get(BALANCE, json={"credits": 3})
    responses.get(BASE_URL + "fail401", status=401, json={"detail": "nope"})
    responses.get(BASE_URL + "fail503", status=503, body="<html>down</html>")
    responses.get(BASE_URL + "dead", body=requests.ConnectionError("refused"))
    cfg = json.dumps({"apiKey": CANARY_KEY})
    runs = [
        invoke("verify", "--cfg", cfg, "--verbose"),
        invoke("run", "makeRawRequest", "--body", RAW_BALANCE, "--cfg", cfg, "-v"),
        *[
            invoke(
                "run",
                "makeRawRequest",
                "--body",
                json.dumps({"url": path, "method": "GET"}),
                "--cfg",
                cfg,
                "--verbose",
            )
            for path in ("fail401", "fail503", "dead", "https://evil.example/x")
        ],
        invoke("run", "makeRawRequest", "--body", '{"url": 1}', "--cfg", cfg, "-v"),
        invoke(
            "run",
            "makeRawRequest",
            "--body",
            RAW_BALANCE,
            "--cfg",
            json.dumps({"apiKey": CANARY_KEY, "imageApiBaseUrl": "not a url"}),
            "-v",
        ),
    ]
    assert [r.exit_code for r in runs] == [0, 0, 1, 1, 1, 1, 1, 1]
    for result in runs:
        assert CANARY_KEY not in result.stdout
        assert CANARY_KEY not in result.stderr
    for record in caplog.records:
        assert CANARY_KEY not in record.getMessage()
        assert CANARY_KEY not in str(record.exc_info)
    assert any(r.levelno == logging.WARNING for r in caplog.records), "retries were logged"
    sent = [call.request.headers.get(API_KEY_HEADER) for call in responses.calls]
    assert set(sent) == {CANARY_KEY}


def test_attach_puts_a_local_image_into_the_store_for_the_image_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
    photo = tmp_path / "mug.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (tmp_path / "notes.txt").write_text("hello")
    result = invoke("attach", str(photo), str(tmp_path / "notes.txt"), str(tmp_path / "gone.png"))
    assert result.exit_code == 1
    (line,) = lines(result)
    assert line["file"] == str(photo)
    assert line["content-type"] == "image/png"
    assert line["size"] == 48
    assert line["url"].startswith((tmp_path / "store").resolve().as_uri())
    assert "notes.txt: not an image Picsart accepts" in result.stderr
    assert "gone.png: No such file or directory" in result.stderr
