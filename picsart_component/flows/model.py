"""Flow files: an ordered list of steps, read from YAML or JSON and checked before anything runs.

Every check runs without a network call, so ``flow validate`` and the start of ``flow run`` find
a typo in a step before a single credit is spent. Problems are reported with JSON paths into the
file (``$[1].body``), like the executor reports problems in a message body.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from ..runtime.documents import DocumentError, load_yaml, loads_json
from ..runtime.errors import Problem, did_you_mean
from ..runtime.manifest import load_schema, reject_duplicate_keys
from ..runtime.validation import json_path
from .mapping import (
    ExpressionFacts,
    ExpressionSyntaxError,
    StepBody,
    facts_if_parsed,
    function_hint,
    root_names,
)

if TYPE_CHECKING:
    from ..runtime.executor import Executor

INPUT_NAME = "input"
STEP_FIELDS = ("id", "action", "body", "cfg", "description")
ID_RULE = (
    "must start with a letter or _ and hold only letters, digits and _, because later steps read "
    "it as a name in JSONata"
)

FLOW_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "picsart-flow flow file",
    "description": (
        "An ordered list of steps. Each step runs one action on an input object made by its body "
        'from {"input": <item>, "<earlier step id>": <its output>, ...}.'
    ),
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["id", "action", "body"],
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                "description": "The step's name; later steps read its output under this name.",
            },
            "action": {
                "type": "string",
                "minLength": 1,
                "description": "The action to run, as `picsart-flow actions` lists it.",
            },
            "description": {"type": "string", "description": "A note for people; not used."},
            "cfg": {
                "type": "object",
                "description": "The action's config fields, e.g. {downloadResult: true}.",
            },
            "body": {
                "type": ["string", "object"],
                "minLength": 1,
                "description": (
                    "A JSONata expression that gives the action's input object, or that object "
                    "itself, fixed."
                ),
            },
        },
    },
}

_TYPE_NAMES = {"string": "a string", "object": "an object", "array": "a list"}


class FlowFileError(Exception):
    """The flow file cannot be used; ``problems`` says every reason, each with its place."""

    def __init__(self, path: Path, problems: list[Problem], *, unreadable: bool = False) -> None:
        super().__init__(f"{path}: " + "; ".join(str(p) for p in problems))
        self.path = path
        self.problems = problems
        self.unreadable = unreadable
        """The file could not be read or parsed at all (a usage error), rather than being an
        invalid flow."""


@dataclass(frozen=True)
class FlowStep:
    id: str
    action: str
    body: StepBody
    cfg: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    """A checked flow. ``fingerprint`` tells a resumed run whether the flow is still the same."""

    path: Path
    steps: tuple[FlowStep, ...]
    fingerprint: str

    def step_ids(self) -> list[str]:
        return [step.id for step in self.steps]


def load_flow(path: Path, executor: Executor) -> Flow:
    """The flow in ``path``, or ``FlowFileError`` naming every problem in it."""
    document = read_flow_document(path)
    problems = flow_problems(document, executor)
    if problems:
        raise FlowFileError(path, problems)
    return flow_from_document(path, document)


def read_flow_document(path: Path) -> Any:
    """The file's content as JSON data: ``.json`` files as JSON, anything else as YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FlowFileError(
            path, [Problem("$", f"cannot be read: {error.strerror}")], unreadable=True
        ) from None
    except UnicodeDecodeError:
        raise FlowFileError(path, [Problem("$", "is not UTF-8 text")], unreadable=True) from None
    try:
        if path.suffix.lower() == ".json":
            return loads_json(text, object_pairs_hook=reject_duplicate_keys)
        return load_yaml(text, _StrictYamlLoader)
    except DocumentError as error:
        raise FlowFileError(path, [Problem("$", str(error))], unreadable=True) from None
    except json.JSONDecodeError as error:
        rule = f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise FlowFileError(path, [Problem("$", rule)], unreadable=True) from None
    except ValueError as error:
        raise FlowFileError(path, [Problem("$", str(error))], unreadable=True) from None
    except yaml.YAMLError as error:
        raise FlowFileError(path, [Problem("$", _yaml_problem(error))], unreadable=True) from None


class _StrictYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice is an error instead of a silent win."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, str | int | float | bool) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictYamlLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,
)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"is not valid YAML: {problem}{where}"


