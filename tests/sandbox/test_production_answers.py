"""``answers="production"``: the shapes production gives where the OpenAPI files say otherwise,
given only in that mode, listed in ``differences.PRODUCTION_ANSWERS``, and accepted by the
conformance checker in that mode only."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.test import Client, TestResponse

from picsart_component.catalogue import differences
from picsart_component.catalogue import operations as catalogue
from picsart_component.sandbox import SandboxOptions, production
from picsart_component.sandbox.command import sandbox as sandbox_command
from picsart_component.sandbox.conformance import (
    FILE_WORDS,
    AnswerValidator,
    ConformanceChecker,
    ConformanceError,
)
from picsart_component.sandbox.options import with_changes
from tests.catalogue.openapi_check import document, json_schema, resolve, responses, status_enums
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, FakeClock, job_id, png_bytes, poll_path, send

ASYNC = "respond-async"


@pytest.fixture
def production_answers(validator: AnswerValidator) -> Iterator[AnswerValidator]:
    with validator.answering("production"):
        yield validator


def _previews(client: Client, masks: str) -> TestResponse:
    return client.post(
        "/tools/1.0/masks/previews",
        headers=HEADERS,
        data={"image": (io.BytesIO(png_bytes()), "photo.png"), "mask": masks, "preview_size": "60"},
    )


def _finished(client: Client, clock: FakeClock, name: str, accepted: TestResponse) -> Any:
    clock.advance(5)
    answer = client.get(poll_path(name, job_id(accepted)), headers=HEADERS)
    assert answer.status_code == 200
    return answer.get_json()


@pytest.mark.usefixtures("production_answers")
def test_text_to_image_is_accepted_and_finished(make_client: MakeClient, clock: FakeClock) -> None:
    client, _ = make_client(answers="production", job_seconds=2)
    accepted = send(client, "text2image")
    assert (accepted.status_code, accepted.get_json()["status"]) == (202, "ACCEPTED")
    pending = client.get(poll_path("text2image", job_id(accepted)), headers=HEADERS)
    assert (pending.status_code, pending.get_json()["status"]) == (202, "processing")
    done = _finished(client, clock, "text2image", accepted)
    assert done["status"] == "FINISHED"
    assert isinstance(done["data"], list)
    assert done["data"][0]["url"]


@pytest.mark.usefixtures("production_answers")
def test_chat_replies_done_and_ultra_is_queued(make_client: MakeClient, clock: FakeClock) -> None:
    client, _ = make_client(answers="production", job_seconds=2)
    reply = send(client, "chat")
    assert reply.get_json()["status"] == "DONE"
    assert isinstance(reply.get_json()["data"], str)
    queued = send(client, "ultra", prefer=ASYNC)
    assert (queued.status_code, queued.get_json()["status"]) == (202, "queued")
    pending = client.get(poll_path("ultra", job_id(queued)), headers=HEADERS)
    assert pending.get_json()["status"] == "processing"
    assert _finished(client, clock, "ultra", queued)["status"] == "success"


@pytest.mark.usefixtures("production_answers")
def test_painting_jobs_carry_empty_data_while_pending(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, _ = make_client(answers="production", job_seconds=2)
    accepted = send(client, "inpaint", prefer=ASYNC)
    assert accepted.status_code == 202
    assert accepted.get_json()["data"] == []
    pending = client.get(poll_path("inpaint", job_id(accepted)), headers=HEADERS)
    assert (pending.status_code, pending.get_json()["data"]) == (202, [])
    done = _finished(client, clock, "inpaint", accepted)
    assert done["status"] == "success"
    assert done["data"][0]["url"]


@pytest.mark.usefixtures("production_answers")
def test_mask_previews_are_named_mask_and_one_is_an_object(make_client: MakeClient) -> None:
    client, _ = make_client(answers="production")
    two = _previews(client, "lace1,rpl3").get_json()["data"]
    assert [item["mask"] for item in two] == ["lace1", "rpl3"]
    assert all("mask_name" not in item for item in two)
    one = _previews(client, "lace1").get_json()["data"]
    assert isinstance(one, dict)
    assert set(one) == {"id", "url"}


def test_the_default_answers_keep_the_files_shapes(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, _ = make_client(job_seconds=2)
    text = send(client, "text2image")
    assert text.get_json()["status"] == "processing"
    assert _finished(client, clock, "text2image", text)["status"] == "success"
    assert send(client, "chat").get_json()["status"] == "success"
    assert send(client, "ultra", prefer=ASYNC).get_json()["status"] == "processing"
    assert "data" not in send(client, "inpaint", prefer=ASYNC).get_json()
    one = _previews(client, "lace1").get_json()["data"]
    assert isinstance(one, list)
    assert one[0]["mask_name"] == "lace1"


def test_answers_is_an_option_checked_and_changed_by_reset(
    make_client: MakeClient, production_answers: AnswerValidator
) -> None:
    assert SandboxOptions(answers="live").problems() == ["answers must be one of file, production"]
    assert with_changes(SandboxOptions(), {"answers": "production"}).answers == "production"
    client, state = make_client()
    reset = client.post("/__sandbox/reset", json={"answers": "production"})
    assert reset.status_code == 200, reset.get_json()
    assert state.options.answers == "production"
    assert send(client, "chat").get_json()["status"] == "DONE"
    help_text = CliRunner().invoke(sandbox_command, ["--help"]).output
    assert "--answers [file|production]" in help_text
    refused = CliRunner().invoke(sandbox_command, ["--answers", "live"])
    assert refused.exit_code == 2
    assert "live" in refused.output


def test_the_table_and_the_list_of_differences_agree() -> None:
    """Every production shape the sandbox gives is listed with its evidence, and no more."""
    polls = {poll.target: poll for poll in catalogue.POLLS}
    rows = {row.name: row for row in catalogue.OPERATIONS}
    expected: set[tuple[str, str, str, str, str]] = set()
    for target, word in production.ACCEPTED_WORDS.items():
        for row in catalogue.OPERATIONS:
            if row.poll is not None and row.poll.target == target:
                expected.add((row.api, "POST", "/" + row.path, "status word", word))
    for target, word in production.DONE_WORDS.items():
        expected.add((polls[target].api, "GET", _file_poll_path(target), "status word", word))
    for target in production.PENDING_DATA_POLLS:
        expected.add((polls[target].api, "GET", _file_poll_path(target), "answer field", "data"))
        for row in catalogue.OPERATIONS:
            if row.poll is not None and row.poll.target == target and row.asynchronous:
                expected.add((row.api, "POST", "/" + row.path, "answer field", "data"))
    for name, word in production.REPLY_WORDS.items():
        expected.add((rows[name].api, "POST", "/" + rows[name].path, "status word", word))
    for name, field in production.PREVIEW_NAMES.items():
        expected.add((rows[name].api, "POST", "/" + rows[name].path, "answer field", field))
    for name in production.SINGLE_PREVIEW_AS_OBJECT:
        expected.add((rows[name].api, "POST", "/" + rows[name].path, "answer shape", "object"))
    listed = {
        (entry.api, entry.method, entry.path, entry.kind, entry.subject)
        for entry in differences.PRODUCTION_ANSWERS
    }
    assert listed == expected
    assert {entry.reason for entry in differences.PRODUCTION_ANSWERS} == {"production"}
    assert all("tests/" in entry.why for entry in differences.PRODUCTION_ANSWERS)


def _file_poll_path(target: str) -> str:
    """The file's path of a poll: ``/painting/{inference_id}``."""
    poll = next(poll for poll in catalogue.POLLS if poll.target == target)
    id_field = catalogue.APIS[poll.api].job_id_field
    return "/" + poll.path.replace("{id}", "{" + id_field + "}")


