"""Fixtures for the flow tests: one sandbox per module (reset for each test) and a photo server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.flows.flow_support import KEY, photo_server


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(quiet=True, api_key=KEY, log_size=10_000, max_stored_files=5000) as running:
        yield running


@pytest.fixture
def sandbox(
    shared_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[RunningSandbox]:
    """The module's sandbox, back at its start (1000 credits, no faults, empty log), and the
    environment pointing the CLI at it with waits short enough for tests."""
    shared_sandbox.reset(
        credits=1000, spike_limit=300, quota=100_000, window=60, faults=None, latency_ms=0
    )
    monkeypatch.setenv("PICSART_API_KEY", KEY)
    monkeypatch.setenv("PICSART_BASE_URL", shared_sandbox.base_url)
    monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PICSART_MAX_WAIT", "10")
    monkeypatch.setenv("PICSART_READ_TIMEOUT", "10")
    monkeypatch.delenv("PICSART_SPIKE_LIMIT", raising=False)
    yield shared_sandbox
    logging.getLogger().setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def photo_url() -> Iterator[str]:
    with photo_server() as url:
        yield url
