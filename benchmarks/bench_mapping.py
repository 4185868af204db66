"""Mappings: what evaluating a body in a child process costs beside evaluating it in-process.

A batch evaluates every JSONata body in a child process that can be stopped for certain (see
``picsart_component/flows/evaluation.py``). This measures, side by side, the wall time per
evaluation and this process's CPU per evaluation for the two-step flow's mapping, isolated and
in-process. The goal is that isolation stays well under a millisecond of this process's CPU,
the budget one paid call has for everything the runner does. Measured three times: the median and
its range.
"""

from __future__ import annotations

import time

from benchmarks.report import REPEATS, Figure, spread
from picsart_component.flows.evaluation import InProcessEvaluator, IsolatedEvaluator

EXPRESSION = '{"image": cutout.attachmentUrl, "upscale_factor": 2, "format": "PNG"}'
DOCUMENT = {
    "input": {"image": "file:///tmp/a.png", "file": "a.png"},
    "cutout": {"status": "success", "data": {"url": "http://x/r.png"}, "attachmentUrl": "x"},
}
EVALUATIONS = 2000
GOAL_CPU_MS = 0.5


def _measure(evaluate: InProcessEvaluator | IsolatedEvaluator) -> tuple[float, float]:
    evaluate.evaluate(EXPRESSION, DOCUMENT)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(EVALUATIONS):
        evaluate.evaluate(EXPRESSION, DOCUMENT)
    return (
        (time.perf_counter() - wall) / EVALUATIONS * 1000,
        (time.process_time() - cpu) / EVALUATIONS * 1000,
    )


def run() -> list[Figure]:
    in_process: list[tuple[float, float]] = []
    isolated_runs: list[tuple[float, float]] = []
    with IsolatedEvaluator() as isolated:
        for _ in range(REPEATS):
            in_process.append(_measure(InProcessEvaluator()))
            isolated_runs.append(_measure(isolated))
    iso_cpu = spread([cpu for _, cpu in isolated_runs])
    ratios = spread([iso[0] / own[0] for iso, own in zip(isolated_runs, in_process, strict=True)])
    iso_wall = spread([wall for wall, _ in isolated_runs])
    in_wall = spread([wall for wall, _ in in_process])
    in_cpu = spread([cpu for _, cpu in in_process])
    detail = (
        f"{EVALUATIONS} evaluations, {REPEATS} times: isolated {iso_wall.median:.3f} ms wall "
        f"and {iso_cpu.median:.3f} ms of this process's CPU each; in-process "
        f"{in_wall.median:.3f} ms wall, {in_cpu.median:.3f} ms CPU (medians)"
    )
    return [
        Figure(
            "mapping: parent CPU per isolated evaluation",
            round(iso_cpu.median, 3),
            "ms",
            f"<= {GOAL_CPU_MS:g} ms",
            iso_cpu.median <= GOAL_CPU_MS,
            f"{iso_cpu.describe(3, ' ms')}; {detail}",
        ),
        Figure(
            "mapping: isolated / in-process wall time",
            round(ratios.median, 2),
            "",
            "information",
            True,
            f"{ratios.describe()}; {detail}",
        ),
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
