"""The rest of the image API as a client meets it: each operation's answer, result and price,
its rules (422 naming the field, 400 for /watermark, nothing charged), the effect lists,
``/image/{id}``, Design Import's jobs, and faults on the new targets.

Every answer here also goes through the OpenAPI checks (``conftest.CheckedClient``).
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PIL import Image
from urllib3 import encode_multipart_formdata
from werkzeug.test import Client, TestResponse

from picsart_component.catalogue import choices
from picsart_component.sandbox import PRICES, SandboxState, analysis, faults
from picsart_component.sandbox.command import EPILOG
from picsart_component.sandbox.faults import parse_fault_spec
from picsart_component.sandbox.operations import GROUPS, TARGETS, TOOLS_TARGETS
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import (
    AI_DESIGN,
    HEADERS,
    SVG_DESIGN,
    TOOLS_CALLS,
    TOOLS_IMAGE_SIZE,
    FakeClock,
    mask_bytes,
    png_bytes,
    send_tool,
)

SIZE = TOOLS_IMAGE_SIZE
SAME = "same"
PICTURES: dict[str, tuple[str, tuple[int, int] | str | None]] = {
    "upscale-enhance": ("image/jpeg", (SIZE[0] * 2, SIZE[1] * 2)),
    "enhance-face": ("image/jpeg", SAME),
    "effects": ("image/jpeg", SAME),
    "effects-laserengraving": ("image/jpeg", SAME),
    "effects-ai": ("image/jpeg", SAME),
    "adjust": ("image/jpeg", SAME),
    "selective-blur": ("image/jpeg", SAME),
    "color-transfer": ("image/jpeg", SAME),
    "styletransfer": ("image/jpeg", SAME),
    "masks": ("image/png", SAME),
    "background-texture": ("image/jpeg", (64, 40)),
    "background-pattern": ("image/jpeg", (64, 40)),
    "surfacemap": ("image/jpeg", SAME),
    "watermark": ("image/jpeg", SAME),
    "basic-edit": ("image/jpeg", (32, 24)),
    "smart-crop": ("image/jpeg", "square"),
    "blend": ("image/jpeg", SAME),
    "zoom": ("image/jpeg", SAME),
    "multi-matting": ("image/png", SAME),
    "vectorizer": ("image/svg+xml", None),
}
"""Each operation whose result is one file: its content type and size (``same``: the image's)."""
FINDINGS = ("tags", "describe", "cars-classify", "extract-colors")


def download(client: Client, url: str) -> TestResponse:
    answer = client.get(url.split("localhost", 1)[1])
    assert answer.status_code == 200
    return answer


def picture_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as opened:
        return int(opened.width), int(opened.height)


def faults_set(client: Client, spec: str) -> None:
    answer = client.post("/__sandbox/faults", json={"faults": spec})
    assert answer.status_code == 200, answer.get_json()


# What each operation gives


@pytest.mark.parametrize("name", PICTURES)
def test_each_operation_gives_its_picture_and_charges_its_price(
    client: Client, state: SandboxState, name: str
) -> None:
    answer = send_tool(client, name)
    assert answer.status_code == 200, answer.get_json()
    assert state.credits == 1000 - PRICES[name]
    data = answer.get_json()["data"]
    content_type, size = PICTURES[name]
    result = download(client, data["url"])
    assert result.mimetype == content_type
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/svg+xml": ".svg"}
    assert data["url"].endswith(data["id"] + extension[content_type])
    if content_type == "image/svg+xml":
        root = ET.fromstring(result.get_data())  # noqa: S314 - the sandbox's own answer
        assert root.tag.endswith("svg")
        assert root.get("viewBox")
        return
    got = picture_size(result.get_data())
    if size == SAME:
        assert got == SIZE
    elif size == "square":
        assert got[0] == got[1]
    else:
        assert got == size


def test_formats_are_taken_in_any_case_and_svg_for_engraving(client: Client) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("effects", {"format": "webp"}, "image/webp"),
        ("masks", {"format": "jpg"}, "image/jpeg"),
        ("effects-laserengraving", {"format": "Svg"}, "image/svg+xml"),
        ("basic-edit", {"format": "PNG", "quality": "10"}, "image/png"),
        ("vectorizer", {"downscale_to": "-1"}, "image/svg+xml"),
        ("vectorizer", {"downscale_to": "16"}, "image/svg+xml"),
    ]
    for name, fields, content_type in cases:
        answer = send_tool(client, name, **fields)
        assert answer.status_code == 200, answer.get_json()
        assert download(client, answer.get_json()["data"]["url"]).mimetype == content_type


