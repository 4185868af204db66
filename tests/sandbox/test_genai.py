"""The GenAI operations and Ultra Upscale as a client meets them: answers, shapes, rules, prices.

Every answer here also goes through the OpenAPI checks (``conftest.CheckedClient``).
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from PIL import Image
from werkzeug.test import Client

from picsart_component.sandbox import PRICES, SandboxState, media
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import (
    HEADERS,
    call_kwargs,
    job_id,
    mask_bytes,
    png_bytes,
    poll_path,
    rgba_bytes,
    send,
)

ASYNC_ONLY = (
    "text2image",
    "text2sticker",
    "laserengraving",
    "logo",
    "text2video",
    "image2video",
    "text2speech",
    "text2sound",
)
EITHER = ("edit", "inpaint", "outpaint", "remove-object", "replace-background", "expand", "ultra")
SYNC_ONLY = ("chat", "bleed")
LIST_POLLS = ("text2image", "text2sticker", "laserengraving", "logo", *EITHER[:-1])
RESULT_TYPES = {
    "text2image": "image/jpeg",
    "text2sticker": "image/png",
    "laserengraving": "image/jpeg",
    "logo": "image/png",
    "text2video": "video/mp4",
    "image2video": "video/mp4",
    "text2speech": "audio/wav",
    "text2sound": "audio/wav",
}


def check_results(client: Client, data: Any, content_type: str) -> list[bytes]:
    """Downloads each result; each is served with ``content_type`` and a matching name."""
    items = data if isinstance(data, list) else [data]
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/svg+xml": ".svg"}
    extension |= {"image/webp": ".webp", "audio/wav": ".wav", "video/mp4": ".mp4"}
    files = []
    for item in items:
        path = item["url"].split("localhost", 1)[1]
        assert path.endswith(extension[content_type])
        got = client.get(path)
        assert got.status_code == 200
        assert got.mimetype == content_type
        files.append(got.get_data())
    return files


@pytest.mark.parametrize("name", ASYNC_ONLY)
def test_job_operations_answer_202_and_their_polls_give_the_results(
    client: Client, state: SandboxState, name: str
) -> None:
    before = state.credits
    accepted = send(client, name)
    assert accepted.status_code == 202
    assert "Preference-Applied" not in accepted.headers
    assert accepted.get_json() == {"status": "processing", "inference_id": job_id(accepted)}
    assert state.credits == before - PRICES[name]
    done = client.get(poll_path(name, job_id(accepted)), headers=HEADERS)
    assert done.status_code == 200
    body = done.get_json()
    assert body["status"] == "success"
    if name in LIST_POLLS:
        assert [item["status"] for item in body["data"]] == ["success"]
    else:
        assert set(body["data"]) == {"id", "url"}
    check_results(client, body["data"], RESULT_TYPES[name])
    assert state.credits == before - PRICES[name]


@pytest.mark.parametrize("name", EITHER)
def test_operations_with_both_answer_200_without_prefer_and_202_with_it(
    client: Client, state: SandboxState, name: str
) -> None:
    synchronous = send(client, name)
    assert synchronous.status_code == 200
    assert "Preference-Applied" not in synchronous.headers
    data = synchronous.get_json()["data"]
    one_object = name in ("remove-object", "ultra")
    assert isinstance(data, dict) if one_object else len(data) == 1
    check_results(client, data, "image/jpeg")
    before = state.credits
    accepted = send(client, name, prefer="respond-async")
    assert accepted.status_code == 202
    assert accepted.headers["Preference-Applied"] == "respond-async"
    assert state.credits == before - PRICES[name]
    id_field = "transaction_id" if name == "ultra" else "inference_id"
    assert accepted.get_json() == {"status": "processing", id_field: job_id(accepted)}
    polled = client.get(poll_path(name, job_id(accepted)), headers=HEADERS).get_json()
    assert isinstance(polled["data"], dict) if name == "ultra" else len(polled["data"]) == 1
    check_results(client, polled["data"], "image/jpeg")


@pytest.mark.parametrize("name", SYNC_ONLY)
def test_synchronous_only_operations_ignore_prefer(client: Client, name: str) -> None:
    answer = send(client, name, prefer="respond-async")
    assert answer.status_code == 200
    assert "Preference-Applied" not in answer.headers


def test_an_async_only_operation_says_it_applied_respond_async(client: Client) -> None:
    for prefer in ("respond-async", "respond-async, wait=100", "RESPOND-ASYNC;x=1"):
        answer = send(client, "text2image", prefer=prefer)
        assert answer.status_code == 202
        assert answer.headers["Preference-Applied"] == "respond-async"


def test_wait_gives_a_synchronous_answer_when_the_job_is_quick_enough(
    make_client: MakeClient,
) -> None:
    client, _ = make_client(job_seconds=0.05)
    quick = send(client, "edit", prefer="respond-async, wait=1")
    assert quick.status_code == 200
    assert "Preference-Applied" not in quick.headers
    slow = send(client, "ultra", prefer='respond-async, wait="0"')
    assert slow.status_code == 202
    assert slow.headers["Preference-Applied"] == "respond-async"


def test_a_count_makes_that_many_results_and_costs_that_many_times(
    client: Client, state: SandboxState
) -> None:
    before = state.credits
    accepted = send(client, "text2sticker", count=3)
    polled = client.get(poll_path("text2sticker", job_id(accepted)), headers=HEADERS)
    files = check_results(client, polled.get_json()["data"], "image/png")
    assert len(set(files)) == 3
    assert state.credits == before - 3 * PRICES["text2sticker"]
    edit = send(client, "edit", count="2", format="webp")
    check_results(client, edit.get_json()["data"], "image/webp")
    assert state.credits == before - 3 * PRICES["text2sticker"] - 2 * PRICES["edit"]


def test_laser_engraving_gives_an_svg_when_asked(client: Client) -> None:
    accepted = send(client, "laserengraving", format="svg", engrave_color="#004")
    polled = client.get(poll_path("laserengraving", job_id(accepted)), headers=HEADERS)
    (svg,) = check_results(client, polled.get_json()["data"], "image/svg+xml")
    assert b"<svg" in svg


def test_the_painting_operations_give_pictures_of_the_right_size(client: Client) -> None:
    sizes: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {
        "expand": ((100, 60), {"width": "100", "height": "60", "direction": "top-left"}),
        "bleed": ((58, 46), {"bleed_size": "5"}),
        "ultra": ((48 * 5, 36 * 5), {"upscale_factor": "5", "format": "PNG"}),
        "outpaint": ((48, 36), {"image": rgba_bytes()}),
        "inpaint": ((48, 36), {"image": rgba_bytes()}),
    }
    for name, (size, fields) in sizes.items():
        answer = send(client, name, drop=("mask_image",), **fields)
        assert answer.status_code == 200, answer.get_json()
        data = answer.get_json()["data"]
        url = (data[0] if isinstance(data, list) else data)["url"]
        picture = client.get(url.split("localhost", 1)[1]).get_data()
        with Image.open(io.BytesIO(picture)) as opened:
            assert opened.size == size, name


def test_images_may_come_by_url_or_by_id(client: Client) -> None:
    uploaded = client.post(
        "/tools/1.0/upload",
        headers=HEADERS,
        data={"image": (io.BytesIO(png_bytes()), "a.png")},
    ).get_json()["data"]
    by_url = send(client, "edit", drop=("image",), image_url="https://example.com/mug.jpg")
    by_id = send(client, "remove-object", drop=("image",), image_id=uploaded["id"])
    mask_by_url = send(
        client, "remove-object", drop=("mask_image",), mask_image_url=uploaded["url"]
    )
    assert [by_url.status_code, by_id.status_code, mask_by_url.status_code] == [200, 200, 200]


def test_chat_restates_the_last_user_message_within_max_tokens(client: Client) -> None:
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "an answer"},
        {"role": "user", "content": "name   a shop that sells mugs"},
    ]
    answer = send(client, "chat", messages=messages).get_json()
    assert answer["status"] == "success"
    assert answer["data"].startswith("Name a shop that sells mugs.")
    assert send(client, "chat", messages=messages).get_json() == answer
    short = send(client, "chat", messages=messages, max_tokens=3).get_json()["data"]
    assert short == "Name a shop"


def test_one_balance_for_both_apis(client: Client, state: SandboxState) -> None:
    send(client, "text2image")
    genai = client.get("/v1/balance", headers=HEADERS)
    tools = client.get("/tools/1.0/balance", headers=HEADERS)
    assert genai.get_json() == tools.get_json() == {"credits": state.credits}
    assert state.credits == 1000 - PRICES["text2image"]


def test_the_genai_host_is_emulated_under_hosts(client: Client) -> None:
    def status(method: str, path: str) -> int:
        return int(client.open(path, method=method, headers=HEADERS).status_code)

    assert status("GET", "/hosts/genai-api.picsart.io/v1/balance") == 200
    assert status("GET", "/hosts/GENAI-API.picsart.io/v1/balance") == 200
    assert status("GET", "/hosts/api.picsart.io/tools/1.0/balance") == 200
    assert status("GET", "/hosts/genai-api.picsart.io/tools/1.0/balance") == 404
    assert status("GET", "/hosts/api.picsart.io/v1/balance") == 404
    other = client.get("/hosts/upload.picsart.io/v1/balance", headers=HEADERS)
    assert other.status_code == 404
    assert "does not emulate https://upload.picsart.io/v1/balance" in other.get_json()["detail"]
    accepted = client.post(
        "/hosts/genai-api.picsart.io/v1/text2image", headers=HEADERS, **call_kwargs("text2image")
    )
    polled = f"/hosts/genai-api.picsart.io/v1/text2image/inferences/{job_id(accepted)}"
    assert status("GET", polled) == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "/v1/text2image", 405, "POST"),
        ("GET", "/v1/painting/edit", 405, "POST"),
        ("POST", "/v1/painting/0b6c1c40", 405, "GET"),
        ("POST", "/v1/balance", 405, "GET"),
        ("POST", "/tools/1.0/upscale/ultra/abc", 405, "GET"),
        ("GET", "/v1/painting/0b6c1c40", 404, None),
        ("GET", "/v1/video/", 404, None),
        ("GET", "/v1/text2text", 404, None),
        ("GET", "/tools/1.0/upscale/ultra/nothing", 404, None),
    ],
)
def test_unknown_jobs_are_404_and_wrong_methods_405(
    client: Client, method: str, path: str, status: int, allow: str | None
) -> None:
    answer = client.open(path, method=method, headers=HEADERS)
    assert answer.status_code == status
    assert answer.headers.get("Allow") == allow


def test_a_job_is_polled_only_where_its_operation_says(client: Client) -> None:
    found = job_id(send(client, "text2image"))
    assert client.get(f"/v1/text2image/inferences/{found}", headers=HEADERS).status_code == 200
    for elsewhere in ("/v1/text2sticker/inferences/", "/v1/painting/", "/v1/video/"):
        answer = client.get(elsewhere + found, headers=HEADERS)
        assert answer.status_code == 404
        assert "No job" in answer.get_json()["detail"]


INVALID: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    ("chat", {}, ("messages",), "messages is required"),
    ("chat", {"messages": "hi"}, (), "messages must be a non-empty list"),
    ("chat", {"messages": [{"role": "robot", "content": "x"}]}, (), "messages[0].role"),
    ("chat", {"messages": [{"role": "user", "content": 3}]}, (), "messages[0].content"),
    ("chat", {"max_tokens": 0}, (), "max_tokens must be from 1"),
    ("chat", {"temperature": 3}, (), "temperature must be from 0 to 2"),
    ("chat", {"model": "gpt-9"}, (), "model 'gpt-9' is not one of the 22"),
    ("text2image", {}, ("prompt",), "prompt is required"),
    ("text2image", {"prompt": "  "}, (), "prompt is required"),
    ("text2image", {"width": 63}, (), "width must be from 64 to 1024, not 63"),
    ("text2image", {"height": 1025}, (), "height must be from 64 to 1024"),
    ("text2image", {"width": 512.5}, (), "width must be a whole number"),
    ("text2image", {"count": 11}, (), "count must be from 1 to 10"),
    ("text2image", {"count": 0}, (), "count must be from 1 to 10"),
    ("text2sticker", {"model": "urn:air:x"}, (), "model 'urn:air:x'"),
    ("laserengraving", {"format": "GIF"}, (), "format must be one of JPG, PNG, WEBP, SVG"),
    ("laserengraving", {"engrave_color": "nocolour"}, (), "engrave_color 'nocolour'"),
    ("logo", {}, ("brand_name",), "brand_name is required"),
    ("logo", {}, ("business_description",), "business_description is required"),
    ("logo", {"color_tone": "Teal"}, (), "color_tone must be one of Auto"),
    ("logo", {"count": "11"}, (), "count must be from 1 to 10"),
    (
        "logo",
        {
            "reference_image": png_bytes(),
            "reference_image_url": "https://example.com/r.png",
        },
        (),
        "reference_image and reference_image_url",
    ),
    ("edit", {}, ("prompt",), "prompt is required"),
    ("edit", {}, ("image",), "image, image_url or image_id"),
    ("edit", {"image_url": "https://example.com/a.png"}, (), "image and image_url"),
    ("edit", {"count": "11"}, (), "count must be from 1 to 10"),
    ("edit", {"count": "1.0"}, (), "count must be a whole number"),
    ("edit", {"format": "gif"}, (), "format must be one of JPG, PNG, WEBP"),
    ("edit", {"mode": "auto"}, (), "mode must be one of sync, async"),
    ("edit", {"watermark_opacity": "101"}, (), "watermark_opacity must be from 0 to 100"),
    ("edit", {"watermark_anchor_point": "middle"}, (), "watermark_anchor_point must be one of"),
    ("edit", {"watermark_width": "0"}, (), "watermark_width must be 1 or more"),
    ("edit", {"watermark_angle": "361"}, (), "watermark_angle must be from 0 to 360"),
    ("edit", {"watermark_padding_x": "-1"}, (), "watermark_padding_x must be 0 or more"),
    ("edit", {"watermark_url": "ftp://x/y.png"}, (), "watermark_url must be an absolute"),
    ("edit", {"watermark_enabled": "yes"}, (), "watermark_enabled must be true or false"),
    ("edit", {"image": "text"}, (), "image must be a file part"),
    ("inpaint", {"mask_image_url": "https://example.com/m.png"}, (), "mask_image and mask_"),
    (
        "inpaint",
        {"mask_image": mask_bytes((20, 20))},
        (),
        "mask_image is 20x20; it must be the image's size, 48x36",
    ),
    ("inpaint", {}, ("mask_image",), "this image has no transparent pixels"),
    ("remove-object", {}, ("mask_image",), "A mask is required: give one of mask_image"),
    ("remove-object", {"mode": "later"}, (), "mode must be one of sync, async, auto"),
    ("replace-background", {"count": "0"}, (), "count must be from 1 to 10"),
    ("expand", {"count": "3"}, (), "count must be from 1 to 2"),
    ("expand", {"width": "8001"}, (), "width must be from 1 to 8000"),
    ("expand", {"width": "40"}, (), "at least the image's size, 48x36; got 40x48"),
    ("expand", {"direction": "up"}, (), "direction must be one of center"),
    ("bleed", {}, ("bleed_size",), "bleed_size is required"),
    ("bleed", {"bleed_size": "0"}, (), "bleed_size must be from 1 to 75"),
    ("bleed", {"bleed_size": "76"}, (), "bleed_size must be from 1 to 75"),
    ("text2video", {"length": 21}, (), "length must be from 1 to 20"),
    ("text2video", {"quality": "4k"}, (), "quality must be one of 480p, 720p, 1080p"),
    ("text2video", {"audio": "maybe"}, (), "audio must be true or false"),
    ("text2video", {"width": 2048}, (), "width must be from 64 to 1024"),
    ("image2video", {}, ("image",), "image, image_url or image_id"),
    ("image2video", {"length": "0.5"}, (), "length must be from 1 to 20"),
    ("text2speech", {}, ("text",), "text is required"),
    ("text2speech", {"text": "a" * 5001}, (), "text is 5001 characters long; at most 5000"),
    ("text2speech", {"language": "de"}, (), "language must be one of en, fr"),
    ("text2sound", {"duration": 0.4}, (), "duration must be from 0.5 to 22"),
    ("text2sound", {"duration": 23}, (), "duration must be from 0.5 to 22"),
    ("text2sound", {"loop": "yes"}, (), "loop must be true or false"),
    ("ultra", {"upscale_factor": "17"}, (), "upscale_factor must be one of 2, 3"),
    ("ultra", {"upscale_factor": "1"}, (), "upscale_factor must be one of 2, 3"),
    ("ultra", {"image_type": "food"}, (), "image_type must be one of product"),
    ("ultra", {"product_type": "food"}, (), "product_type must be one of product"),
    ("ultra", {"mode": "later"}, (), "mode must be one of sync, async, auto"),
    (
        "ultra",
        {"image": png_bytes((2049, 2048))},
        (),
        "Ultra Upscale takes at most 4194304",
    ),
    (
        "ultra",
        {"image": png_bytes((1024, 1024)), "upscale_factor": "9"},
        (),
        "over the 67108864 (64 Mpx)",
    ),
]


@pytest.mark.parametrize(
    ("name", "fields", "drop", "words"), INVALID, ids=[f"{row[0]}-{row[3]}" for row in INVALID]
)
def test_a_broken_rule_is_refused_as_the_file_lists_naming_it_and_costs_nothing(
    client: Client,
    state: SandboxState,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    fields: dict[str, Any],
    drop: tuple[str, ...],
    words: str,
) -> None:
    monkeypatch.setattr(media, "video_available", lambda: True)
    refused = 422 if name == "ultra" else 400  # the GenAI file lists 400, the image file 422
    for prefer in (None, "respond-async"):
        answer = send(client, name, prefer, drop=drop, **fields)
        assert answer.status_code == refused, answer.get_json()
        assert words in answer.get_json()["detail"]
    assert state.credits == 1000
    assert len(state.jobs) == 0
    assert state.store.usage()["files"] == 0


def test_the_wrong_kind_of_body_is_415_and_a_broken_one_400(
    client: Client, state: SandboxState
) -> None:
    as_form = client.post("/v1/text2image", headers=HEADERS, data={"prompt": "a mug"})
    assert as_form.status_code == 415
    assert "application/json" in as_form.get_json()["detail"]
    as_json = client.post("/v1/painting/edit", headers=HEADERS, json={"prompt": "x"})
    assert as_json.status_code == 415
    assert "multipart/form-data" in as_json.get_json()["detail"]
    for raw in (b"{", b"[1, 2]"):
        broken = client.post(
            "/v1/text2text/chat/completions",
            headers=HEADERS,
            data=raw,
            content_type="application/json",
        )
        assert broken.status_code == 400
    plain = client.post("/v1/text2sound", headers=HEADERS, data=b"rain", content_type="text/plain")
    assert plain.status_code == 415
    assert state.credits == 1000


@pytest.mark.parametrize("name", ["text2video", "image2video"])
def test_video_without_the_extra_is_501_naming_it(
    client: Client, state: SandboxState, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(media, "video_available", lambda: False)
    answer = send(client, name)
    assert answer.status_code == 501
    assert 'pip install "picsart-component[video]"' in answer.get_json()["detail"]
    assert state.credits == 1000
    assert len(state.jobs) == 0


def test_an_edit_can_carry_a_watermark(client: Client) -> None:
    plain = send(client, "edit", format="PNG").get_json()["data"][0]["url"]
    marked = send(
        client,
        "edit",
        format="PNG",
        watermark_enabled="true",
        watermark_anchor_point="center-middle",
        watermark_opacity="100",
        watermark_width="30",
    ).get_json()["data"][0]["url"]
    tiled = send(
        client, "edit", format="PNG", watermark_enabled="true", watermark_anchor_point="pattern"
    )
    assert tiled.status_code == 200

    def pixels(url: str) -> bytes:
        data = client.get(url.split("localhost", 1)[1]).get_data()
        with Image.open(io.BytesIO(data)) as opened:
            return bytes(opened.convert("RGB").tobytes())

    assert pixels(plain) != pixels(marked)


def test_a_json_body_with_numbers_written_as_decimals_is_taken(client: Client) -> None:
    answer = send(client, "text2image", width=64.0, height=64.0, count=1.0)
    assert answer.status_code == 202
    assert json.loads(answer.get_data())["status"] == "processing"
