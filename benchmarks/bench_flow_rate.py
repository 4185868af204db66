"""Batch at Picsart's spike limit: a two-step flow (removeBackground, then upscale) at 300 calls/s.

``picsart-flow flow run`` with its default ``--workers auto`` and ``PICSART_SPIKE_LIMIT=300``
runs ``bench_batch.FLOW`` twice:

- against ``instant_server`` keeping a spike arrest of 300 calls a second, so that the runner
  alone decides the rate (3,000 items, 6,000 paid calls);
- end to end against the sandbox with the same spike limit, fetching a small photo from this
  process (1,000 items), where the sandbox's own speed can cap the rate.

Each figure comes from the server's own record of the calls it admitted and refused: the rate it
admitted calls at over the limit, and the 429s it answered after the first second. Each run is
repeated three times: median and range.

Run: ``python -m benchmarks.bench_flow_rate``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import requests

from benchmarks.bench_batch import admission, flow_run, measure_batch
from benchmarks.instant_server import instant_server
from benchmarks.report import REPEATS, Figure, print_table, spread

SPIKE_LIMIT = 300
INSTANT_ITEMS = 3000
SANDBOX_ITEMS = 1000
RATE_GOAL = 0.9


def against_instant_server(items: int = INSTANT_ITEMS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, instant_server(SPIKE_LIMIT) as root:
        urls = (f"https://images.example.com/{n}.jpg" for n in range(items))
        run = flow_run(root, Path(folder), urls, spike_limit=SPIKE_LIMIT)
        stats = requests.get(root + "__stats", timeout=10).json()
    return {"items": items, **run, **admission(stats["admitted"], stats["refused"])}


def _figures(label: str, runs: list[dict[str, Any]]) -> list[Figure]:
    ratios = spread([run["admitted_per_second"] / SPIKE_LIMIT * 100 for run in runs])
    late = spread([run["limited_after_first_second"] for run in runs])
    complete = all(run["done"] == run["items"] == run["lines"] for run in runs)
    workers = sorted({run["summary"].get("workers") for run in runs}, key=str)
    return [
        Figure(
            f"{label}: request rate / spike limit",
            round(ratios.median, 1),
            "%",
            f">= {RATE_GOAL * 100:g} %",
            ratios.median >= RATE_GOAL * 100,
            f"{ratios.describe(1, ' %')} of {SPIKE_LIMIT}/s; "
            f"{runs[0]['items']} items, {'all' if complete else 'NOT all'} done in every run; "
            f"workers chosen: {', '.join(map(str, workers))}",
        ),
        Figure(
            f"{label}: 429s after the first second",
            max(late.values),
            "",
            "0",
            max(late.values) == 0,
            f"most of {REPEATS} runs; {', '.join(str(run['limited']) for run in runs)} in all",
        ),
    ]


def run() -> list[Figure]:
    instant = [against_instant_server() for _ in range(REPEATS)]
    sandbox = [measure_batch(SANDBOX_ITEMS, spike_limit=SPIKE_LIMIT) for _ in range(REPEATS)]
    return [
        *_figures(f"flow at {SPIKE_LIMIT}/s, instant server", instant),
        *_figures(f"flow at {SPIKE_LIMIT}/s, sandbox", sandbox),
    ]


if __name__ == "__main__":
    print_table(run())