def test_edit_quality_changes_the_jpeg(client: Client) -> None:
    sizes = []
    for quality in ("10", "100"):
        answer = send_tool(client, "basic-edit", drop=("mode", "width", "height"), quality=quality)
        sizes.append(len(download(client, answer.get_json()["data"]["url"]).get_data()))
    assert sizes[0] < sizes[1]


@pytest.mark.parametrize(
    ("name", "fields", "label", "expected"),
    [
        ("effects-previews", {}, "effect_name", ["apr1", "blur"]),
        (
            "effects-previews",
            {"effect_names": ["APR2", "sketch1"]},
            "effect_name",
            ["apr2", "sketch1"],
        ),
        ("masks-previews", {}, "mask_name", ["lace1", "rpl3"]),
        ("masks-previews", {"mask": "prsm3,prsm3", "format": "webp"}, "mask_name", ["prsm3"] * 2),
    ],
)
def test_previews_give_one_small_picture_per_name(
    client: Client,
    state: SandboxState,
    name: str,
    fields: dict[str, Any],
    label: str,
    expected: list[str],
) -> None:
    answer = send_tool(client, name, **fields)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()["data"]
    assert [item[label] for item in data] == expected
    assert len({item["id"] for item in data}) == len(expected)
    preview_size = int(TOOLS_CALLS[name][1]["preview_size"])
    for item in data:
        width, height = picture_size(download(client, item["url"]).get_data())
        assert (width if label == "effect_name" else max(width, height)) == preview_size
    assert state.credits == 1000 - PRICES[name]


def test_previews_take_a_json_list(client: Client) -> None:
    answer = client.post(
        "/tools/1.0/effects/previews",
        headers=HEADERS,
        json={"image_url": "https://example.com/mug.png", "effect_names": ["popart", "Noise"]},
    )
    assert answer.status_code == 200, answer.get_json()
    assert [item["effect_name"] for item in answer.get_json()["data"]] == ["popart", "noise"]


def test_the_analyses_answer_with_findings(client: Client, state: SandboxState) -> None:
    found = {name: send_tool(client, name).get_json()["data"] for name in FINDINGS}
    assert set(found["tags"]) == {"tags"}
    assert found["tags"]["tags"]
    assert all(isinstance(tag, str) and tag for tag in found["tags"]["tags"])
    assert set(found["describe"]) == {"description"}
    assert found["describe"]["description"].strip()
    assert set(found["cars-classify"]) == {"class", "vin", "odo"}
    assert found["cars-classify"]["class"] in analysis.CAR_VIEWS
    colours = found["extract-colors"]
    assert 1 <= len(colours) <= 5
    assert len(set(colours)) == len(colours)
    assert all(len(colour) == 7 and colour[0] == "#" for colour in colours)
    assert all(int(colour[1:], 16) >= 0 for colour in colours)
    assert state.credits == 1000 - sum(PRICES[name] for name in FINDINGS)
    assert state.store.usage()["files"] == 0


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/tools/1.0/effects", choices.EFFECT_NAMES),
        ("/tools/1.0/effects/ai", choices.AI_EFFECT_NAMES),
    ],
)
def test_the_effect_lists_are_free_and_name_every_effect(
    client: Client, state: SandboxState, path: str, names: tuple[str, ...]
) -> None:
    answer = client.get(path, headers=HEADERS)
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "success", "data": [{"name": n} for n in names]}
    wrong = client.put(path, headers=HEADERS)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "GET, POST"
    assert state.credits == 1000


