"""Peak memory of one Remove background run, "Download result" on: a 50 MB input vs a tiny one.

Each run happens in a fresh child process that imports the component, downloads the image from
a loopback HTTP server, uploads it to the sandbox and streams the result into a local store; the
child reports its own peak RSS as the kernel measured it. That is ``VmHWM`` from
``/proc/self/status``: ``getrusage``'s ``ru_maxrss`` would not do, because Linux carries it over
``exec`` from the forking parent, which here holds the sandbox and the 50 MB image. Streaming
means the 50 MB run should need at most 25 MB more than the tiny one. The pair is run three
times: the median growth and its range.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from benchmarks.report import REPEATS, Figure, median_run, spread
from picsart_component.sandbox import start_sandbox
from picsart_component.sandbox.loopback import serve_bytes

GOAL_MB = 25.0
CHILD = """
import json, resource, sys
from pathlib import Path
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
result = Executor().run(
    "removeBackground",
    Message(body={"image": sys.argv[1], "format": "PNG"}),
    {"apiKey": "benchmark", "imageApiBaseUrl": sys.argv[2], "downloadResult": True},
)
kinds = [event.kind for event in result.events]
size = result.of_kind("data")[0].attachments and next(
    iter(result.of_kind("data")[0].attachments.values())).size if "data" in kinds else None
status = Path("/proc/self/status")
if status.exists():
    peak_kb = next(int(line.split()[1]) for line in status.read_text().splitlines()
                   if line.startswith("VmHWM:"))
else:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"events": kinds, "errors": result.of_kind("error"), "result_bytes": size,
                  "peak_rss_kb": peak_kb}))
"""


def noise_png(side: int) -> bytes:
    """An image that does not compress, so the file is as large as its pixels."""
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def measure(source_url: str, base_url: str, folder: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PICSART_ALLOW_HOSTS": "127.0.0.1",
        "PICSART_ATTACHMENTS_DIR": str(folder / "store"),
        "PICSART_READ_TIMEOUT": "300",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, source_url, base_url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    if report["events"] != ["data"]:
        raise RuntimeError(f"the run failed: {report['errors']}")
    return report


def run() -> list[Figure]:
    big = noise_png(4100)
    pairs: list[tuple[float, float, int]] = []
    with (
        tempfile.TemporaryDirectory() as scratch,
        serve_bytes(noise_png(32)) as tiny_url,
        serve_bytes(big) as big_url,
        start_sandbox(quiet=True, max_pixels=100_000_000) as sandbox,
    ):
        for _ in range(REPEATS):
            tiny = measure(tiny_url + "tiny.png", sandbox.base_url, Path(scratch))
            large = measure(big_url + "big.png", sandbox.base_url, Path(scratch))
            pairs.append(
                (
                    int(str(tiny["peak_rss_kb"])) / 1024,
                    int(str(large["peak_rss_kb"])) / 1024,
                    int(str(large["result_bytes"])),
                )
            )
    growth = spread([round(large_mb - tiny_mb, 1) + 0.0 for tiny_mb, large_mb, _ in pairs])
    tiny_mb, large_mb, result_bytes = median_run(pairs, lambda pair: pair[1] - pair[0])
    detail = (
        f"{growth.describe(1, ' MB')}; in the median run peak RSS {tiny_mb:.1f} MB with a 32x32 "
        f"image, {large_mb:.1f} MB with a {len(big) / 1e6:.1f} MB image (result "
        f"{result_bytes / 1e6:.1f} MB)"
    )
    return [
        Figure(
            "memory: peak RSS growth, 50 MB input",
            growth.median,
            "MB",
            f"<= {GOAL_MB:g} MB",
            growth.median <= GOAL_MB,
            detail,
        )
    ]


if __name__ == "__main__":
    from benchmarks.report import print_table

    print_table(run())
