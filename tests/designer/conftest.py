"""Fixtures for the designer's server tests: a signed-in test client over the app, in-process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from picsart_component.console import TARGET_VARIABLES, make_executor
from picsart_component.flow_designer.server import DesignerApp
from picsart_component.flow_designer.session import Credentials, Session

PORT = 8123
BASE = f"http://127.0.0.1:{PORT}"
ORIGIN = {"Origin": BASE}


@dataclass
class Designer:
    app: DesignerApp
    client: Client
    root: Path

    @property
    def session(self) -> Session:
        return self.app.session

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, base_url=BASE, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> TestResponse:
        headers = {**ORIGIN, **kwargs.pop("headers", {})}
        return self.client.post(
            path, base_url=BASE, json={} if data is None else data, headers=headers, **kwargs
        )


def sandbox_mode(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """No key, no base URL: sandbox mode, as a new user starts; the store in ``folder``."""
    for name in TARGET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(folder / "store"))
    root = folder / "work"
    root.mkdir()
    return root


@pytest.fixture
def designer_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return sandbox_mode(monkeypatch, tmp_path)


def make_designer(
    root: Path, credentials: Credentials | None = None, flow_file: Path | None = None
) -> Designer:
    executor, services = make_executor()
    roots = [root] if flow_file is None else [root, flow_file.resolve().parent]
    session = Session(executor, services, credentials or Credentials(), roots, flow_file)
    app = DesignerApp(session, PORT)
    client = Client(app)
    answer = client.get(f"/?token={session.token}", base_url=BASE)
    assert answer.status_code == 303
    return Designer(app, client, root)


@pytest.fixture
def designer(designer_env: Path) -> Iterator[Designer]:
    made = make_designer(designer_env)
    yield made
    made.app.close()


@pytest.fixture(scope="module")
def shared_designer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Designer]:
    """One designer for a module's tests that change nothing (gates, reads, checks)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        made = make_designer(sandbox_mode(monkeypatch, tmp_path_factory.mktemp("shared")))
        yield made
        made.app.close()