def test_an_image_is_found_by_its_id_for_free(client: Client, state: SandboxState) -> None:
    photo = png_bytes(SIZE)
    uploaded = client.post(
        "/tools/1.0/upload", headers=HEADERS, data={"image": (io.BytesIO(photo), "a.png")}
    ).get_json()["data"]
    found = client.get(f"/tools/1.0/image/{uploaded['id']}", headers=HEADERS)
    assert found.status_code == 200
    assert found.get_json() == {"status": "success", "data": uploaded}
    assert download(client, found.get_json()["data"]["url"]).get_data() == photo
    result = send_tool(client, "effects").get_json()["data"]
    assert client.get(f"/tools/1.0/image/{result['id']}", headers=HEADERS).get_json()["data"] == (
        result
    )
    missing = client.get("/tools/1.0/image/" + "0" * 32, headers=HEADERS)
    assert missing.status_code == 404
    assert "No image" in missing.get_json()["detail"]
    assert client.get("/tools/1.0/image/", headers=HEADERS).status_code == 404
    assert client.post(f"/tools/1.0/image/{result['id']}", headers=HEADERS).status_code == 405
    assert state.credits == 1000 - PRICES["effects"]


def test_an_id_works_as_image_id_and_a_url_as_a_second_source(client: Client) -> None:
    first = send_tool(client, "adjust").get_json()["data"]
    by_id = send_tool(client, "blend", drop=("image",), image_id=first["id"])
    by_url = send_tool(
        client, "color-transfer", drop=("reference_image",), reference_image_url=first["url"]
    )
    stand_in = send_tool(
        client,
        "surfacemap",
        drop=("sticker",),
        sticker_url="https://example.com/sticker.png",
    )
    watermark = send_tool(client, "watermark", watermark=png_bytes((16, 8), "blue"))
    statuses = [by_id.status_code, by_url.status_code, stand_in.status_code, watermark.status_code]
    assert statuses == [200, 200, 200, 200]


# Design Import


