"""Helpers for the flow tests: files to run, a photo to fetch, the CLI, and the sandbox's log."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner, Result
from PIL import Image

from picsart_component.cli import main
from picsart_component.sandbox.loopback import sandbox_process as loopback_sandbox
from picsart_component.sandbox.loopback import serve_bytes

KEY = "flow-test-key-4d2c"
PAID_PATHS = ("/tools/1.0/removebg", "/tools/1.0/upscale")

TWO_STEPS = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url, "format": "PNG"}'
- id: large
  action: upscale
  body: '{"image_url": cutout.data.url, "upscale_factor": 2}'
"""


def png(size: tuple[int, int] = (48, 36), color: str = "teal") -> bytes:
    """A small real photo: a coloured block on a light backdrop."""
    image = Image.new("RGB", size, (236, 234, 228))
    image.paste(Image.new("RGB", (size[0] // 2, size[1] // 2), color), (size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@contextmanager
def photo_server() -> Iterator[str]:
    """Serves one photo at any path on loopback, which the sandbox may fetch from."""
    with serve_bytes(png()) as root_url:
        yield root_url


@contextmanager
def sandbox_process(spike_limit: float) -> Iterator[str]:
    """A sandbox in its own process (its root URL), so that its threads and the runner's do not
    take turns with one interpreter lock, which would add jitter no real server sees."""
    with loopback_sandbox(spike_limit=spike_limit, quota=100_000, credits=1000) as root_url:
        yield root_url


def request_log(root_url: str) -> list[dict[str, Any]]:
    answer = requests.get(
        root_url + "__sandbox/requests", headers={"X-Picsart-API-Key": "sandbox-key"}, timeout=10
    )
    return list(answer.json()["requests"])


def write_photos(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"photo-{n:03d}.png").write_bytes(png((40 + n % 8, 30 + n % 5)))
    return folder


def write_items(path: Path, photo_url: str, count: int) -> Path:
    """A JSONL file of ``count`` items, each with its own photo URL (``.../photo-N.png``)."""
    path.write_text(
        "".join(json.dumps({"url": f"{photo_url}photo-{n}.png"}) + "\n" for n in range(count)),
        encoding="utf-8",
    )
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["flow", *args], catch_exceptions=False)


def results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def summary(result: Result) -> dict[str, Any]:
    last = json.loads(result.stdout.strip().splitlines()[-1])
    return dict(last["summary"])


def paid_calls(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The removebg and upscale requests the sandbox answered 200 (and charged)."""
    return [entry for entry in log if entry["path"] in PAID_PATHS and entry["status"] == 200]


def repeated_paid_calls(log: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Paid calls made twice on the same image (each item's photo URL, each cutout URL)."""
    seen = Counter(
        (entry["path"], entry["fields"].get("image_url", "")) for entry in paid_calls(log)
    )
    return [call for call, times in seen.items() if times > 1]
