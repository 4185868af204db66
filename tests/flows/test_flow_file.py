"""Flow files: every kind of mistake is found before anything runs, and named by its place."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from picsart_component.flows.model import FLOW_SCHEMA, FlowFileError, load_flow
from picsart_component.runtime.executor import Executor
from picsart_component.sandbox import RunningSandbox
from tests.conftest import REPO_ROOT
from tests.flows.flow_support import TWO_STEPS, invoke, write_items

EXAMPLE = REPO_ROOT / "examples" / "cutout-then-upscale.yaml"


@pytest.fixture(scope="module")
def executor() -> Executor:
    return Executor()


def problems_of(path: Path, executor: Executor) -> list[str]:
    with pytest.raises(FlowFileError) as caught:
        load_flow(path, executor)
    return [str(problem) for problem in caught.value.problems]


def test_the_example_flow_is_valid(executor: Executor) -> None:
    flow = load_flow(EXAMPLE, executor)
    assert flow.step_ids() == ["cutout", "large"]
    assert flow.steps[1].cfg == {"downloadResult": True}
    result = invoke("validate", str(EXAMPLE))
    assert result.exit_code == 0
    assert "flow is valid: cutout (removeBackground), large (upscale)" in result.stdout


BAD_FLOWS = [
    ("{}", "$: a flow file must be a list of steps"),
    ("[]", "$: a flow needs at least one step"),
    ("- 3", "$[0]: a step must be an object with id, action and body"),
    ("- {id: a, action: upscale}", "$[0].body: is required"),
    (
        "- {id: a, action: upscale, body: '{}', bdy: 1}",
        "$[0].bdy: is not a field of a step (id, action, body, cfg, description)",
    ),
    ("- {id: 1a, action: upscale, body: '{}'}", "$[0].id: must start with a letter or _"),
    ("- {id: a, action: upscale, body: 7}", "$[0].body: must be a JSONata expression (a string)"),
    ("- {id: a, action: upscale, body: ''}", "$[0].body: must not be empty"),
    ("- {id: a, action: upscale, body: '{}', cfg: []}", "$[0].cfg: must be an object"),
    (
        "- {id: input, action: upscale, body: '{}'}",
        "$[0].id: 'input' is the name of the item itself",
    ),
    (
        "- {id: a, action: upscale, body: '{}'}\n- {id: a, action: upscale, body: '{}'}",
        "$[1].id: 'a' is already the id of step 1 ($[0])",
    ),
    (
        "- {id: a, action: removeBg, body: '{}'}",
        "$[0].action: unknown action 'removeBg'; did you mean 'removeBackground'?",
    ),
    (
        "- {id: a, action: upscale, body: '{\"x\": input.url'}",
        "$[0].body: is not a valid JSONata expression: Expected } before end of expression "
        "(JSONata error S0203, at character 15)",
    ),
    (
        "- {id: a, action: upscale, body: 'b.data'}\n- {id: b, action: upscale, body: '{}'}",
        "$[0].body: reads step 'b', which runs later; a step can read only input and the steps "
        "before it (input)",
    ),
    (
        "- {id: a, action: upscale, body: '{\"image_url\": a.data.url}'}",
        "$[0].body: reads 'a', this step's own output, which does not exist yet",
    ),
    (
        "- {id: a, action: upscale, body: 'inptu.url'}",
        "$[0].body: reads 'inptu', which is neither input nor an earlier step; it can read: input",
    ),
    (
        "- {id: a, action: upscale, body: '{}', cfg: {apiKey: abc}}",
        "$[0].cfg.apiKey: is a credential; give it with --cfg or the environment",
    ),
    (
        "- {id: a, action: upscale, body: '{}', cfg: {downloadResults: true}}",
        "$[0].cfg.downloadResults: is not a config field of upscale; did you mean "
        "'downloadResult'? its fields are: downloadResult, errorPolicy",
    ),
    (
        "- {id: a, action: upscale, body: '{}', cfg: {downloadResult: maybe}}",
        "$[0].cfg.downloadResult: Input should be a valid boolean",
    ),
    (
        "- {id: a, action: upscale, body: {image_url: 'ftp://x.test/a.png', upscale_factor: 3}}",
        "$[0].body.upscale_factor: must be one of: 2, 4, 6, 8",
    ),
    (
        "- {id: a, action: upscale, body: {image_url: 'ftp://x.test/a.png', upscale_factor: 2}}",
        "$[0].body.image_url: must be an http or https URL",
    ),
    (
        "- {id: a, action: upscale, body: '{}', body: 'x'}",
        "$: is not valid YAML: the key 'body' appears twice in one mapping (line 1, column 40)",
    ),
    ("- {id: a, action: upscale, body: {when: 2024-05-01}}", "$[0].body.when: is a YAML date"),
    (
        "- {id: a, action: upscale, body: {on: 1}}",
        "$[0].body.True: is a name that is not text; put it in quotes",
    ),
    ("- {id: a\n  action: x", "$: is not valid YAML: "),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FLOWS)
def test_each_mistake_is_named_with_its_place(
    text: str, expected: str, tmp_path: Path, executor: Executor
) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    found = problems_of(path, executor)
    assert any(problem.startswith(expected) for problem in found), found


def test_a_yaml_syntax_error_says_where(tmp_path: Path, executor: Executor) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("- id: a\n  action: [upscale\n  body: x\n", encoding="utf-8")
    (problem,) = problems_of(path, executor)
    assert "(line 3, column" in problem


def test_a_json_flow_file_is_read_as_json(tmp_path: Path, executor: Executor) -> None:
    path = tmp_path / "flow.json"
    steps = [{"id": "a", "action": "upscale", "body": "{}"}]
    path.write_text(json.dumps(steps), encoding="utf-8")
    assert load_flow(path, executor).step_ids() == ["a"]
    path.write_text('[{"id": "a", "id": "b"}]', encoding="utf-8")
    assert problems_of(path, executor) == ["$: the key 'id' appears twice in one object; keep one"]
    path.write_text("[{", encoding="utf-8")
    assert problems_of(path, executor)[0].startswith("$: is not valid JSON: ")


def test_every_problem_of_every_step_is_listed_in_step_order(
    tmp_path: Path, executor: Executor
) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(
        "- {id: a, action: removeBg, body: '{\"x\": later.y'}\n"
        "- {id: a, action: upscale, cfg: {apiKey: k}, bdy: 1}\n"
        "- {id: c, action: upscale, body: 'zz'}\n",
        encoding="utf-8",
    )
    found = problems_of(path, executor)
    assert [problem.split(":")[0] for problem in found] == [
        "$[0].action",
        "$[0].body",
        "$[1].bdy",
        "$[1].body",
        "$[1].cfg.apiKey",
        "$[1].id",
        "$[2].body",
    ]


def test_the_fingerprint_follows_the_steps_not_the_formatting(
    tmp_path: Path, executor: Executor
) -> None:
    first, second, third = tmp_path / "a.yaml", tmp_path / "b.json", tmp_path / "c.yaml"
    first.write_text("# a comment\n" + TWO_STEPS, encoding="utf-8")
    second.write_text(
        json.dumps(
            [
                {
                    "id": "cutout",
                    "action": "removeBackground",
                    "body": '{"image_url": input.url, "format": "PNG"}',
                },
                {
                    "id": "large",
                    "action": "upscale",
                    "body": '{"image_url": cutout.data.url, "upscale_factor": 2}',
                },
            ]
        ),
        encoding="utf-8",
    )
    third.write_text(TWO_STEPS.replace('upscale_factor": 2', 'upscale_factor": 4'), "utf-8")
    fingerprints = [load_flow(path, executor).fingerprint for path in (first, second, third)]
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


def test_validate_prints_each_problem_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("- {id: a, action: upscale, body: 'later.x'}\n", encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}: $[0].body: reads 'later'")
    assert "1 problem(s)" in result.stderr


def test_run_refuses_an_invalid_flow_before_sending_anything(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(TWO_STEPS.replace("cutout.data.url", "cutuot.data.url"), encoding="utf-8")
    items = write_items(tmp_path / "items.jsonl", photo_url, 2)
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(path), "--input", str(items), "--out", str(out))
    assert result.exit_code == 1
    assert "$[1].body: reads 'cutuot'" in result.stderr
    assert "nothing was run" in result.stderr
    assert sandbox.request_log() == []
    assert not out.exists()


def test_the_schema_is_a_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(FLOW_SCHEMA)
    assert FLOW_SCHEMA["items"]["required"] == ["id", "action", "body"]


def test_the_cli_starts_without_the_flow_libraries() -> None:
    """``picsart-flow --help`` must stay fast: jsonata, rich, yaml and the executor load later."""
    code = (
        "import sys, picsart_component.cli\n"
        "heavy = ['jsonata', 'rich', 'yaml', 'picsart_component.runtime.executor', "
        "'picsart_component.flows.model']\n"
        "print([name for name in heavy if name in sys.modules])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert loaded.stdout.strip() == "[]"


def test_a_flow_file_that_cannot_be_parsed_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    for command in ("validate", "run"):
        args = [command, str(path)]
        if command == "run":
            args += ["--input", str(path), "--out", str(tmp_path / "r.jsonl")]
        result = invoke(*args)
        assert result.exit_code == 2, (command, result.output)
        assert "is not valid YAML" in result.output