def test_a_design_import_is_a_job_whose_result_describes_the_svg(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, state = make_client(job_seconds=5)
    accepted = send_tool(client, "design2replay")
    assert accepted.status_code == 202
    body = accepted.get_json()
    assert body["status"] == "processing"
    assert state.credits == 1000 - PRICES["design2replay"]
    poll = f"/tools/1.0/design2replay/{body['transaction_id']}"
    pending = client.get(poll, headers=HEADERS)
    assert pending.status_code == 202
    assert pending.get_json() == body
    clock.advance(5)
    done = client.get(poll, headers=HEADERS)
    assert done.status_code == 200
    url = done.get_json()["data"]["url"]
    assert url.endswith(".json")
    replay = download(client, url)
    assert replay.mimetype == "application/json"
    document = json.loads(replay.get_data())
    assert document["source"]["type"] == "SVG"
    assert document["elements"] == {
        "count": 6,
        "by_kind": {"circle": 1, "g": 1, "path": 1, "rect": 1, "svg": 1, "text": 1},
    }
    assert document["canvas"] == {"width": 120.0, "height": 80.0, "unit": "px"}
    assert [layer["kind"] for layer in document["layers"]] == ["g", "path", "text"]
    assert "proprietary" in document["notice"]
    assert state.credits == 1000 - PRICES["design2replay"]


def test_a_design_import_reads_ai_files_and_urls(client: Client) -> None:
    def replay(answer: TestResponse) -> dict[str, Any]:
        assert answer.status_code == 202, answer.get_json()
        found = answer.get_json()["transaction_id"]
        polled = client.get(f"/tools/1.0/design2replay/{found}", headers=HEADERS)
        return dict(json.loads(download(client, polled.get_json()["data"]["url"]).get_data()))

    ai = replay(send_tool(client, "design2replay", file=AI_DESIGN))
    assert ai["source"]["type"] == "AI"
    assert ai["elements"] == {"count": 4, "pages": 2}
    assert ai["canvas"] == {"width": 612.0, "height": 792.0, "unit": "pt"}
    url = "https://example.com/poster.svg"
    first = replay(send_tool(client, "design2replay", drop=("file",), file_url=url))
    again = replay(send_tool(client, "design2replay", drop=("file",), file_url=url))
    assert first["source"]["stand_in"] is True
    assert first["elements"]["by_kind"]["image"] == 1
    assert first == again
    assert client.post("/tools/1.0/design2replay", headers=HEADERS).status_code == 422


@pytest.mark.parametrize(
    "design",
    [png_bytes(), b"just text", b"<html><body/></html>", b"%!PS-Adobe-3.0 EPSF-3.0\n", b""],
    ids=["png", "text", "html", "eps", "empty"],
)
def test_a_file_that_is_no_svg_or_ai_is_415(
    client: Client, state: SandboxState, design: bytes
) -> None:
    # Encoded as requests and curl do: werkzeug's test encoder leaves out the line break that
    # ends an empty part, which the sandbox rightly answers 400.
    body, content_type = encode_multipart_formdata({"file": ("design.svg", design)})
    answer = client.post(
        "/tools/1.0/design2replay", headers=HEADERS, data=body, content_type=content_type
    )
    assert answer.status_code == 415
    assert answer.get_json()["detail"].startswith("file: ")
    assert state.credits == 1000
    assert len(state.jobs) == 0


def test_design_import_jobs_meet_job_faults(client: Client) -> None:
    def poll_once(spec: str) -> TestResponse:
        faults_set(client, spec)
        found = send_tool(client, "design2replay").get_json()["transaction_id"]
        return client.get(f"/tools/1.0/design2replay/{found}", headers=HEADERS)

    failed = poll_once("job-fail:next=1,path=design2replay")
    assert failed.status_code == 200
    assert failed.get_json()["status"] == "error"
    assert poll_once("job-stuck:next=1,path=poll-design2replay").status_code == 202
    assert poll_once("job-word:next=1,path=tools,word=FINISHED").get_json()["status"] == "FINISHED"


# Rules

ENTITY_SVG = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
)
DEEP_SVG = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 300 + b"</g>" * 300 + b"</svg>"
INVALID: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    ("upscale-enhance", {"upscale_factor": "1"}, (), "upscale_factor must be one of 2, 3"),
    ("upscale-enhance", {"upscale_factor": "17"}, (), "upscale_factor must be one of 2, 3"),
    (
        "upscale-enhance",
        {"image": png_bytes((600, 600)), "upscale_factor": "14"},
        (),
        "upscale_factor 14 would make the 600x600 image 8400x8400",
    ),
    ("upscale-enhance", {"format": "gif"}, (), "format must be one of JPG, PNG, WEBP, not"),
    ("enhance-face", {}, ("image",), "give one of image, image_url or image_id"),
    ("enhance-face", {"image_url": "https://example.com/a.png"}, (), "got image and image_url"),
    ("adjust", {"image_id": "0" * 32}, ("image",), f"image_id '{'0' * 32}' is unknown"),
    ("tags", {"image_url": "ftp://example.com/a.png"}, ("image",), "image_url must be an absolute"),
    ("extract-colors", {"image": "text"}, (), "image must be a file part"),
    ("effects", {}, ("effect_name",), "effect_name is required"),
    (
        "effects",
        {"effect_name": "sepia"},
        (),
        f"effect_name 'sepia' is not one of the {len(choices.EFFECT_NAMES)} effects (GET /effects",
    ),
    ("effects", {"fade": "101"}, (), "fade must be from 0 to 100"),
    ("effects", {"effect_name": ["apr1", "blur"]}, (), "given more than once: effect_name"),
    ("effects-previews", {}, ("effect_names",), "effect_names is required"),
    (
        "effects-previews",
        {"effect_names": "apr1,APR1"},
        (),
        "effect_names must list each name once",
    ),
    (
        "effects-previews",
        {"effect_names": ",".join(choices.EFFECT_NAMES[:11])},
        (),
        "effect_names lists 11 names; at most 10",
    ),
    ("effects-previews", {"effect_names": "apr1,,blur"}, (), "effect_names has an empty name"),
    ("effects-previews", {"effect_names": "apr1, lace1"}, (), "effect_names 'lace1' is not one"),
    ("effects-previews", {"preview_size": "49"}, (), "preview_size must be from 50 to 240"),
    ("effects-previews", {"preview_size": "241"}, (), "preview_size must be from 50 to 240"),
    ("effects-laserengraving", {"engrave_color": "nocolour"}, (), "engrave_color 'nocolour'"),
    ("effects-laserengraving", {"background_color": "#12"}, (), "background_color '#12'"),
    ("effects-laserengraving", {"format": "gif"}, (), "format must be one of JPG, PNG, WEBP, SVG"),
    ("effects-ai", {}, ("effect_name",), "effect_name is required"),
    (
        "effects-ai",
        {"effect_name": "apr1"},
        (),
        f"effect_name 'apr1' is not one of the {len(choices.AI_EFFECT_NAMES)} AI effects",
    ),
    ("adjust", {"brightness": "101"}, (), "brightness must be from -100 to 100"),
    ("adjust", {"sharpen": "-1"}, (), "sharpen must be from 0 to 100"),
    ("adjust", {"hue": "1.5"}, (), "hue must be a whole number"),
    ("selective-blur", {}, ("segment",), "segment is required"),
    ("selective-blur", {"segment": "   "}, (), "segment is required"),
    ("selective-blur", {"segment": "x" * 91}, (), "segment is 91 characters long; at most 90"),
    ("selective-blur", {"blur": "0"}, (), "blur must be from 1 to 100"),
    ("color-transfer", {}, ("reference_image",), "A reference image is required: give one of"),
    (
        "color-transfer",
        {"reference_image_url": "https://example.com/r.png"},
        (),
        "got reference_image and reference_image_url",
    ),
    ("styletransfer", {}, ("reference_image",), "A reference image is required"),
    ("styletransfer", {"level": "l6"}, (), "level must be one of l1, l2, l3, l4, l5"),
    ("masks", {}, ("mask",), "mask is required"),
    ("masks", {"mask": "lace9"}, (), "mask 'lace9' is not one of the 11 masks (lace1, lace2"),
    ("masks", {"blend": "burn"}, (), "blend must be one of normal, screen"),
    ("masks", {"opacity": "101"}, (), "opacity must be from 0 to 100"),
    ("masks", {"hue": "181"}, (), "hue must be from -180 to 180"),
    ("masks", {"mask_flip": "upside"}, (), "mask_flip must be one of left, right"),
    ("masks-previews", {}, ("mask",), "mask is required: a list of 1 to 10 names"),
    ("masks-previews", {"mask": "lace1,prsm99"}, (), "mask 'prsm99' is not one of the 11"),
    ("masks-previews", {"preview_size": "300"}, (), "preview_size must be from 50 to 240"),
    ("background-pattern", {"width": "8001"}, (), "width must be from 1 to 8000"),
    ("background-pattern", {"height": "0"}, (), "height must be from 1 to 8000"),
    ("background-pattern", {"pattern": "stripes"}, (), "pattern must be one of hex"),
    ("background-pattern", {"rotate": "181"}, (), "rotate must be from -180 to 180"),
    ("background-pattern", {"scale": "0.4"}, (), "scale must be from 0.5 to 10"),
    ("background-texture", {"offset_x": "9000"}, (), "offset_x must be from -8000 to 8000"),
    ("vectorizer", {"downscale_to": "0"}, (), "downscale_to must be -1 (no downscaling)"),
    ("vectorizer", {"downscale_to": "-2"}, (), "downscale_to must be from -1"),
    (
        "vectorizer",
        {"image": png_bytes((4000, 2)), "downscale_to": "-1"},
        (),
        "downscale_to -1 takes images under 4000 pixels a side; this one is 4000x2",
    ),
    ("design2replay", {}, ("file",), "A design is required: give one of file or file_url"),
    (
        "design2replay",
        {"file_url": "https://example.com/a.svg"},
        (),
        "Give only one file source; got file and file_url",
    ),
    ("design2replay", {"file": ENTITY_SVG}, (), "file: the SVG declares entities"),
    ("design2replay", {"file": SVG_DESIGN[:-10]}, (), "file: the SVG is not well-formed"),
    ("design2replay", {"file": AI_DESIGN[:-8]}, (), "file: the AI (PDF) file is cut short"),
    ("design2replay", {"file": DEEP_SVG}, (), "file: the SVG nests deeper than 256 elements"),
    ("surfacemap", {}, ("mask",), "A mask is required: give one of mask, mask_url or mask_id"),
    ("surfacemap", {}, ("sticker",), "A sticker is required: give one of sticker, sticker_url"),
    (
        "surfacemap",
        {"mask_url": "https://example.com/m.png"},
        (),
        "Give only one mask source; got mask and mask_url",
    ),
    ("surfacemap", {"mask": mask_bytes((20, 20))}, (), "mask is 20x20; it must be the image's"),
    ("surfacemap", {"sticker": "text"}, (), "sticker must be a file part"),
    ("watermark", {"anchor_point": "middle"}, (), "anchor_point must be one of left-top"),
    ("watermark", {"watermark_opacity": "101"}, (), "watermark_opacity must be from 0 to 100"),
    ("watermark", {"watermark_angle": "361"}, (), "watermark_angle must be from 0 to 360"),
    ("watermark", {"watermark_width": "0"}, (), "watermark_width must be from 1 to 8000"),
    ("watermark", {"watermark_padding_y": "-1"}, (), "watermark_padding_y must be from 0"),
    (
        "watermark",
        {"watermark": png_bytes(), "watermark_url": "https://example.com/w.png"},
        (),
        "Give only one watermark source",
    ),
    ("watermark", {"format": "svg"}, (), "format must be one of JPG, PNG, WEBP"),
    ("basic-edit", {"mode": "stretch"}, (), "mode must be one of resize, crop"),
    ("basic-edit", {"rotate": "180.5"}, (), "rotate must be from -180 to 180"),
    ("basic-edit", {"rotate": "left"}, (), "rotate must be a number"),
    ("basic-edit", {"perspective_vertical": "46"}, (), "perspective_vertical must be from -45"),
    ("basic-edit", {"quality": "9"}, (), "quality must be from 10 to 100"),
    ("basic-edit", {"width": "0"}, (), "width must be from 1 to 8000"),
    ("basic-edit", {"crop_x": "3"}, (), "crop_x and crop_y go together"),
    ("basic-edit", {"crop_anchor": "middle"}, (), "crop_anchor must be one of center"),
    ("basic-edit", {"flip": "diagonal"}, (), "flip must be one of horizontal, vertical"),
    ("smart-crop", {}, ("segment",), "segment is required"),
    ("smart-crop", {"ratio": "3:1"}, (), "ratio must be one of 1:1"),
    ("smart-crop", {"width": "100", "height": "50"}, (), "100x50, do not match ratio 1:1"),
    ("smart-crop", {"margin": "101"}, (), "margin must be from 0 to 100"),
    ("smart-crop", {"width": "-1"}, (), "width must be from 0 to 8000"),
    ("blend", {}, ("overlay_image",), "An overlay image is required: give one of overlay_image"),
    ("blend", {"blend_mode": "burn"}, (), "blend_mode must be one of normal"),
    ("blend", {"opacity": "-1"}, (), "opacity must be from 0 to 100"),
    ("zoom", {}, ("scale_factor",), "scale_factor is required"),
    ("zoom", {"scale_factor": "76"}, (), "scale_factor must be from 1 to 75"),
    ("zoom", {"scale_factor": "0"}, (), "scale_factor must be from 1 to 75"),
    ("zoom", {"anchor_point": "pattern"}, (), "anchor_point must be one of left-top"),
    ("multi-matting", {}, ("segmentation_class",), "segmentation_class is required"),
    ("multi-matting", {"segmentation_class": "nose"}, (), "segmentation_class must be one of"),
    ("cars-classify", {"model": "gpt-9"}, (), "model 'gpt-9' is not one of the 25 models"),
]


