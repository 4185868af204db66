"""Start-up: ``picsart-flow --help`` vs ``python -c "import requests"``, both as fresh processes.

The CLI imports its heavy modules inside the commands, so its help should cost no more than
twice a bare import of requests. The two commands alternate, 15 runs each; their medians are
compared. That is done three times: the median ratio and its range.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import REPEATS, Figure, median_run, spread

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
    medians: list[tuple[float, float]] = []
    for _ in range(REPEATS):
        help_times, import_times = [], []
        for _ in range(runs):
            help_times.append(_seconds(help_command))
            import_times.append(_seconds(baseline))
        medians.append((statistics.median(help_times), statistics.median(import_times)))
    ratios = spread([help_s / import_s for help_s, import_s in medians])
    help_s, import_s = median_run(medians, lambda pair: pair[0] / pair[1])
    detail = (
        f"{ratios.describe()}; in the median round {help_s * 1000:.0f} ms for picsart-flow "
        f"--help vs {import_s * 1000:.0f} ms for import requests (medians of {runs} runs each)"
    )
    return [
        Figure(
            "start-up: --help / import requests",
            round(ratios.median, 2),
            "",
            f"<= {GOAL:g}",
            ratios.median <= GOAL,
            detail,
        )
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
