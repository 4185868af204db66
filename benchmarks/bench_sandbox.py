"""The sandbox's throughput, served from its own process as the CLI does: ``GET balance``, and
Remove background and Upscale on a small photo it fetches from loopback and on a stand-in for a
URL it cannot fetch (480x360, drawn once and kept)."""

from __future__ import annotations

from benchmarks.report import Figure
from benchmarks.sandbox_throughput import measure_balance_throughput, measure_image_throughput

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
    figures = [
        Figure(
            "sandbox: GET balance throughput",
            rate,
            "req/s",
            f">= {GOAL:g} req/s",
            rate >= GOAL,
            detail,
        )
    ]
    for operation in ("removebg", "upscale"):
        small = measure_image_throughput(operation, None, seconds)
        stand_in = measure_image_throughput(
            operation, "https://images.example.com/benchmark.jpg", seconds
        )
        small_rate = float(small["requests_per_second"])
        figures.append(
            Figure(
                f"sandbox: {operation} throughput, 96x72 photo",
                small_rate,
                "req/s",
                f">= {GOAL:g} req/s",
                small_rate >= GOAL,
                f"{small['requests']} answers in {small['seconds']} s from 8 client threads in "
                f"this process, {small['errors']} errors; the photo fetched from loopback each "
                f"time; on a 480x360 stand-in: {stand_in['requests_per_second']}/s",
            )
        )
    return figures


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
