"""Fixtures of the sailor tests: RabbitMQ, one topology per test, the fake platform, sailors.

``broker`` skips every test that needs it when RabbitMQ does not answer at
``PICSART_TEST_AMQP_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``), and ``node_sailor``
when node/npm or the registry are missing; under ``CI=true`` both fail instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from picsart_component.sailor.crypto import Encryptor
from picsart_component.sandbox.server import RunningSandbox, start_sandbox
from tests.sailor.amqp_harness import (
    Broker,
    SailorLauncher,
    TcpProxy,
    Topology,
    connect_broker,
    make_encryptor,
)
from tests.sailor.fake_platform import FakePlatform
from tests.sailor.node_harness import node_sailor_dir


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    connected = connect_broker()
    yield connected
    connected.close()


@pytest.fixture
def topology(broker: Broker) -> Iterator[Topology]:
    """A fresh exchange and the queues of one step, ``step_1``; ``topology.add_step`` adds
    more."""
    made = broker.topology(["step_1"])
    yield made
    made.delete()


@pytest.fixture
def fake_platform() -> Iterator[FakePlatform]:
    with FakePlatform() as platform:
        yield platform


@pytest.fixture(scope="session")
def node_sailor() -> Path:
    """The folder with ``node_modules/elasticio-sailor-nodejs``, installed once per cache."""
    return node_sailor_dir()


@pytest.fixture
def sailors(broker: Broker, tmp_path: Path) -> Iterator[SailorLauncher]:
    """Starts sailors (``sailors.node(env)``, ``sailors.python(env)``) that are ready when their
    queue has a consumer; kills what still runs at the end and prints every sailor's logs."""
    launcher = SailorLauncher(broker, tmp_path / "sailor-logs")
    yield launcher
    launcher.stop_all()


@pytest.fixture
def amqp_proxy(broker: Broker) -> Iterator[TcpProxy]:
    """A TCP relay to RabbitMQ: ``sailor_env(..., amqp_url=amqp_proxy.url_for(broker.url))``,
    then ``amqp_proxy.cut()`` to drop the sailor's connections."""
    with TcpProxy.for_url(broker.url) as proxy:
        yield proxy


@pytest.fixture
def encryptor() -> Encryptor:
    return make_encryptor()


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """Starting a sailor or a service call sets up logging as a container's process does; the
    suite's handlers and level are put back after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


class HeldClock:
    """The sandbox's clock, standing still until the test moves it: a job stays pending, and a
    late job unknown, for as long as the test needs. The sandbox gives its reset times in
    seconds from its now, so that the sailor's clock reads them right whatever this one says."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = time.time()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


JOB_SECONDS = 3600.0
"""No job ends before the test moves the sandbox's clock on by this much."""


@pytest.fixture
def held_clock() -> HeldClock:
    return HeldClock()


@pytest.fixture
def held_sandbox(held_clock: HeldClock) -> Iterator[RunningSandbox]:
    """A sandbox on ``held_clock`` whose jobs pend until the test moves the clock on by
    ``JOB_SECONDS``."""
    with start_sandbox(
        job_seconds=JOB_SECONDS, clock=held_clock, reset_time_form="seconds", quota=100_000
    ) as running:
        yield running