@pytest.mark.parametrize(
    ("name", "fields", "drop", "words"), INVALID, ids=[f"{row[0]}-{row[3]}" for row in INVALID]
)
def test_a_broken_rule_is_422_naming_it_and_costs_nothing(
    client: Client,
    state: SandboxState,
    name: str,
    fields: dict[str, Any],
    drop: tuple[str, ...],
    words: str,
) -> None:
    answer = send_tool(client, name, drop=drop, **fields)
    refused = 400 if name == "watermark" else 422  # the file lists no 422 for /watermark
    assert answer.status_code == refused, answer.get_json()
    assert words in answer.get_json()["detail"]
    assert state.credits == 1000
    assert len(state.jobs) == 0
    assert state.store.usage()["files"] == 0


@pytest.mark.parametrize(
    ("name", "fields", "field"),
    [
        ("effects", {"image": b"not an image"}, "image"),
        ("tags", {"image": png_bytes(fmt="GIF")}, "image"),
        ("color-transfer", {"reference_image": b"text"}, "reference_image"),
        ("blend", {"overlay_image": png_bytes(fmt="GIF")}, "overlay_image"),
        ("watermark", {"watermark": b"%PDF-1.4"}, "watermark"),
        ("surfacemap", {"sticker": b"text"}, "sticker"),
        ("surfacemap", {"mask": b"text"}, "mask"),
    ],
)
def test_a_file_that_is_no_accepted_image_is_415_naming_it(
    client: Client, state: SandboxState, name: str, fields: dict[str, Any], field: str
) -> None:
    answer = send_tool(client, name, **fields)
    assert answer.status_code == 415
    assert answer.get_json()["detail"].startswith(f"{field}: ")
    assert state.credits == 1000


