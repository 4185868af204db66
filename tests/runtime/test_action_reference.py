"""The action reference of the documentation site: generated from the same entries and schemas as
component.json, current in the checkout, and reported by ``generate --check`` when it is not."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.runtime.generate import generated_files, stale_files
from picsart_component.runtime.manifest import COMPONENT_ROOT, ManifestError
from picsart_component.runtime.reference import (
    REFERENCE_GROUPS_HOOK,
    REFERENCE_PATH,
    SHOWN_CHOICES,
    choices_text,
    example_command,
    field_lines,
    text,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT / REFERENCE_PATH
MANIFEST = json.loads((REPO_ROOT / "component.json").read_text(encoding="utf-8"))


def site_copy(root: Path, actions: tuple[str, ...] = ()) -> Path:
    """The component with its documentation site, or with only ``actions`` when some are named."""
    root.mkdir()
    for name in ("component.json", "verifyCredentials.py", "mkdocs.yml"):
        shutil.copy(REPO_ROOT / name, root / name)
    for folder in ("lib", "schemas"):
        shutil.copytree(
            REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    if actions:
        (root / "actions").mkdir()
        manifest = json.loads((root / "component.json").read_text())
        manifest["actions"] = {name: manifest["actions"][name] for name in actions}
        (root / "component.json").write_text(json.dumps(manifest, indent=2) + "\n")
        for name in actions:
            main_file = manifest["actions"][name]["main"].removeprefix("./")
            shutil.copy(REPO_ROOT / main_file, root / main_file)
    else:
        shutil.copytree(
            REPO_ROOT / "actions", root / "actions", ignore=shutil.ignore_patterns("__pycache__")
        )
    (root / REFERENCE_PATH).parent.mkdir(parents=True)
    shutil.copy(REFERENCE, root / REFERENCE_PATH)
    return root


def test_the_committed_reference_is_what_generate_writes() -> None:
    files = {path.resolve(): text for path, text in generated_files(COMPONENT_ROOT).items()}
    assert files[REFERENCE.resolve()] == REFERENCE.read_text(encoding="utf-8"), (
        "run: picsart-flow generate"
    )


def test_the_reference_has_every_action_with_its_example_as_a_command() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    headings = re.findall(r"^### .* \{#(\w+)\}$", reference, flags=re.M)
    assert headings == [name for name in headings if name in MANIFEST["actions"]]
    assert sorted(headings) == sorted(MANIFEST["actions"])
    assert 'picsart-flow run upscale --body \'{"image_url": ' in reference


def test_generate_check_fails_when_the_reference_is_stale(tmp_path: Path) -> None:
    """Two copies of one action, the second with its EXAMPLE edited (a module is imported once
    per copy) and the first's reference, current for the unedited action."""
    current = site_copy(tmp_path / "current", actions=("upscale",))
    written = CliRunner().invoke(main, ["generate", str(current)], catch_exceptions=False)
    assert written.output == "wrote docs/reference/actions.md\n"
    checked = CliRunner().invoke(main, ["generate", "--check", str(current)])
    assert (checked.exit_code, checked.output) == (0, "")

    edited = site_copy(tmp_path / "edited", actions=("upscale",))
    shutil.copy(current / REFERENCE_PATH, edited / REFERENCE_PATH)
    module = edited / "actions" / "upscale.py"
    module.write_text(module.read_text().replace('"upscale_factor": 2}', '"upscale_factor": 4}'))
    stale = CliRunner().invoke(main, ["generate", "--check", str(edited)])
    assert (stale.exit_code, stale.output) == (1, "out of date: docs/reference/actions.md\n")
    assert "upscale_factor\": 4}'" in generated_files(edited)[edited / REFERENCE_PATH]


def test_a_component_without_a_site_gets_no_reference(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "component", actions=("upscale",))
    (root / "mkdocs.yml").unlink()
    assert root / REFERENCE_PATH not in generated_files(root)
    assert stale_files(root) == []


def with_groups_hook(root: Path, body: str) -> None:
    with (root / "lib" / "__init__.py").open("a", encoding="utf-8") as file:
        file.write(f"\n\ndef {REFERENCE_GROUPS_HOOK}(names):\n    {body}\n")


