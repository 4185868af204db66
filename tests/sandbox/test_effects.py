"""Pixel tests for the sandbox's effects: every name must give its own real result, and every
adjustment must move the statistic it names."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import cache

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from picsart_component.catalogue.choices import (
    AI_EFFECT_NAMES,
    EFFECT_NAMES,
    MASK_BLENDS,
    MASK_NAMES,
    STYLE_LEVELS,
)
from picsart_component.sandbox.effects import (
    adjust,
    apply_ai_effect,
    apply_effect,
    apply_mask,
    color_transfer,
    enhance_face,
    enhance_upscale,
    laser_engrave,
    selective_blur,
    style_transfer,
)
from picsart_component.sandbox.samples import sample_image, sample_subject_mask

TINY = (48, 48)
SMALL = (128, 96)
INK = (20, 30, 40, 255)
PAPER = (250, 240, 220, 255)

Apply = Callable[[Image.Image, str], Image.Image]
TABLES: dict[str, tuple[tuple[str, ...], Apply]] = {
    "effect": (EFFECT_NAMES, apply_effect),
    "ai effect": (AI_EFFECT_NAMES, apply_ai_effect),
    "mask": (MASK_NAMES, apply_mask),
}
CASES = [(kind, name) for kind, (names, _) in TABLES.items() for name in names]


@cache
def photo(size: tuple[int, int] = TINY, name: str = "product-gradient") -> Image.Image:
    return sample_image(name, size)


@cache
def result(kind: str, name: str) -> bytes:
    """Each name's result on the tiny photo, computed once for the pairwise comparison."""
    _, apply = TABLES[kind]
    return apply(photo(), name).convert("RGB").tobytes()


def changed(first: Image.Image, second: Image.Image) -> float:
    """The largest per-channel mean difference between two pictures."""
    difference = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
    return max(ImageStat.Stat(difference).mean)


def mean(image: Image.Image, mask: Image.Image | None = None) -> list[float]:
    return [float(value) for value in ImageStat.Stat(image.convert("RGB"), mask=mask).mean]


def edge_energy(image: Image.Image, mask: Image.Image | None = None) -> float:
    edges = image.convert("L").filter(ImageFilter.FIND_EDGES).crop((1, 1, *image.size))
    edges = edges.resize(image.size)
    return float(ImageStat.Stat(edges, mask=mask).mean[0])


def chroma(image: Image.Image) -> float:
    return float(ImageStat.Stat(image.convert("HSV").getchannel("S")).mean[0])


def red_at(image: Image.Image, xy: tuple[int, int]) -> int:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return int(value[0])


def surely(mask: Image.Image) -> Image.Image:
    """Pixels well inside the mask's white part (its anti-aliased edge left out)."""
    return mask.point([0] * 255 + [255]).filter(ImageFilter.MinFilter(5))


