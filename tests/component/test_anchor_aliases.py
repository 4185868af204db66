"""The names Picsart's other clients use, as the component takes and sends them: watermark
anchors as Picsart's n8n node spells them are taken and sent as the file spells them, and masks
are sent by the file's names (``mask_image*``), not by the Python SDK's (``mask``, ``mask_url``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest

from picsart_component.catalogue.choices import WATERMARK_ANCHOR_ALIASES, WATERMARK_ANCHORS
from picsart_component.runtime.models import ChoiceAliases, InputModel
from tests.e2e import SandboxHarness


def posted(harness: SandboxHarness, path_end: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in harness.sandbox.request_log()
        if entry["method"] == "POST" and entry["path"].endswith(path_end)
    ]


def test_every_alias_names_a_watermark_anchor_and_none_is_one() -> None:
    assert set(WATERMARK_ANCHOR_ALIASES.values()) == set(WATERMARK_ANCHORS)
    assert not {alias.lower() for alias in WATERMARK_ANCHOR_ALIASES} & set(WATERMARK_ANCHORS)


def test_node_anchors_are_sent_as_the_file_names_them_and_typos_still_refused(
    harness: SandboxHarness,
) -> None:
    image = harness.upload()
    mark = harness.upload()
    body = {"image_url": image["url"], "watermark_url": mark["url"]}
    placed = harness.run("addWatermark", {**body, "anchor_point": "bottom-right"})
    tiled = harness.run("addWatermark", {**body, "anchor_point": "Tile"})
    assert placed.of_kind("error") == []
    assert tiled.of_kind("error") == []
    (typo,) = harness.run("addWatermark", {**body, "anchor_point": "bottom-rigth"}).of_kind("error")
    sent = [entry["fields"]["anchor_point"] for entry in posted(harness, "/watermark")]
    assert sent == ["right-bottom", "pattern"]
    assert typo["problems"][0]["path"] == "$.anchor_point"
    assert "must be one of: " in typo["problems"][0]["rule"]


def test_edit_image_sends_the_node_watermark_anchor_as_the_file_names_it(
    harness: SandboxHarness,
) -> None:
    image = harness.upload()
    result = harness.run(
        "editImage",
        {
            "image_url": image["url"],
            "prompt": "at sunset",
            "count": 1,
            "watermark_enabled": True,
            "watermark_anchor_point": "TOP-middle",
        },
    )
    assert result.of_kind("error") == []
    (submitted,) = posted(harness, "/painting/edit")
    assert submitted["fields"]["watermark_anchor_point"] == "center-top"


@pytest.mark.parametrize(
    ("action", "mask_field", "path_end"),
    [
        ("inpaint", "mask_image", "/painting/inpaint"),
        ("removeObject", "mask_image_url", "/painting/remove-object"),
    ],
)
def test_the_mask_is_sent_by_the_file_names_not_the_sdk_ones(
    harness: SandboxHarness, action: str, mask_field: str, path_end: str
) -> None:
    image = harness.upload()
    mask = harness.upload()
    body: dict[str, Any] = {"image_url": image["url"], mask_field: mask["url"]}
    if action == "inpaint":
        body |= {"prompt": "flowers", "count": 1}
    assert harness.run(action, body).of_kind("error") == []
    (submitted,) = posted(harness, path_end)
    named = set(submitted["fields"]) | {part["field"] for part in submitted["files"]}
    assert mask_field in named
    assert not named & {"mask", "mask_url"}


def test_an_alias_of_something_that_is_not_a_choice_is_a_mistake_in_the_model() -> None:
    class Broken(InputModel):
        side: Annotated[Literal["left", "right"] | None, ChoiceAliases({"port": "larboard"})] = None

    with pytest.raises(TypeError, match="larboard"):
        Broken.normalized({"side": "port"})
