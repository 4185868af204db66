"""Make Raw Request through the executor: validation, 404 handling, bodies, refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from responses import matchers

from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
from tests.helpers import API_KEY, BASE_URL, FakeTime, make_executor

CFG = {"apiKey": API_KEY}


@pytest.fixture
def executor(fake_time: FakeTime) -> Executor:
    return make_executor(fake_time)


def run(executor: Executor, body: object, **cfg: object) -> tuple[str, dict[str, object]]:
    result = executor.run("makeRawRequest", Message.model_validate({"body": body}), {**CFG, **cfg})
    (event,) = result.events
    payload = event.payload.body if event.kind == "data" else event.payload
    return event.kind, payload


@responses.activate
def test_get_returns_status_plain_headers_and_parsed_body(executor: Executor) -> None:
    responses.get(
        BASE_URL + "balance",
        json={"credits": 42},
        headers={"X-Picsart-Correlation-Id": "c-1", "X-Picsart-Credit-Available": "42"},
    )
    kind, body = run(executor, {"url": "balance", "method": "GET"})
    assert kind == "data"
    assert body["statusCode"] == 200
    assert body["responseBody"] == {"credits": 42}
    headers = body["headers"]
    assert isinstance(headers, dict)
    assert headers["X-Picsart-Correlation-Id"] == "c-1"
    assert json.loads(json.dumps(headers)) == headers


@responses.activate
def test_post_sends_data_as_json(executor: Executor) -> None:
    responses.post(
        "https://genai-api.picsart.io/v1/text2image",
        json={"status": "ACCEPTED", "inference_id": "i-1"},
        status=202,
        match=[matchers.json_params_matcher({"prompt": "a red mug", "count": 2})],
    )
    kind, body = run(
        executor,
        {
            "url": "https://genai-api.picsart.io/v1/text2image",
            "method": "POST",
            "data": {"prompt": "a red mug", "count": 2},
        },
    )
    assert kind == "data"
    assert body["statusCode"] == 202
    assert responses.calls[0].request.headers["Content-Type"] == "application/json"


@responses.activate
def test_404_is_an_error_by_default(executor: Executor) -> None:
    responses.get(
        BASE_URL + "nope",
        status=404,
        json={"code": 404, "message": "Not Found", "detail": "No route"},
        headers={"X-Picsart-Correlation-Id": "c-404"},
    )
    kind, error = run(executor, {"url": "nope", "method": "GET"})
    assert kind == "error"
    assert error["name"] == "NotFoundError"
    assert error["status"] == 404
    assert error["correlationId"] == "c-404"
    assert len(responses.calls) == 1


@responses.activate
def test_404_is_data_when_do_not_throw_404_is_on(executor: Executor) -> None:
    responses.get(BASE_URL + "nope", status=404, json={"message": "Not Found"})
    kind, body = run(executor, {"url": "nope", "method": "GET"}, doNotThrow404=True)
    assert kind == "data"
    assert body["statusCode"] == 404
    assert body["responseBody"] == {"message": "Not Found"}
    assert isinstance(body["headers"], dict)


@responses.activate
def test_do_not_throw_404_leaves_other_errors_alone(executor: Executor) -> None:
    responses.get(BASE_URL + "x", status=401, json={"detail": "bad key"})
    kind, error = run(executor, {"url": "x", "method": "GET"}, doNotThrow404=True)
    assert (kind, error["name"]) == ("error", "AuthenticationError")


@responses.activate
def test_a_non_json_body_comes_back_as_a_string(executor: Executor) -> None:
    responses.get(BASE_URL + "text", body="just text <b>here</b>", content_type="text/html")
    kind, body = run(executor, {"url": "text", "method": "GET"})
    assert (kind, body["responseBody"]) == ("data", "just text <b>here</b>")


@responses.activate
def test_a_foreign_host_is_refused_and_nothing_is_sent(executor: Executor) -> None:
    kind, error = run(executor, {"url": "https://collector.example.com/steal", "method": "GET"})
    assert kind == "error"
    assert error["name"] == "InputError"
    assert error["problems"][0]["path"] == "$.url"  # type: ignore[index]
    assert "refusing to send the API key" in str(error["message"])
    assert len(responses.calls) == 0


@responses.activate
@pytest.mark.parametrize("method", ["PUT", "DELETE", "gett", ""])
def test_methods_other_than_get_and_post_are_refused_with_nothing_sent(
    executor: Executor, method: str
) -> None:
    kind, error = run(executor, {"url": "balance", "method": method})
    assert kind == "error"
    hint = "; did you mean 'GET'?" if method == "gett" else ""
    assert error["problems"] == [{"path": "$.method", "rule": "must be one of: GET, POST" + hint}]
    assert len(responses.calls) == 0


@responses.activate
def test_an_invalid_body_names_every_failing_field_in_one_error(executor: Executor) -> None:
    result = executor.run(
        "makeRawRequest",
        Message(body={"method": 5, "data": "text", "extra": True}),
        CFG,
    )
    (event,) = result.events
    assert event.kind == "error"
    assert event.payload["problems"] == [
        {"path": "$.data", "rule": "must be an object, not a string"},
        {"path": "$.extra", "rule": "is not a field of this action"},
        {"path": "$.method", "rule": "must be a string, not an integer"},
        {"path": "$.method", "rule": "must be one of: GET, POST"},
        {"path": "$.url", "rule": "is required"},
    ]
    assert len(responses.calls) == 0


@responses.activate
def test_a_missing_api_key_is_an_error_naming_the_credential(fake_time: FakeTime) -> None:
    executor = make_executor(fake_time)
    result = executor.run("makeRawRequest", Message(body={"url": "balance", "method": "GET"}), {})
    (event,) = result.events
    assert event.payload["problems"] == [{"path": "cfg.apiKey", "rule": "is required"}]
    assert len(responses.calls) == 0


@responses.activate
def test_a_bad_config_value_is_an_error_naming_the_field(executor: Executor) -> None:
    kind, error = run(executor, {"url": "balance", "method": "GET"}, doNotThrow404="maybe")
    assert kind == "error"
    assert error["problems"][0]["path"] == "cfg.doNotThrow404"  # type: ignore[index]
    assert len(responses.calls) == 0


# Regressions found by tests/component/test_fuzz.py.


def _run_raw(executor: Executor, body: Any) -> list[dict[str, str]]:
    """The problems of the one error event; the Message is built as the CLI builds it."""
    result = executor.run("makeRawRequest", Message.model_construct(body=body), CFG)
    (event,) = result.events
    assert (event.kind, event.payload["name"]) == ("error", "InputError")
    return event.payload["problems"]  # type: ignore[no-any-return]


@responses.activate
@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (float("nan"), "must be a finite number (JSON has no NaN or Infinity)"),
        (float("-inf"), "must be a finite number (JSON has no NaN or Infinity)"),
        ("\udc00", "must be valid Unicode text (it contains an unpaired surrogate)"),
    ],
)
def test_data_no_json_can_hold_is_refused_naming_where_it_is(
    executor: Executor, value: object, rule: str
) -> None:
    body = {"url": "x", "method": "POST", "data": {"prompt": "a mug", "n": [1, value]}}
    assert _run_raw(executor, body) == [{"path": "$.data.n[1]", "rule": rule}]
    assert len(responses.calls) == 0


@responses.activate
def test_a_name_with_an_unpaired_surrogate_is_named_printably(executor: Executor) -> None:
    body = {"url": "x", "method": "POST", "data": {"\ud800": 1}}
    assert _run_raw(executor, body) == [
        {
            "path": "$.data.\\ud800",
            "rule": "the name must be valid Unicode text (it contains an unpaired surrogate)",
        }
    ]
    assert len(responses.calls) == 0


@responses.activate
@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ([10**5000], "must be an object, not an array"),
        (10**5000, "must be an object, not an integer"),
        (float("nan"), "must be an object, not a number"),
    ],
    ids=["array", "integer", "nan"],  # pytest cannot print 5000-digit numbers
)
def test_a_body_that_is_not_an_object_is_refused_at_the_root_whatever_it_holds(
    executor: Executor, body: object, rule: str
) -> None:
    assert _run_raw(executor, body) == [{"path": "$", "rule": rule}]
    assert len(responses.calls) == 0


@responses.activate
@pytest.mark.parametrize("url", ["http://[", "https://api.picsart.io:99999/x", "http://[::1"])
def test_a_url_that_cannot_be_parsed_is_refused_naming_the_url(
    executor: Executor, url: str
) -> None:
    problems = _run_raw(executor, {"url": url, "method": "GET"})
    assert [problem["path"] for problem in problems] == ["$.url"]
    assert len(responses.calls) == 0


@responses.activate
def test_a_method_in_lower_case_is_sent_as_picsart_spells_it(executor: Executor) -> None:
    responses.get(BASE_URL + "balance", json={"credits": 3})
    kind, message = run(executor, {"url": "balance", "method": "get"})
    assert kind == "data"
    assert message["responseBody"] == {"credits": 3}
    assert responses.calls[0].request.method == "GET"


def sent_bytes(request: Any) -> bytes:
    body = request.body
    data = body.read() if hasattr(body, "read") else body
    assert isinstance(data, bytes)
    return data


def problems_of(payload: dict[str, object]) -> list[dict[str, str]]:
    problems = payload["problems"]
    assert isinstance(problems, list)
    return problems


@responses.activate
def test_headers_are_sent_but_the_key_header_is_always_ours(executor: Executor) -> None:
    responses.post(
        "https://genai-api.picsart.io/v1/painting/expand",
        json={"status": "processing", "inference_id": "i-9"},
        status=202,
    )
    kind, body = run(
        executor,
        {
            "url": "https://genai-api.picsart.io/v1/painting/expand",
            "method": "POST",
            "headers": {"Prefer": "respond-async", "X-Trace": "t-1"},
            "form": {"prompt": "more sky", "width": 1200, "count": 1},
        },
    )
    assert kind == "data"
    assert body["statusCode"] == 202
    sent = responses.calls[0].request
    assert sent.headers["Prefer"] == "respond-async"
    assert sent.headers["X-Trace"] == "t-1"
    assert sent.headers["X-Picsart-API-Key"] == API_KEY
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    data = sent_bytes(sent)
    assert b'name="width"\r\n\r\n1200\r\n' in data
    assert b'name="prompt"\r\n\r\nmore sky\r\n' in data


@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({"x-picsart-api-key": "other"}, "the API key header is sent by the component itself"),
        ({"Content-Type": "text/plain"}, "is set by the component from the body"),
        ({"Bad Name": "x"}, "is not a valid header name"),
        ({"X-Ok": "a\r\nInjected: yes"}, "must not contain a line break"),
        ({"X-Ok": " padded"}, "must not start or end with white space"),
        ({"X-Ok": "tab\there"}, "must not contain control characters"),
        ({"X-Ok": "caf\u00e9"}, "must be plain ASCII text"),
    ],
)
def test_headers_that_would_break_the_request_are_refused_with_nothing_sent(
    executor: Executor, headers: dict[str, str], rule: str
) -> None:
    with responses.RequestsMock() as mocked:
        kind, payload = run(executor, {"url": "balance", "method": "GET", "headers": headers})
        assert not mocked.calls
    assert kind == "error"
    (name,) = headers
    assert {"path": f"$.headers.{name}", "rule": rule} in problems_of(payload)


def test_a_json_body_and_a_form_together_are_refused(executor: Executor) -> None:
    with responses.RequestsMock() as mocked:
        kind, payload = run(
            executor, {"url": "removebg", "method": "POST", "data": {"a": 1}, "form": {"b": 2}}
        )
        assert not mocked.calls
    assert kind == "error"
    assert problems_of(payload)[0]["path"] == "$.data"


def test_a_form_file_is_downloaded_and_streamed_as_a_part(fake_time: FakeTime) -> None:
    import io

    from PIL import Image

    from tests.helpers import offline_resolver

    picture = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(picture, "PNG")
    executor = make_executor(
        fake_time, resolver=offline_resolver({"img.example.com": "93.184.216.34"})
    )
    with responses.RequestsMock() as mocked:
        mocked.get("https://img.example.com/mug.png", body=picture.getvalue())
        mocked.post(BASE_URL + "upscale/ultra", json={"status": "success", "data": {"url": "u"}})
        kind, body = run(
            executor,
            {
                "url": "upscale/ultra",
                "method": "POST",
                "form": {"upscale_factor": 3},
                "files": {"image": "https://img.example.com/mug.png"},
            },
        )
        data = sent_bytes(mocked.calls[1].request)
    assert kind == "data"
    assert body["statusCode"] == 200
    assert b'name="upscale_factor"\r\n\r\n3\r\n' in data
    assert b'name="image"; filename="mug.png"' in data
    assert picture.getvalue() in data


def test_a_form_file_that_is_not_an_image_is_refused_naming_its_part(fake_time: FakeTime) -> None:
    from tests.helpers import offline_resolver

    executor = make_executor(
        fake_time, resolver=offline_resolver({"img.example.com": "93.184.216.34"})
    )
    with responses.RequestsMock() as mocked:
        mocked.get("https://img.example.com/notes.txt", body=b"just text")
        kind, payload = run(
            executor,
            {
                "url": "upscale/ultra",
                "method": "POST",
                "files": {"image": "https://img.example.com/notes.txt"},
            },
        )
        assert [c.request.method for c in mocked.calls] == ["GET"]
    assert kind == "error"
    assert problems_of(payload)[0]["path"] == "$.files.image"
