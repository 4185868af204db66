"""The Variable Data actions against the sandbox over real sockets, every answer checked against
the VD OpenAPI file: Design to replay makes the replay, then each VD action works on it, with
Download result, and every stored picture is opened by Pillow; a replay the sandbox did not make
is refused before anything is paid; Get job result collects a content export."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from PIL import Image

from tests.e2e import SandboxHarness

DESIGN = "https://example.com/poster.svg"
"""Unreachable, so the sandbox designs a stand-in: a picture layer and a caption layer."""
SHOTS = os.environ.get("PICSART_VD_SHOTS")
"""Where to save the rendered pictures for a look (unset in the suite)."""


def vd_cfg(harness: SandboxHarness, **cfg: Any) -> dict[str, Any]:
    return {"vdApiBaseUrl": harness.sandbox.vd_base_url, **cfg}


def stored(harness: SandboxHarness, url: str) -> bytes:
    with harness.store.read(url) as chunks:
        return b"".join(chunks)


def the_replay(harness: SandboxHarness) -> dict[str, str]:
    result = harness.run("designToReplay", {"file_url": DESIGN})
    (message,) = result.of_kind("data")
    data: dict[str, str] = message.body["data"]
    return data


def picture_in_pdf(pdf: bytes) -> Image.Image:
    """The one picture Pillow's PDF writer embeds (a JPEG stream), opened by Pillow."""
    start = pdf.index(b"/DCTDecode")
    stream = pdf.index(b"stream", start) + len(b"stream")
    stream += 2 if pdf[stream : stream + 2] == b"\r\n" else 1
    return Image.open(io.BytesIO(pdf[stream : pdf.index(b"endstream", stream)]))


def keep(picture: Image.Image, name: str) -> None:
    if SHOTS:
        picture.save(Path(SHOTS) / name)


def test_design_to_replay_then_every_vd_action(harness: SandboxHarness) -> None:
    replay = the_replay(harness)

    described = harness.run(
        "describeReplayVariables", {"template_url": replay["url"]}, **vd_cfg(harness)
    )
    (message,) = described.of_kind("data")
    assert message.body["data"] == {
        "tags": [{"type": "image", "tag": "picture"}, {"type": "text", "tag": "caption"}],
        "aminated": False,
    }

    exported = harness.run(
        "exportReplay", {"file_url": replay["url"]}, **vd_cfg(harness, downloadResult=True)
    )
    (message,) = exported.of_kind("data")
    assert message.body["operation"] == "exportReplay"
    (attachment,) = message.attachments.values()
    assert attachment.content_type == "application/pdf"
    pdf = stored(harness, message.body["attachmentUrl"])
    assert pdf.startswith(b"%PDF-")
    page = picture_in_pdf(pdf)
    assert page.size == (480, 400)
    keep(page, "export-replay.png")

    rows = "caption,picture\nSummer sale,https://example.com/sun.png\nWinter sale,\n"
    content = harness.run(
        "exportVariableDataContent",
        {"template_id": replay["id"], "data": rows, "format": "PNG"},
        **vd_cfg(harness, downloadResult=True),
    )
    (message,) = content.of_kind("data")
    assert len(message.body["data"]) == 2
    pictures = [
        Image.open(io.BytesIO(stored(harness, url))) for url in message.body["attachmentUrls"]
    ]
    assert [(picture.format, picture.size) for picture in pictures] == [("PNG", (480, 400))] * 2
    assert pictures[0].tobytes() != pictures[1].tobytes()
    for index, picture in enumerate(pictures):
        keep(picture, f"content-row-{index + 1}.png")


def test_a_replay_from_elsewhere_is_refused_before_paying(harness: SandboxHarness) -> None:
    credits = harness.sandbox.state()["credits"]
    result = harness.run(
        "exportVariableDataContent",
        {"template_url": "https://example.com/real-picsart.replay", "data": "caption\nHi"},
        **vd_cfg(harness),
    )
    (error,) = result.of_kind("error")
    assert error["status"] == 422
    assert "the sandbox's replays are stand-ins" in error["message"]
    assert harness.sandbox.state()["credits"] == credits


def test_get_job_result_collects_a_content_export(harness: SandboxHarness) -> None:
    replay = the_replay(harness)
    body = {"template_id": replay["id"], "data": "caption\nHello", "format": "JPG"}
    started = harness.run("exportVariableDataContent", body, **vd_cfg(harness, doNotWait=True))
    (accepted,) = started.of_kind("data")
    assert "data" not in accepted.body
    ticket = {"operation": accepted.body["operation"], "jobId": accepted.body["jobId"]}
    collected = harness.run("getJobResult", ticket, **vd_cfg(harness, downloadResult=True))
    (message,) = collected.of_kind("data")
    (url,) = message.body["attachmentUrls"]
    assert Image.open(io.BytesIO(stored(harness, url))).format == "JPEG"
