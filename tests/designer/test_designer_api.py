"""The designer's JSON routes, in-process, on the embedded sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.flow_designer import catalog
from picsart_component.lib.live_lists import LIVE_LISTS
from picsart_component.runtime.manifest import load_manifest
from tests.designer.conftest import Designer
from tests.flows.flow_support import png


def test_state_says_sandbox_and_the_roots(designer: Designer) -> None:
    state = designer.get("/api/state").get_json()
    assert state["mode"] == "sandbox"
    assert state["credentials"] == {
        "configured": False,
        "source": "sandbox",
        "imageApiBaseUrl": "",
        "genaiApiBaseUrl": "",
        "videoApiBaseUrl": "",
        "vdApiBaseUrl": "",
    }
    assert state["roots"] == [str(designer.root.resolve())]
    assert state["flowFile"] is None


def test_the_palette_has_every_action_once_in_its_group(shared_designer: Designer) -> None:
    groups = shared_designer.get("/api/palette").get_json()["groups"]
    assert [group["key"] for group in groups] == [
        "image",
        "genai",
        "video",
        "vd",
        "jobs",
        "utility",
    ]
    by_group = {group["key"]: [a["name"] for a in group["actions"]] for group in groups}
    listed = [name for names in by_group.values() for name in names]
    assert sorted(listed) == sorted(load_manifest().actions)
    assert "removeBackground" in by_group["image"]
    assert "textToImage" in by_group["genai"]
    assert {"trimVideo", "cropVideo", "extractAudio"} <= set(by_group["video"])
    assert {"exportReplay", "exportVariableDataContent"} <= set(by_group["vd"])
    assert {"getJobResult", "listEffects", "accountBalance", "getImage"} <= set(by_group["jobs"])
    assert {"makeRawRequest", "uploadImage", "uploadVideo"} <= set(by_group["utility"])
    first = groups[0]["actions"][0]
    assert set(first) == {"name", "title", "description", "help", "helpLink", "api"}
    assert first["helpLink"].startswith("https://docs.picsart.io/")


def test_an_action_comes_with_its_fields_schemas_and_groups(shared_designer: Designer) -> None:
    details = shared_designer.get("/api/actions/blendImages").get_json()
    assert details["exactlyOne"] == [
        ["image", "image_url", "image_id"],
        ["overlay_image", "overlay_image_url", "overlay_image_id"],
    ]
    assert details["fields"]["errorPolicy"]["viewClass"] == "SelectView"
    assert details["in"]["type"] == "object"
    assert "data" in details["out"]["properties"]
    assert details["dynamicMetadata"] is False
    effect = shared_designer.get("/api/actions/applyEffect").get_json()
    assert effect["dynamicMetadata"] is True


def test_dynamic_metadata_is_live_then_falls_back_with_the_reason(designer: Designer) -> None:
    # The lists are kept an hour per key and base URL, and a sandbox's port can come again.
    LIVE_LISTS.forget()
    live = designer.post("/api/actions/applyEffect/meta", {"cfg": {}}).get_json()
    assert live["source"] == "live"
    assert live["in"]["properties"]["effect_name"]["enum"]
    sandbox = designer.session.target().sandbox
    assert sandbox is not None
    sandbox.set_faults("401:path=effects-ai-list")
    fallback = designer.post("/api/actions/applyAiEffect/meta", {"cfg": {}}).get_json()
    assert fallback["source"] == "static"
    assert "401" in fallback["reason"]
    assert fallback["in"]["properties"]
    static = designer.post("/api/actions/upscale/meta", {}).get_json()
    assert static["source"] == "static"
    assert static["reason"] == "upscale has no dynamic metadata"


def test_a_static_select_gives_its_options(shared_designer: Designer) -> None:
    answer = shared_designer.post(
        "/api/actions/removeBackground/select", {"field": "errorPolicy"}
    ).get_json()
    assert answer["source"] == "static"
    assert "retry" in answer["options"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"image_url": "https://example.com/a.jpg"}, []),
        (
            {},
            [
                {
                    "path": "$.image",
                    "message": "exactly one of image, image_url, image_id is required; "
                    "none was given",
                }
            ],
        ),
        ({"image_url": "https://example.com/a.jpg", "format": "GIF"}, ["$.format"]),
    ],
)
def test_check_gives_the_executors_problems(
    shared_designer: Designer, body: dict[str, Any], expected: list[Any]
) -> None:
    problems = shared_designer.post(
        "/api/check", {"action": "removeBackground", "cfg": {}, "body": body}
    ).get_json()["problems"]
    if expected and isinstance(expected[0], str):
        assert [problem["path"] for problem in problems] == expected
    else:
        assert problems == expected


@pytest.mark.parametrize(
    ("expression", "document", "expected"),
    [
        ("input.url", {"input": {"url": "https://x/a.png"}}, {"value": "https://x/a.png"}),
        ("cutout.data.url", {"cutout": {"data": {"url": "u"}}}, {"value": "u"}),
        ("$count(input.tags) * 2", {"input": {"tags": [1, 2]}}, {"value": 4}),
        ("input.missing", {"input": {}}, {"undefined": True}),
        ("input.nothing", {"input": {"nothing": None}}, {"value": None}),
        (
            "$uppercas(input.url)",
            {"input": {"url": "a"}},
            {"function": "uppercas", "position": 10, "message": "did you mean '$uppercase'"},
        ),
        ("input.url &", {"input": {}}, {"function": None, "position": 11, "message": "S0207"}),
        (
            "  $number('x')",
            {},
            {"function": "number", "position": 10, "message": "Unable to cast"},
        ),
    ],
)
def test_evaluate_gives_a_value_or_the_error_with_its_place(
    shared_designer: Designer, expression: str, document: dict[str, Any], expected: dict[str, Any]
) -> None:
    answer = shared_designer.post(
        "/api/evaluate", {"expression": expression, "document": document}
    ).get_json()
    if "value" in expected or "undefined" in expected:
        assert answer == expected
        return
    error = answer["error"]
    assert error["function"] == expected["function"]
    assert error["position"] == expected["position"]
    assert expected["message"] in error["message"]


def test_flow_check_is_flow_validates_check(shared_designer: Designer) -> None:
    steps = [
        {"id": "cutout", "action": "removeBackground", "body": '{"image_url": input.url}'},
        {"id": "large", "action": "upscale", "body": '{"image_ur": cutout.data.url}'},
    ]
    problems = shared_designer.post("/api/flow/check", {"steps": steps}).get_json()["problems"]
    assert [problem["path"] for problem in problems] == ["$[1].body"]
    assert "image_ur" in problems[0]["message"]


def test_a_step_runs_on_the_sandbox_and_its_result_is_served(designer: Designer) -> None:
    answer = designer.post(
        "/api/steps/run",
        {
            "action": "removeBackground",
            "id": "cutout",
            "body": {"image_url": "https://example.com/a.jpg"},
        },
    ).get_json()
    assert [event["kind"] for event in answer["events"]] == ["data"]
    assert [event["step"] for event in answer["events"]] == ["cutout"]
    assert answer["output"]["status"] == "success"
    assert answer["credits"] == {"estimate": 1, "spent": 1, "balance": 999}
    [media] = answer["media"]
    assert media["type"] == "image/png"
    picture = designer.get(media["url"])
    assert picture.status_code == 200
    assert picture.mimetype == "image/png"
    assert picture.get_data().startswith(b"\x89PNG")
    assert "sandbox" in picture.headers["Content-Security-Policy"]
    events = designer.get("/api/events").get_json()["events"]
    assert events == answer["events"]
    assert designer.get("/api/media/not-an-id").status_code == 404


def test_a_local_photo_is_attached_as_on_the_command_line(
    designer: Designer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The designer's first root is the folder it was started in, where relative paths start.
    monkeypatch.chdir(designer.root)
    (designer.root / "photo.png").write_bytes(png())
    answer = designer.post(
        "/api/steps/run",
        {"action": "upscale", "body": {"image": "photo.png", "upscale_factor": 2}},
    ).get_json()
    assert answer["output"]["status"] == "success", answer["events"]
    assert answer["events"][0]["kind"] == "note"


def test_a_step_that_fails_gives_its_error_event(designer: Designer) -> None:
    answer = designer.post("/api/steps/run", {"action": "upscale", "body": {}}).get_json()
    assert [event["kind"] for event in answer["events"]] == ["error"]
    assert answer["output"] is None
    assert answer["media"] == []


def test_a_stub_is_made_from_the_out_schema(shared_designer: Designer) -> None:
    output = shared_designer.post(
        "/api/steps/stub", {"action": "removeBackground", "id": "cutout"}
    ).get_json()["output"]
    assert set(output) == {"status", "data", "attachmentUrl"}
    assert output["data"]["url"].startswith("https://dry-run.invalid/cutout/")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "items.csv",
            "url,size\nhttps://example.com/a.jpg,2\n",
            {"url": "https://example.com/a.jpg", "size": "2"},
        ),
        ("items.jsonl", '{"url": "u", "n": 1}\n{"url": "v"}\n', {"url": "u", "n": 1}),
    ],
)
def test_the_item_sample_is_the_first_item(
    designer: Designer, name: str, content: str, expected: dict[str, Any]
) -> None:
    (designer.root / name).write_text(content)
    answer = designer.post("/api/item-sample", {"path": name}).get_json()
    assert answer == {"item": expected}


def test_a_folders_item_sample_is_its_first_image(designer: Designer) -> None:
    folder = designer.root / "photos"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an image")
    (folder / "b.png").write_bytes(png())
    item = designer.post("/api/item-sample", {"path": "photos"}).get_json()["item"]
    assert item["file"] == "b.png"
    assert item["image"].startswith(("http", "file"))


def test_an_exported_fixture_runs_with_the_run_command(
    designer: Designer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = designer.post(
        "/api/steps/fixture",
        {
            "action": "removeBackground",
            "cfg": {"errorPolicy": "fail"},
            "body": {"image_url": "https://example.com/a.jpg"},
            "name": "cutout",
            "path": "fixture.json",
        },
    ).get_json()
    assert answer["name"] == "cutout"
    saved = json.loads((designer.root / "fixture.json").read_text())
    assert saved["fixtures"]["cutout"]["cfg"] == {"errorPolicy": "fail"}
    monkeypatch.chdir(designer.root)
    result = CliRunner().invoke(
        main, ["run", "removeBackground", "--fixtures", "fixture.json", "--fixture", "cutout"]
    )
    assert result.exit_code == 0, result.output
    assert '"event": "data"' in result.stdout


@pytest.mark.parametrize(
    ("route", "payload", "status", "starts"),
    [
        ("/api/check", {"action": "nope"}, 400, "action: 'nope' is not an action"),
        ("/api/check", {"action": "upscale", "cfg": []}, 400, "cfg: must be an object"),
        ("/api/check", {"action": "upscale", "cfg": {"colour": 1}}, 400, "cfg: colour"),
        ("/api/evaluate", {"expression": ""}, 400, "expression:"),
        ("/api/evaluate", {"expression": "1", "document": []}, 400, "document:"),
        ("/api/flow/check", {"steps": "x"}, 400, "steps:"),
        ("/api/flow/rename", {"steps": [], "index": "0", "newId": "a"}, 400, "index:"),
        ("/api/steps/run", {"action": "upscale", "confirmed": "yes"}, 400, "confirmed:"),
        ("/api/steps/stub", {"action": 3}, 400, "action:"),
        ("/api/actions/nope/meta", {}, 404, "name: 'nope'"),
        ("/api/actions/upscale/select", {"field": "colour"}, 400, "field: 'colour'"),
        ("/api/credentials", {"apiKey": 5}, 400, "apiKey:"),
        ("/api/credentials", {"password": "x"}, 400, "password:"),
        ("/api/credentials", {"imageApiBaseUrl": "ftp://x"}, 400, "imageApiBaseUrl:"),
        ("/api/flow/open", {"path": 7}, 400, "path:"),
        ("/api/flow/open", {"path": "missing.yaml"}, 404, "path:"),
        ("/api/flow/save", {"path": "flow.txt", "steps": []}, 400, "path:"),
        ("/api/item-sample", {"path": "missing.csv"}, 422, "path:"),
        ("/api/steps/fixture", {"action": "upscale", "name": "a b"}, 400, "name:"),
        ("/api/batch", {"flowPath": "f.yaml", "input": "i.csv", "resume": 1}, 400, "resume:"),
        ("/api/batch/none", {}, 405, "method:"),
        ("/api/batch/none/stop", {}, 404, "runId:"),
        ("/api/no-such-route", {}, 404, "path:"),
    ],
)
def test_a_bad_request_gets_a_4xx_naming_the_field(
    shared_designer: Designer, route: str, payload: dict[str, Any], status: int, starts: str
) -> None:
    answer = shared_designer.post(route, payload)
    assert answer.status_code == status
    assert answer.get_json()["error"].startswith(starts), answer.get_json()


def test_a_body_that_is_not_json_is_a_400(shared_designer: Designer) -> None:
    answer = shared_designer.client.post(
        "/api/check",
        base_url="http://127.0.0.1:8123",
        data="{not json",
        headers={"Origin": "http://127.0.0.1:8123", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"].startswith("body: is not valid JSON")


def test_a_bug_is_a_500_without_a_traceback(
    designer: Designer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(executor: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(catalog, "palette", broken)
    answer = designer.get("/api/palette")
    assert answer.status_code == 500
    text = answer.get_data(as_text=True)
    assert "Traceback" not in text
    assert "secret internals" not in text
    assert json.loads(text) == {"error": "the designer failed on this request: RuntimeError"}


def test_static_files_are_served_when_signed_in(designer: Designer) -> None:
    index = designer.get("/")
    assert index.status_code == 200
    assert index.mimetype == "text/html"
    assert designer.get("/static/app.js").mimetype == "text/javascript"
    assert designer.get("/static/style.css").mimetype == "text/css"
    assert designer.get("/static/../server.py").status_code == 404
    assert Path(catalog.__file__).parent.joinpath("server.py").exists()
