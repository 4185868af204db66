"""Pixel tests for the GenAI emulation: each result must depend on what was asked, and the
image-to-image operations must change the pixels they should and no others."""

from __future__ import annotations

import io
import random
import re
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from picsart_component.sandbox.generative import (
    COLOR_TONES,
    EXPAND_DIRECTIONS,
    bleed,
    edit_with_prompt,
    engraving_svg,
    expand,
    generate_image,
    generate_logo,
    generate_sticker,
    inpaint,
    laser_engraving,
    remove_object,
    replace_background,
)
from picsart_component.sandbox.samples import sample_image, sample_subject_mask

SIDE = 128
RED = (220, 30, 30)
BLUE = (30, 40, 220)
INK = (20, 20, 20, 255)
PAPER = (250, 245, 235, 255)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def mean(image: Image.Image, mask: Image.Image | None = None) -> list[float]:
    return [float(value) for value in ImageStat.Stat(image.convert("RGB"), mask=mask).mean]


def distance(first: list[float], second: tuple[int, ...] | list[float]) -> float:
    return max(abs(a - b) for a, b in zip(first, second, strict=False))


def changed(first: Image.Image, second: Image.Image) -> float:
    """The mean per-channel difference between two pictures."""
    return max(ImageStat.Stat(ImageChops.difference(first, second)).mean)


