"""The sandbox's throughput on ``GET balance``, served from its own process as the CLI does."""

from __future__ import annotations

from benchmarks.report import Figure
from benchmarks.sandbox_throughput import measure_balance_throughput

GOAL = 300.0


def run(seconds: float = 3.0) -> list[Figure]:
    own = measure_balance_throughput(seconds, workers=8, separate_process=True)
    shared = measure_balance_throughput(seconds, workers=8, separate_process=False)
    rate = float(own["requests_per_second"])
    detail = (
        f"{own['requests']} answers in {own['seconds']} s from 8 client threads, "
        f"{own['errors']} errors; {shared['requests_per_second']}/s when the sandbox shares "
        "the clients' process and GIL"
    )
    return [
        Figure(
            "sandbox: GET balance throughput",
            rate,
            "req/s",
            f">= {GOAL:g} req/s",
            rate >= GOAL,
            detail,
        )
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
