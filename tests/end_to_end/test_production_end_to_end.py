"""The component against a sandbox answering as production does (``answers="production"``),
over real sockets, every answer checked in that mode: the job words production uses, the chat
reply's ``DONE``, painting's pending ``data: []``, and mask previews named ``mask``, one of them
given as an object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.frontend_settings import SANDBOX_ANSWERS_VARIABLE, FrontEndSettings
from tests.e2e import SandboxAnswers, SandboxHarness


@pytest.fixture
def production(harness: SandboxHarness) -> Iterator[SandboxHarness]:
    harness.sandbox.reset(answers="production", job_seconds=2, spike_limit=10_000, quota=100_000)
    with harness.validator.answering("production"):
        yield harness


def _statuses(h: SandboxHarness, method: str, path_end: str) -> list[int | str]:
    return [
        entry["status"]
        for entry in h.sandbox.request_log()
        if entry["method"] == method and entry["path"].endswith(path_end)
    ]


def _noted(h: SandboxHarness, text: str) -> bool:
    checker = h.validator.checker
    assert checker is not None
    return any(text in note and "(listed: production)" in note for note in checker.deviations)


def _data(h: SandboxHarness, action: str, body: dict[str, Any], **cfg: Any) -> dict[str, Any]:
    result = h.run(action, body, **cfg)
    assert result.of_kind("error") == []
    (message,) = result.of_kind("data")
    output: dict[str, Any] = message.body
    return output


def test_text_to_image_accepted_then_finished(production: SandboxHarness) -> None:
    body = _data(production, "textToImage", {"prompt": "a blue whale", "count": 2, "width": 128})
    assert body["status"] == "FINISHED"
    assert len(body["data"]) == 2
    assert all(item["url"] for item in body["data"])
    assert _statuses(production, "POST", "/text2image") == [202]
    assert _statuses(production, "GET", "")[-1] == 200
    assert _noted(production, "'ACCEPTED'")
    assert _noted(production, "'FINISHED'")


def test_chat_done_and_ultra_queued(production: SandboxHarness) -> None:
    chat = _data(production, "chatCompletions", {"messages": [{"role": "user", "content": "hi"}]})
    assert chat["status"] == "DONE"
    assert isinstance(chat["data"], str)
    assert chat["data"]
    ultra = _data(
        production,
        "ultraUpscale",
        {"image_url": "https://example.com/mug.jpg", "upscale_factor": 2},
        execution="async",
        downloadResult=True,
    )
    assert ultra["status"] == "success"
    assert ultra["jobId"]
    assert ultra["attachmentUrl"]
    assert _statuses(production, "POST", "/upscale/ultra") == [202]
    assert _noted(production, "'queued'")


def test_a_painting_job_pending_with_empty_data(production: SandboxHarness) -> None:
    body = _data(
        production,
        "inpaint",
        {
            "image_url": "https://example.com/room.png",
            "mask_image_url": "https://example.com/room-mask.png",
            "prompt": "a green armchair",
            "count": 1,
        },
        execution="async",
    )
    assert body["status"] == "success"
    assert body["jobId"]
    assert len(body["data"]) == 1
    assert body["data"][0]["url"]
    assert _statuses(production, "POST", "/painting/inpaint") == [202]
    assert _noted(production, "a 202 with data")


@pytest.mark.parametrize("masks", [["lace1", "rpl3"], ["lace1"]])
def test_mask_previews_named_mask_one_as_an_object(
    production: SandboxHarness, masks: list[str]
) -> None:
    body = _data(
        production, "maskPreviews", {"image_url": "https://example.com/mug.jpg", "mask": masks}
    )
    previews = body["data"]
    assert len(previews) == len(masks)
    assert all(item["url"] for item in previews)
    assert [item["mask_name"] for item in previews] == masks
    if len(masks) == 1:
        assert _noted(production, "one result as an object")


def test_sandbox_mode_answers_as_production_when_the_environment_says_so(
    monkeypatch: pytest.MonkeyPatch, check_sandbox_answers: SandboxAnswers
) -> None:
    assert FrontEndSettings.from_environ({}).sandbox_answers == "file"
    chat = json.dumps({"messages": [{"role": "user", "content": "hi"}]})

    def status_of_a_chat() -> Any:
        ran = CliRunner().invoke(main, ["run", "chatCompletions", "--body", chat])
        assert ran.exit_code == 0, ran.output
        (event, *_) = [json.loads(line) for line in ran.stdout.splitlines() if line.strip()]
        return event["message"]["body"]["status"]

    assert status_of_a_chat() == "success"
    monkeypatch.setenv(SANDBOX_ANSWERS_VARIABLE, "production")
    with check_sandbox_answers.validator.answering("production"):
        assert status_of_a_chat() == "DONE"
    monkeypatch.setenv(SANDBOX_ANSWERS_VARIABLE, "live")
    refused = CliRunner().invoke(main, ["run", "chatCompletions", "--body", chat])
    assert refused.exit_code == 2
    assert f"{SANDBOX_ANSWERS_VARIABLE} must be one of file, production" in refused.output
