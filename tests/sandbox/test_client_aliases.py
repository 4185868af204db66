"""Names Picsart's own clients send and production takes besides the file's: the painting mask
as ``mask`` / ``mask_url`` (Picsart's Python SDK) and watermark anchors as Picsart's n8n node
spells them (``bottom-right``, ``tile``); the sandbox takes both, and the same picture results."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from werkzeug.test import Client, TestResponse

from picsart_component.catalogue.choices import WATERMARK_ANCHOR_ALIASES
from tests.sandbox.support import HEADERS, mask_bytes, png_bytes, send, send_tool


def result_pixels(client: Client, answer: TestResponse) -> bytes:
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()["data"]
    url = (data[0] if isinstance(data, list) else data)["url"]
    picture = client.get(url.split("localhost", 1)[1])
    assert picture.status_code == 200
    with Image.open(io.BytesIO(picture.get_data())) as opened:
        pixels: bytes = opened.convert("RGBA").tobytes()
        return pixels


def uploaded_url(client: Client, content: bytes) -> str:
    answer = client.post(
        "/tools/1.0/upload", headers=HEADERS, data={"image": (io.BytesIO(content), "m.png")}
    )
    url: str = answer.get_json()["data"]["url"]
    return url


@pytest.mark.parametrize("kind", ["inpaint", "outpaint"])
def test_a_mask_sent_as_mask_paints_as_mask_image_does(client: Client, kind: str) -> None:
    by_file_name = send(client, kind)
    by_sdk_name = send(client, kind, drop=("mask_image",), mask=mask_bytes())
    assert result_pixels(client, by_sdk_name) == result_pixels(client, by_file_name)


def test_remove_object_takes_its_mask_by_mask_url(client: Client) -> None:
    mask_url = uploaded_url(client, mask_bytes())
    by_file_name = send(client, "remove-object", drop=("mask_image",), mask_image_url=mask_url)
    by_sdk_name = send(client, "remove-object", drop=("mask_image",), mask_url=mask_url)
    assert result_pixels(client, by_sdk_name) == result_pixels(client, by_file_name)


def test_a_mask_by_the_sdk_name_is_checked_as_the_file_name_is(client: Client) -> None:
    small = send(client, "inpaint", drop=("mask_image",), mask=mask_bytes((20, 20)))
    as_text = send(client, "inpaint", drop=("mask_image",), mask="https://example.com/m.png")
    assert {small.status_code, as_text.status_code} <= {400, 422}
    assert "mask is 20x20; it must be the image's size, 48x36" in small.get_json()["detail"]
    assert "to pass a link use mask_url" in as_text.get_json()["detail"]


@pytest.mark.parametrize(
    ("kind", "drop", "fields", "named"),
    [
        ("inpaint", (), {"mask": mask_bytes()}, "mask_image and mask"),
        ("remove-object", (), {"mask_url": "https://example.com/m.png"}, "mask_image and mask_url"),
        (
            "remove-object",
            ("mask_image",),
            {"mask_image_id": "an-id", "mask": mask_bytes()},
            "mask_image_id and mask",
        ),
    ],
)
def test_a_mask_by_both_names_is_refused_naming_both(
    client: Client, kind: str, drop: tuple[str, ...], fields: dict[str, Any], named: str
) -> None:
    answer = send(client, kind, drop=drop, **fields)
    assert answer.status_code in (400, 422)
    assert f"Give only one mask source; got {named}." in answer.get_json()["detail"]


def test_remove_object_without_a_mask_names_every_way_to_give_one(client: Client) -> None:
    answer = send(client, "remove-object", drop=("mask_image",))
    assert answer.status_code in (400, 422)
    assert "mask_image_id (or mask or mask_url)" in answer.get_json()["detail"]


@pytest.mark.parametrize(
    ("alias", "file_name"), [("BOTTOM-right", "right-bottom"), ("tile", "pattern")]
)
def test_a_node_watermark_anchor_stamps_as_the_file_name_does(
    client: Client, alias: str, file_name: str
) -> None:
    mark = png_bytes((12, 10), "black")
    by_alias = send_tool(client, "watermark", anchor_point=alias, watermark=mark)
    by_file_name = send_tool(client, "watermark", anchor_point=file_name, watermark=mark)
    assert result_pixels(client, by_alias) == result_pixels(client, by_file_name)


def test_every_node_watermark_anchor_is_taken_and_typos_are_not(client: Client) -> None:
    statuses = {
        alias: send_tool(client, "watermark", anchor_point=alias).status_code
        for alias in WATERMARK_ANCHOR_ALIASES
    }
    typo = send_tool(client, "watermark", anchor_point="bottom-rigth")
    assert set(statuses.values()) == {200}, statuses
    assert typo.status_code in (400, 422)
    assert "anchor_point must be one of left-top" in typo.get_json()["detail"]


def test_edit_takes_a_node_watermark_anchor(client: Client) -> None:
    fields = {"watermark_enabled": "true"}
    by_alias = send(client, "edit", watermark_anchor_point="top-middle", **fields)
    by_file_name = send(client, "edit", watermark_anchor_point="center-top", **fields)
    typo = send(client, "edit", watermark_anchor_point="top-midle", **fields)
    assert result_pixels(client, by_alias) == result_pixels(client, by_file_name)
    assert typo.status_code in (400, 422)
    assert "watermark_anchor_point must be one of" in typo.get_json()["detail"]
