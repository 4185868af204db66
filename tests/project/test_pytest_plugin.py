"""The ``picsart_sandbox`` pytest plugin, run by pytest's ``pytester`` as a user's suite runs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from picsart_component.sandbox.server import RunningSandbox
from tests.conftest import REPO_ROOT

pytest_plugins = ["pytester"]

PLUGIN = "picsart_component.pytest_plugin"

USER_TESTS = """
import pytest
import requests


def balance(sandbox, key=None):
    headers = {"X-Picsart-API-Key": key or sandbox.api_key}
    return requests.get(sandbox.base_url + "balance", headers=headers, timeout=10)


@pytest.mark.picsart_sandbox(credits=7)
def test_the_marker_sets_the_balance_and_the_key_is_required(picsart_sandbox):
    assert balance(picsart_sandbox).json() == {"credits": 7}
    assert balance(picsart_sandbox, key="someone-else").status_code == 401
    assert picsart_sandbox.environ()["PICSART_BASE_URL"] == picsart_sandbox.base_url
    assert picsart_sandbox.environ()["PICSART_API_KEY"] == picsart_sandbox.api_key


def test_faults_fire_and_the_log_shows_them(picsart_sandbox):
    picsart_sandbox.set_faults("503:next=1")
    assert [fault["remaining"] for fault in picsart_sandbox.faults()] == [1]
    assert [balance(picsart_sandbox).status_code for _ in range(2)] == [503, 200]
    log = picsart_sandbox.request_log("balance")
    assert [entry["status"] for entry in log] == [503, 200]
    assert picsart_sandbox.faults() == []
    picsart_sandbox.clear_request_log()
    assert picsart_sandbox.request_log() == []


@pytest.mark.picsart_sandbox(quota=1, window=60)
def test_the_clock_ends_a_rate_limit_window(picsart_sandbox):
    assert [balance(picsart_sandbox).status_code for _ in range(2)] == [200, 429]
    picsart_sandbox.advance_clock(61)
    assert balance(picsart_sandbox).status_code == 200


@pytest.mark.picsart_sandbox(credits=1)
@pytest.mark.parametrize("picsart_sandbox", [{"credits": 3}], indirect=True)
def test_an_indirect_parameter_wins_over_the_marker(picsart_sandbox):
    assert picsart_sandbox.credits == 3
    picsart_sandbox.set_credits(0)
    assert balance(picsart_sandbox).json() == {"credits": 0}


@pytest.mark.picsart_sandbox(credit=5)
def test_a_misspelt_option_is_refused(picsart_sandbox):
    pass
"""


@pytest.fixture(autouse=True)
def no_other_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runs inside load only the plugins they name: each installed one (Hypothesis's
    imports most of Hypothesis) would add its time to every run."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> list[RunningSandbox]:
    """Every sandbox started in this process while the test runs."""
    started: list[RunningSandbox] = []
    original_start = RunningSandbox.start

    def start(sandbox: RunningSandbox) -> RunningSandbox:
        started.append(sandbox)
        return original_start(sandbox)

    monkeypatch.setattr(RunningSandbox, "start", start)
    return started


def test_the_fixture_gives_each_test_its_own_sandbox_and_control(
    pytester: pytest.Pytester, starts: list[RunningSandbox]
) -> None:
    pytester.makepyfile(test_user=USER_TESTS)

    result = pytester.runpytest("-p", PLUGIN, "--strict-markers")

    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*picsart_sandbox has no option credit; it takes*credits*"])
    assert len({sandbox.port for sandbox in starts}) == 4
    assert all(sandbox._stopped for sandbox in starts)


def test_without_the_plugin_nothing_starts(
    pytester: pytest.Pytester, starts: list[RunningSandbox]
) -> None:
    pytester.makepyfile(
        test_user="""
        def test_asks_for_it(picsart_sandbox):
            pass

        def test_does_not(request):
            assert "picsart_sandbox" not in request.fixturenames
        """
    )

    blocked = pytester.runpytest("-p", f"no:{PLUGIN}")
    blocked.assert_outcomes(passed=1, errors=1)
    blocked.stdout.fnmatch_lines(["*fixture 'picsart_sandbox' not found*"])
    loaded = pytester.runpytest("-p", PLUGIN, "-k", "does_not")
    loaded.assert_outcomes(passed=1, deselected=1)
    assert starts == []


def test_loading_the_plugin_imports_no_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user="""
        import sys

        def test_nothing_of_the_sandbox_is_loaded(request):
            assert request.config.pluginmanager.has_plugin("picsart_component.pytest_plugin")
            loaded = [name for name in sys.modules if name.startswith("picsart_component.sandbox")]
            assert loaded == []
        """
    )

    result = pytester.runpytest_subprocess("-p", PLUGIN)

    result.assert_outcomes(passed=1)


def test_the_entry_point_and_p_load_one_plugin(
    pytester: pytest.Pytester, starts: list[RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``pytest11`` entry point pyproject.toml declares, installed as a wheel would install
    it, provides the fixture on its own, and naming the plugin with ``-p`` too does not load it
    twice (pytest would refuse a module registered under two names)."""
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.entry-points\.pytest11\]\n((?:.+\n)+)", pyproject, re.M)
    assert section is not None
    assert section.group(1).strip() == f'"{PLUGIN}" = "{PLUGIN}"'
    dist_info = Path(pytester.path, "picsart_plugin_under_test-0.dist-info")
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: picsart-plugin-under-test\nVersion: 0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[pytest11]\n{PLUGIN} = {PLUGIN}\n", encoding="utf-8"
    )
    pytester.syspathinsert()
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    pytester.makepyfile(
        test_user="""
        def test_it(picsart_sandbox):
            assert picsart_sandbox.state()["credits"] == 1000
        """
    )

    others = ("-p", "no:hypothesispytest", "-p", "no:xdist", "-p", "no:timeout")
    pytester.runpytest(*others).assert_outcomes(passed=1)
    pytester.runpytest(*others, "-p", PLUGIN).assert_outcomes(passed=1)
    assert len(starts) == 2


def test_the_example_passes(pytester: pytest.Pytester) -> None:
    example = REPO_ROOT / "examples" / "test_with_picsart_sandbox.py"
    pytester.makepyfile(test_example=example.read_text(encoding="utf-8"))

    pytester.runpytest("-p", PLUGIN).assert_outcomes(passed=3)
