"""Tests for the sandbox's analyses: colours found by clustering, tags and descriptions that
follow the pixels, masks that cover what they name, and a stable simulated car view."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageOps, ImageStat

from picsart_component.sandbox.analysis import (
    CAR_VIEWS,
    SEGMENTATION_CLASSES,
    classify_car,
    describe,
    extract_colors,
    matting,
    tags,
)
from picsart_component.sandbox.samples import SAMPLE_NAMES, sample_image, sample_subject_mask

SIZE = (160, 120)
BLUE = (30, 70, 200)
RED = (210, 30, 40)


def two_colours(size: tuple[int, int] = SIZE, share: float = 0.3) -> Image.Image:
    """Mostly blue, with a red band down the left."""
    picture = Image.new("RGB", size, BLUE)
    picture.paste(RED, (0, 0, round(size[0] * share), size[1]))
    return picture


def share_of(mask: Image.Image, region: Image.Image, *, at_least: int = 200) -> float:
    """The share of ``region``'s pixels where ``mask`` is at least ``at_least``."""
    strong = mask.point([255 if value >= at_least else 0 for value in range(256)])
    inside = ImageStat.Stat(strong, mask=region).mean[0]
    return float(inside) / 255


def surely(mask: Image.Image) -> Image.Image:
    return mask.point([0] * 255 + [255]).filter(ImageFilter.MinFilter(5))


# Colours


def test_extract_colors_finds_the_colours_most_used_first() -> None:
    assert extract_colors(two_colours()) == ["#1e46c8", "#d21e28"]
    assert extract_colors(two_colours(share=0.7)) == ["#d21e28", "#1e46c8"]
    assert extract_colors(two_colours(), count=1) == ["#1e46c8"]
    assert extract_colors(two_colours(), kmeans=0) == ["#1e46c8", "#d21e28"]


def test_extract_colors_clusters_a_photo() -> None:
    colours = extract_colors(sample_image("product-plain", SIZE))
    assert 3 <= len(colours) <= 5
    assert len(set(colours)) == len(colours)
    red, green, blue = (int(colours[0][i : i + 2], 16) for i in (1, 3, 5))
    assert min(red, green, blue) > 200  # the pale backdrop covers most of the frame
    assert extract_colors(sample_image("product-plain", SIZE)) == colours


def test_extract_colors_ignores_transparent_pixels() -> None:
    cutout = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    cutout.paste((*RED, 255), (40, 30, 120, 90))
    assert extract_colors(cutout) == ["#d21e28"]
    assert extract_colors(Image.new("RGBA", SIZE, (0, 0, 0, 0))) == []


@pytest.mark.parametrize("count", [0, 6])
def test_extract_colors_refuses_other_counts(count: int) -> None:
    with pytest.raises(ValueError, match="count"):
        extract_colors(two_colours(), count=count)


@pytest.mark.parametrize(
    ("colour", "name"),
    [
        ((30, 70, 200), "blue"),
        ((210, 30, 40), "red"),
        ((40, 170, 60), "green"),
        ((250, 210, 30), "yellow"),
        ((120, 70, 30), "brown"),
        ((250, 250, 250), "white"),
        ((10, 10, 12), "black"),
        ((128, 128, 130), "gray"),
        ((150, 60, 200), "purple"),
    ],
)
def test_the_dominant_colour_is_named_first(colour: tuple[int, int, int], name: str) -> None:
    assert tags(Image.new("RGB", (40, 30), colour))["tags"][0] == f"#{name}"


# Tags and descriptions


def test_tags_follow_the_pixels() -> None:
    found = tags(two_colours())["tags"]
    assert found[0] == "#blue"
    assert "#red" in found
    assert "#landscape" in found
    assert "#colorful" in found
    assert tags(two_colours(share=0.7))["tags"][0] == "#red"
    assert "#portrait" in tags(two_colours((90, 160)))["tags"]
    assert "#square" in tags(two_colours((100, 100)))["tags"]
    assert "#dark" in tags(Image.new("RGB", SIZE, (20, 20, 30)))["tags"]
    assert "#bright" in tags(Image.new("RGB", SIZE, (240, 240, 235)))["tags"]
    assert "#monochrome" in tags(Image.new("RGB", SIZE, (120, 120, 120)))["tags"]
    cutout = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    cutout.paste((*RED, 255), (40, 30, 120, 90))
    assert "#transparent" in tags(cutout)["tags"]
    assert all(tag.startswith("#") for tag in found)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_tags_see_a_subject_on_a_plain_backdrop(name: str) -> None:
    found = tags(sample_image(name, SIZE))["tags"]
    assert "#plainbackground" in found
    assert "#plainbackground" not in tags(Image.effect_noise(SIZE, 60).convert("RGB"))["tags"]


