"""What the browser tests share: screenshots, the designer's sandbox, and small page steps."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from picsart_component.flow_designer.serving import RunningDesigner
from picsart_component.sandbox import RunningSandbox

SHOTS = os.environ.get("PICSART_DESIGNER_SHOTS")
"""A folder for screenshots of each main state, when set (for people to look at)."""

UNLABELLED_CONTROLS = """
() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden' && el.getClientRects().length)
  .filter((el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return false;
    const by = el.getAttribute('aria-labelledby');
    const named = (id) => (document.getElementById(id)?.textContent || '').trim();
    if (by && by.split(/\\s+/).some(named)) return false;
    if ([...el.labels || []].some((label) => label.textContent.trim())) return false;
    if ((el.getAttribute('title') || '').trim()) return false;
    return true;
  })
  .map((el) => el.outerHTML.slice(0, 160))
"""
"""The visible form controls without an accessible name (aria-label, aria-labelledby, a label
or a title), as axe's "label" rule counts them."""


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def sandbox_of(designer: RunningDesigner) -> RunningSandbox:
    """The embedded sandbox the designer sends its requests to (it runs in sandbox mode)."""
    assert designer.sandbox is not None
    return designer.sandbox


def add_action(page: Page, search: str, title: str) -> None:
    page.get_by_label("Search actions").fill(search)
    page.get_by_role("button", name=f"Add {title} to the flow").click()
    expect(page.locator("#inspector-title")).to_contain_text("Step")


def type_item(page: Page, item: str) -> None:
    page.locator("#item-node").click()
    page.get_by_label("Item sample (JSON)").fill(item)


def map_expression(page: Page, field_title: str, expression: str) -> None:
    """Switches a field to JSONata (unless it is already) and types the expression."""
    toggle = page.get_by_role("button", name=f"Map {field_title} with a JSONata expression")
    if toggle.get_attribute("aria-pressed") != "true":
        toggle.click()
    field = page.locator(".in-field").filter(has=toggle).locator("input.expr")
    field.fill(expression)
