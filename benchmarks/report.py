"""One shape for every benchmark figure: a measured value, its goal, and whether it is met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A ratio or count measured side by side in one run."""

    name: str
    value: float
    unit: str
    goal: str
    met: bool
    detail: str = ""

    def row(self) -> str:
        verdict = "met" if self.met else "NOT met"
        measured = f"{self.value:g} {self.unit}".strip()
        return f"| {self.name} | {measured} | {self.goal} | {verdict} | {self.detail} |"


def print_table(figures: list[Figure]) -> None:
    print("| figure | measured | goal | verdict | detail |")
    print("|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
