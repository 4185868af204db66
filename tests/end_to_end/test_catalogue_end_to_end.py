"""Every action of the image API's catalogue against the sandbox over real sockets, each from its
own EXAMPLE body, with Download result where it makes files; every answer checked against the
OpenAPI file. Then the parts that need more than an example: a local design file, an upload
used by id, and rules refused before paying."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PIL import Image

from picsart_component.lib.jobs import OPERATIONS
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from tests.conftest import REPO_ROOT
from tests.e2e import SandboxHarness, png

MANIFEST = load_manifest(COMPONENT_ROOT)
CATALOGUE = [
    name
    for name, operation in OPERATIONS.items()
    if operation.api == "image"
    and operation.method == "POST"
    and name not in ("ultraUpscale", "designToReplay")
    and name in MANIFEST.actions
]
FILE_TYPES = {"vectorizeImage": "image/svg+xml", "laserEngravingEffect": "image/svg+xml"}


def example(action: str) -> dict[str, Any]:
    module = load_module(COMPONENT_ROOT, MANIFEST.action(action).main)
    body: dict[str, Any] = dict(module.EXAMPLE)
    return body


def stored(h: SandboxHarness, url: str) -> bytes:
    with h.store.read(url) as chunks:
        return b"".join(chunks)


def test_the_catalogue_covers_every_operation_of_the_image_api() -> None:
    spec_paths = {
        "upscale/enhance", "enhance/face", "effects", "effects/previews",
        "effects/laserengraving", "effects/ai", "adjust", "selective-blur", "color-transfer",
        "styletransfer", "masks", "masks/previews", "background/texture", "background/pattern",
        "vectorizer", "design2replay", "surfacemap", "watermark", "upload", "edit", "smart-crop",
        "blend", "zoom", "multi-matting", "tags", "describe", "cars/classify", "extract-colors",
    }  # fmt: skip
    covered = {OPERATIONS[name].path for name in MANIFEST.actions if name in OPERATIONS}
    assert spec_paths <= covered
    assert {"listEffects", "getImage"} <= set(MANIFEST.actions)


@pytest.mark.parametrize("action", CATALOGUE)
def test_each_catalogue_action_runs_its_example(harness: SandboxHarness, action: str) -> None:
    operation = OPERATIONS[action]
    files = operation.shape in ("object", "list")
    result = harness.run(action, example(action), **({"downloadResult": True} if files else {}))
    assert result.of_kind("error") == []
    (message,) = result.of_kind("data")
    body = message.body
    assert body["status"] == "success"
    if not files:
        assert body["data"]
        assert message.attachments == {}
        return
    items = body["data"] if operation.shape == "list" else [body["data"]]
    urls = body["attachmentUrls"] if operation.shape == "list" else [body["attachmentUrl"]]
    assert len(items) == len(urls) == len(message.attachments) >= 1
    for url in urls:
        (attachment,) = [a for a in message.attachments.values() if a.url == url]
        data = stored(harness, url)
        expected = FILE_TYPES.get(action)
        if expected == "image/svg+xml" and attachment.content_type == expected:
            assert ET.fromstring(data).tag.endswith("svg")  # noqa: S314 - the sandbox's own file
            continue
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert attachment.content_type == Image.MIME[image.format or ""]


def test_analysis_answers_have_their_shapes(harness: SandboxHarness) -> None:
    image = {"image_url": "https://example.com/mug.jpg"}
    (tags,) = harness.run("tagImage", image).of_kind("data")
    assert all(tag.startswith("#") for tag in tags.body["data"]["tags"])
    (colours,) = harness.run("extractColors", image).of_kind("data")
    assert 1 <= len(colours.body["data"]) <= 5
    assert all(len(colour) == 7 and colour.startswith("#") for colour in colours.body["data"])
    (description,) = harness.run("describeImage", image).of_kind("data")
    assert isinstance(description.body["data"]["description"], str)
    (names,) = harness.run("listEffects", {}).of_kind("data")
    assert {"sketch1", "popart"} <= {entry["name"] for entry in names.body["data"]}


def test_previews_name_what_each_shows(harness: SandboxHarness) -> None:
    wanted = ["sketch1", "popart", "icy2"]
    body = {
        "image_url": "https://example.com/mug.jpg",
        "effect_names": ["SKETCH1", "popart", "icy2"],
    }
    (message,) = harness.run("effectPreviews", body).of_kind("data")
    assert [item["effect_name"] for item in message.body["data"]] == wanted


def test_a_local_design_becomes_a_replay_through_a_job(harness: SandboxHarness) -> None:
    poster = harness.upload_file(REPO_ROOT / "examples" / "poster.svg")
    result = harness.run("designToReplay", {"file": poster}, downloadResult=True)
    (message,) = result.of_kind("data")
    assert message.body["jobId"]
    assert message.body["operation"] == "designToReplay"
    replay = json.loads(stored(harness, message.body["attachmentUrl"]))
    assert replay["elements"]["count"] >= 4
    assert result.of_kind("snapshot")


def test_an_upload_is_used_by_its_id(harness: SandboxHarness) -> None:
    (uploaded,) = harness.run("uploadImage", {"image_url": "https://example.com/mug.jpg"}).of_kind(
        "data"
    )
    image_id = uploaded.body["data"]["id"]
    (found,) = harness.run("getImage", {"transaction_id": image_id}).of_kind("data")
    assert found.body["data"]["id"] == image_id
    (zoomed,) = harness.run("zoomImage", {"image_id": image_id, "scale_factor": 2}).of_kind("data")
    assert zoomed.body["data"]["url"]
    (missing,) = harness.run("getImage", {"transaction_id": "no-such-id"}).of_kind("error")
    assert missing["status"] == 404


PHOTO = {"image_url": "https://example.com/a.jpg"}


@pytest.mark.parametrize(
    ("action", "body", "path"),
    [
        ("colorTransfer", PHOTO, "$.reference_image"),
        ("transformImage", {**PHOTO, "mode": "crop"}, "$.width"),
        ("applyEffect", {**PHOTO, "effect_name": "nope"}, "$.effect_name"),
        ("surfaceMap", {**PHOTO, "mask_url": "https://example.com/m.png"}, "$.sticker"),
    ],
)
def test_rules_are_refused_before_paying(
    harness: SandboxHarness, action: str, body: dict[str, Any], path: str
) -> None:
    (error,) = harness.run(action, body).of_kind("error")
    assert path in {problem["path"] for problem in error["problems"]}
    assert harness.sandbox.request_log() == []


def test_a_design_file_that_is_no_design_is_refused_before_paying(harness: SandboxHarness) -> None:
    picture = harness.store.save([png()], "image/png").url
    (error,) = harness.run("designToReplay", {"file": picture}).of_kind("error")
    assert error["problems"][0]["path"] == "$.file"
    assert "accepts AI (PDF), SVG" in error["problems"][0]["rule"]
    assert harness.sandbox.request_log() == []
