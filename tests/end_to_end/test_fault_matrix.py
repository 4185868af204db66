"""Every fault Picsart or the network can produce, over real sockets against the sandbox.

One row per fault: the fault injected on ``removebg``, the attempts the client makes, the event
it ends with, the error class, and whether that error carries the sandbox's correlation id.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest

from picsart_component.lib.client import ClientSettings
from picsart_component.lib.retry import RetrySettings
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
from tests.e2e import KEY, SandboxHarness
from tests.helpers import make_services


def on_path(fault: str, path: str) -> str:
    return fault + ("," if ":" in fault else ":") + f"path={path}"


@dataclass(frozen=True)
class Row:
    fault: str
    attempts: int
    outcome: str
    error: str | None = None
    correlated: bool = True
    first_wait: float | None = None
    charged: int | None = None


MATRIX = [
    Row("429:next=1,reset=epoch-ms,reset_in=2", 2, "data", first_wait=2),
    Row("429:next=1,reset=epoch-s,reset_in=2", 2, "data", first_wait=2),
    Row("429:next=1,reset=seconds,reset_in=2", 2, "data", first_wait=2),
    Row("429:next=1,reset=none", 2, "data", first_wait=60),
    Row("429:reset=seconds,reset_in=3600", 1, "rebound", "RateLimitError"),
    Row("500:next=2", 3, "data"),
    Row("502:next=2", 3, "data"),
    Row("503:next=2", 3, "data"),
    Row("504:next=2", 3, "data"),
    Row("503", 5, "error", "ServerError"),
    Row("drop:next=1", 2, "data"),
    Row("drop", 5, "error", "APIConnectionError", correlated=False),
    Row("reset:next=1", 2, "data"),
    # The sandbox finished the call the client stopped waiting for, so both are charged: a read
    # timeout cannot tell whether Picsart did the work (see the README's reliability section).
    Row("slow:ms=1500,next=1", 2, "data", charged=2),
    Row("truncate:next=1", 2, "data"),
    # An answer that never ends is cut at PICSART_MAX_RESPONSE_MB and not tried again. (The
    # sandbox charges no answer it spoils on the wire.)
    Row("endless:next=1", 1, "error", "ResponseTooLargeError"),
    # An answer that trickles is cut at the call's deadline, and tried again.
    Row("trickle:next=1,ms=200", 2, "data"),
    Row("truncate", 5, "error", "APIConnectionError", correlated=False),
    Row("html:status=502,next=1", 2, "data"),
    Row("html:status=502", 5, "error", "ServerError", correlated=False),
    Row("401:next=1", 1, "error", "AuthenticationError"),
    Row("402:next=1", 1, "error", "PaymentRequiredError"),
    Row("403:next=1", 1, "error", "AuthenticationError"),
    Row("404:next=1", 1, "error", "NotFoundError"),
    Row("406:next=1", 1, "error", "NotAcceptableError"),
    Row("413:next=1", 1, "error", "PayloadTooLargeError"),
    Row("415:next=1", 1, "error", "UnsupportedMediaTypeError"),
    Row("422:next=1", 1, "error", "RequestValidationError"),
]


@pytest.mark.parametrize("row", MATRIX, ids=[row.fault for row in MATRIX])
def test_fault_matrix(harness: SandboxHarness, row: Row) -> None:
    image_id = harness.upload()["id"]
    harness.services.settings = ClientSettings(
        read_timeout=0.5, call_deadline=1.0, retry=RetrySettings(max_attempts=5)
    )
    harness.sandbox.set_faults(on_path(row.fault, "removebg"))
    with harness.unchecked():
        result = harness.run("removeBackground", {"image_id": image_id})
    attempts = harness.calls("removebg", at_least=row.attempts)
    assert len(attempts) == row.attempts
    expected_charge = row.charged if row.charged is not None else int(row.outcome == "data")
    assert sum(attempt["charged"] for attempt in attempts) == expected_charge
    assert [event.kind for event in result.events] == [row.outcome]
    if row.first_wait is not None:
        # Reset times are whole seconds or milliseconds rounded up, so a wait may run up to a
        # second past the reset the sandbox was asked for, never short of it.
        assert row.first_wait - 0.05 <= harness.time.sleeps[0] <= row.first_wait + 1.0
    if row.outcome == "data":
        (message,) = result.of_kind("data")
        answered = {attempt["correlation_id"] for attempt in attempts if attempt["status"] == 200}
        assert message.headers["X-Picsart-Correlation-Id"] in answered
        return
    (payload,) = result.of_kind("rebound" if row.outcome == "rebound" else "error")
    assert payload["name"] == row.error
    if row.correlated:
        assert payload["correlationId"] == attempts[-1]["correlation_id"]
    else:
        assert "correlationId" not in payload
    if row.outcome == "rebound":
        assert payload["retryAt"]


def test_available_zero_holds_the_next_request_until_the_reset(harness: SandboxHarness) -> None:
    image_id = harness.upload()["id"]
    harness.sandbox.set_faults("available0:next=1,reset_in=5,reset=seconds,path=removebg")
    assert harness.run("removeBackground", {"image_id": image_id}).of_kind("data")
    assert harness.time.sleeps == []
    assert harness.run("removeBackground", {"image_id": image_id}).of_kind("data")
    assert harness.time.sleeps == [pytest.approx(5, abs=1.01)]
    assert len(harness.calls("removebg")) == 2


def test_connection_refused_is_retried_then_an_error(harness: SandboxHarness) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    result = harness.executor.run(
        "removeBackground",
        Message(body={"image_id": "x"}),
        {"apiKey": KEY, "imageApiBaseUrl": f"http://127.0.0.1:{closed_port}/tools/1.0/"},
    )
    (error,) = result.of_kind("error")
    assert error["name"] == "APIConnectionError"
    assert "connection refused" in error["message"]
    assert len(harness.time.sleeps) == 4


@pytest.mark.parametrize(
    ("fault", "result_fetches", "outcome"),
    [("503:next=2", 3, "data"), ("drop:next=1", 2, "data"), ("503", 5, "error")],
)
def test_a_failed_result_download_is_retried_without_repeating_the_paid_call(
    harness: SandboxHarness, fault: str, result_fetches: int, outcome: str
) -> None:
    image_id = harness.upload()["id"]
    harness.sandbox.set_faults(on_path(fault, "results"))
    credits_before = harness.sandbox.state()["credits"]
    with harness.unchecked():
        result = harness.run("removeBackground", {"image_id": image_id}, downloadResult=True)
    assert [event.kind for event in result.events] == [outcome]
    assert len(harness.calls("removebg")) == 1
    assert harness.sandbox.state()["credits"] == credits_before - 1
    fetches = [e for e in harness.sandbox.request_log() if e["path"].startswith("/results/")]
    assert len(fetches) == result_fetches
    if outcome == "data":
        (message,) = result.of_kind("data")
        assert harness.store.owns(message.body["attachmentUrl"])
        with harness.store.read(message.body["attachmentUrl"]) as chunks:
            assert b"".join(chunks).startswith(b"\x89PNG")
    else:
        (error,) = result.of_kind("error")
        assert error["name"] == "ResultDownloadError"
        assert "could not be saved" in error["message"]
        assert not harness.store.directory.exists() or not list(harness.store.directory.iterdir())


def test_executor_services_settings_are_used_per_run(harness: SandboxHarness) -> None:
    """The matrix changes settings between runs; a new run must see them."""
    harness.services.settings = ClientSettings(retry=RetrySettings(max_attempts=1))
    harness.sandbox.set_faults("503:next=1,path=balance")
    with harness.unchecked():
        result = harness.run("makeRawRequest", {"url": "balance", "method": "GET"})
    (error,) = result.of_kind("error")
    assert error["name"] == "ServerError"
    assert len(harness.calls("balance")) == 1


def test_a_result_that_never_ends_is_cut_at_its_cap_and_the_call_is_not_repeated(
    harness: SandboxHarness,
) -> None:
    image_id = harness.upload()["id"]
    services = make_services(
        harness.time, store=harness.store, environ={"PICSART_MAX_RESULT_MB": "1"}
    )
    harness.sandbox.set_faults("endless:path=results")
    cfg = {"apiKey": KEY, "imageApiBaseUrl": harness.sandbox.base_url, "downloadResult": True}
    with harness.unchecked():
        result = Executor(services=services).run(
            "removeBackground", Message(body={"image_id": image_id}), cfg
        )
    (error,) = result.of_kind("error")
    assert error["name"] == "ResultDownloadError"
    assert "PICSART_MAX_RESULT_MB" in error["message"]
    assert len(harness.calls("removebg")) == 1
    assert not harness.store.directory.exists() or not list(harness.store.directory.iterdir())
