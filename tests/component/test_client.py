"""The shared client: headers, typed errors, retries as Picsart's guide asks, throttling."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from picsart_component.lib import errors
from picsart_component.lib.body import FilePart, JsonBody, MultipartBody
from picsart_component.lib.client import API_KEY_HEADER, USER_AGENT, ClientSettings
from picsart_component.lib.errors import URLError
from picsart_component.lib.ratelimit import RateLimitInfo, Throttle
from picsart_component.lib.retry import RetrySettings
from tests.helpers import API_KEY, BASE_URL, FakeTime, make_client

REMOVEBG = BASE_URL + "removebg"
BALANCE = BASE_URL + "balance"
CORRELATION = {"X-Picsart-Correlation-Id": "corr-42"}


def ok(**headers: str) -> dict[str, Any]:
    return {
        "json": {"status": "success", "data": {"id": "r1", "url": "https://cdn.picsart.io/r1.png"}},
        "headers": {**CORRELATION, **headers},
    }


@responses.activate
def test_every_request_carries_key_accept_and_user_agent(fake_time: FakeTime) -> None:
    responses.get(
        BALANCE,
        json={"credits": 7},
        match=[
            matchers.header_matcher(
                {API_KEY_HEADER: API_KEY, "Accept": "application/json", "User-Agent": USER_AGENT}
            )
        ],
    )
    assert make_client(fake_time).balance() == 7
    assert USER_AGENT.startswith("picsart-component/")


STATUS_TABLE = [
    # status, exception class, attempts with the default settings (5)
    (400, errors.RequestValidationError, 1),
    (401, errors.AuthenticationError, 1),
    (402, errors.PaymentRequiredError, 1),
    (403, errors.AuthenticationError, 1),
    (404, errors.NotFoundError, 1),
    (405, errors.APIStatusError, 1),
    (406, errors.NotAcceptableError, 1),
    (413, errors.PayloadTooLargeError, 1),
    (415, errors.UnsupportedMediaTypeError, 1),
    (422, errors.RequestValidationError, 1),
    (431, errors.APIStatusError, 1),
    (429, errors.RateLimitError, 5),
    (500, errors.ServerError, 5),
    (501, errors.ServerError, 1),
    (502, errors.ServerError, 5),
    (503, errors.ServerError, 5),
    (504, errors.ServerError, 5),
]


@pytest.mark.parametrize(("status", "error_class", "attempts"), STATUS_TABLE)
@responses.activate
def test_status_maps_to_error_class_after_expected_attempts(
    fake_time: FakeTime, status: int, error_class: type[Exception], attempts: int
) -> None:
    responses.post(
        REMOVEBG,
        status=status,
        json={"code": status, "message": "nope", "detail": "why"},
        headers={**CORRELATION, "X-Picsart-Ratelimit-Reset-Time": "1"},
    )
    with pytest.raises(error_class) as caught:
        make_client(fake_time).post("removebg", body=JsonBody({"x": 1}))
    assert type(caught.value) is error_class
    assert len(responses.calls) == attempts
    error = caught.value
    assert isinstance(error, errors.APIStatusError)
    assert (error.status, error.message, error.detail) == (status, "nope", "why")
    assert error.correlation_id == "corr-42"
    assert error.method == "POST"
    assert error.url == REMOVEBG
    assert "corr-42" in str(error)


@responses.activate
def test_422_is_sent_exactly_once(fake_time: FakeTime) -> None:
    responses.post(REMOVEBG, status=422, json={"detail": "bg_blur must be <= 100"})
    with pytest.raises(errors.RequestValidationError, match="bg_blur must be <= 100"):
        make_client(fake_time).post("removebg")
    assert len(responses.calls) == 1
    assert fake_time.sleeps == []


RESET_FORMS = [
    # header value as a function of "now", and the expected wait
    ("epoch milliseconds", lambda now: str(int((now + 7) * 1000)), 7.0),
    ("epoch seconds", lambda now: str(int(now + 7)), 7.0),
    ("seconds to wait", lambda now: "7", 7.0),
]


@pytest.mark.parametrize(("form", "header", "expected_wait"), RESET_FORMS)
@responses.activate
def test_429_waits_until_reset_time_in_each_form(
    fake_time: FakeTime, form: str, header: object, expected_wait: float
) -> None:
    reset = header(fake_time.now)  # type: ignore[operator]
    responses.post(
        REMOVEBG,
        status=429,
        json={"detail": "slow down"},
        headers={"X-Picsart-Ratelimit-Reset-Time": reset},
    )
    responses.post(REMOVEBG, **ok())
    response = make_client(fake_time).post("removebg")
    assert response.status_code == 200
    assert len(responses.calls) == 2
    assert sum(fake_time.sleeps) == pytest.approx(expected_wait, abs=1e-6), form


@responses.activate
def test_429_without_usable_headers_waits_a_minute_then_doubles(fake_time: FakeTime) -> None:
    for _ in range(3):
        responses.post(
            REMOVEBG, status=429, body="", headers={"X-Picsart-Ratelimit-Reset-Time": "soon"}
        )
    responses.post(REMOVEBG, **ok())
    client = make_client(fake_time, retry=RetrySettings(max_attempts=5, max_total_wait=1000))
    assert client.post("removebg").status_code == 200
    assert fake_time.sleeps == [60.0, 120.0, 240.0]


@responses.activate
def test_available_zero_holds_the_next_request_until_reset(fake_time: FakeTime) -> None:
    responses.get(
        BALANCE,
        json={"credits": 1},
        headers={"X-Picsart-Ratelimit-Available": "0", "X-Picsart-Ratelimit-Reset-Time": "30"},
    )
    responses.get(BALANCE, json={"credits": 1})
    client = make_client(fake_time)
    client.balance()
    assert fake_time.sleeps == []
    client.balance()
    assert fake_time.sleeps == [pytest.approx(30.0)]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@responses.activate
def test_server_errors_back_off_exponentially_with_jitter(fake_time: FakeTime, status: int) -> None:
    for _ in range(3):
        responses.get(BALANCE, status=status, body="<html><title>Bad</title></html>")
    responses.get(BALANCE, json={"credits": 3})
    client = make_client(fake_time, jitter=0.5)
    assert client.balance() == 3
    # Each wait is half the capped exponential plus jitter times the other half.
    assert fake_time.sleeps == [0.75, 1.5, 3.0]


@responses.activate
def test_connection_errors_are_retried_then_raised_typed(fake_time: FakeTime) -> None:
    responses.get(BALANCE, body=requests.ConnectionError("Connection refused"))
    with pytest.raises(errors.APIConnectionError) as caught:
        make_client(fake_time, retry=RetrySettings(max_attempts=3)).balance()
    assert len(responses.calls) == 3
    assert "connection refused" in str(caught.value)
    assert caught.value.status is None


@responses.activate
def test_a_read_timeout_is_retried(fake_time: FakeTime) -> None:
    responses.get(BALANCE, body=requests.ReadTimeout("read timed out"))
    responses.get(BALANCE, json={"credits": 9})
    assert make_client(fake_time).balance() == 9
    assert len(responses.calls) == 2


@responses.activate
def test_persistent_timeouts_raise_a_timeout_error(fake_time: FakeTime) -> None:
    responses.get(BALANCE, body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(errors.APITimeoutError):
        make_client(fake_time, retry=RetrySettings(max_attempts=2)).balance()
    assert len(responses.calls) == 2


@responses.activate
def test_gives_up_with_the_time_the_caller_may_retry(fake_time: FakeTime) -> None:
    reset_at = fake_time.now + 600
    responses.post(
        REMOVEBG,
        status=429,
        json={"detail": "quota"},
        headers={"X-Picsart-Ratelimit-Reset-Time": str(int(reset_at * 1000)), **CORRELATION},
    )
    client = make_client(fake_time, retry=RetrySettings(max_total_wait=120))
    with pytest.raises(errors.RateLimitError) as caught:
        client.post("removebg")
    assert len(responses.calls) == 1
    assert fake_time.sleeps == []
    assert caught.value.retry_at == pytest.approx(reset_at, abs=1e-3)
    assert caught.value.correlation_id == "corr-42"


@responses.activate
def test_gives_up_after_the_configured_attempts_with_the_next_fallback_wait_as_retry_time(
    fake_time: FakeTime,
) -> None:
    """Waits of 60 s, then 120 s: after two 429s without a reset time the caller is told to come
    back in 120 s, and every thread is held that long, by the one schedule."""
    responses.post(REMOVEBG, status=429, body="")
    client = make_client(fake_time, retry=RetrySettings(max_attempts=2, max_total_wait=10_000))
    with pytest.raises(errors.RateLimitError) as caught:
        client.post("removebg")
    assert len(responses.calls) == 2
    assert fake_time.sleeps == [60.0]
    assert caught.value.retry_at == pytest.approx(fake_time.now + 120, abs=1e-3)
    assert client.throttle.held_until == pytest.approx(fake_time.now + 120, abs=1e-3)


@responses.activate
def test_longest_total_wait_caps_server_error_retries(fake_time: FakeTime) -> None:
    responses.get(BALANCE, status=503)
    client = make_client(
        fake_time, retry=RetrySettings(max_attempts=10, max_total_wait=5, backoff_initial=2)
    )
    with pytest.raises(errors.ServerError):
        client.balance()
    assert sum(fake_time.sleeps) <= 5
    assert len(responses.calls) == len(fake_time.sleeps) + 1


@responses.activate
def test_multipart_file_is_rebuilt_for_every_attempt(fake_time: FakeTime, tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 100)
    seen: list[bytes] = []

    def capture(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body: Any = request.body
        data = body.read() if hasattr(body, "read") else body
        seen.append(data if isinstance(data, bytes) else str(data).encode())
        status = 503 if len(seen) == 1 else 200
        return status, {}, json.dumps({"status": "success", "data": {"id": "a", "url": "u"}})

    responses.add_callback(responses.POST, REMOVEBG, callback=capture)
    body = MultipartBody(
        {"format": "PNG", "auto_center": True, "bg_blur": 10},
        (FilePart("image", image, "photo.png", "image/png"),),
    )
    make_client(fake_time).post("removebg", body=body)
    assert len(seen) == 2
    for sent in seen:
        assert b"pixels" * 100 in sent
        assert b'name="auto_center"\r\n\r\ntrue' in sent
        assert b'name="bg_blur"\r\n\r\n10' in sent
        assert b'filename="photo.png"' in sent


@responses.activate
def test_timeouts_are_passed_to_every_request(fake_time: FakeTime) -> None:
    responses.get(BALANCE, json={"credits": 1})
    client = make_client(fake_time)
    client.settings = ClientSettings(connect_timeout=3, read_timeout=44)
    client.balance()
    sent: Any = responses.calls[0].request
    assert sent.req_kwargs["timeout"] == (3, 44)


def test_key_is_not_sent_to_foreign_hosts(fake_time: FakeTime) -> None:
    client = make_client(fake_time)
    for url in (
        "https://example.com/x",
        "http://api.picsart.io/tools/1.0/balance",
        "https://picsart.io.evil.com/x",
        "ftp://api.picsart.io/x",
    ):
        with pytest.raises(URLError):
            client.resolve(url)
    assert client.resolve("https://genai-api.picsart.io/v1/text2image").startswith("https://genai")


@responses.activate
def test_redirect_to_another_host_drops_the_key(fake_time: FakeTime) -> None:
    responses.get(BALANCE, status=302, headers={"Location": "https://elsewhere.example/b"})
    responses.get("https://elsewhere.example/b", json={"credits": 1})
    make_client(fake_time).balance()
    assert API_KEY_HEADER in responses.calls[0].request.headers
    assert API_KEY_HEADER not in responses.calls[1].request.headers


@responses.activate
def test_redirect_within_picsart_keeps_the_key(fake_time: FakeTime) -> None:
    responses.get(BALANCE, status=302, headers={"Location": "https://api2.picsart.io/b"})
    responses.get("https://api2.picsart.io/b", json={"credits": 1})
    make_client(fake_time).balance()
    assert responses.calls[1].request.headers[API_KEY_HEADER] == API_KEY


@responses.activate
def test_each_retry_is_logged_with_status_wait_and_correlation_id(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    responses.get(BALANCE, status=503, headers=CORRELATION)
    responses.get(BALANCE, json={"credits": 1})
    with caplog.at_level(logging.WARNING, logger="picsart.client"):
        make_client(fake_time).balance()
    (record,) = caplog.records
    text = record.getMessage()
    assert "attempt 1 of 5" in text
    assert "503" in text
    assert "retrying in 0.8s" in text
    assert "corr-42" in text
    assert API_KEY not in text


def test_throttle_spaces_request_starts_across_callers(fake_time: FakeTime) -> None:
    throttle = Throttle(4, clock=fake_time.clock, sleep=fake_time.sleep)
    starts = []
    for _ in range(5):
        throttle.acquire()
        starts.append(fake_time.now)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == [pytest.approx(0.25)] * 4


def test_client_repr_and_errors_never_hold_the_key(fake_time: FakeTime) -> None:
    client = make_client(fake_time)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(vars(client))


def test_throttle_spreads_the_learned_quota_over_the_rest_of_the_window(
    fake_time: FakeTime,
) -> None:
    throttle = Throttle(1000, clock=fake_time.clock, sleep=fake_time.sleep)
    throttle.observe(
        RateLimitInfo(limit=500, available=10, reset_at=fake_time.now + 5, credits_available=None)
    )
    assert throttle.quota_interval == pytest.approx(0.5)
    starts = []
    for _ in range(4):
        throttle.acquire()
        starts.append(fake_time.now)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == [pytest.approx(0.5)] * 3
    fake_time.now += 10
    assert throttle.quota_interval == 0.0


def test_throttle_never_runs_past_the_spike_limit_when_the_quota_is_loose(
    fake_time: FakeTime,
) -> None:
    throttle = Throttle(10, clock=fake_time.clock, sleep=fake_time.sleep)
    throttle.observe(
        RateLimitInfo(
            limit=10**6, available=10**6, reset_at=fake_time.now + 60, credits_available=None
        )
    )
    first = fake_time.now
    for _ in range(11):
        throttle.acquire()
    assert fake_time.now - first == pytest.approx(1.0)


@responses.activate
def test_a_hold_longer_than_the_allowed_wait_fails_fast_without_sending(
    fake_time: FakeTime,
) -> None:
    client = make_client(fake_time, retry=RetrySettings(max_total_wait=30))
    client.throttle.hold_until(fake_time.now + 3600)
    with pytest.raises(errors.RateLimitError) as caught:
        client.balance()
    assert caught.value.retry_at == pytest.approx(fake_time.now + 3600, abs=1e-3)
    assert len(responses.calls) == 0
    assert fake_time.sleeps == []


@responses.activate
def test_a_429_without_a_reset_time_holds_every_thread_for_the_fallback_wait(
    fake_time: FakeTime,
) -> None:
    responses.post(REMOVEBG, status=429, body="")
    client = make_client(fake_time, retry=RetrySettings(max_attempts=1))
    with pytest.raises(errors.RateLimitError):
        client.post("removebg")
    assert client.throttle.held_until == pytest.approx(fake_time.now + 60, abs=1e-3)
