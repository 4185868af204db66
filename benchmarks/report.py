"""One shape for every benchmark figure (a measured value, its goal, and whether it is met), and
the median and range of a figure measured several times."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

REPEATS = 3
NO_GOAL = frozenset({"none", "information", "reported"})
"""Goals of figures shown for information, which nothing is judged against."""


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
        verdict = "—" if self.goal in NO_GOAL else "met" if self.met else "NOT met"
        measured = f"{self.value:g} {self.unit}".strip()
        return f"| {self.name} | {measured} | {self.goal} | {verdict} | {self.detail} |"


@dataclass(frozen=True)
class Spread:
    """Repeated measurements of one figure: their median, and their range as its uncertainty."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return float(statistics.median(self.values))

    def describe(self, digits: int = 2, unit: str = "") -> str:
        """``median of 3, range 0.91 to 0.95``, with the values rounded to ``digits``."""
        low, high = min(self.values), max(self.values)
        return f"median of {len(self.values)}, range {low:.{digits}f} to {high:.{digits}f}{unit}"


def repeated(measure: Callable[[], float], times: int = REPEATS) -> Spread:
    return Spread(tuple(measure() for _ in range(times)))


def spread(values: Sequence[float]) -> Spread:
    return Spread(tuple(values))


def median_run(runs: Sequence[T], key: Callable[[T], float]) -> T:
    """The run whose ``key`` is the median (the upper one of an even count), to describe it."""
    return sorted(runs, key=key)[len(runs) // 2]


def print_table(figures: list[Figure]) -> None:
    print("| figure | measured | goal | verdict | detail |")
    print("|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
