"""A mistake in a flow costs nothing it can be found without, and little it cannot.

What a machine can find (a misspelt JSONata function, a key the action has no field for, a
literal value its rules refuse) stops ``flow validate`` and ``flow run`` before the first paid
call; what depends on the data is a warning before the run and, at worst, a few items: the run
stops once the same error has failed several items in a row, and the summary names it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from picsart_component.flows.dryrun import preflight
from picsart_component.flows.evaluation import InProcessEvaluator, IsolatedEvaluator
from picsart_component.flows.failures import SameErrorWatch, commonest
from picsart_component.flows.inputs import InputItem
from picsart_component.flows.mapping import MappingError, evaluate_expression, expression_facts
from picsart_component.flows.model import flow_from_document
from picsart_component.runtime.executor import Executor
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import invoke, paid_calls, png, results, summary

TYPO_IN_A_FUNCTION = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url}'
- id: effect
  action: applyEffect
  body: '{"image_url": cutout.data.url, "effect_name": $lowercas(input.effect)}'
"""


def flow_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_names_a_misspelt_function_where_it_is_and_the_one_meant(
    tmp_path: Path,
) -> None:
    result = invoke("validate", str(flow_file(tmp_path, TYPO_IN_A_FUNCTION)))
    assert result.exit_code == 1
    assert (
        "$[1].body: calls $lowercas, which is not a JSONata function (at character 56); "
        "did you mean '$lowercase'?"
    ) in result.stdout


@pytest.mark.parametrize(
    "body",
    [
        '($f := function($u) { $u }; {"image_url": $f(input.url)})',
        '{"image_url": $map([input.url], function($u) { $u })[0]}',
        '{"image_url": $lowercase(input.url)}',
    ],
)
def test_functions_a_body_binds_itself_or_jsonata_offers_are_known(
    tmp_path: Path, body: str
) -> None:
    text = f"- id: a\n  action: removeBackground\n  body: '{body}'\n"
    result = invoke("validate", str(flow_file(tmp_path, text)))
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            '{"image_ur": input.url, "upscale_factor": 2}',
            "$[0].body: makes the key 'image_ur' (at character 11), which is not a field of "
            "upscale; did you mean 'image_url'?",
        ),
        (
            '{"image_url": input.url, "upscale_factor": 3}',
            "$[0].body: gives 'upscale_factor' the value 3, which must be one of: 2, 4, 6, 8",
        ),
        (
            'input.big ? {"image_url": input.url, "upscale_factor": 2} : {"image_url": input.url,'
            ' "upscale_factor": 2, "formt": "PNG"}',
            "$[0].body: makes the key 'formt'",
        ),
    ],
)
def test_validate_checks_the_keys_and_literal_values_a_body_writes(
    tmp_path: Path, body: str, problem: str
) -> None:
    text = f"- id: a\n  action: upscale\n  body: '{body}'\n"
    result = invoke("validate", str(flow_file(tmp_path, text)))
    assert result.exit_code == 1
    assert problem in result.stdout, result.stdout


def test_a_run_with_a_misspelt_function_pays_nothing(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        "".join(
            json.dumps({"url": f"{photo_url}{n}.png", "effect": "Apollo"}) + "\n" for n in range(20)
        ),
        encoding="utf-8",
    )
    flow = flow_file(tmp_path, TYPO_IN_A_FUNCTION)
    result = invoke("run", str(flow), "--input", str(items), "--out", str(tmp_path / "r.jsonl"))
    assert result.exit_code == 1
    assert "calls $lowercas, which is not a JSONata function" in result.stderr
    assert "nothing was run" in result.stderr
    assert sandbox.request_log() == []
    assert not (tmp_path / "r.jsonl").exists()


