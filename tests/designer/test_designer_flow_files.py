"""Opening, saving and renaming flows: byte for byte when unchanged, comments kept when edited,
and a saved flow runs with ``flow run``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.flow_designer.renaming import RenameRefused, rename_step
from picsart_component.flows.model import load_flow
from picsart_component.runtime.executor import Executor
from tests.designer.conftest import Designer, make_designer

HAND_WRITTEN = """\
# Cut the subject out, then upscale it.
#   picsart-flow flow run this.yaml --input items.csv --out results.jsonl
- id: cutout   # the first step
  action: removeBackground
  body: |
    {
      "image_url": input.url,
      "format": "PNG"
    }
# the second step reads the first one's URL
- id: large
  action: upscale
  cfg:
    downloadResult: false
  body: '{"image_url": cutout.data.url, "upscale_factor": 2}'
"""


def write(designer: Designer, name: str, text: str) -> Path:
    path = designer.root / name
    path.write_text(text)
    return path


def opened(designer: Designer, name: str) -> dict[str, Any]:
    answer = designer.post("/api/flow/open", {"path": name})
    assert answer.status_code == 200, answer.get_json()
    result: dict[str, Any] = answer.get_json()
    return result


def test_an_unchanged_flow_saves_back_byte_for_byte(designer: Designer) -> None:
    path = write(designer, "flow.yaml", HAND_WRITTEN)
    steps = opened(designer, "flow.yaml")["steps"]
    before = path.stat().st_mtime_ns
    answer = designer.post("/api/flow/save", {"path": "flow.yaml", "steps": steps}).get_json()
    assert answer["written"] is False
    assert answer["problems"] == []
    assert path.read_text() == HAND_WRITTEN
    assert path.stat().st_mtime_ns == before


def test_an_edited_flow_keeps_its_comments_order_and_quotes(designer: Designer) -> None:
    path = write(designer, "flow.yaml", HAND_WRITTEN)
    steps = opened(designer, "flow.yaml")["steps"]
    steps[1]["cfg"]["downloadResult"] = True
    steps[1]["body"] = '{"image_url": cutout.data.url, "upscale_factor": 4}'
    steps.append({"id": "again", "action": "upscale", "body": '{"image_url": large.data.url}'})
    answer = designer.post("/api/flow/save", {"path": "flow.yaml", "steps": steps}).get_json()
    assert answer["written"] is True
    text = path.read_text()
    assert text.startswith(HAND_WRITTEN.split("- id: large", maxsplit=1)[0])
    for kept in ("# the first step", "# the second step reads the first one's URL"):
        assert kept in text
    assert "downloadResult: true" in text
    assert 'body: \'{"image_url": cutout.data.url, "upscale_factor": 4}\'' in text
    assert text.index("id: large") < text.index("action: upscale") < text.index("id: again")
    assert opened(designer, "flow.yaml")["steps"] == steps


def test_a_multiline_body_is_written_as_a_block(designer: Designer) -> None:
    path = designer.root / "new.yaml"
    steps = [
        {"id": "cutout", "action": "removeBackground", "body": '{\n  "image_url": input.url\n}\n'}
    ]
    assert designer.post("/api/flow/save", {"path": "new.yaml", "steps": steps}).get_json()[
        "written"
    ]
    assert "body: |" in path.read_text()
    assert opened(designer, "new.yaml")["steps"] == steps


def test_a_json_flow_is_written_as_json(designer: Designer) -> None:
    steps = [{"id": "cutout", "action": "removeBackground", "body": {"image_url": "https://x/a"}}]
    path = designer.root / "flow.json"
    first = designer.post("/api/flow/save", {"path": "flow.json", "steps": steps}).get_json()
    assert first["written"] is True
    assert path.read_text() == json.dumps(steps, indent=2) + "\n"
    again = designer.post("/api/flow/save", {"path": "flow.json", "steps": steps}).get_json()
    assert again["written"] is False


def test_a_flow_file_that_does_not_parse_is_a_422(designer: Designer) -> None:
    write(designer, "broken.yaml", "- id: [\n")
    answer = designer.post("/api/flow/open", {"path": "broken.yaml"})
    assert answer.status_code == 422
    assert answer.get_json()["error"].startswith("path:")


def test_a_saved_flow_loads_and_runs_with_flow_run(
    designer: Designer, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [
        {"id": "cutout", "action": "removeBackground", "body": '{"image_url": input.url}'},
        {
            "id": "large",
            "action": "upscale",
            "body": '{"image_url": cutout.data.url, "upscale_factor": 2}',
        },
    ]
    designer.post("/api/flow/save", {"path": "saved.yaml", "steps": steps})
    loaded = load_flow(designer.root / "saved.yaml", Executor())
    assert loaded.step_ids() == ["cutout", "large"]
    write(designer, "items.csv", "url\nhttps://example.com/a.jpg\nhttps://example.com/b.jpg\n")
    monkeypatch.chdir(designer.root)
    result = CliRunner().invoke(
        main,
        ["flow", "run", "saved.yaml", "--input", "items.csv", "--out", "results.jsonl"],
    )
    assert result.exit_code == 0, result.output
    lines = [
        json.loads(line) for line in (designer.root / "results.jsonl").read_text().splitlines()
    ]
    assert [line["status"] for line in lines] == ["done", "done"]


def test_rename_follows_through_the_api(designer: Designer) -> None:
    write(designer, "flow.yaml", HAND_WRITTEN)
    steps = opened(designer, "flow.yaml")["steps"]
    renamed = designer.post(
        "/api/flow/rename", {"steps": steps, "index": 0, "newId": "subject"}
    ).get_json()["steps"]
    assert renamed[0]["id"] == "subject"
    assert renamed[1]["body"] == '{"image_url": subject.data.url, "upscale_factor": 2}'
    refused = designer.post("/api/flow/rename", {"steps": steps, "index": 0, "newId": "large"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "newId: another step is already called 'large'"


def steps_reading(body: str) -> list[dict[str, Any]]:
    return [
        {"id": "cutout", "action": "removeBackground", "body": '{"image_url": input.url}'},
        {"id": "large", "action": "upscale", "body": body},
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"image_url": cutout.data.url}', '{"image_url": subject.data.url}'),
        ('{"image_url": $.cutout.data.url}', '{"image_url": $.subject.data.url}'),
        ('{"image_url": $$.cutout.data.url}', '{"image_url": $$.subject.data.url}'),
        ('{"image_url": `cutout`.data.url}', '{"image_url": `subject`.data.url}'),
        (
            '{"image_url": cutout.data.url, "x": input.cutout, "y": cutout.cutout}',
            '{"image_url": subject.data.url, "x": input.cutout, "y": subject.cutout}',
        ),
        (
            '($u := cutout.data.url; {"image_url": $u ? $u : cutout.data.id})',
            '($u := subject.data.url; {"image_url": $u ? $u : subject.data.id})',
        ),
        ('{"image_url": input.url}', '{"image_url": input.url}'),
        (
            '{"image_url": input.items[cutout = 1].url}',
            '{"image_url": input.items[cutout = 1].url}',
        ),
    ],
)
def test_rename_rewrites_names_at_their_token_positions(body: str, expected: str) -> None:
    renamed = rename_step(steps_reading(body), 0, "subject")
    assert renamed[0]["id"] == "subject"
    assert renamed[1]["body"] == expected


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"image_url": $lookup($$, "cutout").data.url}', "inside a string"),
        (
            '{"image_url": $map([1], function($v) { cutout.data.url })[0]}',
            "inside a function's body",
        ),
        ('{"image_url": cutout.data.url', "does not parse"),
    ],
)
def test_rename_is_refused_where_it_is_not_certain(body: str, reason: str) -> None:
    with pytest.raises(RenameRefused, match=reason):
        rename_step(steps_reading(body), 0, "subject")


@pytest.mark.parametrize(
    ("index", "new_id", "message"),
    [
        (5, "a", "index: must be from 0 to 1"),
        (0, "1st", "newId: '1st' must start with a letter"),
        (0, "input", "newId: 'input' is the item's own name"),
    ],
)
def test_a_bad_rename_says_which_field(index: int, new_id: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rename_step(steps_reading('{"image_url": cutout.data.url}'), index, new_id)


def test_the_refusal_reaches_the_page_as_a_422(designer: Designer) -> None:
    answer = designer.post(
        "/api/flow/rename",
        {
            "steps": steps_reading('{"image_url": $lookup($$, "cutout").data.url}'),
            "index": 0,
            "newId": "subject",
        },
    )
    assert answer.status_code == 422
    assert "not certain" in answer.get_json()["error"]


def test_a_fixed_body_and_earlier_steps_are_left_alone() -> None:
    steps: list[dict[str, Any]] = [
        {"id": "first", "action": "upscale", "body": {"image_url": "https://x/cutout.png"}},
        {"id": "cutout", "action": "removeBackground", "body": '{"image_url": first.data.url}'},
        {"id": "fixed", "action": "upscale", "body": {"image_url": "cutout"}},
    ]
    renamed = rename_step(steps, 1, "subject")
    assert renamed[0] == steps[0]
    assert renamed[2] == steps[2]
    assert steps[1]["id"] == "cutout"


def test_the_flow_files_folder_is_a_second_root(designer_env: Path) -> None:
    elsewhere = designer_env.parent / "flows"
    elsewhere.mkdir()
    flow = elsewhere / "flow.yaml"
    flow.write_text(HAND_WRITTEN)
    made = make_designer(designer_env, flow_file=flow)
    try:
        state = made.get("/api/state").get_json()
        assert state["flowFile"] == str(flow.resolve())
        assert state["roots"] == [str(designer_env.resolve()), str(elsewhere.resolve())]
        assert opened(made, str(flow))["steps"][0]["id"] == "cutout"
        sibling = designer_env.parent / "other"
        sibling.mkdir()
        assert made.post("/api/flow/open", {"path": str(sibling / "x.yaml")}).status_code == 403
    finally:
        made.app.close()


def test_a_renamed_step_keeps_its_comments_when_a_step_is_added_before_it(
    designer: Designer,
) -> None:
    path = write(designer, "flow.yaml", HAND_WRITTEN)
    steps = rename_step(opened(designer, "flow.yaml")["steps"], 0, "subject")
    steps.insert(0, {"id": "first", "action": "upscale", "body": {"image_url": "https://x/a"}})
    assert designer.post("/api/flow/save", {"path": "flow.yaml", "steps": steps}).get_json()[
        "written"
    ]
    text = path.read_text()
    assert "- id: subject  # the first step" in text
    assert text.index("id: first") < text.index("id: subject") < text.index("id: large")
    assert "cutout" not in text.split("- id: large")[1]
    assert opened(designer, "flow.yaml")["steps"] == steps