def flow_problems(document: Any, executor: Executor) -> list[Problem]:
    """Everything wrong with a flow document: schema, actions, cfg, bodies, references."""
    problems = _non_json_values(document)
    if problems:
        return problems
    validator = Draft202012Validator(FLOW_SCHEMA)
    broken: set[tuple[int, str]] = set()
    for error in validator.iter_errors(document):
        problems.extend(_describe(error))
        path = list(error.absolute_path)
        if len(path) >= 2 and isinstance(path[0], int) and isinstance(path[1], str):
            broken.add((path[0], path[1]))
    if isinstance(document, list):
        ids = [_field(step, "id", str) for step in document]
        for index, step in enumerate(document):
            if isinstance(step, dict):
                usable = {
                    name: value
                    for name, value in step.items()
                    if name in STEP_FIELDS and (index, name) not in broken
                }
                problems.extend(_step_problems(index, usable, ids, executor))
    return sorted(problems, key=_step_order)


def _field(step: Any, name: str, kind: type) -> Any:
    value = step.get(name) if isinstance(step, dict) else None
    return value if isinstance(value, kind) else None


def _step_order(problem: Problem) -> tuple[int, str]:
    """Problems of step 1 before those of step 2 (``$[10]`` after ``$[9]``)."""
    if problem.path.startswith("$["):
        index = problem.path[2 : problem.path.find("]")]
        if index.isdigit():
            return int(index), problem.path
    return -1, problem.path


