"""Every benchmark in one run: ``python -m benchmarks [NAME ...]``.

Each figure is a ratio or a count measured side by side in this run, against the sandbox on
loopback, and printed with its goal. Nothing here is a pass/fail test; the exit code is 0 either
way, so that a slow machine never breaks a build.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from benchmarks.report import Figure, print_table

BENCHMARKS = {
    "overhead": "benchmarks.bench_overhead",
    "memory": "benchmarks.bench_memory",
    "batch": "benchmarks.bench_batch",
    "rate300": "benchmarks.bench_flow_rate",
    "runner": "benchmarks.bench_runner",
    "mapping": "benchmarks.bench_mapping",
    "startup": "benchmarks.bench_startup",
    "sandbox": "benchmarks.bench_sandbox",
    "sailor": "benchmarks.bench_sailor",
    "shared": "benchmarks.bench_shared_limit",
    "distributed": "benchmarks.bench_distributed",
}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure every performance figure side by side in one run and print a table "
        "with each figure's goal. Nothing here is a pass/fail test; it always exits 0.",
        epilog="Example: python -m benchmarks overhead startup",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"the benchmarks to run (default: all): {', '.join(BENCHMARKS)}",
    )
    names: list[str] = parser.parse_args(argv).names
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    figures: list[Figure] = []
    for name in names or list(BENCHMARKS):
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.extend(importlib.import_module(BENCHMARKS[name]).run())
        print(f"  {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print_table(figures)


if __name__ == "__main__":
    main(sys.argv[1:])
