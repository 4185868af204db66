"""``flow run --dry-run``: every mapping and every step's input checked for every item, unpaid.

No request is sent and nothing is copied into the attachment store. A later step maps from
stand-ins for the earlier steps' outputs, made from each action's out-schema: every string is a
URL under ``https://dry-run.invalid/<step id>/`` (so that it passes where a URL is expected),
numbers are 0, booleans false, lists empty. What a dry run cannot know is what Picsart will say
about the images themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..runtime.manifest import load_schema
from .inputs import InputItem, ItemKey, dry_run_item_input
from .mapping import NOT_A_FUNCTION_CODES, ExpressionEvaluator, MappingError, facts_if_parsed
from .model import INPUT_NAME, Flow, FlowStep

if TYPE_CHECKING:
    from ..runtime.errors import Problem
    from ..runtime.executor import Executor

PLACEHOLDER_ROOT = "https://dry-run.invalid"


@dataclass
class DryRunItem:
    key: ItemKey
    problems: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"item": self.key, "problems": self.problems}


def dry_run(
    flow: Flow,
    items: list[InputItem],
    executor: Executor,
    cfg: Mapping[str, Any],
    evaluator: ExpressionEvaluator,
    on_item: Callable[[DryRunItem], None] = lambda report: None,
) -> list[DryRunItem]:
    """The problems of every item (an empty list for a good one), in input order."""
    stand_ins = {step.id: placeholder_output(executor, step) for step in flow.steps}
    reports = []
    for item in items:
        report = DryRunItem(item.key)
        if item.problem is not None:
            report.problems.append({"step": INPUT_NAME, "path": "$", "rule": item.problem})
        else:
            document: dict[str, Any] = {INPUT_NAME: dry_run_item_input(item)}
            for step in flow.steps:
                report.problems.extend(_step_problems(step, document, executor, cfg, evaluator))
                document[step.id] = stand_ins[step.id]
        on_item(report)
        reports.append(report)
    return reports


def _step_problems(
    step: FlowStep,
    document: dict[str, Any],
    executor: Executor,
    cfg: Mapping[str, Any],
    evaluator: ExpressionEvaluator,
) -> list[dict[str, str]]:
    checked = _checked_step(step, document, executor, cfg, evaluator)
    if isinstance(checked, MappingError):
        return [{"step": step.id, "path": "$", "rule": str(checked)}]
    return [{"step": step.id, "path": problem.path, "rule": problem.rule} for problem in checked]


def _checked_step(
    step: FlowStep,
    document: dict[str, Any],
    executor: Executor,
    cfg: Mapping[str, Any],
    evaluator: ExpressionEvaluator,
) -> MappingError | list[Problem]:
    """Why ``step``'s body cannot be made for ``document`` (the mapping's error), or what its
    input breaks (nothing, when it is good)."""
    try:
        body = step.body.evaluate(document, evaluator)
    except MappingError as error:
        return error
    return executor.input_problems(step.action, body, {**cfg, **step.cfg})


@dataclass(frozen=True)
class PreflightFinding:
    """A step whose mapping fails for the first item before anything is paid. ``blocking``: the
    failure does not depend on the data (an unknown function, an unknown field, a syntax error),
    so every item would meet it."""

    step: str
    expression: str | None
    message: str
    blocking: bool

    def describe(self) -> str:
        mapping = f" {self.expression!r}" if self.expression is not None else ""
        return f"step {self.step}, mapping{mapping}: {self.message}"


def preflight(
    flow: Flow,
    item: InputItem,
    executor: Executor,
    cfg: Mapping[str, Any],
    evaluator: ExpressionEvaluator,
) -> list[PreflightFinding]:
    """Every step's mapping evaluated for ``item``, the earlier steps' outputs stood in for by
    values made from their out-schemas, and each result checked against its step's input."""
    document: dict[str, Any] = {INPUT_NAME: dry_run_item_input(item)}
    findings = []
    for step in flow.steps:
        expression = step.body.expression
        facts = facts_if_parsed(expression)
        checked = _checked_step(step, document, executor, cfg, evaluator)
        if isinstance(checked, MappingError):
            blocking = checked.code is not None and (
                checked.code.startswith("S0")
                or (
                    checked.code in NOT_A_FUNCTION_CODES
                    and (facts is None or bool(facts.unknown_functions()))
                )
            )
            findings.append(PreflightFinding(step.id, expression, str(checked), blocking))
        else:
            # A problem with a key the mapping writes as a literal, or with a literal value it
            # writes, is the mapping's, whatever the item.
            keys = {result.name for result in facts.result_fields} if facts else set()
            values = {r.name for r in facts.result_fields if r.literal_value} if facts else set()
            for problem in checked:
                name = problem.path[2:].split(".")[0].split("[")[0]
                blocking = problem.path.startswith("$.") and (
                    name in values or (name in keys and problem.rule.startswith("is not a field"))
                )
                message = f"{problem.path}: {problem.rule}"
                findings.append(PreflightFinding(step.id, expression, message, blocking))
        document[step.id] = placeholder_output(executor, step)
    return findings


def placeholder_output(executor: Executor, step: FlowStep) -> Any:
    """A stand-in for ``step``'s output that looks like a real one."""
    metadata = executor.manifest.action(step.action).metadata
    if not metadata.out:
        return {}
    schema = load_schema(executor.root, metadata.out)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        # An output holds an error only when its step failed under "emit the error as data".
        schema = {**schema, "properties": {k: v for k, v in properties.items() if k != "error"}}
    return _placeholder(schema, step.id, ())


def _placeholder(schema: Mapping[str, Any], step_id: str, path: tuple[str, ...]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    properties = schema.get("properties")
    if kind == "object" or isinstance(properties, dict):
        return {
            name: _placeholder(sub, step_id, (*path, name))
            for name, sub in (properties or {}).items()
            if isinstance(sub, dict)
        }
    if kind == "string":
        return "/".join((PLACEHOLDER_ROOT, step_id, *path))
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return {}
