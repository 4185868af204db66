"""Start-up: ``picsart-flow --help`` vs ``python -c "import requests"``, both as fresh processes.

The CLI imports its heavy modules inside the commands, so its help should cost no more than
twice a bare import of requests. The two commands alternate; medians of each are compared.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Figure

RUNS = 15
GOAL = 2.0


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def run(runs: int = RUNS) -> list[Figure]:
    script = Path(sys.executable).parent / "picsart-flow"
    help_command = (
        [str(script), "--help"]
        if script.is_file()
        else [sys.executable, "-m", "picsart_component", "--help"]
    )
    baseline = [sys.executable, "-c", "import requests"]
    help_times, import_times = [], []
    for _ in range(runs):
        help_times.append(_seconds(help_command))
        import_times.append(_seconds(baseline))
    help_s, import_s = statistics.median(help_times), statistics.median(import_times)
    ratio = help_s / import_s
    detail = (
        f"median {help_s * 1000:.0f} ms for picsart-flow --help vs {import_s * 1000:.0f} ms "
        f"for import requests, {runs} runs each"
    )
    return [
        Figure(
            "start-up: --help / import requests",
            round(ratio, 2),
            "",
            f"<= {GOAL:g}",
            ratio <= GOAL,
            detail,
        )
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
