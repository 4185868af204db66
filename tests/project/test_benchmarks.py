"""The benchmark runner's command line and the instant server the rate benchmarks measure against.

The benchmarks themselves are measurements, not tests; this keeps them runnable.
"""

from __future__ import annotations

import importlib
import time

import pytest
import requests

from benchmarks.__main__ import BENCHMARKS, main
from benchmarks.instant_server import instant_server


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_every_benchmark_imports_and_has_a_run(name: str) -> None:
    module = importlib.import_module(BENCHMARKS[name])
    assert callable(module.run)
    assert module.__doc__, f"{name} says what it measures"


def test_help_lists_every_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["--help"])
    assert ended.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert all(name in shown for name in BENCHMARKS)


def test_an_unknown_benchmark_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["overhead", "speed"])
    assert ended.value.code == 2
    assert "unknown benchmark(s) speed; choose from overhead" in capsys.readouterr().err


def test_the_instant_server_keeps_its_spike_limit_and_reports_it() -> None:
    with instant_server(spike_limit=3) as root, requests.Session() as session:
        answers = [session.post(root + "tools/1.0/removebg", data=b"x") for _ in range(5)]
        balance = session.get(root + "tools/1.0/balance")
        stats = session.get(root + "__stats").json()
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert answers[0].json()["data"]["url"].startswith(root + "results/")
    reset_ms = int(answers[3].headers["X-Picsart-Ratelimit-Reset-Time"])
    assert time.time() < reset_ms / 1000 <= time.time() + 1.1
    assert balance.status_code == 200
    assert (len(stats["admitted"]), len(stats["refused"])) == (3, 2)


def test_the_instant_server_without_a_limit_admits_everything() -> None:
    with instant_server() as root, requests.Session() as session:
        statuses = {
            session.post(root + "tools/1.0/upscale", data=b"x").status_code for _ in range(20)
        }
        stats = session.get(root + "__stats").json()
    assert statuses == {200}
    assert stats == {"admitted": [], "refused": []}


@pytest.mark.parametrize(
    ("goal", "met", "verdict"),
    [("<= 1.15", True, "met"), ("<= 1.15", False, "NOT met"), ("none", True, "—")],
)
def test_a_figure_with_no_goal_has_no_verdict(goal: str, met: bool, verdict: str) -> None:
    from benchmarks.report import Figure

    row = Figure("overhead", 1.1, "", goal, met, "median of 3").row()
    assert row == f"| overhead | 1.1 | {goal} | {verdict} | median of 3 |"
