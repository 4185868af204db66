"""The journal's grouped syncs: threads writing at once share an fsync, and none returns before
its own record is on disk."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from picsart_component.flows.journal import Recorder


def test_every_write_returns_only_once_its_record_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced_sizes: dict[int, int] = {}
    real_fsync = os.fsync
    entered = threading.Event()
    release = threading.Event()

    def slow_fsync(fd: int) -> None:
        # A sync counts for what the file held when it began. The first one then waits while
        # other threads write behind it, so that they must wait for a later sync.
        synced_sizes[fd] = os.fstat(fd).st_size
        if not entered.is_set():
            entered.set()
            release.wait(timeout=5)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    recorder = Recorder(tmp_path / "results.jsonl")
    problems: list[str] = []

    def write(index: int) -> None:
        record = {"type": "started", "item": index, "step": "cutout"}
        recorder.journal(record)
        fd = recorder._journal._file.fileno()
        text = recorder.journal_path.read_text(encoding="utf-8")
        end = text.index(f'"item":{index},') + len(f'"item":{index},')
        if synced_sizes.get(fd, 0) < end:
            problems.append(f"record {index} returned before it was synced")

    threads = [threading.Thread(target=write, args=(index,)) for index in range(16)]
    threads[0].start()
    assert entered.wait(timeout=5)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 5
    while len(recorder.journal_path.read_bytes().splitlines()) < 16:
        assert time.monotonic() < deadline, "the other threads never wrote"
        time.sleep(0.005)
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    recorder.close()
    assert problems == []
    lines = recorder.journal_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 16
    assert recorder.syncs == 2, "the threads that wrote during the first sync share the second"


def test_writes_from_one_thread_still_sync_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    real_fsync = os.fsync

    def counted_fsync(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counted_fsync)
    recorder = Recorder(tmp_path / "results.jsonl")
    recorder.journal({"type": "header"})
    recorder.result({"item": 1, "status": "done"})
    recorder.journal_many([{"type": "published", "item": 1}, {"type": "published", "item": 2}])
    recorder.close()
    assert len(calls) == 3
    assert recorder.syncs == 3
