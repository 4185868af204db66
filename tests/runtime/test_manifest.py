"""component.json as the designer reads it, and the checks of ``picsart-flow validate``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.lib.checks import validate_problems
from picsart_component.runtime.checks import VALIDATE_HOOK, VIEW_CLASSES, check_component
from picsart_component.runtime.generate import stale_files, write_generated
from picsart_component.runtime.manifest import (
    COMPONENT_ROOT,
    ManifestError,
    component_hook,
    load_manifest,
    load_module,
)

MANIFEST = json.loads((COMPONENT_ROOT / "component.json").read_text())


def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COMPONENT_ROOT / "schemas" / name).read_text())
    return data


def test_component_has_title_description_and_the_spec_actions_first() -> None:
    assert MANIFEST["title"] == "Picsart"
    assert MANIFEST["description"]
    assert list(MANIFEST["actions"])[:3] == ["makeRawRequest", "removeBackground", "upscale"]
    for action in MANIFEST["actions"].values():
        assert {"title", "description", "help", "main", "fields", "metadata"} <= set(action)
        assert set(action["metadata"]) == {"in", "out"}


def test_credentials_fields_are_as_the_spec_describes() -> None:
    fields = MANIFEST["credentials"]["fields"]
    assert list(fields) == [
        "apiKey",
        "imageApiBaseUrl",
        "genaiApiBaseUrl",
        "videoApiBaseUrl",
        "vdApiBaseUrl",
        "allowHosts",
    ]
    api_key = fields["apiKey"]
    assert api_key["label"] == "API key"
    assert api_key["viewClass"] == "PasswordFieldView"
    assert api_key["required"] is True
    assert "console.picsart.io" in api_key["note"]
    base_url = fields["imageApiBaseUrl"]
    assert base_url["label"] == "Image API base URL"
    assert base_url["viewClass"] == "TextFieldView"
    assert base_url["required"] is False
    assert base_url["placeholder"] == "https://api.picsart.io/tools/1.0/"
    genai = fields["genaiApiBaseUrl"]
    assert (genai["label"], genai["viewClass"], genai["required"]) == (
        "GenAI API base URL",
        "TextFieldView",
        False,
    )
    assert genai["placeholder"] == "https://genai-api.picsart.io/v1/"
    video = fields["videoApiBaseUrl"]
    assert (video["label"], video["viewClass"], video["required"]) == (
        "Video API base URL",
        "TextFieldView",
        False,
    )
    assert video["placeholder"] == "https://video-api.picsart.io/v1/"
    vd = fields["vdApiBaseUrl"]
    assert (vd["label"], vd["viewClass"], vd["required"]) == (
        "Variable Data API base URL",
        "TextFieldView",
        False,
    )
    assert vd["placeholder"] == "https://vd-api.picsart.io/v1/"
    assert (COMPONENT_ROOT / "verifyCredentials.py").is_file()


def test_make_raw_request_metadata_and_config() -> None:
    action = MANIFEST["actions"]["makeRawRequest"]
    assert action["fields"]["errorPolicy"]["viewClass"] == "SelectView"
    assert action["fields"] == {
        "doNotThrow404": {
            "label": "Don't throw error on 404 Response",
            "required": False,
            "viewClass": "CheckBoxView",
            "note": "When checked, a 404 answer is returned as data instead of an error.",
        },
        "errorPolicy": action["fields"]["errorPolicy"],
    }
    assert list(action["fields"]) == ["doNotThrow404", "errorPolicy"]
    inputs = schema("makeRawRequest.in.json")["properties"]
    assert list(inputs) == ["url", "method", "data", "headers", "form", "files"]
    assert (inputs["url"]["title"], inputs["url"]["type"], inputs["url"].get("required")) == (
        "Url",
        "string",
        True,
    )
    assert inputs["method"]["title"] == "Method"
    assert inputs["method"]["enum"] == ["GET", "POST"]
    assert inputs["method"]["required"] is True
    assert (inputs["data"]["title"], inputs["data"]["type"]) == ("Request Body", "object")
    assert "required" not in inputs["data"]
    outputs = schema("makeRawRequest.out.json")["properties"]
    assert list(outputs) == ["statusCode", "headers", "responseBody", "error"]


def test_every_view_class_used_is_one_the_platform_knows() -> None:
    fields = [*MANIFEST["credentials"]["fields"].values()]
    for action in MANIFEST["actions"].values():
        fields += action["fields"].values()
    assert {field["viewClass"] for field in fields} <= VIEW_CLASSES


def test_every_action_module_loads_from_the_file_main_names() -> None:
    for key, action in load_manifest().actions.items():
        module = load_module(COMPONENT_ROOT, action.main)
        assert callable(module.process), key
        assert Path(module.__file__ or "").resolve() == (COMPONENT_ROOT / action.main).resolve()


def test_the_committed_component_is_valid() -> None:
    assert check_component(COMPONENT_ROOT) == []


def test_committed_schemas_and_fields_match_the_models() -> None:
    assert stale_files(COMPONENT_ROOT) == [], "run: picsart-flow generate"


@pytest.fixture
def component_copy(tmp_path: Path) -> Path:
    """A private copy of the component to break in different ways."""
    root = tmp_path / "component"
    root.mkdir()
    for name in ("component.json", "verifyCredentials.py"):
        shutil.copy(COMPONENT_ROOT / name, root / name)
    for folder in ("actions", "lib", "schemas"):
        shutil.copytree(
            COMPONENT_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


def edit_manifest(root: Path, change: Any) -> None:
    path = root / "component.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def test_a_clean_copy_passes_validation(component_copy: Path) -> None:
    assert check_component(component_copy) == []


BREAKAGES = [
    (
        "missing label",
        lambda m: m["credentials"]["fields"]["apiKey"].pop("label"),
        "credentials.fields.apiKey: has no label",
    ),
    (
        "unknown view class",
        lambda m: m["actions"]["upscale"]["fields"]["downloadResult"].update(viewClass="Fancy"),
        "actions.upscale.fields.downloadResult: viewClass 'Fancy' is not one the platform knows",
    ),
    (
        "select without model",
        lambda m: m["actions"]["upscale"]["fields"]["downloadResult"].update(
            viewClass="SelectView"
        ),
        "actions.upscale.fields.downloadResult: a SelectView needs a model",
    ),
    (
        "bad action name",
        lambda m: m["actions"].update({"9lives": m["actions"].pop("upscale")}),
        "actions.9lives: names must start with a letter and hold only letters, digits and _",
    ),
    (
        "no title",
        lambda m: m["actions"]["makeRawRequest"].pop("title"),
        "actions.makeRawRequest: has no title",
    ),
    (
        "no description",
        lambda m: m["actions"]["makeRawRequest"].update(description=""),
        "actions.makeRawRequest: has no description",
    ),
    (
        "missing main file",
        lambda m: m["actions"]["upscale"].update(main="./actions/nope.py"),
        "actions.upscale.main: './actions/nope.py' does not lead to a file",
    ),
    (
        "missing metadata file",
        lambda m: m["actions"]["upscale"]["metadata"].update({"out": "./schemas/nope.json"}),
        "actions.upscale.metadata.out: './schemas/nope.json' does not lead to a file",
    ),
    (
        "no metadata",
        lambda m: m["actions"]["upscale"].pop("metadata"),
        "actions.upscale: has no metadata",
    ),
    (
        "help without a description",
        lambda m: m["actions"]["upscale"]["help"].pop("description"),
        "actions.upscale.help: has no description",
    ),
    (
        "help link that is no URL",
        lambda m: m["actions"]["upscale"]["help"].update(link="docs/upscale"),
        "actions.upscale.help.link: must be an http(s) URL, not 'docs/upscale'",
    ),
    (
        "trigger named like an action",
        lambda m: m.update(triggers={"upscale": m["actions"]["upscale"]}),
        "component.json: 'upscale' is both a trigger and an action; names must be unique",
    ),
]


@pytest.mark.parametrize(("what", "change", "problem"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_validation_names_each_broken_rule(
    component_copy: Path, what: str, change: Any, problem: str
) -> None:
    edit_manifest(component_copy, change)
    assert problem in check_component(component_copy)


def test_validation_refuses_a_duplicated_name(component_copy: Path) -> None:
    path = component_copy / "component.json"
    text = path.read_text().replace(
        '"actions": {', '"actions": {\n    "upscale": {"title": "x"},', 1
    )
    path.write_text(text)
    assert check_component(component_copy) == [
        "component.json: the key 'upscale' appears twice in one object; keep one"
    ]


def test_validation_finds_undocumented_properties_and_missing_process(
    component_copy: Path,
) -> None:
    in_schema = component_copy / "schemas" / "upscale.in.json"
    data = json.loads(in_schema.read_text())
    del data["properties"]["format"]["description"]
    in_schema.write_text(json.dumps(data))
    module = component_copy / "actions" / "upscale.py"
    module.write_text(module.read_text() + "\ndel process\n")
    (component_copy / "actions" / "orphan.py").write_text("def process(msg, cfg, ctx): ...\n")
    problems = check_component(component_copy)
    assert "./schemas/upscale.in.json: property $.format has no description" in problems
    assert "actions.upscale: ./actions/upscale.py does not export process()" in problems
    assert (
        "actions/orphan.py: no action's main names this module; picsart-flow generate adds it "
        "as an action"
    ) in problems


def test_validation_reports_hand_edited_generated_fields(component_copy: Path) -> None:
    edit_manifest(
        component_copy,
        lambda m: m["actions"]["upscale"]["fields"]["downloadResult"].update(label="Download!"),
    )
    assert check_component(component_copy) == [
        "component.json: out of date with the models; run picsart-flow generate"
    ]


def test_validate_command_exit_codes(component_copy: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(main, ["validate", str(component_copy)])
    assert clean.exit_code == 0, clean.output
    assert "component is valid" in clean.output
    edit_manifest(component_copy, lambda m: m["actions"]["upscale"].pop("title"))
    broken = runner.invoke(main, ["validate", str(component_copy)])
    assert broken.exit_code == 1
    assert "actions.upscale: has no title" in broken.output


def test_generate_names_a_module_that_does_not_load_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from picsart_component.runtime import generate

    def broken(root: Path, main: str) -> object:
        raise NameError("name 'aimed_side_field' is not defined")

    monkeypatch.setattr(generate, "load_module", broken)
    result = CliRunner().invoke(main, ["generate", "--check"])
    assert result.exit_code == 1
    assert "cannot generate: NameError: name 'aimed_side_field' is not defined" in result.stderr
    assert "Traceback" not in result.output


def test_every_action_entry_is_written_from_its_module(component_copy: Path) -> None:
    """component.json holds by hand only each action's main: the texts, help, fields and
    metadata come from the module, and an action module no entry names is added."""
    committed = (component_copy / "component.json").read_text()
    last = list(MANIFEST["actions"])[-1]

    def strip(manifest: dict[str, Any]) -> None:
        del manifest["actions"][last]
        for entry in manifest["actions"].values():
            for key in ("title", "description", "help", "fields", "metadata"):
                entry.pop(key)

    edit_manifest(component_copy, strip)
    assert (component_copy / "component.json") in write_generated(component_copy)
    assert (component_copy / "component.json").read_text() == committed


def test_generate_refuses_a_new_module_whose_action_name_is_taken(component_copy: Path) -> None:
    edit_manifest(
        component_copy,
        lambda m: m["actions"]["upscale"].update(main="./actions/ultra_upscale.py"),
    )
    with pytest.raises(ManifestError, match="would be the action 'upscale', which"):
        write_generated(component_copy)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_validation_refuses_an_example_the_action_would_refuse(component_copy: Path) -> None:
    replace_in(
        component_copy / "actions" / "upscale.py",
        'EXAMPLE = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 2}',
        'EXAMPLE = {"image_url": "https://example.com/mug.jpg", "upscale_factor": 3}',
    )
    problems = check_component(component_copy)
    assert [p for p in problems if "EXAMPLE" in p] == [
        "actions.upscale: EXAMPLE is refused: $.upscale_factor must be one of: 2, 4, 6, 8"
    ]


def test_the_components_own_checks_find_an_action_missing_its_texts_or_sending_defaults(
    component_copy: Path,
) -> None:
    module = component_copy / "actions" / "upscale.py"
    replace_in(module, 'HELP_LINK = "https://docs.picsart.io/reference/image-upscale"\n', "")
    replace_in(
        module,
        """    format: OutputFormat | None = Field(
        None,""",
        """    format: OutputFormat | None = Field(
        "JPG",""",
    )
    assert validate_problems(component_copy) == [
        "actions.upscale: ./actions/upscale.py does not declare HELP_LINK",
        "actions.upscale: Input.format defaults to 'JPG'; an optional field defaults to None so "
        "that only what the user sets is sent (show Picsart's default with "
        'json_schema_extra={"default": ...})',
    ]


def write_component_with_hook(root: Path, hook_body: str) -> None:
    """A component of one action (upscale's), whose lib declares the validate hook so."""
    root.mkdir()
    for name in ("component.json", "verifyCredentials.py"):
        shutil.copy(COMPONENT_ROOT / name, root / name)
    shutil.copytree(COMPONENT_ROOT / "schemas", root / "schemas")
    shutil.copytree(
        COMPONENT_ROOT / "lib", root / "lib", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "actions").mkdir()
    shutil.copy(COMPONENT_ROOT / "actions" / "upscale.py", root / "actions" / "upscale.py")
    edit_manifest(root, lambda m: m.update(actions={"upscale": m["actions"]["upscale"]}))
    (root / "lib" / "__init__.py").write_text(
        f"def {VALIDATE_HOOK}(root):\n    {hook_body}\n", encoding="utf-8"
    )
    write_generated(root)


@pytest.mark.parametrize(
    ("hook_body", "expected"),
    [
        ("return []", []),
        ("return [f'{root.name}: its own rule']", ["hooked: its own rule"]),
        (
            "raise KeyError('main')",
            ["lib.validate_problems: the component's own checks failed: KeyError: 'main'"],
        ),
        ("return 'one line'", ["lib.validate_problems: must return a list of strings"]),
    ],
)
def test_validation_adds_what_the_components_hook_finds(
    tmp_path: Path, hook_body: str, expected: list[str]
) -> None:
    root = tmp_path / "hooked"
    write_component_with_hook(root, hook_body)
    assert check_component(root) == expected


def test_the_component_declares_its_checks_as_a_hook(component_copy: Path) -> None:
    assert component_hook(COMPONENT_ROOT, VALIDATE_HOOK) is not None
    module = component_copy / "actions" / "upscale.py"
    module.write_text(module.read_text().replace("HELP_LINK = ", "LINK = "))
    assert "actions.upscale: ./actions/upscale.py does not declare HELP_LINK" in (
        check_component(component_copy)
    )


def test_a_module_without_a_help_link_keeps_the_link_its_entry_has(component_copy: Path) -> None:
    module = component_copy / "actions" / "upscale.py"
    replace_in(module, 'HELP_LINK = "https://docs.picsart.io/reference/image-upscale"\n', "")
    write_generated(component_copy)
    entry = json.loads((component_copy / "component.json").read_text())["actions"]["upscale"]
    assert entry["help"]["link"] == "https://docs.picsart.io/reference/image-upscale"
    assert entry["help"]["description"].startswith("Results may be at most 4800x4800 pixels.")
