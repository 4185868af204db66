"""The sandbox's throughput, served from its own process as the CLI does: ``GET balance`` against
the same server stack around a trivial app, and Remove background and Upscale on a small photo it
fetches from loopback and on a stand-in for a URL it cannot fetch (480x360, drawn once and kept),
with the image worker processes ``picsart-flow sandbox`` starts by default, and once with all the
work in the serving process.

Each rate is measured three times; sandbox and trivial server alternate, so that a change in the
machine's load touches both. The figures are medians, with their range."""

from __future__ import annotations

from benchmarks.report import REPEATS, Figure, spread
from benchmarks.sandbox_throughput import (
    measure_balance_throughput,
    measure_image_throughput,
    measure_trivial_throughput,
)
from picsart_component.sandbox.command import DEFAULT_IMAGE_PROCESSES

GOAL = 300.0
BALANCE_GOAL = 0.9
STAND_IN_URL = "https://images.example.com/benchmark.jpg"


def run(seconds: float = 2.0) -> list[Figure]:
    balance_rates, trivial_rates = [], []
    for _ in range(REPEATS):
        balance_rates.append(
            float(
                measure_balance_throughput(seconds, 8, separate_process=True)["requests_per_second"]
            )
        )
        trivial_rates.append(float(measure_trivial_throughput(seconds, 8)["requests_per_second"]))
    ratios = spread(
        [round(own / trivial, 2) for own, trivial in zip(balance_rates, trivial_rates, strict=True)]
    )
    balance, trivial = spread(balance_rates), spread(trivial_rates)
    figures = [
        Figure(
            "sandbox: GET balance / a trivial app on the same server stack",
            ratios.median,
            "",
            f">= {BALANCE_GOAL:g}",
            ratios.median >= BALANCE_GOAL,
            f"{ratios.describe()}; sandbox {balance.median:.0f} req/s "
            f"({balance.describe(0)}), trivial app {trivial.median:.0f} req/s "
            f"({trivial.describe(0)}); 8 client threads, each server in its own process, "
            "alternating",
        ),
        Figure(
            "sandbox: GET balance throughput",
            round(balance.median),
            "req/s",
            f">= {GOAL:g} req/s",
            balance.median >= GOAL,
            f"{balance.describe(0)}",
        ),
    ]
    for operation in ("removebg", "upscale"):
        small = spread(
            [
                float(measure_image_throughput(operation, None, seconds)["requests_per_second"])
                for _ in range(REPEATS)
            ]
        )
        fetched = measure_image_throughput(operation, "loopback", seconds)
        stand_in = measure_image_throughput(operation, STAND_IN_URL, seconds)
        serving = measure_image_throughput(operation, None, seconds, image_processes=0)
        figures.append(
            Figure(
                f"sandbox: {operation} throughput, 96x72 photo",
                round(small.median),
                "req/s",
                f">= {GOAL:g} req/s",
                small.median >= GOAL,
                f"{small.describe(0)}, {small.median / trivial.median:.0%} of the trivial app's "
                "rate; 8 client threads, the photo sent in each request, "
                f"{DEFAULT_IMAGE_PROCESSES} image processes; all in the serving process "
                f"(--image-processes 0): "
                f"{serving['requests_per_second']:.0f}/s; fetched by the sandbox "
                f"from loopback: {fetched['requests_per_second']:.0f}/s; on a 480x360 stand-in "
                f"it draws for a URL it cannot fetch: {stand_in['requests_per_second']:.0f}/s",
            )
        )
    return figures


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
