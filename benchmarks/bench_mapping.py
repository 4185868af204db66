"""Mappings: what evaluating a body in a child process costs beside evaluating it in-process.

A batch evaluates every JSONata body in a child process that can be stopped for certain (see
``picsart_component/flows/evaluation.py``). This measures, side by side, the wall time per
evaluation and this process's CPU per evaluation for the two-step flow's mapping, isolated and
in-process. The goal is that isolation stays well under a millisecond of this process's CPU,
the budget one paid call has for everything the runner does.
"""

from __future__ import annotations

import time

from benchmarks.report import Figure
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
    in_wall, in_cpu = _measure(InProcessEvaluator())
    with IsolatedEvaluator() as isolated:
        iso_wall, iso_cpu = _measure(isolated)
    detail = (
        f"{EVALUATIONS} evaluations: isolated {iso_wall:.3f} ms wall and {iso_cpu:.3f} ms of this "
        f"process's CPU each; in-process {in_wall:.3f} ms wall, {in_cpu:.3f} ms CPU"
    )
    return [
        Figure(
            "mapping: parent CPU per isolated evaluation",
            round(iso_cpu, 3),
            "ms",
            f"<= {GOAL_CPU_MS:g} ms",
            iso_cpu <= GOAL_CPU_MS,
            detail,
        ),
        Figure(
            "mapping: isolated / in-process wall time",
            round(iso_wall / in_wall, 2),
            "",
            "information",
            True,
            detail,
        ),
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
