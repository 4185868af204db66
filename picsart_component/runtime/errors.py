"""What the runtime knows of errors: broken input rules, and errors a component raises on purpose.

A component's own exceptions derive from ``ComponentError`` and say, through ``event_kind`` and
``event_fields``, what the executor should emit for them. The runtime never needs to know a
component's classes, so a component loaded under any package name is handled the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal


@dataclass(frozen=True)
class Problem:
    """One broken rule in an input: ``path`` is a JSON path such as ``$.image_url``."""

    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


class ComponentError(Exception):
    """Raised on purpose by a component; the executor turns it into an event, never a traceback.

    ``event_kind`` is ``"error"``, or ``"rebound"`` for a failure that passes with time (the
    platform then delivers the message again later). ``event_fields`` adds to the event's
    payload, beside ``name`` and ``message``.
    """

    event_kind: ClassVar[Literal["error", "rebound"]] = "error"

    def event_fields(self) -> dict[str, Any]:
        return {}


class InputError(ComponentError):
    """The input breaks one or more rules; nothing was sent anywhere."""

    def __init__(self, problems: list[Problem], summary: str = "Invalid input") -> None:
        self.problems = list(problems)
        self.summary = summary
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.summary}: " + "; ".join(str(p) for p in self.problems)

    def event_fields(self) -> dict[str, Any]:
        return {"problems": [{"path": p.path, "rule": p.rule} for p in self.problems]}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the choice closest to ``word`` (any case), or ``""``.

    A choice that ``word`` abbreviates (its letters in order, from the same first letter, as
    ``removeBg`` abbreviates ``removeBackground``) is preferred to one merely spelt alike.
    """
    by_lower = {choice.lower(): choice for choice in choices}
    wanted = word.lower()
    if all(len(wanted) > 3 * len(choice) for choice in by_lower):
        return ""  # neither an abbreviation nor a 0.6 likeness can be that much longer
    abbreviated = [
        choice
        for choice in by_lower
        if len(wanted) >= 3 and choice[:1] == wanted[:1] and _in_order(wanted, choice)
    ]
    pool = abbreviated or list(by_lower)
    cutoff = 0.0 if abbreviated else 0.6
    close = difflib.get_close_matches(wanted, pool, n=1, cutoff=cutoff)
    return f"; did you mean {by_lower[close[0]]!r}?" if close else ""


def _in_order(letters: str, text: str) -> bool:
    remaining = iter(text)
    return all(letter in remaining for letter in letters)


def error_payload(error: BaseException) -> dict[str, Any]:
    """An error as an ``error`` or ``rebound`` event carries it: name, message, and its fields."""
    payload: dict[str, Any] = {"name": type(error).__name__, "message": str(error)}
    if isinstance(error, ComponentError):
        payload.update(error.event_fields())
    return payload