def test_describe_names_the_dominant_colour_and_the_orientation() -> None:
    text = describe(two_colours())
    assert "landscape" in text
    assert "160x120" in text
    assert "mostly blue" in text
    assert "red" in text
    assert "portrait" in describe(two_colours((90, 160)))
    product = describe(sample_image("product-plain", SIZE))
    assert "plain backdrop" in product
    assert describe(sample_image("product-plain", SIZE)) == product


# Matting


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_foreground_and_background_cover_the_subject_and_the_rest(name: str) -> None:
    picture = sample_image(name, SIZE)
    truth = sample_subject_mask(name, SIZE)
    foreground = matting(picture, "foreground")
    assert foreground.mode == "L"
    assert foreground.size == SIZE
    assert share_of(foreground, surely(truth)) > 0.97
    assert share_of(foreground, surely(ImageOps.invert(truth))) < 0.03
    background = matting(picture, "background")
    assert background.tobytes() == ImageOps.invert(foreground).tobytes()


def test_sky_is_the_blue_above() -> None:
    scene = Image.new("RGB", SIZE, (60, 150, 60))
    scene.paste((110, 170, 235), (0, 0, SIZE[0], 50))
    ImageDraw.Draw(scene).ellipse((60, 30, 100, 100), fill=(180, 60, 40))
    sky = matting(scene, "sky")
    upper = Image.new("L", SIZE, 0)
    upper.paste(255, (0, 0, 50, 40))
    lower = Image.new("L", SIZE, 0)
    lower.paste(255, (0, 70, SIZE[0], SIZE[1]))
    assert share_of(sky, upper) > 0.9
    assert share_of(sky, lower, at_least=1) == 0


def test_portrait_parts_are_found_where_they_are() -> None:
    size = (240, 180)
    portrait = sample_image("portrait", size)
    truth = sample_subject_mask("portrait", size)
    skin = matting(portrait, "skin")
    cheek = Image.new("L", size, 0)
    cheek.paste(255, (100, 85, 110, 95))
    assert share_of(skin, cheek) > 0.9
    assert share_of(skin, surely(ImageOps.invert(truth)), at_least=1) == 0
    hair = matting(portrait, "hair")
    crown = Image.new("L", size, 0)
    crown.paste(255, (110, 45, 130, 55))
    assert share_of(hair, crown) > 0.9
    assert share_of(hair, cheek, at_least=1) == 0
    clothes = matting(portrait, "clothes")
    shirt = Image.new("L", size, 0)
    shirt.paste(255, (60, 160, 90, 178))
    assert share_of(clothes, shirt) > 0.9
    eyes = matting(portrait, "eyes")
    assert 0 < share_of(eyes, Image.new("L", size, 255)) < 0.01
    for name in SEGMENTATION_CLASSES:
        mask = matting(portrait, name)
        assert (mask.mode, mask.size) == ("L", size)


def test_unknown_classes_are_refused() -> None:
    with pytest.raises(ValueError, match="segmentation_class"):
        matting(two_colours(), "shoes")


# Cars


def test_car_classification_is_a_stable_view() -> None:
    photo = sample_image("product-gradient", SIZE)
    answer = classify_car(photo)
    assert set(answer) == {"class", "vin", "odo"}
    assert answer["class"] in CAR_VIEWS
    assert answer["vin"] is None
    assert answer["odo"] is None
    assert classify_car(photo) == answer
    assert classify_car(Image.new("RGB", SIZE, (10, 10, 12)))["class"] == "interior"
    symmetric = Image.new("RGB", (100, 100), (200, 200, 200))
    ImageDraw.Draw(symmetric).rectangle((20, 30, 79, 70), fill=(180, 20, 20))
    assert classify_car(symmetric)["class"] in ("front", "rear")
    views = {
        classify_car(sample_image(name, (w, 90)))["class"]
        for name in SAMPLE_NAMES
        for w in (150, 160, 170, 200)
    }
    assert len(views) > 1
