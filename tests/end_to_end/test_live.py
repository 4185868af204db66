"""Against the real Picsart API; skipped unless run with --run-live and PICSART_API_KEY.

Only free calls (the balance) are made, so running these costs no credits.
"""

from __future__ import annotations

import os

import pytest

from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message

pytestmark = pytest.mark.live


def test_live_credentials_verify() -> None:
    result = Executor().verify_credentials({"apiKey": os.environ["PICSART_API_KEY"]})
    assert result["verified"] is True
    assert isinstance(result["credits"], int)


def test_live_raw_request_reads_the_balance_with_picsart_headers() -> None:
    result = Executor().run(
        "makeRawRequest",
        Message(body={"url": "balance", "method": "GET"}),
        {"apiKey": os.environ["PICSART_API_KEY"]},
    )
    (message,) = result.of_kind("data")
    assert message.body["statusCode"] == 200
    assert "credits" in message.body["responseBody"]
    assert message.body["headers"].get("X-Picsart-Correlation-Id")
