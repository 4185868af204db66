"""The sandbox's image worker processes end with the server, however the server ends."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

SERVER = """
import os
from picsart_component.sandbox.imagework import ImageWork, enlarged
from picsart_component.sandbox.samples import sample_png_bytes

if __name__ == "__main__":
    work = ImageWork(1)
    work.run(enlarged, sample_png_bytes("product-plain", (16, 12)), 2, False, "PNG", 10**6)
    print(*work._pool._processes, flush=True)
    os._exit(0)  # no clean-up at all, as after a SIGKILL
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_workers_exit_when_the_server_dies_without_cleaning_up(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert server.stdout is not None
    workers = [int(pid) for pid in server.stdout.readline().split()]
    server.stdout.close()  # a worker that lived on would hold it open
    assert server.wait(timeout=30) == 0
    assert workers
    deadline = time.monotonic() + 15
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]
