"""Shared fixtures: where Picsart's OpenAPI files live, and waits that take no time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from picsart_component.lib.client import forget_shared_sessions, forget_shared_throttles
from tests.helpers import FakeTime

REPO_ROOT = Path(__file__).resolve().parents[1]
OPENAPI_DIR = REPO_ROOT / "openapi"
"""Picsart's OpenAPI files, vendored (``openapi/README.md``): in every clone and sdist."""

pytest_plugins = ["tests.e2e"]


@pytest.fixture(autouse=True, scope="session")
def private_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The attachment store and the sandbox's kept results go to a folder of the test run's
    own, never into the home folder of whoever runs the suite."""
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    yield
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous


@pytest.fixture(autouse=True)
def fresh_shared_throttles() -> None:
    """A hold left by one test's 429 must not stall the next test's requests."""
    forget_shared_throttles()
    forget_shared_sessions()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


CANARY_KEY = "pk-CANARY-7f3a9c2e-do-not-leak"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-live",
        action="store_true",
        help="also run tests marked live, against the real Picsart API (needs PICSART_API_KEY)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-live") and os.environ.get("PICSART_API_KEY"):
        return
    reason = (
        "needs PICSART_API_KEY"
        if config.getoption("--run-live")
        else "talks to the real Picsart API; opt in with --run-live and PICSART_API_KEY"
    )
    for item in items:
        if "live" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def redis_url() -> str:
    return os.environ.get("PICSART_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_server() -> str:
    """A Redis that answers (``PICSART_TEST_REDIS_URL``); the tests that need it skip without
    one, and fail under ``CI=true``, where every test must run."""
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError) as error:
        where = f"{urlsplit(url).hostname}:{urlsplit(url).port or 6379}"
        reason = f"Redis at {where} (PICSART_TEST_REDIS_URL) does not answer ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI must run every test that uses it")
        pytest.skip(reason)
    return url
