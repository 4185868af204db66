"""Builders shared by tests: clients and executors wired to fake time and a private throttle."""

from __future__ import annotations

import ipaddress
import struct
import time
import zlib
from collections.abc import Mapping
from typing import Any

from picsart_component.lib.client import ClientSettings, PicsartClient
from picsart_component.lib.context import Services
from picsart_component.lib.download import Resolver
from picsart_component.lib.ratelimit import Throttle
from picsart_component.lib.retry import RetrySettings
from picsart_component.lib.store import AttachmentStore
from picsart_component.runtime.executor import Executor


class FakeTime:
    """A clock and a sleep that advance together, so retry tests take no wall-clock time."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class RealTimeFakeSleep(FakeTime):
    """Real time plus the waits slept so far: for talking to a real server, whose epoch reset
    times follow the real clock, while retry waits still take no wall-clock time."""

    def __init__(self) -> None:
        super().__init__(start=0.0)

    def clock(self) -> float:
        return time.time() + sum(self.sleeps)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


BASE_URL = "https://api.picsart.io/tools/1.0/"
API_KEY = "test-key-0123456789"


def make_client(
    fake_time: Any,
    *,
    api_key: str = API_KEY,
    base_url: str = BASE_URL,
    retry: RetrySettings | None = None,
    spike_limit: float = 1e9,
    jitter: float = 0.5,
) -> PicsartClient:
    settings = ClientSettings(retry=retry or RetrySettings(), spike_limit=spike_limit)
    throttle = Throttle(spike_limit, clock=fake_time.clock, sleep=fake_time.sleep)
    return PicsartClient(
        api_key,
        base_url,
        settings=settings,
        throttle=throttle,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        jitter=lambda: jitter,
    )


def offline_resolver(hosts: Mapping[str, str] | None = None) -> Resolver:
    """A resolver that answers from ``hosts`` (and for address literals) and never asks DNS."""

    def resolve(host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        if hosts and host in hosts:
            return [hosts[host]]
        raise OSError(f"tests never resolve names through DNS ({host})")

    return resolve


def make_services(
    fake_time: Any,
    *,
    settings: ClientSettings | None = None,
    store: AttachmentStore | None = None,
    environ: Mapping[str, str] | None = None,
    resolver: Resolver | None = None,
) -> Services:
    """Services whose waits are fake, with a private throttle, store and environment."""
    return Services(
        settings=settings or ClientSettings(),
        throttle=Throttle(1e9, clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        store=store,
        environ={} if environ is None else environ,
        resolver=resolver or offline_resolver(),
    )


def make_executor(fake_time: Any, **services: Any) -> Executor:
    return Executor(services=make_services(fake_time, **services))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size, as a decompression bomb's would."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def video_seconds(container: Any, stream: Any) -> float:
    """A video's length in seconds: its picture track's, or the container's where the track
    states none (as in WEBM)."""
    import av  # the video extra: only the tests that read videos call this

    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    assert container.duration is not None
    return float(container.duration / av.time_base)