def flow_from_document(path: Path, document: list[dict[str, Any]]) -> Flow:
    steps = tuple(
        FlowStep(
            id=raw["id"],
            action=raw["action"],
            body=StepBody(expression=raw["body"])
            if isinstance(raw["body"], str)
            else StepBody(fixed=raw["body"]),
            cfg=dict(raw.get("cfg") or {}),
        )
        for raw in document
    )
    canonical = json.dumps(
        [
            {
                "id": s.id,
                "action": s.action,
                "cfg": s.cfg,
                "body": s.body.expression or s.body.fixed,
            }
            for s in steps
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return Flow(path, steps, hashlib.sha256(canonical.encode()).hexdigest())


def _step_problems(
    index: int, step: dict[str, Any], ids: list[Any], executor: Executor
) -> list[Problem]:
    """The checks beyond the schema, on the fields of one step that passed it."""
    here = f"$[{index}]"
    step_id, action, body = step.get("id"), step.get("action"), step.get("body")
    problems: list[Problem] = []
    if step_id == INPUT_NAME:
        problems.append(
            Problem(f"{here}.id", "'input' is the name of the item itself; choose another id")
        )
    elif step_id is not None and step_id in ids[:index]:
        first = ids.index(step_id)
        problems.append(
            Problem(f"{here}.id", f"{step_id!r} is already the id of step {first + 1} ($[{first}])")
        )
    facts = None
    if isinstance(body, str):
        problems.extend(_expression_problems(here, body, ids, index))
        facts = facts_if_parsed(body)
        if facts is not None:
            problems.extend(_function_problems(here, facts))
    if not isinstance(action, str):
        return problems
    spec = executor.manifest.actions.get(action)
    if spec is None:
        hint = executor.manifest.unknown_action_hint(action)
        problems.append(Problem(f"{here}.action", f"unknown action {action!r}{hint}"))
        return problems
    if facts is not None:
        problems.extend(_result_field_problems(here, facts, action, executor))
    cfg = step.get("cfg", {})
    cfg_problems = _cfg_problems(here, action, cfg, spec.fields, executor) if "cfg" in step else []
    problems.extend(cfg_problems)
    if isinstance(body, dict):
        problems.extend(
            Problem(f"{here}.body{p.path[1:]}", p.rule)
            for p in executor.input_problems(action, body, None)
        )
    return problems


def _cfg_problems(
    here: str,
    action: str,
    cfg: dict[str, Any],
    fields: Mapping[str, Any],
    executor: Executor,
) -> list[Problem]:
    credentials = executor.manifest.credentials.get("fields", {})
    problems: list[Problem] = []
    for key in cfg:
        if key in credentials:
            problems.append(
                Problem(
                    f"{here}.cfg.{key}",
                    "is a credential; give it with --cfg or the environment (PICSART_API_KEY, "
                    "PICSART_BASE_URL), never in a flow file",
                )
            )
        elif key not in fields:
            known = ", ".join(fields) or "none"
            problems.append(
                Problem(
                    f"{here}.cfg.{key}",
                    f"is not a config field of {action}"
                    f"{did_you_mean(key, fields) or ';'} its fields are: {known}",
                )
            )
    if problems:
        return problems
    return [
        Problem(f"{here}.{p.path}", p.rule)
        for p in executor.input_problems(action, {}, cfg)
        if p.path.startswith("cfg")
    ]


def _function_problems(here: str, facts: ExpressionFacts) -> list[Problem]:
    return [
        Problem(
            f"{here}.body",
            f"calls ${name}, which is not a JSONata function (at character {position})"
            f"{function_hint(name) or '; see https://docs.jsonata.org/overview for the list'}",
        )
        for name, position in facts.unknown_functions()
    ]


def _result_field_problems(
    here: str, facts: ExpressionFacts, action: str, executor: Executor
) -> list[Problem]:
    """The keys the body writes literally that the action has no field for (as a fixed body's
    are checked), and the literal values its rules refuse."""
    metadata = executor.manifest.action(action).metadata
    if not metadata.in_ or not facts.result_fields:
        return []
    schema = load_schema(executor.root, metadata.in_)
    properties = schema.get("properties")
    if not isinstance(properties, dict) or schema.get("additionalProperties") is not False:
        return []
    problems = []
    for result in facts.result_fields:
        if result.name not in properties:
            problems.append(
                Problem(
                    f"{here}.body",
                    f"makes the key {result.name!r} (at character {result.position}), which is "
                    f"not a field of {action}{did_you_mean(result.name, properties) or ';'} its "
                    f"fields are: {', '.join(properties)}",
                )
            )
    literal = {
        result.name: result.value
        for result in facts.result_fields
        if result.literal_value and result.name in properties
    }
    if literal:
        places = {f"$.{name}": name for name in literal}
        problems.extend(
            Problem(
                f"{here}.body",
                f"gives {places[p.path]!r} the value {literal[places[p.path]]!r}, which {p.rule}",
            )
            for p in executor.input_problems(action, literal, None)
            if p.path in places
        )
    return problems


def _expression_problems(here: str, expression: str, ids: list[Any], index: int) -> list[Problem]:
    try:
        names = root_names(expression)
    except ExpressionSyntaxError as error:
        return [Problem(f"{here}.body", f"is not a valid JSONata expression: {error}")]
    earlier = list(dict.fromkeys(name for name in ids[:index] if isinstance(name, str)))
    later = [name for name in ids[index + 1 :] if isinstance(name, str)]
    readable = ", ".join([INPUT_NAME, *earlier])
    problems = []
    for name in sorted(names):
        if name == INPUT_NAME or name in earlier:
            continue
        if name == ids[index] and name not in earlier:
            rule = f"reads {name!r}, this step's own output, which does not exist yet"
        elif name in later:
            rule = (
                f"reads step {name!r}, which runs later; a step can read only input and the "
                f"steps before it ({readable})"
            )
        else:
            rule = (
                f"reads {name!r}, which is neither input nor an earlier step; it can read: "
                f"{readable}"
            )
        problems.append(Problem(f"{here}.body", rule))
    return problems


def _describe(error: SchemaError) -> list[Problem]:
    path = json_path(error.absolute_path)
    keyword = error.validator
    if keyword == "required":
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        present: Any = error.instance
        missing = [name for name in required if name not in present]
        return [Problem(json_path([*error.absolute_path, name]), "is required") for name in missing]
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        known = ", ".join(STEP_FIELDS)
        return [
            Problem(json_path([*error.absolute_path, key]), f"is not a field of a step ({known})")
            for key in error.instance
            if key not in STEP_FIELDS
        ]
    if keyword == "type":
        expected: Any = error.validator_value
        names = " or ".join(
            _TYPE_NAMES.get(name, name)
            for name in ([expected] if isinstance(expected, str) else expected)
        )
        if not error.absolute_path:
            return [Problem(path, "a flow file must be a list of steps")]
        if len(error.absolute_path) == 1:
            return [Problem(path, "a step must be an object with id, action and body")]
        if path.endswith(".body"):
            return [Problem(path, "must be a JSONata expression (a string) or a fixed JSON object")]
        return [Problem(path, f"must be {names}")]
    if keyword == "pattern":
        return [Problem(path, ID_RULE)]
    if keyword == "minItems":
        return [Problem(path, "a flow needs at least one step")]
    if keyword == "minLength":
        return [Problem(path, "must not be empty")]
    return [Problem(path, str(error.message))]


def _non_json_values(document: Any) -> list[Problem]:
    """Values YAML can write but JSON cannot hold (dates, NaN, binary): a step would fail later."""
    return [Problem(json_path(path), rule) for path, rule in _walk_non_json(document, ())]


def _walk_non_json(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield (*path, str(key)), "is a name that is not text; put it in quotes"
            else:
                yield from _walk_non_json(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_non_json(item, (*path, index))
    elif isinstance(value, datetime.date | datetime.datetime):
        yield path, "is a YAML date, which JSON cannot hold; put it in quotes"
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, "is not a finite number, which JSON cannot hold"
    elif not (value is None or isinstance(value, str | int | float | bool)):
        yield path, f"is a YAML {type(value).__name__}, which JSON cannot hold"