def noise_image(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """A picture with no two alike regions, so any displaced pixel shows."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def disc(size: tuple[int, int], box: tuple[int, int, int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    return mask


def unchanged_outside(before: Image.Image, after: Image.Image, mask: Image.Image) -> bool:
    keep = mask.point([255] + [0] * 255)
    outside = Image.composite(
        ImageChops.difference(before, after), Image.new("RGB", before.size), keep
    )
    return outside.getbbox() is None


# Text to image


@pytest.mark.parametrize(
    "prompt",
    ["a red sunset over the mountains", "a cute cat portrait", "abstract neon poster", "zorblat"],
)
def test_same_prompt_and_seed_give_the_same_bytes(prompt: str) -> None:
    first = generate_image(prompt, width=SIDE, height=96, seed=3)
    assert first.mode == "RGB"
    assert first.size == (SIDE, 96)
    assert png(first) == png(generate_image(prompt, width=SIDE, height=96, seed=3))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a red sunset over the mountains", "a calm blue ocean"),
        ("a green forest", "a cute cat portrait"),
        ("quantum teapot symphony", "velvet algorithm dreams"),
        ("abstract geometric neon poster", "a calm blue ocean"),
    ],
)
def test_different_prompts_give_clearly_different_pictures(first: str, second: str) -> None:
    one = generate_image(first, width=SIDE, height=SIDE, seed=7)
    other = generate_image(second, width=SIDE, height=SIDE, seed=7)
    assert distance(mean(one), mean(other)) > 25
    assert changed(one, other) > 30


@pytest.mark.parametrize(
    ("prompt", "strongest"),
    [("a red sunset", 0), ("a green forest", 1), ("a calm blue ocean", 2)],
)
def test_colour_words_set_the_palette(prompt: str, strongest: int) -> None:
    channels = mean(generate_image(prompt, width=SIDE, height=SIDE, seed=1))
    assert channels.index(max(channels)) == strongest


@pytest.mark.parametrize("prompt", ["a lake in the mountains", "a red vase", "zorblat"])
def test_the_next_seed_is_a_variation_of_the_same_palette(prompt: str) -> None:
    first = generate_image(prompt, width=SIDE, height=SIDE, seed=10)
    second = generate_image(prompt, width=SIDE, height=SIDE, seed=11)
    assert changed(first, second) > 8
    other_prompt = generate_image(
        "a pink flamingo in a green jungle", width=SIDE, height=SIDE, seed=10
    )
    assert distance(mean(first), mean(second)) < distance(mean(first), mean(other_prompt)) + 40


@pytest.mark.parametrize("size", [(1, 1), (17, 9), (9, 300)])
def test_any_size_is_honoured(size: tuple[int, int]) -> None:
    assert generate_image("tiny", width=size[0], height=size[1], seed=0).size == size


@pytest.mark.parametrize("size", [(0, 10), (10, -1), (9000, 10)])
def test_impossible_sizes_are_refused(size: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="pixels a side"):
        generate_image("x", width=size[0], height=size[1], seed=0)


# Stickers, engravings, logos


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("a cute cat", (SIDE, SIDE)),
        ("golden star", (160, 96)),
        ("pizza party", (96, 140)),
        ("blue heart", (SIDE, SIDE)),
    ],
)
def test_sticker_is_a_subject_on_transparency_with_a_white_outline(
    prompt: str, size: tuple[int, int]
) -> None:
    sticker = generate_sticker(prompt, width=size[0], height=size[1], seed=2)
    assert sticker.mode == "RGBA"
    assert sticker.size == size
    alpha = sticker.getchannel("A")
    width, height = size
    for corner in [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)]:
        assert alpha.getpixel(corner) == 0
    assert alpha.getpixel((width // 2, height // 2)) == 255
    solid = alpha.point([0] * 255 + [255])
    rim = ImageChops.subtract(solid, solid.filter(ImageFilter.MinFilter(5)))
    white = sticker.convert("L").point([0] * 246 + [255] * 10)
    assert ImageStat.Stat(white, mask=rim).mean[0] / 255 > 0.9
    assert png(sticker) == png(generate_sticker(prompt, width=width, height=height, seed=2))


@pytest.mark.parametrize(
    ("prompt", "engrave", "background"),
    [
        ("a sunset over the mountains", INK, PAPER),
        ("a red vase", (200, 10, 10, 255), (0, 0, 0, 0)),
    ],
)
def test_engraving_holds_exactly_its_two_colours(
    prompt: str, engrave: tuple[int, int, int, int], background: tuple[int, int, int, int]
) -> None:
    image = laser_engraving(
        prompt, width=SIDE, height=96, seed=1, engrave_color=engrave, background_color=background
    )
    assert image.mode == "RGBA"
    assert image.size == (SIDE, 96)
    colours = image.getcolors()
    assert colours is not None
    assert {colour for _, colour in colours} == {engrave, background}
    engraved = dict((colour, count) for count, colour in colours)[engrave] / (SIDE * 96)
    assert 0.02 < engraved < 0.8


def test_engravings_follow_the_prompt() -> None:
    def engraved(prompt: str) -> Image.Image:
        return laser_engraving(
            prompt, width=SIDE, height=SIDE, seed=1, engrave_color=INK, background_color=PAPER
        )

    assert png(engraved("a lighthouse")) == png(engraved("a lighthouse"))
    assert changed(engraved("a lighthouse"), engraved("a red vase")) > 20


def svg_rectangles(path_data: str) -> list[tuple[int, int, int, int]]:
    """The rectangles of an "M x y h w v h h -w z" path: left, top, width, height."""
    found = re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-(\d+)z", path_data)
    assert "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h, _ in found) == path_data
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h, _ in found]


@pytest.mark.parametrize("background", [PAPER, (0, 0, 0, 0)])
def test_engraving_svg_traces_every_engraved_pixel(background: tuple[int, int, int, int]) -> None:
    image = laser_engraving(
        "a city skyline",
        width=96,
        height=64,
        seed=4,
        engrave_color=INK,
        background_color=background,
    )
    root = ElementTree.fromstring(engraving_svg(image, INK, background))  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("96", "64", "0 0 96 64")
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1
    assert paths[0].get("fill") == "#141414"
    rectangles = root.findall("{http://www.w3.org/2000/svg}rect")
    assert len(rectangles) == (1 if background[3] else 0)
    traced = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(traced)
    area = 0
    for left, top, width, height in svg_rectangles(paths[0].get("d", "")):
        draw.rectangle((left, top, left + width - 1, top + height - 1), fill=255)
        area += width * height
    engraved = Image.eval(image.getchannel("R"), lambda value: 255 if value == INK[0] else 0)
    assert ImageChops.difference(traced, engraved).getbbox() is None
    assert area == sum(value == 255 for value in engraved.tobytes())


def test_engraving_svg_of_a_blank_image_has_no_path() -> None:
    blank = Image.new("RGBA", (10, 8), PAPER)
    root = ElementTree.fromstring(engraving_svg(blank, INK, PAPER))  # noqa: S314 - our own output
    assert root.findall("{http://www.w3.org/2000/svg}path") == []
    assert root.get("viewBox") == "0 0 10 8"


def logo(
    brand: str = "Acme Coffee", tone: str = "Auto", reference: Image.Image | None = None
) -> Image.Image:
    return generate_logo(
        brand,
        "a cosy coffee shop",
        color_tone=tone,
        logo_description=None,
        reference=reference,
        size=SIDE,
        seed=1,
    )


def test_logo_is_a_square_with_a_mark_and_the_brand_name_written() -> None:
    image = logo()
    assert image.mode == "RGB"
    assert image.size == (SIDE, SIDE)
    colours = image.getcolors(maxcolors=100_000)
    assert colours is not None
    assert len(colours) > 20
    name_band = (0, int(SIDE * 0.7), SIDE, int(SIDE * 0.9))
    assert (
        changed(logo("Acme Coffee").crop(name_band), logo("Zenith Worldwide").crop(name_band)) > 5
    )
    background = image.getpixel((1, 1))
    assert isinstance(background, tuple)
    band = image.crop(name_band)
    written = ImageChops.difference(band, Image.new("RGB", band.size, background[:3]))
    assert written.convert("L").point([0] * 80 + [255] * 176).getbbox() is not None


@pytest.mark.parametrize(("tone", "strongest"), [("Red", 0), ("Green", 1), ("Blue", 2)])
def test_logo_colour_tone_colours_the_mark(tone: str, strongest: int) -> None:
    mark = logo(tone=tone).crop((SIDE // 4, SIDE // 6, 3 * SIDE // 4, 2 * SIDE // 3))
    channels = mean(mark)
    assert channels.index(max(channels)) == strongest


def test_logo_takes_colours_from_a_reference() -> None:
    reference = Image.new("RGB", (40, 40), (20, 180, 40))
    mark = logo(reference=reference).crop((SIDE // 4, SIDE // 6, 3 * SIDE // 4, 2 * SIDE // 3))
    red, green, blue = mean(mark)
    assert green > red
    assert green > blue


def test_logo_refuses_an_unknown_tone() -> None:
    assert "Auto" in COLOR_TONES
    with pytest.raises(ValueError, match="color_tone"):
        logo(tone="Chartreuse")


# Image to image


@pytest.mark.parametrize(
    "prompt", ["vintage photo", "pencil sketch", "cartoon", "dreamy glow", "zorblat", "film grain"]
)
def test_edit_changes_the_image_the_same_way_every_time(prompt: str) -> None:
    photo = sample_image("portrait", (SIDE, 96))
    edited = edit_with_prompt(photo, prompt, seed=1)
    assert edited.size == photo.size
    assert changed(photo, edited) > 4
    assert png(edited) == png(edit_with_prompt(photo, prompt, seed=1))


def test_edit_warm_and_cold_go_opposite_ways() -> None:
    photo = sample_image("product-plain", (SIDE, 96))
    warm_red, _, warm_blue = mean(edit_with_prompt(photo, "warm golden light", seed=1))
    cold_red, _, cold_blue = mean(edit_with_prompt(photo, "cold winter night", seed=1))
    assert warm_red - warm_blue > cold_red - cold_blue + 20


def test_edit_keeps_alpha() -> None:
    photo = sample_image("portrait", (64, 48)).convert("RGBA")
    photo.putalpha(disc((64, 48), (10, 5, 50, 45)))
    edited = edit_with_prompt(photo, "vintage", seed=1)
    assert edited.mode == "RGBA"
    assert edited.getchannel("A").tobytes() == photo.getchannel("A").tobytes()


HOLE = (40, 40, 90, 90)


def red_with_blue_blob() -> tuple[Image.Image, Image.Image]:
    """A uniform red picture with a blue blob, and a mask covering the blob."""
    picture = Image.new("RGB", (SIDE, SIDE), RED)
    ImageDraw.Draw(picture).ellipse(HOLE, fill=BLUE)
    left, top, right, bottom = HOLE
    return picture, disc(picture.size, (left - 2, top - 2, right + 2, bottom + 2))


def test_inpaint_fills_the_mask_from_its_surroundings_and_leaves_the_rest() -> None:
    picture, mask = red_with_blue_blob()
    result = inpaint(picture, mask, "a field of flowers", seed=1)
    assert result.mode == "RGB"
    assert result.size == picture.size
    assert unchanged_outside(picture, result, mask)
    red, green, blue = mean(result, mask)
    assert red > 140
    assert red > green + 60
    assert red > blue + 60
    assert changed(picture.crop(HOLE), result.crop(HOLE)) > 40


def test_inpaint_is_deterministic_and_follows_the_prompt() -> None:
    picture, mask = red_with_blue_blob()
    first = inpaint(picture, mask, "a field of flowers", seed=1)
    assert png(first) == png(inpaint(picture, mask, "a field of flowers", seed=1))
    assert changed(first.crop(HOLE), inpaint(picture, mask, "deep blue sea", seed=1).crop(HOLE)) > 5


def test_inpaint_outside_fills_the_rest_and_keeps_the_mask() -> None:
    picture, mask = red_with_blue_blob()
    result = inpaint(picture, mask, "a sunset", seed=2, outside=True)
    inside = mask.point([0] * 255 + [255])
    kept = Image.composite(
        ImageChops.difference(picture, result), Image.new("RGB", picture.size), inside
    )
    assert kept.getbbox() is None
    assert changed(picture.crop((0, 0, 20, 20)), result.crop((0, 0, 20, 20))) > 20


def test_inpaint_without_a_mask_fills_the_transparent_area() -> None:
    picture = Image.new("RGBA", (SIDE, SIDE), (*RED, 255))
    picture.paste((0, 0, 0, 0), HOLE)
    result = inpaint(picture, None, "warm light", seed=1)
    assert result.mode == "RGB"
    red, green, blue = mean(result.crop(HOLE))
    assert red > green + 60
    assert red > blue + 60
    assert result.getpixel((5, 5)) == RED


def test_inpaint_scales_a_mask_of_another_size() -> None:
    picture, _ = red_with_blue_blob()
    small_mask = disc((SIDE // 2, SIDE // 2), (19, 19, 46, 46))
    result = inpaint(picture, small_mask, "", seed=1)
    assert result.size == picture.size
    red, _, blue = mean(result.crop((55, 55, 75, 75)))
    assert red > blue + 60


def test_inpaint_with_everything_masked_generates_a_picture() -> None:
    picture = Image.new("RGB", (64, 64), RED)
    result = inpaint(picture, Image.new("L", (64, 64), 255), "a calm blue ocean", seed=1)
    assert result.size == (64, 64)
    assert changed(picture, result) > 40


@pytest.mark.parametrize("background", [RED, (30, 160, 60)])
def test_remove_object_fills_from_the_surroundings_only(background: tuple[int, int, int]) -> None:
    picture = Image.new("RGB", (SIDE, SIDE), background)
    ImageDraw.Draw(picture).ellipse(HOLE, fill=BLUE)
    left, top, right, bottom = HOLE
    mask = disc(picture.size, (left - 2, top - 2, right + 2, bottom + 2))
    result = remove_object(picture, mask)
    assert unchanged_outside(picture, result, mask)
    assert distance(mean(result, mask), background) < 6
    assert png(result) == png(remove_object(picture, mask))


def test_remove_object_continues_a_gradient() -> None:
    ramp = Image.linear_gradient("L").resize((SIDE, SIDE)).rotate(90)
    picture = Image.merge("RGB", (ramp, ramp, ramp))
    mask = disc(picture.size, (44, 44, 84, 84))
    result = remove_object(picture, mask)
    left, right = result.getpixel((50, 64)), result.getpixel((78, 64))
    assert isinstance(left, tuple)
    assert isinstance(right, tuple)
    truth_left, truth_right = picture.getpixel((50, 64)), picture.getpixel((78, 64))
    assert isinstance(truth_left, tuple)
    assert isinstance(truth_right, tuple)
    assert (left[0] - right[0]) * (truth_left[0] - truth_right[0]) > 0


def test_replace_background_keeps_the_subject_and_paints_the_prompt() -> None:
    size = (160, 120)
    photo = sample_image("product-plain", size)
    subject = sample_subject_mask("product-plain", size).point([0] * 255 + [255])
    subject = subject.filter(ImageFilter.MinFilter(5))
    backdrop = ImageChops.invert(
        sample_subject_mask("product-plain", size).point([0] + [255] * 255)
    )
    backdrop = backdrop.filter(ImageFilter.MinFilter(9))
    ocean = replace_background(photo, "a calm blue ocean", seed=1)
    sunset = replace_background(photo, "a red sunset", seed=1)
    assert ocean.mode == "RGB"
    assert ocean.size == size
    assert distance(mean(ocean, subject), mean(photo, subject)) < 12
    assert distance(mean(ocean, backdrop), mean(photo, backdrop)) > 30
    assert distance(mean(ocean, backdrop), mean(sunset, backdrop)) > 30


@pytest.mark.parametrize(
    ("direction", "offset"),
    [
        ("center", (32, 24)),
        ("top-left", (64, 48)),
        ("top-right", (0, 48)),
        ("bottom-left", (64, 0)),
        ("bottom-right", (0, 0)),
    ],
)
def test_expand_places_the_original_as_the_direction_says(
    direction: str, offset: tuple[int, int]
) -> None:
    original = noise_image((64, 48))
    result = expand(original, width=128, height=96, direction=direction, prompt="a meadow", seed=1)
    assert result.size == (128, 96)
    placed = result.crop((*offset, offset[0] + 64, offset[1] + 48))
    assert placed.tobytes() == original.tobytes()


def test_expand_continues_the_edges() -> None:
    original = Image.new("RGB", (64, 64), (40, 120, 200))
    result = expand(original, width=256, height=128, direction="center", prompt="", seed=1)
    near_left = result.crop((88, 40, 94, 88))
    assert distance(mean(near_left), (40, 120, 200)) < 10
    prompted = expand(original, width=256, height=128, direction="center", prompt="fire", seed=1)
    assert changed(result.crop((0, 0, 40, 128)), prompted.crop((0, 0, 40, 128))) > 5
    assert set(EXPAND_DIRECTIONS) == {
        "center",
        "top-left",
        "top-right",
        "bottom-left",
        "bottom-right",
    }


def test_expand_is_deterministic() -> None:
    photo = sample_image("portrait", (80, 60))
    first = expand(photo, width=160, height=90, direction="top-right", prompt="forest", seed=5)
    assert png(first) == png(
        expand(photo, width=160, height=90, direction="top-right", prompt="forest", seed=5)
    )


@pytest.mark.parametrize(
    ("size", "direction", "message"),
    [((63, 96), "center", "at least"), ((128, 96), "middle", "direction")],
)
def test_expand_refuses_what_it_cannot_do(
    size: tuple[int, int], direction: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        expand(
            noise_image((64, 48)),
            width=size[0],
            height=size[1],
            direction=direction,
            prompt="",
            seed=1,
        )


@pytest.mark.parametrize("bleed_size", [0, 1, 12])
def test_bleed_adds_the_size_on_every_side(bleed_size: int) -> None:
    original = noise_image((40, 30))
    result = bleed(original, bleed_size)
    assert result.size == (40 + 2 * bleed_size, 30 + 2 * bleed_size)
    inner = result.crop((bleed_size, bleed_size, bleed_size + 40, bleed_size + 30))
    assert inner.tobytes() == original.tobytes()


def test_bleed_continues_the_picture_past_its_edges() -> None:
    picture = Image.new("RGB", (60, 40), (200, 180, 40))
    picture.paste((20, 20, 120), (0, 0, 30, 40))
    result = bleed(picture, 10)
    left = mean(result.crop((0, 15, 8, 35)))
    right = mean(result.crop((72, 15, 80, 35)))
    assert distance(left, (20, 20, 120)) < 12
    assert distance(right, (200, 180, 40)) < 12
    with pytest.raises(ValueError, match="bleed_size"):
        bleed(picture, -1)