def test_json_bodies_and_enum_case_are_taken(client: Client) -> None:
    def post(path: str, body: dict[str, Any]) -> int:
        return int(client.post("/tools/1.0/" + path, headers=HEADERS, json=body).status_code)

    url = "https://example.com/mug.jpg"
    assert post("effects", {"image_url": url, "effect_name": "APR1", "fade": 10}) == 200
    assert post("zoom", {"image_url": url, "scale_factor": 3, "anchor_point": "Left-Top"}) == 200
    assert post("edit", {"image_url": url, "rotate": 12.5, "flip": "HORIZONTAL"}) == 200
    assert post("zoom", {"image_url": url, "scale_factor": 3.5}) == 422
    assert post("masks/previews", {"image_url": url, "mask": ["lace1", 3]}) == 422


def test_a_call_the_balance_cannot_pay_is_402_and_free(make_client: MakeClient) -> None:
    client, state = make_client(credits=PRICES["design2replay"] - 1)
    assert send_tool(client, "design2replay").status_code == 402
    assert send_tool(client, "effects").status_code == 200
    assert len(state.jobs) == 0
    assert state.credits == PRICES["design2replay"] - 1 - PRICES["effects"]


# Faults


def test_every_new_target_is_a_fault_target_in_its_groups() -> None:
    for target in TOOLS_TARGETS:
        assert parse_fault_spec(f"503:path={target}")[0].matches(target)
        assert parse_fault_spec("503:path=tools")[0].matches(target)
        assert parse_fault_spec("503")[0].matches(target)
    assert parse_fault_spec("503:path=polls")[0].matches("poll-design2replay")
    assert not parse_fault_spec("503:path=genai")[0].matches("basic-edit")
    assert not parse_fault_spec("503:path=effects")[0].matches("effects-list")


