"""A mapping's value, evaluated beside its field as the user types.

The same checks and words as ``flow validate`` (the parse, then the functions it calls) and the
same evaluator as ``flow run`` (a child process that is stopped when a mapping runs away). The
evaluator gives step inputs, which are objects, so a field's expression is evaluated as the
value of an object's one key and positions are told in the expression's own characters.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

from ..flows.evaluation import IsolatedEvaluator
from ..flows.mapping import ExpressionSyntaxError, MappingError, expression_facts
from ..flows.model import _function_problems

_KEY = "value"
_PREFIX = '{"' + _KEY + '": ('
_SUFFIX = "\n)}"
_AT_CHARACTER = re.compile(r"at character (\d+)")
_FUNCTION = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_FAILED = "the body expression failed: "


class Preview:
    """Evaluates expressions for one designer; ``close`` ends its child process."""

    def __init__(self) -> None:
        self._evaluator: IsolatedEvaluator | None = None
        self._lock = threading.Lock()

    def evaluate(self, expression: str, document: Mapping[str, Any]) -> dict[str, Any]:
        try:
            facts = expression_facts(expression)
        except ExpressionSyntaxError as error:
            return _error(str(error), shift=0)
        unknown = _function_problems("$", facts)
        if unknown:
            name, position = facts.unknown_functions()[0]
            return {
                "error": {
                    "message": f"{unknown[0].rule}",
                    "position": position,
                    "function": name,
                }
            }
        try:
            result = self._child().evaluate(_PREFIX + expression + _SUFFIX, document)
        except MappingError as error:
            return _error(str(error).removeprefix(_FAILED), shift=len(_PREFIX))
        if _KEY not in result:
            return {"undefined": True}
        return {"value": result[_KEY]}

    def _child(self) -> IsolatedEvaluator:
        with self._lock:
            if self._evaluator is None:
                self._evaluator = IsolatedEvaluator(1)
            return self._evaluator

    def close(self) -> None:
        with self._lock:
            if self._evaluator is not None:
                self._evaluator.close()
                self._evaluator = None


def _error(message: str, *, shift: int) -> dict[str, Any]:
    position: int | None = None
    found = _AT_CHARACTER.search(message)
    if found:
        position = max(0, int(found.group(1)) - shift)
        message = message[: found.start(1)] + str(position) + message[found.end(1) :]
    function = _FUNCTION.search(message)
    return {
        "error": {
            "message": message,
            "position": position,
            "function": function.group(1) if function else None,
        }
    }
