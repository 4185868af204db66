"""The Variable Data API's credential, variable and client, and Account balance's video and VD
credits: ``vdApiBaseUrl`` (Picsart's by default), ``PICSART_VD_BASE_URL``, the key sent there
and only where it should go, ``picsart-flow limits --api vd``, sandbox mode answering it, and
the two new balances asked once each and left out when not given; and the VD actions' own
rules, refused before anything is sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner

from picsart_component.catalogue.operations import APIS
from picsart_component.cli import main
from picsart_component.console import merge_cfg
from picsart_component.lib.credentials import read_credentials
from picsart_component.lib.errors import InputError
from picsart_component.lib.settings import ComponentSettings
from picsart_component.lib.urls import KeyPolicy
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
from tests.helpers import API_KEY, FakeTime, make_services

IMAGE = "https://api.picsart.io/tools/1.0/"
GENAI = "https://genai-api.picsart.io/v1/"
VIDEO = "https://video-api.picsart.io/v1/"
VD = "https://vd-api.picsart.io/v1/"
LOCAL_VD = "http://127.0.0.1:9/vd/v1/"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, VD),
        ("", VD),
        ("http://127.0.0.1:9/vd/v1", LOCAL_VD),
        ("https://vd-api.picsart.io/v2/", "https://vd-api.picsart.io/v2/"),
    ],
)
def test_the_vd_base_url_is_picsarts_unless_set(given: str | None, expected: str) -> None:
    credentials = read_credentials({"apiKey": API_KEY, "vdApiBaseUrl": given})
    assert APIS["vd"].base_url == VD
    assert credentials.vd_base_url == expected
    assert credentials.api_base_urls["vd"] == expected
    assert expected in credentials.key_hosts


def test_a_vd_base_url_that_is_no_http_url_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError) as refused:
        read_credentials({"apiKey": API_KEY, "vdApiBaseUrl": "ftp://example.com/v1/"})
    assert "vdApiBaseUrl" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "gets_key"),
    [
        (LOCAL_VD + "balance", True),
        (VD + "balance", True),
        ("http://vd-api.picsart.io/v1/balance", False),
        ("http://127.0.0.1:10/vd/v1/balance", False),
        ("https://vd-api.example.com/v1/balance", False),
    ],
)
def test_the_key_goes_to_the_configured_vd_host_and_picsarts_only(url: str, gets_key: bool) -> None:
    credentials = read_credentials({"apiKey": API_KEY, "vdApiBaseUrl": LOCAL_VD})
    assert KeyPolicy(*credentials.key_hosts).allows(url) is gets_key


def test_the_environment_sets_the_vd_base_url_under_the_given_cfg() -> None:
    settings = ComponentSettings.from_environ({"PICSART_VD_BASE_URL": LOCAL_VD})
    assert merge_cfg(settings=settings)["vdApiBaseUrl"] == LOCAL_VD
    given = {"vdApiBaseUrl": VD}
    assert merge_cfg(given, settings=settings)["vdApiBaseUrl"] == VD


# Account balance


def balance_run(fake_time: FakeTime) -> tuple[dict[str, Any], list[str]]:
    executor = Executor(services=make_services(fake_time))
    result = executor.run("accountBalance", Message(body={}), {"apiKey": API_KEY})
    assert result.of_kind("error") == [], result.events
    (message,) = result.of_kind("data")
    return message.body, [str(call.request.url) for call in responses.calls]


CREDITS_30, CREDITS_40 = {"json": {"credits": 30}}, {"json": {"credits": 40}}
NOT_ALLOWED = {"status": 401, "json": {"detail": "no access"}}
DOWN = {"status": 503, "json": {"detail": "down"}}
UNREACHABLE = {"body": requests.ConnectionError("off")}
NO_CREDITS = {"json": {"nothing": 1}}
NOT_FOUND = {"status": 404, "json": {"detail": "none"}}


@pytest.mark.parametrize(
    ("video", "vd", "expected"),
    [
        (CREDITS_30, CREDITS_40, {"videoApiCredits": 30, "vdApiCredits": 40}),
        (NOT_ALLOWED, CREDITS_40, {"vdApiCredits": 40}),
        (DOWN, UNREACHABLE, {}),
        (NO_CREDITS, NOT_FOUND, {}),
    ],
    ids=["both", "video refuses the key", "down and unreachable", "no credits and not found"],
)
@responses.activate
def test_account_balance_adds_the_video_and_vd_credits_it_is_given(
    fake_time: FakeTime, video: dict[str, Any], vd: dict[str, Any], expected: dict[str, int]
) -> None:
    responses.get(IMAGE + "balance", json={"credits": 10})
    responses.get(GENAI + "balance", json={"credits": 20})
    responses.get(VIDEO + "balance", **video)
    responses.get(VD + "balance", **vd)
    body, urls = balance_run(fake_time)
    assert body == {"imageApiCredits": 10, "genaiApiCredits": 20, **expected}
    # Each newer API is asked once, without retries, even when it fails with a 5xx.
    assert urls == [IMAGE + "balance", GENAI + "balance", VIDEO + "balance", VD + "balance"]


# The VD actions' rules


@pytest.mark.parametrize(
    ("action", "body", "problem"),
    [
        ("exportReplay", {"file_url": "ftp://example.com/r.json"}, "$.file_url"),
        ("exportReplay", {"file_url": VD, "format": "PNG"}, "$.format"),
        ("describeReplayVariables", {}, "exactly one of template_id, template_url"),
        ("describeReplayVariables", {"template_id": "t", "template_url": VD}, "exactly one"),
        ("exportVariableDataContent", {"template_id": "t"}, "exactly one of data, data_file_url"),
        ("exportVariableDataContent", {"template_id": "t", "data": "caption\n"}, "one row"),
        ("exportVariableDataContent", {"template_id": "t", "data": "a\nb", "format": "GIF"},
         "$.format"),
    ],
)  # fmt: skip
@responses.activate
def test_a_vd_body_that_breaks_a_rule_sends_nothing(
    fake_time: FakeTime, action: str, body: dict[str, Any], problem: str
) -> None:
    executor = Executor(services=make_services(fake_time))
    result = executor.run(action, Message(body=body), {"apiKey": API_KEY})
    (error,) = result.of_kind("error")
    assert problem in json.dumps(error)
    assert len(responses.calls) == 0


# The command line


def test_limits_takes_the_vd_api_and_its_configured_origin(redis_server: str) -> None:
    env = {
        "PICSART_API_KEY": f"pk-{API_KEY}",
        "PICSART_REDIS_URL": redis_server,
        "PICSART_VD_BASE_URL": LOCAL_VD,
    }
    result = CliRunner().invoke(main, ["limits", "show", "--api", "vd", "--json"], env=env)
    assert result.exit_code == 0, result.output
    (shown,) = map(json.loads, result.stdout.splitlines())
    assert (shown["api"], shown["origin"], shown["held"]) == ("vd", "http://127.0.0.1:9", False)
    mistyped = CliRunner().invoke(main, ["limits", "show", "--api", "vdd"], env=env)
    assert mistyped.exit_code == 2
    assert "did you mean 'vd'?" in mistyped.output


def test_sandbox_mode_answers_the_video_and_vd_balances(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PICSART_API_KEY", "PICSART_BASE_URL", "PICSART_GENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("PICSART_VIDEO_BASE_URL", "PICSART_VD_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["run", "accountBalance", "--body", "{}"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout.splitlines()[-1])["message"]["body"]
    assert set(body) == {"imageApiCredits", "genaiApiCredits", "videoApiCredits", "vdApiCredits"}
    assert body["vdApiCredits"] == body["imageApiCredits"]
