"""What the component adds to a call: the Upscale action in-process vs a bare ``requests.post``.

Both send the same multipart body (the same PNG as ``image``, ``upscale_factor=2``) to the same
sandbox, which runs in its own process so that it does not share this process's GIL; both keep
their connection from call to call (the bare calls through one ``requests.Session``). The two
kinds of call alternate, so drift in the machine affects both alike. Each comparison is made
three times: the median ratio and its range.

The goal is judged on the 480x360 sample product photo. The same comparison on a 64x48 image,
where the sandbox's own work is almost nothing, is reported beside it as the worst case: there
the component's fixed cost (about 0.3 ms of validation, file checks and result shaping, plus
the multipart streaming) is the largest share it can ever be.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from pathlib import Path

import requests
from PIL import Image

from benchmarks.report import REPEATS, Figure, median_run, spread
from picsart_component.lib.client import ClientSettings
from picsart_component.lib.context import Services
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
from picsart_component.sandbox.loopback import sandbox_process
from picsart_component.sandbox.samples import sample_png_bytes

CALLS = 200
GOAL = 1.15
KEY = "benchmark-key"


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, "PNG")
    return out.getvalue()


def compare(image: bytes, base_url: str, scratch: Path, calls: int) -> tuple[float, float]:
    """Median seconds per call: the Upscale action, and a bare ``requests.post``."""
    store = LocalStore(scratch / "store")
    source = store.save(iter([image]), "image/png")
    executor = Executor(services=Services(settings=ClientSettings(), store=store, environ={}))
    cfg = {"apiKey": KEY, "imageApiBaseUrl": base_url}
    body = {"image": source.url, "upscale_factor": 2}
    headers = {"X-Picsart-API-Key": KEY, "Accept": "application/json"}
    bare = requests.Session()

    def action_call() -> None:
        result = executor.run("upscale", Message(body=body), cfg)
        if not result.of_kind("data"):
            raise RuntimeError(f"the action failed: {result.events}")

    def bare_call() -> None:
        answer = bare.post(
            base_url + "upscale",
            headers=headers,
            files={"image": ("photo.png", image, "image/png")},
            data={"upscale_factor": "2"},
            timeout=30,
        )
        answer.raise_for_status()

    with bare:
        for warm_up in (action_call, bare_call) * 5:
            warm_up()
        action_times: list[float] = []
        bare_times: list[float] = []
        for _ in range(calls):
            for call, times in ((action_call, action_times), (bare_call, bare_times)):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
    return statistics.median(action_times), statistics.median(bare_times)


def run(calls: int = CALLS) -> list[Figure]:
    cases = (
        (
            "overhead: Upscale action / bare requests.post (480x360 photo)",
            sample_png_bytes("product-plain"),
            True,
        ),
        ("overhead, worst case (64x48 image, for information)", small_png(), False),
    )
    figures = []
    sandbox = sandbox_process(
        spike_limit=1_000_000, quota=1_000_000_000, window=3600, credits=1_000_000
    )
    with tempfile.TemporaryDirectory() as scratch, sandbox as root_url:
        base_url = root_url + "tools/1.0/"
        for name, image, judged in cases:
            pairs = [compare(image, base_url, Path(scratch), calls) for _ in range(REPEATS)]
            ratios = spread([action / bare for action, bare in pairs])
            action, bare = median_run(pairs, lambda pair: pair[0] / pair[1])
            detail = (
                f"{ratios.describe(3)}; in the median run {action * 1000:.2f} ms per action vs "
                f"{bare * 1000:.2f} ms per bare call (medians of {calls} calls each), "
                f"{os.cpu_count()} CPUs"
            )
            goal = f"<= {GOAL}" if judged else "none"
            figures.append(
                Figure(
                    name,
                    round(ratios.median, 3),
                    "",
                    goal,
                    ratios.median <= GOAL or not judged,
                    detail,
                )
            )
    return figures


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
