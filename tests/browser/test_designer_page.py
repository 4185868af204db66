"""The designer page as a low-code user drives it, in a real browser against the real server and
the embedded sandbox (issue 27, "Tested in a real browser")."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.flow_designer.serving import RunningDesigner

if os.environ.get("CI") != "true":  # under CI a missing Playwright fails the collection
    pytest.importorskip("playwright", reason="needs Playwright: pip install 'playwright>=1.45'")

from playwright.sync_api import Page, expect

from tests.browser.browser_support import (
    UNLABELLED_CONTROLS,
    add_action,
    map_expression,
    sandbox_of,
    shot,
    type_item,
)

pytestmark = pytest.mark.xdist_group("browser")

ITEM = '{"sku": "MUG-001", "url": "https://images.example.com/mug-001.jpg"}'


def test_cutout_then_upscale_built_run_saved_and_run_by_flow_run(
    page: Page, designer: RunningDesigner, designer_root: Path, tmp_path: Path
) -> None:
    type_item(page, ITEM)
    add_action(page, "background", "Remove background")
    shown = page.locator("#palette-groups .palette-item").evaluate_all(
        "(items) => items.map((item) => item.querySelector('.palette-add').textContent + ' '"
        " + item.dataset.action + ' ' + item.querySelector('.palette-desc').textContent)"
    )
    assert shown
    assert all("background" in text.lower() for text in shown), shown
    map_expression(page, "Image URL", "input.url")
    expect(page.locator(".in-field[data-field=image_url] .preview")).to_have_text(
        '= "https://images.example.com/mug-001.jpg"'
    )
    page.get_by_role("button", name="Run this step").click()
    cutout = page.locator(".results img.media")
    expect(cutout).to_be_visible()
    expect(cutout).to_have_attribute("src", re.compile(r"^/api/media/"))
    # Visible is laid out, not yet decoded: wait until the picture itself has loaded.
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=cutout.element_handle()
    )
    shot(page, "01-cutout")

    add_action(page, "upscale", "Upscale")
    page.get_by_role("button", name="Map from a field ▾").first.click()
    page.locator(".field-pick[data-path='removeBackground.data.url']").click()
    expect(page.locator(".in-field[data-field=image_url] input.expr")).to_have_value(
        "removeBackground.data.url"
    )
    expect(page.locator(".in-field[data-field=image_url] .preview")).to_contain_text("/results/")
    page.locator(".in-field[data-field=upscale_factor] select").select_option("2")
    page.get_by_role("button", name="Run this step").click()
    expect(page.locator(".results img.media")).to_be_visible()
    expect(page.locator("#flow-steps .tag-run")).to_have_count(2)
    shot(page, "02-upscale")

    flow_path = designer_root / f"cutout-upscale-{tmp_path.name}.yaml"
    page.get_by_role("button", name="Save…").click()
    page.get_by_label("Path", exact=True).fill(str(flow_path))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#flow-file")).to_have_text(str(flow_path))

    items = tmp_path / "items.jsonl"
    items.write_text(ITEM + "\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(
        main, ["flow", "run", str(flow_path), "--input", str(items), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    [line] = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert line["status"] == "done"
    in_page = page.evaluate(
        """async () => Object.fromEntries((await import("/static/js/state.js")).state.steps
            .map((step) => [step.id, step.sample.output]))"""
    )

    def shape(output: dict[str, Any]) -> tuple[object, ...]:
        return (sorted(output), output["status"], Path(output["data"]["url"]).suffix)

    assert {step: shape(output) for step, output in line["steps"].items()} == {
        step: shape(output) for step, output in in_page.items()
    }
    assert list(in_page) == ["removeBackground", "upscale"]


def test_a_jsonata_typo_is_shown_in_red_with_the_function_before_anything_runs(
    page: Page, designer: RunningDesigner
) -> None:
    sandbox = sandbox_of(designer)
    sent_before = len(sandbox.request_log())
    type_item(page, ITEM)
    add_action(page, "background", "Remove background")
    map_expression(page, "Image URL", "$uppercas(input.url)")
    preview = page.locator(".in-field[data-field=image_url] .preview")
    expect(preview).to_contain_text("$uppercas")
    expect(preview).to_have_class(re.compile(r"\berror\b"))
    expect(preview).to_have_css("color", "rgb(180, 35, 24)")
    expect(page.locator("#flow-problems")).to_contain_text("$uppercas")
    shot(page, "03-typo")
    assert len(sandbox.request_log()) == sent_before


def test_an_effect_select_is_filled_by_its_dynamic_list_and_falls_back_when_the_call_fails(
    page: Page, designer: RunningDesigner
) -> None:
    add_action(page, "effect", "Effect")
    select = page.locator(".in-field[data-field=effect_name] select")
    note = page.locator(".in-field[data-field=effect_name] .source-note")
    expect(note).to_have_text("Live list from Picsart")
    assert select.locator("option").count() > 8
    page.get_by_label("Search the options of Effect").fill("sketch")
    expect(select.locator("option:not([value=''])")).to_have_count(
        select.locator("option[value*=sketch]").count()
    )
    select.select_option("sketch1")
    shot(page, "04-dynamic-select")

    sandbox_of(designer).set_faults("403:next=50,path=effects-list")
    try:
        with page.expect_response(re.compile(r"/api/actions/applyEffect/meta$")) as meta:
            page.locator(".in-field[data-field=effect_name]").get_by_role(
                "button", name="Reload the list of Effect"
            ).click()
        assert meta.value.json()["source"] == "static", meta.value.json().get("reason")
        expect(note).to_contain_text("Static list")
        expect(note).to_contain_text("403")
        assert page.locator(".in-field[data-field=effect_name] select option").count() > 8
    finally:
        sandbox_of(designer).set_faults("")


def test_a_batch_of_ten_shows_progress_and_a_gallery_stops_and_resumes(
    page: Page, designer: RunningDesigner, designer_root: Path, tmp_path: Path
) -> None:
    add_action(page, "background", "Remove background")
    map_expression(page, "Image URL", "input.url")
    flow_path = designer_root / f"batch-{tmp_path.name}.yaml"
    results = designer_root / f"batch-{tmp_path.name}.jsonl"
    page.get_by_role("button", name="Save…").click()
    page.get_by_label("Path", exact=True).fill(str(flow_path))
    with page.expect_request("**/api/flow/save") as saving:
        page.get_by_role("button", name="Save", exact=True).click()
    assert json.loads(saving.value.post_data or "{}")["path"] == str(flow_path)
    expect(page.locator("#flow-file")).to_have_text(str(flow_path))

    sandbox_of(designer).set_faults("slow:ms=300,path=removebg")
    try:
        page.get_by_role("button", name="Run a batch").click()
        page.get_by_label("Input (CSV, JSONL or folder)").fill(str(designer_root / "items.jsonl"))
        page.get_by_label("Results file").fill(str(results))
        page.get_by_label("Workers (empty: auto)").fill("1")
        page.get_by_role("button", name="Start the batch").click()
        counts = page.locator(".batch-counts")
        expect(counts).to_contain_text("running")
        expect(page.locator(".gallery img.media").first).to_be_visible()
        page.get_by_role("button", name="Stop").click()
        expect(counts).to_contain_text("stopped")
        stopped_at = int(re.search(r"(\d+) done", counts.inner_text()).group(1))  # type: ignore[union-attr]
        assert 0 < stopped_at < 10
        shot(page, "05-batch-stopped")
    finally:
        sandbox_of(designer).set_faults("")
    page.get_by_role("button", name="Resume").click()
    expect(counts).to_contain_text("finished: 10 done, 0 failed of 10", timeout=15000)
    expect(page.locator(".gallery img.media")).to_have_count(10)
    shot(page, "06-batch-finished")
    lines = results.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10


def press_until_focused(page: Page, selector: str, key: str = "Tab", limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate(f"() => document.activeElement?.matches({json.dumps(selector)})"):
            return
        page.keyboard.press(key)
    pytest.fail(f"{selector} never got the focus by {key}")


def test_the_main_path_works_by_keyboard_alone_with_visible_focus(
    page: Page, designer_root: Path, tmp_path: Path
) -> None:
    press_until_focused(page, "#item-node")
    page.keyboard.press("Enter")
    press_until_focused(page, "#item-sample")
    page.keyboard.press("Control+A")
    page.keyboard.type(ITEM)
    press_until_focused(page, "#palette-search", "Shift+Tab")
    page.keyboard.type("background")
    page.keyboard.press("ArrowDown")
    press_until_focused(page, "button[aria-label='Add Remove background to the flow']", "ArrowDown")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    press_until_focused(page, "button[aria-label='Map Image URL with a JSONata expression']")
    page.keyboard.press("Enter")
    page.keyboard.type("input.url")
    press_until_focused(page, "button.run-step")
    page.keyboard.press("Enter")
    expect(page.locator(".results img.media")).to_be_visible()

    press_until_focused(page, "#palette-search", "Shift+Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("upscale")
    page.keyboard.press("Tab")
    press_until_focused(page, "button[aria-label='Add Upscale to the flow']", "ArrowDown")
    page.keyboard.press("Enter")
    press_until_focused(page, "#flow-steps li[data-id=upscale] .step-select", "Shift+Tab", 200)
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#flow-steps li").first).to_have_attribute("data-id", "upscale")
    assert page.evaluate("() => document.activeElement.closest('li').dataset.id") == "upscale"
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#flow-steps li").first).to_have_attribute("data-id", "removeBackground")
    press_until_focused(page, "#save-flow", "Shift+Tab", 200)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Path", exact=True)).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(designer_root / f"keyboard-{tmp_path.name}.yaml"))
    page.keyboard.press("Enter")
    expect(page.locator("#flow-file")).to_have_text(
        str(designer_root / f"keyboard-{tmp_path.name}.yaml")
    )
    shot(page, "07-keyboard")


def test_every_input_has_a_label(page: Page) -> None:
    missing: dict[str, list[str]] = {}
    checked = 0

    def check(view: str) -> None:
        nonlocal checked
        missing[view] = page.evaluate(UNLABELLED_CONTROLS)
        checked += page.locator("input:visible, select:visible, textarea:visible").count()

    add_action(page, "background", "Remove background")
    page.locator(".optional-fields summary").click()
    map_expression(page, "Image URL", "input.url")
    check("Remove background")
    add_action(page, "effect", "Effect")
    check("Effect")
    for name in ("Run a batch", "Credentials"):
        page.get_by_role("button", name=name).click()
        check(name)
    page.locator("#item-node").click()
    check("item")
    page.get_by_role("button", name="Open…").click()
    check("open dialog")
    page.keyboard.press("Escape")
    assert not any(missing.values()), missing
    assert checked > 30


VIEW_CLASS_FORM = """
async () => {
  const { stepForm } = await import("/static/js/form.js");
  const { makeStep } = await import("/static/js/state.js");
  const step = makeStep({ id: "shown", action: "removeBackground", body: {} });
  const many = Object.fromEntries([...Array(9).keys()].map((n) => [`v${n}`, `Value ${n}`]));
  const info = {
    name: "removeBackground",
    fields: {
      text: {
        label: "Text", viewClass: "TextFieldView", required: true, placeholder: "type",
        note: "A note", order: 2,
      },
      area: { label: "Area", viewClass: "TextAreaView", order: 1 },
      secret: { label: "Secret", viewClass: "PasswordFieldView", order: 3 },
      several: { label: "Several", viewClass: "MultiSelectView", model: { x: "X" }, order: 4 },
      pick: { label: "Pick", viewClass: "SelectView", model: many, prompt: "Pick one", order: 5 },
      flag: { label: "Flag", viewClass: "CheckBoxView", order: 6 },
    },
    in: { type: "object", properties: {} },
    exactlyOne: [],
  };
  document.getElementById("inspector").replaceChildren(stepForm(step, info).element);
}
"""


def test_config_fields_render_by_their_view_class(page: Page) -> None:
    page.evaluate(VIEW_CLASS_FORM)
    section = page.locator("#inspector .form-section").first
    order = section.locator("[data-field]").evaluate_all("(all) => all.map((f) => f.dataset.field)")
    assert order == ["area", "text", "secret", "several", "pick", "flag"]
    kinds = {
        "Area": "textarea",
        "Text *": "input[type=text]",
        "Secret": "input[type=password]",
        "Several": "select[multiple]",
        "Pick": "select:not([multiple])",
        "Flag": "input[type=checkbox]",
    }
    for label, selector in kinds.items():
        control = section.get_by_label(label, exact=True)
        assert control.evaluate(f"(el) => el.matches({json.dumps(selector)})"), label
    expect(section.get_by_label("Text *", exact=True)).to_have_attribute("placeholder", "type")
    expect(section.locator("[data-field=text] .note-text")).to_have_text("A note")
    expect(section.locator("[data-field=pick] select option").first).to_have_text("Pick one")
    section.get_by_label("Search the options of Pick").fill("Value 3")
    expect(section.locator("[data-field=pick] select option:not([value=''])")).to_have_text(
        ["Value 3"]
    )
    assert not page.evaluate(UNLABELLED_CONTROLS)


BODY_CASES: list[tuple[object, dict[str, object]]] = [
    (
        {"image_url": "https://a.example/x.png", "upscale_factor": 2},
        {
            "fields": {
                "image_url": {"mode": "fixed", "value": "https://a.example/x.png"},
                "upscale_factor": {"mode": "fixed", "value": 2},
            }
        },
    ),
    (
        '{"image_url": input.url, "format": "PNG"}',
        {
            "fields": {
                "image_url": {"mode": "expr", "value": "input.url"},
                "format": {"mode": "fixed", "value": "PNG"},
            }
        },
    ),
    (
        '{\n  "image_url": input.url,\n  "image": input.image\n}\n',
        {
            "fields": {
                "image_url": {"mode": "expr", "value": "input.url"},
                "image": {"mode": "expr", "value": "input.image"},
            }
        },
    ),
    (
        '{"format": input.png ? "PNG" : "JPG", "n": $count([1, 2])}',
        {
            "fields": {
                "format": {"mode": "expr", "value": 'input.png ? "PNG" : "JPG"'},
                "n": {"mode": "expr", "value": "$count([1, 2])"},
            }
        },
    ),
    ('$merge([{"a": 1}, input])', {"whole": '$merge([{"a": 1}, input])'}),
    ('{"a": $match(input.s, /x,y/)}', {"whole": '{"a": $match(input.s, /x,y/)}'}),
    ('{"a": 1, "a": 2}', {"whole": '{"a": 1, "a": 2}'}),
    ("{'a': input.b}", {"whole": "{'a': input.b}"}),
    (
        '{"a": "}", "b": input.c /* , */}',
        {
            "fields": {
                "a": {"mode": "fixed", "value": "}"},
                "b": {"mode": "expr", "value": "input.c /* , */"},
            }
        },
    ),
]


def test_bodies_split_into_fields_and_compose_back(page: Page) -> None:
    got = page.evaluate(
        """async (bodies) => {
          const { splitBody, composeBody } = await import("/static/js/body.js");
          return bodies.map((body) => {
            const split = splitBody(body);
            return { split, again: split.fields ? splitBody(composeBody(split.fields)) : null };
          });
        }""",
        [body for body, _ in BODY_CASES],
    )
    for (body, expected), answer in zip(BODY_CASES, got, strict=True):
        assert answer["split"] == expected, body
        if "fields" in expected:
            assert answer["again"] == expected, body


def test_steps_are_added_and_reordered_by_dragging(page: Page) -> None:
    steps = page.locator("#flow-steps li")
    palette = page.locator("#palette-groups")
    page.get_by_label("Search actions").fill("upscale")
    # The list is filtered after a pause in the typing: drag from the settled list.
    expect(palette.locator(".palette-item[data-action=removeBackground]")).to_have_count(0)
    page.locator(".palette-item[data-action=upscale]").drag_to(page.locator("#drop-zone"))
    expect(steps).to_have_count(1)
    page.get_by_label("Search actions").fill("background")
    expect(palette.locator(".palette-item[data-action=upscale]")).to_have_count(0)
    page.locator(".palette-item[data-action=removeBackground]").drag_to(
        steps.first, target_position={"x": 40, "y": 4}
    )
    expect(steps).to_have_count(2)
    ids = "(items) => items.map((item) => item.dataset.id)"
    assert steps.evaluate_all(ids) == ["removeBackground", "upscale"]
    steps.first.drag_to(page.locator("#drop-zone"))
    expect(steps.first).to_have_attribute("data-id", "upscale")
    assert steps.evaluate_all(ids) == ["upscale", "removeBackground"]
    page.get_by_role("button", name="Remove upscale").click()
    assert steps.evaluate_all(ids) == ["removeBackground"]
