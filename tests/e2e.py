"""The component against a real sandbox over loopback sockets, with every answer checked.

``check_sandbox_answers`` (autouse, for the whole suite) validates every answer any sandbox a
test starts gives to ``requests``, against Picsart's OpenAPI files (vendored in ``openapi/``)
and against Picsart's invariants. A test that breaks answers on purpose (HTML
error pages, missing headers) does so inside ``SandboxAnswers.unchecked()``.

``SandboxHarness`` starts a sandbox and builds an executor whose waits are fake (so retries take
no time) while the sockets are real.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3
from PIL import Image

from picsart_component.lib.client import ClientSettings
from picsart_component.lib.context import Services
from picsart_component.lib.retry import RetrySettings
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.messages import Message
from picsart_component.sandbox import RunningSandbox, start_sandbox
from picsart_component.sandbox.conformance import AnswerValidator, ConformanceChecker
from tests.conftest import OPENAPI_DIR
from tests.helpers import FakeTime, RealTimeFakeSleep, make_services

KEY = "e2e-key-0123"


def png(size: tuple[int, int] = (64, 48), color: str = "orange", fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "white")
    image.paste(Image.new("RGB", (size[0] // 2, size[1] // 2), color), (size[0] // 4, size[1] // 4))
    image.save(out, fmt)
    return out.getvalue()


@dataclass
class SandboxAnswers:
    """Which sandboxes are live, and whether their answers are being checked right now."""

    validator: AnswerValidator
    roots: set[str] = field(default_factory=set)
    checking: list[bool] = field(default_factory=lambda: [True])

    @contextmanager
    def unchecked(self) -> Iterator[None]:
        """Answers inside the block are not validated (faults that break the shape on purpose)."""
        self.checking.append(False)
        try:
            yield
        finally:
            self.checking.pop()

    def wants(self, url: str | None) -> bool:
        return self.checking[-1] and any((url or "").startswith(root) for root in self.roots)


@dataclass
class SandboxHarness:
    sandbox: RunningSandbox
    executor: Executor
    services: Services
    store: LocalStore
    time: FakeTime
    answers: SandboxAnswers

    @property
    def validator(self) -> AnswerValidator:
        return self.answers.validator

    @property
    def cfg(self) -> dict[str, Any]:
        return {
            "apiKey": KEY,
            "imageApiBaseUrl": self.sandbox.base_url,
            "genaiApiBaseUrl": self.sandbox.genai_base_url,
            "videoApiBaseUrl": self.sandbox.video_base_url,
            "vdApiBaseUrl": self.sandbox.vd_base_url,
        }

    def run(self, action: str, body: dict[str, Any], **cfg: Any) -> RunResult:
        return self.executor.run(action, Message(body=body), {**self.cfg, **cfg})

    def upload(self, content: bytes | None = None) -> dict[str, str]:
        """Put an image into the sandbox (a free call) and return its ``{id, url}``."""
        with self.unchecked():
            answer = requests.post(
                self.sandbox.base_url + "upload",
                headers={"X-Picsart-API-Key": KEY, "Accept": "application/json"},
                files={"image": ("photo.png", content or png(), "image/png")},
                timeout=10,
            )
        answer.raise_for_status()
        data: dict[str, str] = answer.json()["data"]
        return data

    def upload_file(self, path: Path) -> str:
        """A local file put into the attachment store, as ``picsart-flow attach`` does: its URL."""
        return self.store.save_file(path).url

    def calls(self, endpoint: str, *, at_least: int = 0) -> list[dict[str, Any]]:
        """The sandbox's log of calls to ``endpoint``.

        The sandbox logs a call when it has answered; ``at_least`` waits (up to 5 s) for calls
        still being answered, such as one the client gave up on after its read timeout.
        """
        path = "/tools/1.0/" + endpoint if not endpoint.startswith("/") else endpoint
        deadline = time.monotonic() + 5
        while True:
            found = [entry for entry in self.sandbox.request_log() if entry["path"] == path]
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def unchecked(self) -> Any:
        return self.answers.unchecked()


@pytest.fixture(scope="session")
def conformance() -> ConformanceChecker:
    """The OpenAPI checker, loaded once for the session."""
    return ConformanceChecker.from_spec_dir(OPENAPI_DIR)


@pytest.fixture(autouse=True)
def check_sandbox_answers(
    monkeypatch: pytest.MonkeyPatch, conformance: ConformanceChecker
) -> SandboxAnswers:
    answers = SandboxAnswers(AnswerValidator(conformance))
    original_start = RunningSandbox.start
    original_send = requests.Session.send

    def start(sandbox: RunningSandbox) -> RunningSandbox:
        started = original_start(sandbox)
        answers.roots.add(sandbox.root_url)
        return started

    def send_and_check(
        session: requests.Session, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        response = original_send(session, request, **kwargs)
        if answers.wants(request.url):
            answers.validator.check_requests(response)
            # Checking read the body; the component reads it again from the raw stream.
            response.raw = urllib3.HTTPResponse(
                body=io.BytesIO(response.content),
                headers=response.raw.headers,
                status=response.status_code,
                preload_content=False,
                decode_content=False,
            )
        return response

    monkeypatch.setattr(RunningSandbox, "start", start)
    monkeypatch.setattr(requests.Session, "send", send_and_check)
    return answers


@pytest.fixture
def harness(tmp_path: Path, check_sandbox_answers: SandboxAnswers) -> Iterator[SandboxHarness]:
    fake_time = RealTimeFakeSleep()
    with start_sandbox(
        quiet=True, spike_limit=10_000, quota=100_000, clock=fake_time.clock
    ) as sandbox:
        store = LocalStore(tmp_path / "store")
        services = make_services(
            fake_time,
            settings=ClientSettings(retry=RetrySettings(max_attempts=5), read_timeout=5),
            store=store,
        )
        yield SandboxHarness(
            sandbox, Executor(services=services), services, store, fake_time, check_sandbox_answers
        )
