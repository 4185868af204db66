"""A flow that chains the image and video APIs, run by ``picsart-flow flow run`` against the
sandbox: text to image, then image to video, then trim, then extract audio, each step fed the one
before's result URL, each result downloaded into the attachment store and opened: the picture by
Pillow, the videos by PyAV (length, size, sound), the sound by PyAV (length, no picture)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from picsart_component.cli import main
from picsart_component.lib.jobs import OPERATIONS
from picsart_component.lib.store import LocalStore

av = pytest.importorskip("av")

PROMPT = "a lighthouse on a cliff at dusk"
CHAIN = """\
- id: picture
  action: textToImage
  body: '{"prompt": input.prompt, "count": 1, "width": 64, "height": 64}'
  cfg: {downloadResult: true}
- id: clip
  action: imageToVideo
  body: >-
    {"image_url": picture.data[0].url, "prompt": "the light turns slowly", "length": 2,
     "width": 64, "height": 64, "audio": true}
  cfg: {downloadResult: true}
- id: cut
  action: trimVideo
  body: '{"video_url": clip.data.url, "start": 500, "end": 1500}'
  cfg: {downloadResult: true}
- id: sound
  action: extractAudio
  body: '{"video_url": cut.data.url}'
  cfg: {downloadResult: true}
"""
STEPS = ["picture", "clip", "cut", "sound"]
OPS = ["textToImage", "imageToVideo", "trimVideo", "extractAudio"]


def opened(data: bytes) -> dict[str, Any]:
    """What PyAV finds in a file: its streams, length and picture size."""
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0] if container.streams.video else None
        return {
            "streams": sorted(stream.type for stream in container.streams),
            "seconds": (container.duration or 0) / av.time_base,
            "size": (video.width, video.height) if video is not None else None,
        }


@pytest.mark.picsart_sandbox(job_seconds=0.05)
def test_text_to_image_to_video_to_trim_to_audio_runs_as_one_flow(
    picsart_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in picsart_sandbox.environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PICSART_JOB_POLL_SECONDS", "0.05")
    monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
    flow = tmp_path / "chain.yaml"
    flow.write_text(CHAIN, encoding="utf-8")
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"prompt": PROMPT}) + "\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"

    result = CliRunner().invoke(
        main, ["flow", "run", str(flow), "--input", str(items), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    steps = line["steps"]
    assert list(steps) == STEPS
    assert {step["status"] for step in steps.values()} == {"success"}
    assert [steps[name]["operation"] for name in STEPS] == OPS
    # Each step was fed the result before it.
    log = picsart_sandbox.running.request_log()
    posted = {
        entry["path"].split("/v1/", 1)[-1]: entry for entry in log if entry["method"] == "POST"
    }
    assert posted["image2video"]["fields"]["image_url"] == steps["picture"]["data"][0]["url"]
    assert posted["trim"]["fields"]["video_url"] == steps["clip"]["data"]["url"]

    store = LocalStore(tmp_path / "store")

    def stored(url: str) -> bytes:
        with store.read(url) as chunks:
            return b"".join(chunks)

    with Image.open(io.BytesIO(stored(steps["picture"]["attachmentUrls"][0]))) as picture:
        assert picture.size == (64, 64)
    clip = opened(stored(steps["clip"]["attachmentUrl"]))
    assert clip["streams"] == ["audio", "video"]
    assert clip["size"] == (64, 64)
    assert clip["seconds"] == pytest.approx(2.0, abs=0.1)
    cut = opened(stored(steps["cut"]["attachmentUrl"]))
    assert cut["streams"] == ["audio", "video"]
    assert cut["seconds"] == pytest.approx(1.0, abs=0.1)
    sound = opened(stored(steps["sound"]["attachmentUrl"]))
    assert sound["streams"] == ["audio"]
    assert sound["seconds"] == pytest.approx(1.0, abs=0.1)
    assert posted["export/audio"]["fields"]["video_url"] == steps["cut"]["data"]["url"]

    # One paid call a step (a picture costs its price once, for its count of 1).
    paid = [entry for entry in log if entry["method"] == "POST" and entry["charged"]]
    assert len(paid) == len(STEPS)
    assert sum(entry["charged"] for entry in paid) == sum(OPERATIONS[op].price for op in OPS)
