"""Batch: 1,000 items through a two-step flow (removeBackground, then upscale) at 50 requests/s.

Three processes share the machine, as they would in use: the sandbox (spike limit 50 requests a
second, a quota too large to matter, the image worker processes ``picsart-flow sandbox`` starts),
``picsart-flow flow run`` with its default ``--workers auto`` and ``PICSART_SPIKE_LIMIT=50`` (the
plan's documented limit), and this one, which serves the input photo on loopback for the sandbox
to fetch. The figures come from the sandbox's own request log: the rate it admitted requests at,
and the 429s it answered after the first second.

A second run leaves ``PICSART_SPIKE_LIMIT`` at its default (300), as a user who never looked up
their plan's limit would: the throttle has to learn the limit from 429s. Each run is repeated
three times: median and range.

Run: ``python -m benchmarks.bench_batch [items]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import requests

from benchmarks.report import REPEATS, Figure, print_table, spread
from picsart_component.sandbox.command import DEFAULT_IMAGE_PROCESSES
from picsart_component.sandbox.loopback import sandbox_process, serve_bytes
from picsart_component.sandbox.samples import sample_png_bytes

KEY = "benchmark-key"
SPIKE_LIMIT = 50
ITEMS = 1000
PHOTO_SIZE = (96, 72)
RATE_GOAL = 0.9
FLOW = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url, "format": "PNG"}'
- id: large
  action: upscale
  body: '{"image_url": cutout.data.url, "upscale_factor": 2}'
"""


def flow_run(
    root: str,
    work: Path,
    urls: Iterable[str],
    *,
    spike_limit: float | None,
    workers: int | None = None,
) -> dict[str, Any]:
    """``picsart-flow flow run`` of ``FLOW`` over one item per URL against the server at
    ``root``, with ``PICSART_SPIKE_LIMIT`` set to ``spike_limit`` (left at its default when
    ``None``): its summary, wall time, exit code and result lines."""
    flow = work / "flow.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    inputs = work / "items.jsonl"
    inputs.write_text("".join(json.dumps({"url": url}) + "\n" for url in urls), encoding="utf-8")
    results = work / "results.jsonl"
    env = {
        **os.environ,
        "PICSART_API_KEY": KEY,
        "PICSART_BASE_URL": root + "tools/1.0/",
        "PICSART_ATTACHMENTS_DIR": str(work / "store"),
    }
    for name in ("PICSART_SPIKE_LIMIT", "PICSART_REDIS_URL", "PICSART_BROKER_URL"):
        env.pop(name, None)
    if spike_limit is not None:
        env["PICSART_SPIKE_LIMIT"] = f"{spike_limit:g}"
    command = [sys.executable, "-m", "picsart_component", "flow", "run", str(flow)]
    command += ["--input", str(inputs), "--out", str(results)]
    if workers is not None:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    return {
        "summary": json.loads(finished.stdout.strip().splitlines()[-1])["summary"],
        "wall_seconds": wall,
        "exit_code": finished.returncode,
        "lines": len(lines),
        "done": sum(1 for line in lines if line["status"] == "done"),
    }


def admission(admitted: Sequence[float], refused: Sequence[float]) -> dict[str, Any]:
    """The rate a server admitted paid calls at, and its 429s, from the moments of each."""
    moments = [*admitted, *refused]
    first, last = min(moments), max(moments)
    return {
        "admitted": len(admitted),
        "admitted_per_second": len(admitted) / (last - first) if last > first else 0.0,
        "limited": len(refused),
        "limited_after_first_second": sum(1 for moment in refused if moment - first > 1.0),
        "paid_seconds": last - first,
    }


def measure_batch(
    items: int = ITEMS,
    *,
    spike_limit: float = SPIKE_LIMIT,
    tell_client: bool = True,
    workers: int | None = None,
) -> dict[str, Any]:
    """Runs the batch once against the sandbox; returns the sandbox's view and the runner's."""
    with (
        tempfile.TemporaryDirectory() as folder,
        serve_bytes(sample_png_bytes("product-plain", PHOTO_SIZE)) as photo_root,
        sandbox_process(
            spike_limit=spike_limit,
            quota=10**9,
            window=3600,
            credits=10**7,
            log_size=100_000,
            max_stored_files=100_000,
            max_stored_bytes=8 * 2**30,
            image_processes=DEFAULT_IMAGE_PROCESSES,
        ) as root,
    ):
        photo = photo_root + "photo.png"
        urls = (f"{photo}?n={n}" for n in range(items))
        told = spike_limit if tell_client else None
        run = flow_run(root, Path(folder), urls, spike_limit=told, workers=workers)
        log = requests.get(
            root + "__sandbox/requests", headers={"X-Picsart-API-Key": KEY}, timeout=10
        ).json()["requests"]
    paid = [
        entry for entry in log if entry["path"] in ("/tools/1.0/removebg", "/tools/1.0/upscale")
    ]
    admitted = [entry["time"] for entry in paid if entry["status"] == 200]
    refused = [entry["time"] for entry in paid if entry["status"] == 429]
    return {"items": items, **run, **admission(admitted, refused)}


def run(items: int = ITEMS) -> list[Figure]:
    told = [measure_batch(items) for _ in range(REPEATS)]
    untold = [measure_batch(items, tell_client=False) for _ in range(REPEATS)]
    ratios = spread([run["admitted_per_second"] / SPIKE_LIMIT * 100 for run in told])
    untold_ratios = spread([run["admitted_per_second"] / SPIKE_LIMIT * 100 for run in untold])
    late = [run["limited_after_first_second"] for run in told]
    untold_late = [run["limited_after_first_second"] for run in untold]
    done = [run["done"] for run in told + untold]
    complete = all(run["done"] == run["lines"] == items for run in told + untold)
    walls = spread([run["wall_seconds"] for run in told])
    workers = ", ".join(str(run["summary"].get("workers")) for run in told)
    return [
        Figure(
            "batch: request rate / spike limit",
            round(ratios.median, 1),
            "%",
            f">= {RATE_GOAL * 100:g} %",
            ratios.median >= RATE_GOAL * 100,
            f"{ratios.describe(1, ' %')} of {SPIKE_LIMIT}/s; {told[0]['admitted']} paid calls "
            f"a run; workers chosen: {workers}",
        ),
        Figure(
            "batch: 429s after the first second",
            max(late),
            "",
            "0",
            max(late) == 0,
            f"most of {REPEATS} runs; {', '.join(str(run['limited']) for run in told)} in all",
        ),
        Figure(
            "batch: items done",
            min(done),
            f"of {items}",
            f"{items}, one line each",
            complete,
            f"fewest of {2 * REPEATS} runs; wall time {walls.describe(1, ' s')}",
        ),
        Figure(
            "batch, limit not configured: 429s after the first second",
            max(untold_late),
            "",
            "0",
            max(untold_late) == 0,
            "PICSART_SPIKE_LIMIT left at 300, so the pace is learned from 429s: "
            f"{', '.join(str(run['limited']) for run in untold)} in all in {REPEATS} runs; "
            f"rate {untold_ratios.describe(1, ' %')} of the limit",
        ),
    ]


if __name__ == "__main__":
    print_table(run(int(sys.argv[1]) if len(sys.argv) > 1 else ITEMS))
