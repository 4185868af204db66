"""The groups a user finds the actions in, by what they work on: the catalogue's API for an
operation that makes a result, and two groups for the rest. The designer's palette and the
documentation site's action reference both show them."""

from __future__ import annotations

from picsart_component.catalogue.operations import BY_NAME, Operation

GROUPS = (
    ("image", "Image tools"),
    ("genai", "GenAI"),
    ("video", "Video"),
    ("vd", "Variable Data"),
    ("jobs", "Jobs and lookups"),
    ("utility", "Utility"),
)
UTILITY = frozenset({"makeRawRequest", "uploadImage", "uploadVideo"})
LOOKUP_RESULTS = frozenset({"credits", "names", "lookup"})
"""Operations that look something up rather than make a result: the jobs and lookups group."""


def group_of(action: str) -> str:
    """The palette group: the catalogue's API for an operation that makes a result; jobs and
    lookups for what only reads (a job, a list, the balance, a stored image); utility for
    the rest."""
    if action in UTILITY:
        return "utility"
    operation: Operation | None = BY_NAME.get(action)
    if operation is None or operation.result in LOOKUP_RESULTS:
        return "jobs"
    return operation.api


def grouped(names: list[str]) -> list[tuple[str, list[str]]]:
    """``names`` by group, in the groups' order, each group's title with its actions in order."""
    return [(title, [name for name in names if group_of(name) == key]) for key, title in GROUPS]
