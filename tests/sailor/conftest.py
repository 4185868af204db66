"""Fixtures of the sailor tests: RabbitMQ, one topology per test, the fake platform, sailors.

``broker`` skips every test that needs it when RabbitMQ does not answer at
``PICSART_TEST_AMQP_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``), and ``node_sailor``
when node/npm or the registry are missing; under ``CI=true`` both fail instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from picsart_component.sailor.crypto import Encryptor
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