def _answer(status: int, document: Any) -> tuple[int, dict[str, str], bytes]:
    headers = {
        "Content-Type": "application/json",
        "X-Picsart-Correlation-Id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "X-Picsart-Ratelimit-Limit": "500",
        "X-Picsart-Ratelimit-Available": "499",
        "X-Picsart-Ratelimit-Reset-Time": "1800000000000",
        "X-Picsart-Credit-Available": "100",
    }
    return status, headers, json.dumps(document).encode()


def test_the_checker_accepts_production_shapes_in_production_mode_only(
    conformance: ConformanceChecker,
) -> None:
    validator = AnswerValidator(conformance)
    url = "https://api.picsart.io/results/x.png"
    result_id = "0" * 32
    cases = [
        ("POST", "/v1/painting/inpaint", _answer(202, {"status": "processing",
                                                        "inference_id": "j", "data": []})),
        ("POST", "/tools/1.0/masks/previews", _answer(200, {"status": "success", "data": [
            {"id": result_id, "url": url, "mask": "lace1"}]})),
        ("POST", "/tools/1.0/masks/previews", _answer(200, {"status": "success", "data": {
            "id": result_id, "url": url}})),
    ]  # fmt: skip
    for method, path, (status, headers, body) in cases:
        with pytest.raises(ConformanceError):
            validator.check(method, path, status, headers, body)
        with validator.answering("production"):
            validator.check(method, path, status, headers, body)
    status, headers, body = _answer(202, {"status": "ACCEPTED", "inference_id": "j", "data": []})
    with validator.answering("production"), pytest.raises(ConformanceError):
        validator.check("POST", "/v1/text2image", status, headers, body)


def _answer_schema(entry: differences.Difference) -> dict[str, Any]:
    """The JSON schema of the answer the entry is about: a POST's 202 or 200, a poll's 202."""
    assert entry.api in ("image", "genai")
    doc = document(entry.api)
    operation = resolve(doc, doc["paths"][entry.path][entry.method.lower()])
    answers = responses(entry.api, operation)
    status = "200" if entry.method == "POST" and "202" not in answers else "202"
    return resolve(doc, json_schema(entry.api, answers[status]))


@pytest.mark.parametrize("entry", differences.PRODUCTION_ANSWERS, ids=str)
def test_each_production_answer_is_still_a_difference_from_the_file(
    entry: differences.Difference,
) -> None:
    assert entry.api in ("image", "genai")
    if entry.kind == "status word":
        assert entry.subject not in status_enums(entry.api)
        assert entry.subject not in FILE_WORDS
        return
    schema = _answer_schema(entry)
    if entry.kind == "answer field" and entry.subject == "data":
        assert "data" not in schema["properties"]
        return
    data = resolve(document(entry.api), schema["properties"]["data"])
    assert data["type"] == "array"
    if entry.kind == "answer field":
        assert entry.subject not in resolve(document(entry.api), data["items"])["properties"]
    else:
        assert (entry.kind, entry.subject) == ("answer shape", "object")
