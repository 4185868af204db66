"""The designer page in a real browser: Playwright from PyPI driving Debian's Chromium.

One browser and one designer server per test module, the modules run together on one test
worker (the ``browser`` xdist group, with ``--dist loadgroup``), and a fresh browser context
(cookies, storage) for every test. Both end with their module: Playwright's synchronous API keeps
its event loop marked running in this thread while it is started, so a later test's
``asyncio.run`` would fail under a browser kept for the whole session. Without Playwright or
Chromium the tests skip and say why, except under ``CI=true``, where every test must run.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from picsart_component.console import TARGET_VARIABLES
from picsart_component.flow_designer.serving import RunningDesigner, start_designer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("PICSART_TEST_CHROMIUM", "/usr/lib/chromium/chromium"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install 'playwright>=1.45')")
        raise
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} does not start: {error.message.splitlines()[0]}")
            raise
        yield launched
        launched.close()
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # the next module's asyncio.run needs none left running


@pytest.fixture(scope="module")
def designer_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the designer is started in: the only place its file dialogs reach."""
    root = tmp_path_factory.mktemp("designer-root")
    (root / "items.jsonl").write_text(
        "".join(
            json.dumps({"sku": f"MUG-{n:03d}", "url": f"https://images.example.com/mug-{n}.jpg"})
            + "\n"
            for n in range(10)
        ),
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def designer(designer_root: Path) -> Iterator[RunningDesigner]:
    """The designer's server in this process, on a free loopback port, in sandbox mode (no key,
    no base URL), as a new user starts it."""
    with pytest.MonkeyPatch.context() as patch:
        for name in TARGET_VARIABLES:
            patch.delenv(name, raising=False)
        handle = start_designer(designer_root)
        yield handle
        handle.stop()


@pytest.fixture
def page(browser: Browser, designer: RunningDesigner) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(8000)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.goto(designer.url)
    opened.wait_for_selector("body[data-ready=true]")
    yield opened
    context.close()
    assert not problems, f"the page threw: {problems}"