def test_faults_hit_the_new_operations_and_cost_nothing(
    client: Client, state: SandboxState
) -> None:
    faults_set(
        client,
        "503:next=1,path=effects;502:next=1,path=image;500:next=1,path=poll-design2replay;"
        "429:next=1,path=basic-edit,body=code;504:next=1,path=effects-list",
    )
    assert send_tool(client, "effects").status_code == 503
    assert send_tool(client, "adjust").status_code == 200
    assert client.get("/tools/1.0/effects", headers=HEADERS).status_code == 504
    assert client.get("/tools/1.0/effects", headers=HEADERS).status_code == 200
    found = send_tool(client, "design2replay").get_json()["transaction_id"]
    assert client.get(f"/tools/1.0/design2replay/{found}", headers=HEADERS).status_code == 500
    assert client.get(f"/tools/1.0/design2replay/{found}", headers=HEADERS).status_code == 200
    assert client.get("/tools/1.0/image/" + "0" * 32, headers=HEADERS).status_code == 502
    assert send_tool(client, "basic-edit").status_code == 429
    assert send_tool(client, "basic-edit").status_code == 200
    expected = PRICES["adjust"] + PRICES["design2replay"] + PRICES["basic-edit"]
    assert state.credits == 1000 - expected
    counts = client.get("/__sandbox/state").get_json()["counts"]["by_endpoint"]
    assert counts["poll-design2replay"] == 2
    assert counts["image"] == 1
    assert counts["effects-list"] == 2


def test_the_help_names_every_target_and_the_fault_docs_every_group() -> None:
    epilog = " ".join(EPILOG.split())
    doc = " ".join((faults.__doc__ or "").split())
    for target in TARGETS:
        assert re.search(rf"[ (]{re.escape(target)}[ ,).]", epilog), target
    for group in GROUPS:
        assert f"``{group}``" in doc, group
