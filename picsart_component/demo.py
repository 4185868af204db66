"""``picsart-flow demo``: the component's main job on sample images, end to end.

Each sample goes through Remove background and then Upscale on the cutout, both with "Download
result", exactly as a two-step flow would run them; the files land in a folder the user can open.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .lib.store import AttachmentStore
from .runtime.executor import Executor
from .runtime.messages import Message
from .sandbox.samples import SAMPLE_NAMES, sample_png_bytes

Echo = Callable[[str], None]


@dataclass
class DemoReport:
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    credits_left: int | None = None


def run_demo(
    executor: Executor,
    store: AttachmentStore,
    cfg: Mapping[str, Any],
    out_dir: Path,
    echo: Echo,
    samples: tuple[str, ...] = SAMPLE_NAMES,
) -> DemoReport:
    report = DemoReport()
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in samples:
        original = out_dir / f"{name}.png"
        original.write_bytes(sample_png_bytes(name))
        report.written.append(original)
        source = store.save_file(original)
        steps: tuple[tuple[str, dict[str, Any], str], ...] = (
            ("removeBackground", {}, "cutout"),
            ("upscale", {"upscale_factor": 2, "format": "PNG"}, "cutout-x2"),
        )
        previous_url = source.url
        for action, options, suffix in steps:
            body = {"image": previous_url, **options}
            started = time.perf_counter()
            result = executor.run(action, Message(body=body), {**cfg, "downloadResult": True})
            seconds = time.perf_counter() - started
            if result.failure is not None:
                failure = f"{name}: {action} failed: {result.failure.payload['message']}"
                report.failures.append(failure)
                echo(failure)
                break
            (message,) = result.of_kind("data")
            previous_url = message.body["attachmentUrl"]
            target = out_dir / f"{name}-{suffix}.png"
            with store.read(previous_url) as chunks, target.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            report.written.append(target)
            if result.credits_left is not None:
                report.credits_left = result.credits_left
            echo(
                f"{name}: {action} -> {target.name} ({target.stat().st_size // 1024} KB, "
                f"{seconds:.2f}s, correlation id {message.headers.get('X-Picsart-Correlation-Id')})"
            )
    return report
