"""Sandbox fixtures: a clock tests move by hand, and clients that check every answer they get.

Every answer from ``client`` (werkzeug's test client) and ``http`` (requests over real sockets)
goes through ``AnswerValidator``: the spec-free checks, and Picsart's OpenAPI files (vendored in
``openapi/``; the session's ``conformance`` checker comes from ``tests/e2e.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.test import Client, TestResponse

from picsart_component.sandbox import (
    RunningSandbox,
    SandboxOptions,
    SandboxState,
    create_app,
    start_sandbox,
)
from picsart_component.sandbox.conformance import AnswerValidator
from tests.e2e import SandboxAnswers
from tests.sandbox.support import HEADERS, FakeClock, png_bytes


class CheckedClient(Client):
    """werkzeug's test client, validating each answer before the test sees it."""

    validator: AnswerValidator

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        path = args[0] if args else kwargs.get("path")
        if isinstance(path, str) and path.startswith("/__sandbox"):
            # The control API needs the key; tests of that rule send their own headers.
            kwargs["headers"] = {**HEADERS, **dict(kwargs.get("headers") or {})}
        response = super().open(*args, **kwargs)
        self.validator.check_werkzeug(response)
        return response


@pytest.fixture
def validator(check_sandbox_answers: SandboxAnswers) -> AnswerValidator:
    """The suite-wide validator, so that a test's ``allow_missing`` covers every check."""
    return check_sandbox_answers.validator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


MakeClient = Callable[..., tuple[Client, SandboxState]]


@pytest.fixture
def make_client(clock: FakeClock, validator: AnswerValidator) -> MakeClient:
    """Builds an app with ``SandboxOptions`` overrides (fake clock by default) and its client."""

    def make(**overrides: Any) -> tuple[Client, SandboxState]:
        app, state = create_app(SandboxOptions(**{"clock": clock, **overrides}))
        client = CheckedClient(app)
        client.validator = validator
        return client, state

    return make


@pytest.fixture
def app_client(make_client: MakeClient) -> tuple[Client, SandboxState]:
    return make_client()


@pytest.fixture
def client(app_client: tuple[Client, SandboxState]) -> Client:
    return app_client[0]


@pytest.fixture
def state(app_client: tuple[Client, SandboxState]) -> SandboxState:
    return app_client[1]


StartSandbox = Callable[..., RunningSandbox]


@pytest.fixture
def start() -> Iterator[StartSandbox]:
    """Starts real servers (stopped after the test); overrides are ``SandboxOptions`` fields."""
    running: list[RunningSandbox] = []

    def launch(**overrides: Any) -> RunningSandbox:
        sandbox = start_sandbox(**overrides)
        running.append(sandbox)
        return sandbox

    yield launch
    for sandbox in running:
        sandbox.stop()


@pytest.fixture
def sandbox(start: StartSandbox) -> RunningSandbox:
    return start()


@pytest.fixture
def http(validator: AnswerValidator) -> Iterator[requests.Session]:
    """A requests session whose answers are validated as they arrive."""
    session = requests.Session()
    session.headers.update(HEADERS)

    def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        validator.check_requests(response)

    session.hooks["response"].append(check)
    yield session
    session.close()


@pytest.fixture
def image() -> bytes:
    return png_bytes()
