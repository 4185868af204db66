"""``picsart-flow designer`` as a user starts it: one line with the address, served until Ctrl-C."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import threading
import webbrowser
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.flow_designer.serving import RunningDesigner, start_designer
from picsart_component.frontend_settings import FrontEndSettings

START_SECONDS = 30.0


def first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    assert selector.select(START_SECONDS), "the designer printed nothing"
    return process.stdout.readline()


def test_the_command_prints_its_address_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PICSART_") or key == "PICSART_ATTACHMENTS_DIR"
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "picsart_component", "designer", "--no-open"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = first_line(process)
        prefix = "picsart-flow designer: http://127.0.0.1:"
        assert line.startswith(prefix), line
        url = line.removeprefix("picsart-flow designer: ").strip()
        assert "/?token=" in url
        with requests.Session() as browser:
            page = browser.get(url, timeout=10)
            assert page.status_code == 200
            assert page.history[0].status_code == 303
            state = browser.get(url.split("?")[0] + "api/state", timeout=10).json()
            assert state["mode"] == "sandbox"
            assert state["roots"] == [str(tmp_path.resolve())]
        assert requests.get(url.split("?")[0] + "api/state", timeout=10).status_code == 401
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=START_SECONDS)
        assert process.returncode == 0, errors
        assert "Traceback" not in errors
        assert url.split("token=")[1] not in errors
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_start_designer_serves_in_a_thread_with_its_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PICSART_API_KEY", raising=False)
    monkeypatch.delenv("PICSART_BASE_URL", raising=False)
    with start_designer(tmp_path) as running:
        assert running.url == f"{running.base_url}/?token={running.token}"
        assert running.sandbox is not None
        with requests.Session() as browser:
            assert browser.get(running.url, timeout=10).status_code == 200
            checked = browser.post(
                running.base_url + "/api/steps/run",
                json={"action": "accountBalance", "body": {}},
                headers={"Origin": running.base_url},
                timeout=10,
            )
            assert checked.status_code == 200
            assert checked.json()["output"]["imageApiCredits"] == running.sandbox.state()["credits"]
    with pytest.raises(requests.ConnectionError):
        requests.get(running.base_url + "/api/state", timeout=5)


@pytest.mark.parametrize(
    ("platform", "environ", "desktop"),
    [
        ("linux", {}, False),
        ("linux", {"DISPLAY": ":0"}, True),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, True),
        ("linux", {"DISPLAY": ""}, False),
        ("darwin", {}, True),
        ("win32", {}, True),
    ],
)
def test_a_browser_is_opened_only_where_there_is_a_display(
    monkeypatch: pytest.MonkeyPatch, platform: str, environ: dict[str, str], desktop: bool
) -> None:
    """Without a display, Python's webbrowser would start a text browser in the designer's own
    terminal; the command prints the address for the user to open instead."""
    monkeypatch.setattr(sys, "platform", platform)
    assert FrontEndSettings.from_environ(environ).desktop is desktop


def test_a_launch_address_signs_one_browser_in_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PICSART_API_KEY", raising=False)
    monkeypatch.delenv("PICSART_BASE_URL", raising=False)
    with start_designer(tmp_path) as running:
        launch = running.launch_url()
        assert running.token not in launch
        with requests.Session() as browser:
            page = browser.get(launch, timeout=10)
            assert page.status_code == 200
            assert page.history[0].status_code == 303
            assert browser.get(running.base_url + "/api/state", timeout=10).status_code == 200
        with requests.Session() as someone_else:
            assert someone_else.get(launch, timeout=10).status_code == 401
            assert someone_else.get(running.base_url + "/api/state", timeout=10).status_code == 401
        with requests.Session() as second_browser:
            assert second_browser.get(running.launch_url(), timeout=10).status_code == 200
            assert second_browser.get(running.url, timeout=10).status_code == 200


def test_the_browser_is_opened_on_a_launch_address_never_on_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A browser's command line is there for every user of the machine to read (``ps``), as
    long as the browser runs: it gets an address worth nothing once used."""
    for name in list(os.environ):
        if name.startswith("PICSART_") and name != "PICSART_ATTACHMENTS_DIR":
            monkeypatch.delenv(name)
    opened: list[str] = []
    browser_asked = threading.Event()

    def open_browser(url: str) -> bool:
        opened.append(url)
        browser_asked.set()
        return True

    monkeypatch.setattr(webbrowser, "open", open_browser)
    monkeypatch.setattr(
        FrontEndSettings, "from_environ", classmethod(lambda cls, environ=None: cls(desktop=True))
    )
    monkeypatch.setattr(RunningDesigner, "serve_forever", lambda self: browser_asked.wait(10))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["designer"])
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()[0].removeprefix("picsart-flow designer: ")
    token = printed.partition("?token=")[2]
    assert token
    assert len(opened) == 1
    assert opened[0].startswith(printed.partition("?")[0] + "?launch=")
    assert token not in opened[0]