def test_the_preflight_stops_on_a_mistake_every_item_would_meet() -> None:
    """A flow that skipped validation (another front end, an edited file) is still stopped:
    an unknown function and a key the action does not have, found with the first item."""
    executor = Executor()
    document = [
        {"id": "cutout", "action": "removeBackground", "body": '{"image_url": input.url}'},
        {
            "id": "large",
            "action": "upscale",
            "body": '{"image_url": cutout.data.url, "upscale_factor": 2, "formt": "PNG"}',
        },
        {"id": "effect", "action": "applyEffect", "body": '{"x": $lowercas("A")}'},
    ]
    flow = flow_from_document(Path("flow.yaml"), document)
    item = InputItem(1, value={"url": "https://example.com/a.png"})
    findings = preflight(flow, item, executor, {}, InProcessEvaluator())
    blocking = {(finding.step, finding.blocking) for finding in findings}
    assert ("large", True) in blocking
    assert ("effect", True) in blocking
    assert all(finding.step != "cutout" for finding in findings)
    [effect] = [finding for finding in findings if finding.step == "effect"]
    assert "$lowercas" in effect.message
    assert "T1006" in effect.message
    assert effect.expression == '{"x": $lowercas("A")}'


def test_a_mapping_that_fails_only_with_some_data_is_a_warning_and_the_run_goes_on(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    flow = flow_file(
        tmp_path,
        "- id: large\n  action: upscale\n"
        '  body: \'{"image_url": input.url, "upscale_factor": $number(input.factor)}\'\n',
    )
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"url": f"{photo_url}a.png", "factor": "abc"})
        + "\n"
        + json.dumps({"url": f"{photo_url}b.png", "factor": "2"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.jsonl"
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert result.exit_code == 1
    assert "warning: step large, mapping" in result.stderr
    assert "it may depend on the data, so the run goes on" in result.stderr
    lines = {line["item"]: line for line in results(out)}
    assert lines[2]["status"] == "done"
    assert lines[1]["error"]["name"] == "MappingError"
    assert len(paid_calls(sandbox.request_log())) == 1


@pytest.mark.parametrize("evaluator", [InProcessEvaluator, IsolatedEvaluator])
def test_a_function_that_fails_is_reported_as_jsonata_reports_it(evaluator: type) -> None:
    chosen = evaluator()
    try:
        with pytest.raises(MappingError) as caught:
            chosen.evaluate('{"n": $number(input.x)}', {"input": {"x": "abc"}})
    finally:
        if isinstance(chosen, IsolatedEvaluator):
            chosen.close()
    message = str(caught.value)
    assert "Unable to cast value to a number" in message
    assert "$number, at character 14" in message
    assert "ValueError" not in message


def test_a_call_of_no_function_names_it_and_its_place() -> None:
    with pytest.raises(MappingError) as caught:
        evaluate_expression("$lowercas(input.effect)", {"input": {"effect": "X"}})
    assert str(caught.value) == (
        "the body expression failed: Attempted to invoke a non-function: $lowercas; did you mean "
        "'$lowercase'? (JSONata error T1006, at character 10)"
    )
    assert caught.value.code == "T1006"


def test_the_facts_of_an_expression() -> None:
    facts = expression_facts('($f := function($x) { $x }; {"a": $f(1), "b": $nope(2), "c": 3})')
    assert facts.unknown_functions() == [("nope", 52)]
    assert [(field.name, field.literal_value) for field in facts.result_fields] == [
        ("a", False),
        ("b", False),
        ("c", True),
    ]


def test_the_same_error_in_a_row_is_counted_in_the_order_items_finish() -> None:
    watch = SameErrorWatch(3)
    same = {"step": "large", "name": "InputError", "message": "bad [correlation id 1]"}
    again = {"step": "large", "name": "InputError", "message": "bad [correlation id 2]"}
    other = {"step": "cutout", "name": "InputError", "message": "bad"}
    assert [watch.observe(error) for error in (same, again, None, same, again)] == [False] * 5
    assert watch.observe(same) is True
    assert watch.observe(other) is False
    assert SameErrorWatch(0).observe(same) is False


def test_the_commonest_errors_are_counted_with_their_step() -> None:
    errors = [
        {"step": "large", "name": "InputError", "message": "m1 [correlation id a]"},
        {"step": "large", "name": "InputError", "message": "m1 [correlation id b]"},
        {"step": "cutout", "name": "APIError", "message": "m2"},
    ]
    assert commonest(errors) == [
        (2, ("large", "InputError", "m1")),
        (1, ("cutout", "APIError", "m2")),
    ]


WRONG_FACTOR = """\
- id: cutout
  action: removeBackground
  body: '{"image_url": input.url}'
- id: large
  action: upscale
  body: '{"image_url": cutout.data.url, "upscale_factor": $number(input.factor)}'
"""


def write_factor_items(path: Path, photo_url: str, count: int) -> Path:
    path.write_text(
        "".join(
            json.dumps({"url": f"{photo_url}{n}.png", "factor": "3"}) + "\n" for n in range(count)
        ),
        encoding="utf-8",
    )
    return path


def test_a_run_stops_after_five_items_in_a_row_fail_the_same_way(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    flow = flow_file(tmp_path, WRONG_FACTOR)
    items = write_factor_items(tmp_path / "items.jsonl", photo_url, 20)
    out = tmp_path / "r.jsonl"
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--workers", "1")
    assert result.exit_code == 1
    assert len(results(out)) == 5
    assert len(paid_calls(sandbox.request_log())) == 5
    report = summary(result)
    assert (report["stopped"], report["notStarted"]) == ("same-error", 15)
    assert "5 items in a row failed with the same error at step large" in result.stderr
    assert (
        "  5 x InputError at step large: Invalid input: $.upscale_factor: must be one of: "
        "2, 4, 6, 8"
    ) in result.stderr
    assert "--stop-after-same-error 0 never stops" in result.stderr


def test_stop_after_same_error_0_runs_every_item(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    flow = flow_file(tmp_path, WRONG_FACTOR)
    items = write_factor_items(tmp_path / "items.jsonl", photo_url, 8)
    out = tmp_path / "r.jsonl"
    result = invoke(
        "run", str(flow), "--input", str(items), "--out", str(out), "--workers", "2",
        "--stop-after-same-error", "0",
    )  # fmt: skip
    assert result.exit_code == 1
    assert len(results(out)) == 8
    assert summary(result)["stopped"] is None
    assert "8 x InputError at step large" in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [("items.csv", ""), ("items.csv", "url,effect\n"), ("items.jsonl", "\n\n"), ("folder", None)],
)
def test_an_input_without_items_fails_unless_allowed(
    sandbox: RunningSandbox, tmp_path: Path, name: str, content: str | None
) -> None:
    flow = flow_file(tmp_path, "- id: a\n  action: removeBackground\n  body: '{}'\n")
    source = tmp_path / name
    if content is None:
        source.mkdir()
    else:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / "r.jsonl"
    refused = invoke("run", str(flow), "--input", str(source), "--out", str(out))
    assert refused.exit_code == 1
    assert f"{source} has no items; nothing was run" in refused.stderr
    allowed = invoke("run", str(flow), "--input", str(source), "--out", str(out), "--allow-empty")
    assert allowed.exit_code == 0
    assert f"{source} has no items" in allowed.stderr
    assert sandbox.request_log() == []


def test_a_folder_input_skips_the_files_its_first_step_cannot_take(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "one.png").write_bytes(png())
    (folder / "two.png").write_bytes(png((30, 20)))
    (folder / "readme.txt").write_text("not a photo\n", encoding="utf-8")
    (folder / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
    flow = flow_file(
        tmp_path, "- id: cutout\n  action: removeBackground\n  body: '{\"image\": input.image}'\n"
    )
    out = tmp_path / "r.jsonl"
    result = invoke("run", str(flow), "--input", str(folder), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert (
        "skipped 2 file(s) of the folder that step cutout (removeBackground) cannot take, judged "
        "by their bytes: clip.mp4 (is not an image: the file is an MP4 video); readme.txt (is "
        "not an image: the file is text)"
    ) in result.stderr
    assert sorted(line["item"] for line in results(out)) == ["one.png", "two.png"]
    stored = list((tmp_path / "store").iterdir())
    assert len(stored) == 2
    assert all(path.suffix == ".png" for path in stored)


def test_calls_in_flight_at_the_last_kill_count_as_spent_once(tmp_path: Path) -> None:
    from picsart_component.flows.journal import read_journal

    journal = tmp_path / "r.jsonl.journal"
    records = [
        {"type": "header", "version": 1},
        {"type": "run", "balance": 100},
        {"type": "started", "item": 1, "step": "a"},
        {"type": "finished", "item": 1, "step": "a", "output": {}, "credits": 99},
        {"type": "started", "item": 2, "step": "a"},
        {"type": "failed", "item": 2, "step": "a"},
        {"type": "started", "item": 3, "step": "a"},
        {"type": "rebounded", "item": 3, "step": "a"},
        {"type": "started", "item": 4, "step": "a"},
        {"type": "job", "item": 4, "step": "a", "job": {"operation": "textToImage", "id": "j"}},
        {"type": "started", "item": 5, "step": "a"},
    ]
    journal.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    first = read_journal(journal)
    # Item 1 finished; items 4 (a job Picsart accepted) and 5 were in flight at the kill.
    assert (first.runs[0].finished_steps, first.runs[0].possibly_charged) == (1, 2)
    assert first.credits_spent == 3

    with journal.open("a", encoding="utf-8") as handle:
        for record in (
            {"type": "run", "balance": 97},
            {"type": "finished", "item": 4, "step": "a", "output": {}, "credits": 97},
        ):
            handle.write(json.dumps(record) + "\n")
    second = read_journal(journal)
    # The job collected in the second run was counted in the first; item 5 still once.
    assert [(run.finished_steps, run.possibly_charged) for run in second.runs] == [(1, 2), (0, 0)]
    assert second.credits_spent == 3


def test_a_job_whose_poll_is_rate_limited_past_the_wait_is_collected_on_resume_not_paid_again(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICSART_GENAI_BASE_URL", sandbox.genai_base_url)
    monkeypatch.setenv("PICSART_JOB_POLL_SECONDS", "0.05")
    monkeypatch.setenv("PICSART_MAX_WAIT", "5")
    sandbox.reset(job_seconds=0.1)
    sandbox.set_faults("429:next=1,path=poll-text2image,reset_in=15")
    flow = flow_file(
        tmp_path,
        "- id: picture\n  action: textToImage\n"
        '  body: \'{"prompt": input.prompt, "count": 1, "width": 128, "height": 128}\'\n',
    )
    items = tmp_path / "prompts.jsonl"
    items.write_text(json.dumps({"prompt": "a red lighthouse"}) + "\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    rebounded = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert rebounded.exit_code == 75, rebounded.stderr
    assert not out.exists() or results(out) == []
    report = summary(rebounded)
    assert report["thisRun"]["rebounded"] == 1
    assert "retryAt" in report
    assert "1 item(s) rebounded" in rebounded.stderr
    assert "--resume" in rebounded.stderr

    resumed = invoke("run", str(flow), "--input", str(items), "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    [line] = results(out)
    assert line["status"] == "done"
    submitted = [entry for entry in sandbox.request_log() if entry["path"] == "/v1/text2image"]
    assert [entry["status"] for entry in submitted] == [202]


def test_the_stand_ins_leave_out_the_error_a_failed_step_may_emit() -> None:
    """So that a mapping reading an earlier step's output is checked against real fields."""
    from picsart_component.flows.dryrun import placeholder_output

    flow = flow_from_document(
        Path("f.yaml"),
        [{"id": "cutout", "action": "removeBackground", "body": '{"image_url": input.url}'}],
    )
    assert "error" not in placeholder_output(Executor(), flow.steps[0])