@pytest.mark.parametrize(
    ("hook", "headings"),
    [
        ("", ["Image tools"]),
        (None, ["Actions"]),
        ("return [('Image tools', names[::-1]), ('Empty', [])]", ["Image tools"]),
        ("return [('B', names[1:]), ('A', names[:1])]", ["B", "A"]),
    ],
    ids=[
        "the component's own: the palette's groups",
        "no hook: one group",
        "an empty group is left out",
        "the hook's order",
    ],
)
def test_the_components_hook_groups_the_actions(
    tmp_path: Path, hook: str | None, headings: list[str]
) -> None:
    root = site_copy(tmp_path / "component", actions=("upscale", "removeBackground"))
    if hook is None:
        with (root / "lib" / "__init__.py").open("a", encoding="utf-8") as file:
            file.write(f"\n\ndel {REFERENCE_GROUPS_HOOK}\n")
    elif hook:
        with_groups_hook(root, hook)
    reference = generated_files(root)[root / REFERENCE_PATH]
    assert re.findall(r"^## (.*)$", reference, flags=re.M) == headings


def test_a_hook_that_leaves_an_action_out_is_refused(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "component", actions=("upscale", "removeBackground"))
    with_groups_hook(root, "return [('Image tools', names[:1])]")
    with pytest.raises(ManifestError, match="must place every action once"):
        generated_files(root)


CHOICES = [f"c{n}" for n in range(SHOWN_CHOICES + 5)]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {"type": "integer", "title": "Count", "required": True, "minimum": 1, "maximum": 4},
            "- **`n`** (integer, required): Count. Bounds: at least 1, at most 4.",
        ),
        (
            {"type": "string", "pattern": "^`\\S+$"},
            "- **`n`** (string, optional) Bounds: matches the regular expression ``^`\\S+$``.",
        ),
        (
            {"type": "string", "minLength": 1, "maxLength": 2, "default": "a"},
            "- **`n`** (string, optional) Bounds: at least 1 character, at most 2 characters. "
            "Default: `a`.",
        ),
        (
            {"type": "string", "enum": CHOICES},
            f"- **`n`** (string, optional) Choices: {choices_text(CHOICES)}.",
        ),
        (
            {"type": "array", "items": {"type": "string", "enum": ["x"]}, "deprecated": True},
            "- **`n`** (array of string, optional, deprecated) Each one of: `x`.",
        ),
        (
            {"type": "string", "description": "a *b* <c> | d_e"},
            r"- **`n`** (string, optional) a \*b\* &lt;c&gt; \| d\_e",
        ),
    ],
    ids=["bounds", "pattern", "lengths and default", "long choices", "array", "markdown escaped"],
)
def test_a_field_is_described(schema: dict[str, Any], expected: str) -> None:
    assert field_lines({"n": schema}) == [expected]


def test_a_long_list_of_choices_is_shortened_with_its_count() -> None:
    shown = choices_text(CHOICES)
    assert shown.endswith(f", … ({len(CHOICES)} in all)")
    assert shown.count("`") == 2 * (SHOWN_CHOICES - 2)


@pytest.mark.parametrize(
    ("choices", "shown"),
    [
        ([2, 3, 4, 5], "every whole number from `2` to `5`"),
        ([2, 4, 6, 8], "`2`, `4`, `6`, `8`"),
        ([1, 2, 3], "`1`, `2`, `3`"),
        ([True, False], "`true`, `false`"),
    ],
)
def test_choices_are_listed_or_given_as_a_range(choices: list[Any], shown: str) -> None:
    assert choices_text(choices) == shown


def test_nested_fields_follow_their_object_by_dotted_name() -> None:
    lines = field_lines({"data": {"type": "object", "properties": {"url": {"type": "string"}}}})
    assert [line.split("**")[1] for line in lines] == ["`data`", "`data.url`"]


def test_an_example_is_a_command_the_shell_reads_back() -> None:
    command = example_command("upscale", {"prompt": "it's"})
    assert command == 'picsart-flow run upscale --body \'{"prompt": "it\'"\'"\'s"}\''
    assert text("a\n  b") == "a b"