def checker(size: tuple[int, int], level: int) -> Image.Image:
    width, height = size
    data = bytes(((x // 2 + y // 2) % 2) * level for y in range(height) for x in range(width))
    return Image.frombytes("L", size, data)


# Every name


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_each_name_really_changes_the_picture_the_same_way_each_time(kind: str, name: str) -> None:
    _, apply = TABLES[kind]
    first = apply(photo(), name)
    assert first.size == TINY
    assert first.tobytes() == apply(photo(), name).tobytes()
    assert changed(first, photo()) > 0.5


@pytest.mark.parametrize("kind", TABLES)
def test_every_name_gives_a_result_of_its_own(kind: str) -> None:
    names, _ = TABLES[kind]
    alike = [
        (first, second)
        for first, second in itertools.combinations(names, 2)
        if result(kind, first) == result(kind, second)
    ]
    assert not alike
    for first, second in itertools.combinations(names, 2):
        a = Image.frombytes("RGB", TINY, result(kind, first))
        b = Image.frombytes("RGB", TINY, result(kind, second))
        assert changed(a, b) > 0.5, (first, second)


@pytest.mark.parametrize("kind", TABLES)
def test_unknown_names_are_refused(kind: str) -> None:
    _, apply = TABLES[kind]
    with pytest.raises(ValueError, match="not supported"):
        apply(photo(), "no-such-look")


@pytest.mark.parametrize(("kind", "name"), [("effect", "icy2"), ("ai effect", "galaxy")])
def test_transparency_is_kept(kind: str, name: str) -> None:
    _, apply = TABLES[kind]
    cutout = photo().convert("RGBA")
    cutout.putalpha(sample_subject_mask("product-gradient", TINY))
    out = apply(cutout, name)
    assert out.mode == "RGBA"
    assert out.getchannel("A").tobytes() == cutout.getchannel("A").tobytes()


def test_fade_blends_back_towards_the_original() -> None:
    full = apply_effect(photo(), "mnch1")
    half = apply_effect(photo(), "mnch1", fade=50)
    assert changed(apply_effect(photo(), "mnch1", fade=100), photo()) < 0.6
    assert 0.3 * changed(full, photo()) < changed(half, photo()) < 0.7 * changed(full, photo())
    with pytest.raises(ValueError, match="fade"):
        apply_effect(photo(), "mnch1", fade=101)


def test_named_effects_do_what_their_names_say() -> None:
    picture = photo(SMALL)
    assert edge_energy(apply_effect(picture, "gblur")) < 0.7 * edge_energy(picture)
    assert chroma(apply_effect(picture, "saturation")) > 1.2 * chroma(picture)
    mono = apply_effect(picture, "mnch1")
    red, green, blue = mono.split()
    assert red.tobytes() == green.tobytes() == blue.tobytes()
    blocks = apply_effect(picture, "pixelize")
    assert len(blocks.getcolors(SMALL[0] * SMALL[1]) or []) < len(picture.getcolors(99999) or [])
    flat = Image.new("RGB", SMALL, (120, 120, 120))
    assert ImageStat.Stat(apply_effect(flat, "noise")).stddev[0] > 5
    rows = Image.frombytes(
        "L", (64, 64), bytes(y // 2 % 2 * 200 for y in range(64) for _ in range(64))
    )
    columns = rows.transpose(Image.Transpose.TRANSPOSE)
    streaked = apply_effect(rows.convert("RGB"), "motionblur")
    assert streaked.tobytes() == rows.convert("RGB").tobytes()  # blurred along the stripes
    across = apply_effect(columns.convert("RGB"), "motionblur")
    assert ImageStat.Stat(across).stddev[0] < 0.5 * ImageStat.Stat(columns).stddev[0]


# Adjust


def test_adjust_with_nothing_asked_is_the_identity() -> None:
    picture = photo(SMALL).convert("RGBA")
    same = adjust(picture)
    assert same.mode == picture.mode
    assert same.tobytes() == picture.tobytes()


@pytest.mark.parametrize(
    ("knob", "value", "statistic", "rises"),
    [
        ("brightness", 40, lambda im: sum(mean(im)), True),
        ("brightness", -40, lambda im: sum(mean(im)), False),
        ("contrast", 50, lambda im: ImageStat.Stat(im.convert("L")).stddev[0], True),
        ("contrast", -50, lambda im: ImageStat.Stat(im.convert("L")).stddev[0], False),
        ("saturation", 60, chroma, True),
        ("saturation", -60, chroma, False),
        ("temperature", 60, lambda im: mean(im)[0] - mean(im)[2], True),
        ("temperature", -60, lambda im: mean(im)[0] - mean(im)[2], False),
        ("sharpen", 80, edge_energy, True),
        ("clarity", 80, lambda im: ImageStat.Stat(im.convert("L")).stddev[0], True),
        ("clarity", -80, edge_energy, False),
        ("noise", 60, edge_energy, True),
    ],
)
def test_each_adjustment_moves_its_statistic(
    knob: str, value: int, statistic: Callable[[Image.Image], float], rises: bool
) -> None:
    picture = photo(SMALL, "portrait")
    before, after = statistic(picture), statistic(adjust(picture, **{knob: value}))
    assert (after > before) if rises else (after < before), (before, after)


def test_shadows_and_highlights_move_their_own_tones() -> None:
    ramp = Image.linear_gradient("L").resize((64, 64)).convert("RGB")
    dark, light = (10, 8), (10, 60)
    lifted = adjust(ramp, shadows=60)
    assert red_at(lifted, dark) > red_at(ramp, dark) + 20
    assert abs(red_at(lifted, light) - red_at(ramp, light)) <= 3
    recovered = adjust(ramp, highlights=-60)
    assert red_at(recovered, light) < red_at(ramp, light) - 20
    assert abs(red_at(recovered, (10, 4)) - red_at(ramp, (10, 4))) <= 3


def test_hue_turns_colours_round() -> None:
    red = Image.new("RGB", (8, 8), (220, 30, 30))
    turned = adjust(red, hue=67).getpixel((0, 0))
    assert isinstance(turned, tuple)
    assert turned[1] > turned[0]  # a third of the way round: green


def test_vignette_darkens_the_corners_not_the_centre() -> None:
    grey = Image.new("RGB", (64, 48), (180, 180, 180))
    out = adjust(grey, vignette=80)
    assert out.getpixel((32, 24)) == (180, 180, 180)
    corner = out.getpixel((0, 0))
    assert isinstance(corner, tuple)
    assert corner[0] < 120


def test_adjust_refuses_values_out_of_range() -> None:
    with pytest.raises(ValueError, match="brightness"):
        adjust(photo(), brightness=101)
    with pytest.raises(ValueError, match="sharpen"):
        adjust(photo(), sharpen=-1)


# Engraving, selective blur, colour and style


def test_laser_engraving_holds_exactly_the_two_colours() -> None:
    out = laser_engrave(photo(SMALL, "portrait"), INK, PAPER)
    colours = {colour for _, colour in out.getcolors(64) or []}
    assert colours == {INK, PAPER}


@pytest.mark.parametrize(
    ("segment", "blurred"), [("background", "backdrop"), ("person", "subject")]
)
def test_selective_blur_blurs_only_the_segment_named(segment: str, blurred: str) -> None:
    picture = photo(SMALL, "portrait")
    truth = sample_subject_mask("portrait", SMALL)
    backdrop = ImageOps.invert(truth)
    textured = ImageChops.add(
        picture, Image.merge("RGB", [ImageChops.multiply(checker(SMALL, 12), backdrop)] * 3)
    )
    out = selective_blur(textured, segment, blur=60)
    regions = {"subject": surely(truth), "backdrop": surely(backdrop)}
    kept = "subject" if blurred == "backdrop" else "backdrop"
    difference = ImageChops.difference(out, textured).convert("L")
    assert ImageStat.Stat(difference, mask=regions[kept]).mean[0] < 0.5
    assert ImageStat.Stat(difference, mask=regions[blurred]).mean[0] > 2


def test_color_transfer_takes_the_reference_colours() -> None:
    picture = photo(SMALL, "portrait")
    reference = photo(SMALL, "product-gradient")
    out = color_transfer(picture, reference)
    assert out.size == picture.size
    before = max(abs(a - b) for a, b in zip(mean(picture), mean(reference), strict=True))
    after = max(abs(a - b) for a, b in zip(mean(out), mean(reference), strict=True))
    assert after < before / 3
    assert changed(color_transfer(picture, picture), picture) < 3


def test_style_transfer_paints_more_with_each_level() -> None:
    picture = photo(SMALL, "portrait")
    reference = photo(SMALL, "product-gradient")
    recoloured = color_transfer(picture, reference)
    light, strong = (style_transfer(picture, reference, level=level) for level in ("l1", "l5"))
    assert light.size == strong.size == picture.size
    assert changed(strong, recoloured) > changed(light, recoloured)
    assert style_transfer(picture, reference, level="l3").tobytes() == (
        style_transfer(picture, reference, level="l3").tobytes()
    )
    with pytest.raises(ValueError, match="level"):
        style_transfer(picture, reference, level="l6")
    assert len(STYLE_LEVELS) == 5


# Masks


def test_mask_options_are_applied() -> None:
    grey = Image.new("RGB", TINY, (128, 128, 128))
    plain = apply_mask(grey, "prsm9")
    assert apply_mask(grey, "prsm9", flip="mirror horizontal").tobytes() == (
        ImageOps.mirror(plain).tobytes()
    )
    assert apply_mask(grey, "prsm9", flip="turnaround").tobytes() == (
        plain.transpose(Image.Transpose.ROTATE_180).tobytes()
    )
    assert apply_mask(grey, "prsm9", opacity=0).tobytes() == grey.tobytes()
    assert changed(apply_mask(grey, "prsm9", hue=120), plain) > 1
    assert sum(mean(apply_mask(grey, "lace1", blend="multiply"))) < sum(mean(grey))
    assert sum(mean(apply_mask(grey, "lace1", blend="screen"))) > sum(mean(grey))
    results = {apply_mask(grey, "rpl3", blend=mode).tobytes() for mode in MASK_BLENDS}
    assert len(results) == len(MASK_BLENDS)
    with pytest.raises(ValueError, match="blend"):
        apply_mask(grey, "rpl3", blend="dissolve")
    with pytest.raises(ValueError, match="flip"):
        apply_mask(grey, "rpl3", flip="sideways")


# Enhancers


def test_enhance_upscale_is_bigger_and_crisper_than_a_plain_resize() -> None:
    picture = photo((40, 30), "portrait")
    out = enhance_upscale(picture, 3)
    assert out.size == (120, 90)
    plain = picture.resize((120, 90), Image.Resampling.LANCZOS)
    assert edge_energy(out) > edge_energy(plain)
    with pytest.raises(ValueError, match="2 to 16"):
        enhance_upscale(picture, 17)
    with pytest.raises(ValueError, match="64 Mpx"):
        enhance_upscale(Image.new("L", (3000, 3000)), 3)


def test_enhance_face_smooths_skin_and_keeps_the_size() -> None:
    portrait = photo(SMALL, "portrait")
    grain = checker(SMALL, 16)
    noisy = ImageChops.add(portrait, Image.merge("RGB", (grain, grain, grain)), 1.0, -8)
    out = enhance_face(noisy)
    assert out.size == noisy.size
    assert out.tobytes() == enhance_face(noisy).tobytes()
    face = Image.new("L", SMALL, 0)
    ImageDraw.Draw(face).rectangle((48, 45, 59, 52), fill=255)  # a cheek
    assert edge_energy(out, face) < edge_energy(noisy, face)
