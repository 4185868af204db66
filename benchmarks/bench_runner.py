"""The batch runner's own CPU per paid call, against a server that answers at once.

``picsart-flow flow run`` runs a two-step flow (Remove background, then Upscale, each with the
image by URL) over N items with 8 workers and no limit in reach, against ``instant_server`` in its
own process. The CPU the run's process and its children (the mapping processes) spend, from
``getrusage``, is taken for 100 and for 1,100 items; the difference over the 2,000 extra paid calls
is the cost of one, start-up excluded. Everything a batch does is included: URL checks, redaction,
caps, isolated mappings, the journal and results file. Repeated three times: median and range.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_batch import FLOW
from benchmarks.instant_server import instant_server
from benchmarks.report import Figure

GOAL_MS = 1.0
SMALL, LARGE = 100, 1100
REPEATS = 3
REPO_ROOT = Path(__file__).resolve().parents[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(root_url: str, folder: Path, items: int, tag: str) -> float:
    """CPU seconds of one ``flow run`` over ``items`` items."""
    inputs = folder / f"items-{items}.jsonl"
    inputs.write_text(
        "".join(
            json.dumps({"url": f"https://images.example.com/{index}.jpg"}) + "\n"
            for index in range(items)
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PICSART_API_KEY": "benchmark-key",
        "PICSART_BASE_URL": root_url + "tools/1.0/",
        "PICSART_SPIKE_LIMIT": "1000000",
        "PICSART_ATTACHMENTS_DIR": str(folder / "store"),
    }
    for name in ("PICSART_REDIS_URL", "PICSART_BROKER_URL"):
        env.pop(name, None)
    before = _children_cpu()
    command = [sys.executable, "-m", "picsart_component", "flow", "run", str(folder / "flow.yaml")]
    command += ["--input", str(inputs), "--out", str(folder / f"out-{tag}.jsonl")]
    done = subprocess.run(
        [*command, "--workers", "8"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the run ended with {done.returncode}: {done.stderr[-1500:]}")
    return _children_cpu() - before


def measure() -> list[float]:
    """Milliseconds of CPU per paid call, once per repeat."""
    found = []
    with tempfile.TemporaryDirectory() as temporary, instant_server() as root_url:
        folder = Path(temporary)
        (folder / "flow.yaml").write_text(FLOW, encoding="utf-8")
        for repeat in range(REPEATS):
            small = _run(root_url, folder, SMALL, f"s{repeat}")
            large = _run(root_url, folder, LARGE, f"l{repeat}")
            found.append((large - small) * 1000 / (2 * (LARGE - SMALL)))
    return found


def run() -> list[Figure]:
    values = measure()
    median = statistics.median(values)
    return [
        Figure(
            "runner: CPU per paid call, against a server that answers at once",
            round(median, 2),
            "ms",
            f"<= {GOAL_MS} ms",
            median <= GOAL_MS,
            f"median of {REPEATS} (range {min(values):.2f} to {max(values):.2f} ms): the CPU of "
            f"`flow run` and its mapping processes for {LARGE} items less that for {SMALL}, "
            "over the 2000 extra calls; two steps, 8 workers, mappings isolated, journal synced",
        )
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
