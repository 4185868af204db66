"""Spike arrest, quota, Reset-Time forms and credits, driven by a clock the tests move."""

from __future__ import annotations

import io
import math

import pytest
from werkzeug.test import Client

from picsart_component.sandbox.limits import (
    Quota,
    RateLimiter,
    SpikeArrest,
    format_reset_time,
)
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, START, FakeClock

BALANCE = "/tools/1.0/balance"


@pytest.mark.parametrize(
    ("form", "reset_at", "now", "expected"),
    [
        ("epoch-ms", 1_800_000_060.0, 1_800_000_000.0, "1800000060000"),
        ("epoch-ms", 1_800_000_000.0001, 1_800_000_000.0, "1800000000001"),
        ("epoch-s", 1_800_000_059.2, 1_800_000_000.0, "1800000060"),
        ("epoch-s", 1_800_000_060.0, 1_800_000_000.0, "1800000060"),
        ("seconds", 1_800_000_060.0, 1_800_000_000.0, "60"),
        ("seconds", 1_800_000_000.3, 1_800_000_000.0, "1"),
        ("seconds", 1_800_000_000.0, 1_800_000_001.0, "0"),
    ],
)
def test_reset_time_forms_round_up(form: str, reset_at: float, now: float, expected: str) -> None:
    assert format_reset_time(reset_at, now, form) == expected


def test_an_unknown_reset_time_form_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown reset time form"):
        format_reset_time(1.0, 0.0, "minutes")


@pytest.mark.parametrize(
    ("rate", "capacity", "interval"),
    [(300, 300, 1.0), (2.5, 2, 0.8), (0.5, 1, 2.0)],
)
def test_spike_arrest_allows_its_rate_in_any_window(
    rate: float, capacity: int, interval: float
) -> None:
    spike = SpikeArrest(rate)
    assert spike.capacity == capacity
    assert spike.interval == pytest.approx(interval)
    assert all(spike.admit(10.0) is None for _ in range(capacity))
    assert spike.admit(10.0) == pytest.approx(10.0 + interval)
    assert spike.admit(10.0 + interval) is None


def test_quota_window_starts_with_the_first_call_and_rolls_over() -> None:
    quota = Quota(2, 60)
    assert quota.status(100.0).reset_at == 160.0
    assert quota.take(100.0)
    assert quota.take(130.0)
    assert not quota.take(150.0)
    assert quota.status(150.0).available == 0
    assert quota.status(150.0).reset_at == 160.0
    assert quota.take(160.0)
    assert quota.status(161.0).reset_at == 220.0


def test_rate_limiter_never_takes_quota_for_a_spike_rejection() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, 5, 60, clock)
    assert limiter.admit().allowed
    rejected = limiter.admit()
    assert rejected.violated == "spike"
    assert rejected.retry_at == START + 1
    assert limiter.status().available == 4


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("epoch-ms", str(int((START + 10) * 1000))),
        ("epoch-s", str(int(START + 10))),
        ("seconds", "10"),
    ],
)
def test_quota_429_in_each_reset_time_form(
    make_client: MakeClient, clock: FakeClock, form: str, expected: str
) -> None:
    client, state = make_client(quota=3, window=10, reset_time_form=form)
    availability = [client.get(BALANCE, headers=HEADERS) for _ in range(3)]
    assert [r.headers["X-Picsart-Ratelimit-Available"] for r in availability] == ["2", "1", "0"]
    assert {r.headers["X-Picsart-Ratelimit-Reset-Time"] for r in availability} == {expected}
    limited = client.get(BALANCE, headers=HEADERS)
    assert limited.status_code == 429
    fault = limited.get_json()["fault"]
    assert fault["faultstring"].startswith("Rate limit quota violation. Quota limit exceeded.")
    assert fault["detail"] == {"errorcode": "policies.ratelimit.QuotaViolation"}
    assert limited.headers["X-Picsart-Ratelimit-Limit"] == "3"
    assert limited.headers["X-Picsart-Ratelimit-Available"] == "0"
    assert limited.headers["X-Picsart-Ratelimit-Reset-Time"] == expected
    clock.advance(9.5)
    assert client.get(BALANCE, headers=HEADERS).status_code == 429
    clock.advance(0.5)
    fresh = client.get(BALANCE, headers=HEADERS)
    assert fresh.status_code == 200
    assert fresh.headers["X-Picsart-Ratelimit-Available"] == "2"
    assert state.snapshot()["counts"]["by_status"] == {"200": 4, "429": 2}


@pytest.mark.parametrize("form", ["epoch-ms", "epoch-s", "seconds"])
def test_spike_429_has_the_code_body_and_the_spike_reset(
    make_client: MakeClient, clock: FakeClock, form: str
) -> None:
    client, _ = make_client(spike_limit=2, reset_time_form=form)
    clock.advance(0.25)
    assert client.get(BALANCE, headers=HEADERS).status_code == 200
    assert client.get(BALANCE, headers=HEADERS).status_code == 200
    limited = client.get(BALANCE, headers=HEADERS)
    assert limited.status_code == 429
    body = limited.get_json()
    assert body["code"] == 429
    assert "spike arrest" in body["detail"]
    assert limited.headers["X-Picsart-Ratelimit-Available"] == "498"
    reset_at = START + 1.25
    assert (
        limited.headers["X-Picsart-Ratelimit-Reset-Time"]
        == {
            "epoch-ms": str(int(reset_at * 1000)),
            "epoch-s": str(math.ceil(reset_at)),
            "seconds": "1",
        }[form]
    )
    clock.advance(1.0)
    assert client.get(BALANCE, headers=HEADERS).status_code == 200


@pytest.mark.parametrize("shape", ["fault", "code"])
def test_the_429_body_shape_is_selectable(
    make_client: MakeClient, clock: FakeClock, shape: str
) -> None:
    client, _ = make_client(quota=1, spike_limit=1, ratelimit_body=shape)
    client.get(BALANCE, headers=HEADERS)
    quota_body = client.get(BALANCE, headers=HEADERS).get_json()
    client.post("/__sandbox/reset", json={"quota": 5})
    client.get(BALANCE, headers=HEADERS)
    spike_body = client.get(BALANCE, headers=HEADERS).get_json()
    for body, errorcode in (
        (quota_body, "policies.ratelimit.QuotaViolation"),
        (spike_body, "policies.ratelimit.SpikeArrestViolation"),
    ):
        if shape == "fault":
            assert body["fault"]["detail"]["errorcode"] == errorcode
        else:
            assert body["code"] == 429


def test_rate_limited_and_unauthorised_calls_cost_nothing(
    make_client: MakeClient, image: bytes
) -> None:
    client, state = make_client(quota=1)
    client.get(BALANCE, headers={"Accept": "application/json"})
    assert state.limiter.status().available == 1
    client.get(BALANCE, headers=HEADERS)
    data = {"image": (io.BytesIO(image), "a.png")}
    limited = client.post("/tools/1.0/removebg", headers=HEADERS, data=data)
    assert limited.status_code == 429
    assert state.credits == 1000
    assert state.log.entries()[-1]["charged"] == 0


def test_answers_outside_the_api_report_the_quota_without_spending_it(client: Client) -> None:
    for path in ("/tools/1.0/nothing", "/results/x.png", "/__sandbox/state"):
        response = client.get(path, headers=HEADERS)
        assert response.headers["X-Picsart-Ratelimit-Available"] == "500"
