"""Progress: a bar on a terminal, else a status line now and then: done, failed, rate, ETA."""

from __future__ import annotations

import io
import threading
import time

from picsart_component.flows.progress import (
    PlainProgress,
    RichProgress,
    Snapshot,
    format_duration,
    make_progress,
    status_line,
)


def test_the_status_line_has_done_failed_rates_and_eta() -> None:
    snapshot = Snapshot(total=100, done=18, failed=2, requests=40, seconds=4.0)
    assert status_line(snapshot) == (
        "20/100 items (done 18, failed 2), 5.0 items/s, 10.0 requests/s, ETA 16s"
    )
    assert status_line(Snapshot(10, 0, 0, 0, 0.0)).endswith("ETA ?")
    assert [format_duration(s) for s in (59.4, 61, 3725)] == ["59s", "1m01s", "1h02m"]


def test_plain_progress_prints_a_line_every_interval_until_stopped() -> None:
    printed: list[str] = []
    two_lines = threading.Event()

    def echo(line: str) -> None:
        printed.append(line)
        if len(printed) >= 2:
            two_lines.set()

    progress = PlainProgress(echo, interval=0.01)
    progress.start(total=4)
    progress.update(done=3, failed=1, requests=8)
    assert two_lines.wait(timeout=5)
    progress.stop()
    count = len(printed)
    assert printed[-1].startswith("4/4 items (done 3, failed 1)")
    time.sleep(0.05)
    assert len(printed) == count


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_rich_bar_and_a_pipe_gets_status_lines() -> None:
    assert isinstance(make_progress(print, 5.0, _Terminal()), RichProgress)
    assert isinstance(make_progress(print, 5.0, io.StringIO()), PlainProgress)


def test_the_bar_shows_done_failed_and_rates() -> None:
    stream = io.StringIO()
    progress = RichProgress(stream)
    progress.start(total=10)
    progress.update(done=6, failed=1, requests=14)
    progress.stop()
    shown = stream.getvalue()
    assert "7/10" in shown
    assert "done 6 failed 1" in shown
    assert "items/s" in shown
    assert "ETA" in shown
