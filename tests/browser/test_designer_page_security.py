"""The designer's gates seen from outside (token, Host, Origin), and a key typed into the page's
credentials form that no answer ever carries back, while a run with it asks first and says what
it spent."""

from __future__ import annotations

import http.client
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from picsart_component.sandbox import start_sandbox
from tests.conftest import CANARY_KEY

if os.environ.get("CI") != "true":  # under CI a missing Playwright fails the collection
    pytest.importorskip("playwright", reason="needs Playwright: pip install 'playwright>=1.45'")

from playwright.sync_api import Browser, Page, Response, expect

from picsart_component.flow_designer.serving import RunningDesigner, start_designer
from tests.browser.browser_support import (
    add_action,
    map_expression,
    shot,
    type_item,
)

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def own_designer(designer_root: Path) -> Iterator[RunningDesigner]:
    """A designer of this test's own: a key set through its form must not reach other tests."""
    started = start_designer(designer_root)
    yield started
    started.stop()


def ask(
    designer: RunningDesigner, method: str, path: str, headers: dict[str, str], body: str = ""
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", designer.port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_the_token_the_host_and_the_origin_are_required(designer: RunningDesigner) -> None:
    host = f"127.0.0.1:{designer.port}"
    token = {"X-Designer-Token": designer.session.token}
    json_body = {"Content-Type": "application/json"}
    same_origin = {"Origin": designer.base_url}
    cases = [
        ("GET", "/api/state", {"Host": host}, 401),
        ("GET", "/", {"Host": host}, 401),
        ("GET", "/static/app.js", {"Host": host}, 401),
        ("GET", "/?token=wrong", {"Host": host}, 401),
        ("GET", "/api/state", {"Host": host, "X-Designer-Token": "wrong"}, 401),
        ("GET", "/api/state", {"Host": f"attacker.example:{designer.port}", **token}, 403),
        ("POST", "/api/credentials", {"Host": host, **token, **json_body}, 403),
        (
            "POST",
            "/api/credentials",
            {"Host": host, **token, **json_body, "Origin": "http://attacker.example"},
            403,
        ),
        (
            "POST",
            "/api/credentials",
            {"Host": host, **token, **same_origin, "Content-Type": "text/plain"},
            415,
        ),
        ("GET", "/api/state", {"Host": host, **token}, 200),
        ("GET", f"/?token={designer.session.token}", {"Host": host}, 303),
    ]
    got = [
        (
            method,
            path,
            ask(designer, method, path, headers, '{"apiKey": "x"}' if method == "POST" else "")[0],
        )
        for method, path, headers, _ in cases
    ]
    assert got == [(method, path, status) for method, path, _, status in cases]
    assert not designer.session.credentials.key


def test_a_key_set_in_the_form_is_in_no_response_and_a_run_asks_first(
    browser: Browser, own_designer: RunningDesigner
) -> None:
    answers: list[tuple[str, str]] = []

    def keep(response: Response) -> None:
        try:
            body = response.body().decode("utf-8", "replace")
        except Exception:  # a redirect has no body to read
            body = ""
        answers.append((response.url, json.dumps(response.headers) + body))

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(8000)
    page: Page = context.new_page()
    page.on("response", keep)
    with start_sandbox(credits=40) as sandbox:
        page.goto(own_designer.url)
        page.wait_for_selector("body[data-ready=true]")
        expect(page.locator("#mode-badge")).to_have_text("Sandbox: free")
        page.get_by_role("button", name="Credentials").click()
        page.get_by_label("API key").fill(CANARY_KEY)
        page.get_by_label("Image API base URL").fill(sandbox.base_url)
        page.get_by_label("GenAI API base URL").fill(sandbox.genai_base_url)
        page.get_by_label("Video API base URL").fill(sandbox.video_base_url)
        page.get_by_role("button", name="Save credentials").click()
        expect(page.locator(".cred-status")).to_have_text("API key configured (form)")
        expect(page.get_by_label("API key")).to_have_value("")
        expect(page.locator("#mode-badge")).to_have_text("Live: runs spend credits")
        page.get_by_role("button", name="Verify").click()
        expect(page.locator(".verify-result")).to_have_text(re.compile(r"^Verified"))
        shot(page, "08-credentials")

        type_item(page, '{"url": "https://images.example.com/mug-001.jpg"}')
        add_action(page, "background", "Remove background")
        map_expression(page, "Image URL", "input.url")
        expect(page.locator(".in-field[data-field=image_url] .preview")).to_contain_text("mug-001")
        page.get_by_role("button", name="Run this step").click()
        dialog = page.locator("dialog[open]")
        expect(dialog.locator(".balance")).to_have_text("40")
        expect(dialog.locator(".estimate")).to_have_text("1 credit")
        expect(dialog).to_contain_text("estimate")
        shot(page, "09-confirm")
        dialog.get_by_role("button", name="Run and spend").click()
        expect(page.locator(".results .credits")).to_contain_text("spent 1 credit")
        expect(page.locator(".results img.media")).to_be_visible()
        page.get_by_role("button", name="Events").click()
        expect(page.locator(".events .event").first).to_be_visible()
        page.get_by_role("button", name="Credentials").click()
        expect(page.get_by_label("API key")).to_have_value("")
        html = page.content()
        storage = page.evaluate(
            "() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie"
        )
    context.close()
    assert len(answers) > 20
    leaks = [url for url, text in answers if CANARY_KEY in text]
    assert leaks == []
    assert CANARY_KEY not in html
    assert CANARY_KEY not in storage
