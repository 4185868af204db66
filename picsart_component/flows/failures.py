"""What failed items have in common: the stop after one error in a row, and the commonest errors.

A mistake in a flow (a mapping that gives a field the wrong value, a step that cannot take what
the one before it gives) fails every item at the same step, after the earlier steps were paid
for. The run stops starting items once a few in a row, in the order they finish, failed the same
way, and the summary names the errors most items share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_STOP_AFTER_SAME_ERROR = 5

ErrorSignature = tuple[str, str, str]

_CORRELATION = re.compile(r"\s*\[correlation id [^\]]*\]")


def error_signature(error: Mapping[str, Any]) -> ErrorSignature:
    """What makes two failures the same: the step, the error's name and its message without the
    parts that differ from call to call (correlation ids)."""
    message = _CORRELATION.sub("", str(error.get("message", "")))
    return str(error.get("step", "")), str(error.get("name", "")), message


@dataclass
class SameErrorWatch:
    """Counts the items that fail in a row, in the order they finish, with one error."""

    limit: int
    signature: ErrorSignature | None = None
    count: int = 0

    def observe(self, error: Mapping[str, Any] | None) -> bool:
        """Takes in one finished item (``error`` None when it did not fail); True once the same
        error has failed ``limit`` items in a row (never with a limit of 0)."""
        if error is None:
            self.signature, self.count = None, 0
            return False
        signature = error_signature(error)
        if signature == self.signature:
            self.count += 1
        else:
            self.signature, self.count = signature, 1
        return 0 < self.limit <= self.count


def commonest(
    errors: Iterable[Mapping[str, Any]], most: int = 3
) -> list[tuple[int, ErrorSignature]]:
    """The errors that most of ``errors`` share, with how many share each, commonest first."""
    counts = Counter(error_signature(error) for error in errors)
    return [(count, signature) for signature, count in counts.most_common(most)]
