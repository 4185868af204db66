"""Pixel tests for the sandbox's edits and compositions: sizes, windows, mirrored and moved
pixels, blend arithmetic checked by hand, and a real SVG."""

from __future__ import annotations

import math
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps, ImageStat

from picsart_component.sandbox.editing import (
    BLEND_MODES,
    CROP_ANCHORS,
    PATTERNS,
    blend,
    edit,
    pattern,
    smart_crop,
    surface_map,
    vectorize,
    watermark,
    zoom,
)
from picsart_component.sandbox.samples import sample_image, sample_subject_mask

SIZE = (160, 120)
SVG = "{http://www.w3.org/2000/svg}"


def photo(name: str = "product-gradient", size: tuple[int, int] = SIZE) -> Image.Image:
    return sample_image(name, size)


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def same(first: Image.Image, second: Image.Image) -> bool:
    return first.size == second.size and first.tobytes() == second.tobytes()


def disc_photo(centre: tuple[int, int], radius: int, size: tuple[int, int] = SIZE) -> Image.Image:
    picture = Image.new("RGB", size, (235, 235, 228))
    x, y = centre
    ImageDraw.Draw(picture).ellipse(
        (x - radius, y - radius, x + radius, y + radius), fill=(200, 30, 30)
    )
    return picture


def red_pixels(image: Image.Image) -> int:
    red, green, _ = image.convert("RGB").split()
    strong = ImageChops.subtract(red, green).point(
        [255 if value > 100 else 0 for value in range(256)]
    )
    return strong.histogram()[255]


def locate(crop: Image.Image, picture: Image.Image) -> tuple[int, int]:
    """Where an exact crop of ``picture`` was taken from."""
    width, height = crop.size
    for top in range(picture.height - height + 1):
        for left in range(picture.width - width + 1):
            window = picture.crop((left, top, left + width, top + height))
            if window.tobytes() == crop.tobytes():
                return left, top
    raise AssertionError("not a crop of the picture")


# Edit


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({"mode": "resize", "width": 80}, (80, 60)),
        ({"mode": "resize", "height": 30}, (40, 30)),
        ({"mode": "resize", "size": 64}, (64, 48)),
        ({"mode": "resize", "width": 50, "height": 50}, (50, 50)),
        ({"width": 80}, (80, 60)),
        ({"width": 320}, (160, 120)),  # wider than the image: its own size, as the file says
        ({"mode": "resize", "width": 2000, "height": 2000}, (160, 120)),
        ({"mode": "resize", "size": 500}, (160, 120)),
        ({"mode": "crop", "width": 200, "height": 40}, (160, 40)),
        ({"mode": "crop", "width": 40, "height": 30}, (40, 30)),
        ({"rotate": 90}, (120, 160)),
        ({"rotate": -180}, (160, 120)),
        ({"flip": "vertical", "perspective_vertical": 20}, (160, 120)),
    ],
)
def test_edit_output_sizes(options: dict[str, object], size: tuple[int, int]) -> None:
    assert edit(photo(), **options).size == size  # type: ignore[arg-type]


def test_crop_takes_the_window_asked_for() -> None:
    picture = photo()
    assert same(
        edit(picture, mode="crop", width=50, height=40, crop_x=30, crop_y=20),
        picture.crop((30, 20, 80, 60)),
    )
    boxes = {
        "center": (55, 40, 105, 80),
        "top-left": (0, 0, 50, 40),
        "top-right": (110, 0, 160, 40),
        "bottom-left": (0, 80, 50, 120),
        "bottom-right": (110, 80, 160, 120),
    }
    assert set(boxes) == set(CROP_ANCHORS)
    for anchor, box in boxes.items():
        assert same(
            edit(picture, mode="crop", width=50, height=40, crop_anchor=anchor), picture.crop(box)
        )


@pytest.mark.parametrize(
    "options",
    [
        {"mode": "crop", "width": 50, "height": 40, "crop_x": 120},
        {"mode": "crop", "width": 200, "height": 40, "crop_x": 10, "crop_y": 0},
        {"mode": "stretch", "width": 10},
        {"flip": "diagonal"},
        {"rotate": 181},
        {"perspective_horizontal": 46},
    ],
)
def test_edits_that_cannot_be_done_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
        edit(photo(), **options)  # type: ignore[arg-type]


def test_flips_mirror_the_pixels() -> None:
    picture = photo()
    assert same(edit(picture, flip="horizontal"), ImageOps.mirror(picture))
    assert same(edit(picture, flip="vertical"), ImageOps.flip(picture))


def test_rotation_turns_clockwise_and_grows_the_canvas() -> None:
    picture = photo()
    assert same(edit(picture, rotate=90), picture.transpose(Image.Transpose.ROTATE_270))
    turned = edit(picture, rotate=30)
    angle = math.radians(30)
    expected = (
        160 * math.cos(angle) + 120 * math.sin(angle),
        160 * math.sin(angle) + 120 * math.cos(angle),
    )
    assert turned.size == pytest.approx(expected, abs=2)
    assert turned.mode == "RGBA"
    assert pixel(turned, (0, 0))[3] == 0
    assert pixel(turned, (turned.width // 2, turned.height // 2))[3] == 255
    marked = Image.new("RGB", (60, 60), "white")
    marked.paste((255, 0, 0), (40, 0, 60, 20))  # the top-right corner
    clockwise = edit(marked, rotate=90)
    assert pixel(clockwise, (50, 50))[:3] == (255, 0, 0)  # now bottom-right


def test_perspective_shrinks_the_far_side() -> None:
    picture = photo()
    away = edit(picture, perspective_horizontal=30)
    assert away.size == picture.size
    assert pixel(away, (158, 2))[3] == 0  # the right side moved away: its corners uncovered
    assert pixel(away, (2, 2))[3] == 255
    assert pixel(away, (2, 117))[3] == 255
    top_away = edit(picture, perspective_vertical=30)
    assert pixel(top_away, (2, 2))[3] == 0
    assert pixel(top_away, (2, 117))[3] == 255
    centre = pixel(away, (80, 60))[:3]
    assert max(abs(a - b) for a, b in zip(centre, pixel(picture, (70, 60)), strict=True)) < 60


# Smart crop


@pytest.mark.parametrize("name", ["product-plain", "product-gradient", "portrait"])
@pytest.mark.parametrize(("ratio", "margin"), [(None, 0), ("1:1", 10), ("4:3", 5)])
def test_smart_crop_keeps_the_whole_subject(name: str, ratio: str | None, margin: int) -> None:
    size = (200, 150)
    picture = photo(name, size)
    truth = sample_subject_mask(name, size)
    crop = smart_crop(picture, "object", ratio=ratio, margin=margin)
    if ratio == "1:1":
        assert crop.width == crop.height
    left, top = locate(crop, picture)
    inside = truth.crop((left, top, left + crop.width, top + crop.height))
    assert ImageStat.Stat(inside).sum[0] >= 0.97 * ImageStat.Stat(truth).sum[0]


def test_smart_crop_fits_the_subject_and_its_margin() -> None:
    picture = disc_photo((50, 70), 20)
    tight = smart_crop(picture, "product")
    assert red_pixels(tight) == red_pixels(picture)
    assert tight.size == pytest.approx((41, 41), abs=3)
    roomy = smart_crop(picture, "product", margin=50)
    assert roomy.size == pytest.approx((82, 82), abs=4)
    assert smart_crop(picture, "background").size == picture.size
    wide = smart_crop(photo("product-plain", (200, 150)), "bottle", ratio="16:9")
    assert wide.size == (200, 112)  # the frame is too low for the bottle at 16:9: widest there is
    sized = smart_crop(picture, "product", width=90, height=60)
    assert sized.size == (90, 60)
    assert red_pixels(sized) > 0


# Blend


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (8, 8)) -> Image.Image:
    return Image.new("RGB", size, colour)


BASE = (200, 100, 50)
TOP = (100, 200, 250)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("normal", TOP),
        ("multiply", (78, 78, 49)),  # base * top / 255
        ("screen", (222, 222, 251)),  # 255 - (255 - base) (255 - top) / 255
        ("darken", (100, 100, 50)),
        ("lighten", (200, 200, 250)),
        ("overlay", (189, 157, 98)),  # base > 127: screen(2 base - 255, top); else 2 base top
        ("hard_light", (157, 189, 245)),  # overlay with the layers swapped
        ("color_dodge", (255, 255, 255)),  # base / (1 - top), clipped
        ("soft_light", (191, 134, 111)),  # W3C: darker below a mid-grey top, sqrt curve above
    ],
)
def test_blend_modes_match_hand_computed_values(mode: str, expected: tuple[int, int, int]) -> None:
    out = pixel(blend(solid(BASE), solid(TOP), mode=mode), (3, 3))
    assert out == pytest.approx(expected, abs=2)


def test_color_dodge_below_clipping() -> None:
    out = pixel(blend(solid((100, 100, 100)), solid((100, 50, 0)), mode="color_dodge"), (0, 0))
    assert out == pytest.approx((164.5, 124.4, 100), abs=1.5)  # 100 / (1 - top / 255)


def test_non_separable_modes_swap_hue_saturation_and_luma() -> None:
    grey, red = solid((128, 128, 128)), solid((220, 40, 40))
    assert pixel(blend(grey, red, mode="hue"), (0, 0)) == (128, 128, 128)  # no saturation to keep
    assert pixel(blend(red, grey, mode="saturation"), (0, 0)) == pytest.approx(
        (220, 220, 220), abs=2
    )
    coloured = blend(grey, red, mode="color")
    assert pixel(coloured, (0, 0))[0] > pixel(coloured, (0, 0))[1] + 60
    assert coloured.convert("L").getpixel((0, 0)) == pytest.approx(128, abs=3)  # grey's luma
    lit = blend(red, grey, mode="luminosity")
    assert pixel(lit, (0, 0))[0] > pixel(lit, (0, 0))[1] + 60
    assert lit.convert("L").getpixel((0, 0)) == pytest.approx(128, abs=3)


def test_blend_opacity_mixes_with_the_base_and_every_mode_differs() -> None:
    half = pixel(blend(solid(BASE), solid(TOP), mode="multiply", opacity=50), (0, 0))
    assert half == pytest.approx((139, 89, 50), abs=2)
    assert same(blend(solid(BASE), solid(TOP), opacity=0), solid(BASE))
    picture, other = photo(size=(48, 36)), photo("portrait", (96, 48))
    results = {blend(picture, other, mode=mode).tobytes() for mode in BLEND_MODES}
    assert len(results) == len(BLEND_MODES)
    assert blend(picture, other).size == picture.size
    with pytest.raises(ValueError, match="mode"):
        blend(picture, other, mode="dissolve")


# Zoom


def test_zoom_magnifies_and_keeps_the_size() -> None:
    picture = disc_photo((80, 60), 10)
    doubled = zoom(picture, 2)
    assert doubled.size == picture.size
    assert red_pixels(doubled) == pytest.approx(4 * red_pixels(picture), rel=0.1)
    assert same(zoom(picture, 1), picture)
    corner = disc_photo((10, 10), 6)
    assert red_pixels(zoom(corner, 3, anchor_point="left-top")) == pytest.approx(
        9 * red_pixels(corner), rel=0.15
    )
    assert red_pixels(zoom(corner, 3, anchor_point="right-bottom")) == 0
    off_centre = disc_photo((120, 40), 8)
    assert red_pixels(zoom(off_centre, 3, anchor_point="ai")) > 5 * red_pixels(off_centre)
    with pytest.raises(ValueError, match="scale_factor"):
        zoom(picture, 76)


# Watermark


def quarter_changes(before: Image.Image, after: Image.Image) -> list[float]:
    """Mean change in the top-left, top-right, bottom-left and bottom-right quarters."""
    difference = ImageChops.difference(before.convert("RGB"), after.convert("RGB")).convert("L")
    width, height = before.size
    half_width, half_height = width // 2, height // 2
    boxes = [
        (0, 0, half_width, half_height),
        (half_width, 0, width, half_height),
        (0, half_height, half_width, height),
        (half_width, half_height, width, height),
    ]
    return [float(ImageStat.Stat(difference.crop(box)).mean[0]) for box in boxes]


def test_watermark_marks_the_anchored_corner_only() -> None:
    picture = solid((90, 140, 200), SIZE)
    marked = watermark(picture, None, anchor_point="right-bottom", opacity=90)
    top_left, _, _, bottom_right = quarter_changes(picture, marked)
    assert top_left == 0
    assert bottom_right > 1
    logo = solid((255, 0, 0), (20, 20))
    placed = watermark(
        picture, logo, anchor_point="left-top", padding_x=5, padding_y=8, opacity=100
    )
    assert pixel(placed, (15, 18)) == (255, 0, 0)
    assert pixel(placed, (3, 3)) == (90, 140, 200)
    assert pixel(placed, (15, 30)) == (90, 140, 200)
    assert quarter_changes(picture, placed)[3] == 0
    faint = pixel(watermark(picture, logo, anchor_point="left-top", opacity=50), (5, 5))
    assert faint == pytest.approx((172, 70, 100), abs=2)


def test_watermark_pattern_covers_the_whole_picture() -> None:
    picture = solid((90, 140, 200), SIZE)
    tiled = watermark(picture, solid((0, 0, 0), (10, 10)), anchor_point="pattern", opacity=100)
    assert all(change > 5 for change in quarter_changes(picture, tiled))
    assert tiled.size == picture.size


# Surface map


def test_surface_map_prints_only_inside_the_mask() -> None:
    picture = photo("product-plain")
    mask = Image.new("L", SIZE, 0)
    mask.paste(255, (60, 30, 110, 100))
    sticker = photo("portrait", (64, 64))
    printed = surface_map(picture, mask, sticker)
    assert printed.size == picture.size
    outside = ImageChops.difference(printed, picture).convert("L")
    outside.paste(0, (60, 30, 110, 100))
    assert outside.getbbox() is None
    assert (
        ImageStat.Stat(ImageChops.difference(printed, picture).crop((60, 30, 110, 100))).mean[0]
        > 10
    )
    with pytest.raises(ValueError, match="white area"):
        surface_map(picture, Image.new("L", SIZE, 0), sticker)


# Pattern


def test_pattern_repeats_the_image() -> None:
    small = photo(size=(40, 30))
    tiles = pattern(small, width=200, height=160, pattern="tile")
    assert tiles.size == (200, 160)
    tile_width, tile_height = 40, 30  # the longer side a quarter of the canvas's shorter side
    assert same(
        tiles.crop((0, 0, tile_width, tile_height)),
        tiles.crop((tile_width, 0, 2 * tile_width, tile_height)),
    )
    assert same(
        tiles.crop((0, 0, tile_width, tile_height)),
        tiles.crop((0, tile_height, tile_width, 2 * tile_height)),
    )
    mirrored = pattern(small, width=200, height=160, pattern="mirror")
    assert same(
        ImageOps.mirror(mirrored.crop((0, 0, tile_width, tile_height))),
        mirrored.crop((tile_width, 0, 2 * tile_width, tile_height)),
    )
    moved = pattern(small, width=200, height=160, pattern="tile", offset_x=7, offset_y=3)
    assert same(moved.crop((7, 3, 200, 160)), tiles.crop((0, 0, 193, 157)))
    bigger = pattern(small, width=200, height=160, pattern="tile", scale=2.0)
    assert same(bigger.crop((0, 0, 80, 60)), bigger.crop((80, 0, 160, 60)))


@pytest.mark.parametrize("kind", PATTERNS)
def test_every_pattern_fills_the_canvas(kind: str) -> None:
    out = pattern(photo(size=(40, 30)), width=150, height=100, pattern=kind, rotate=20)
    assert out.size == (150, 100)
    assert out.mode == "RGB"
    assert same(out, pattern(photo(size=(40, 30)), width=150, height=100, pattern=kind, rotate=20))


def test_patterns_differ_and_unknown_ones_are_refused() -> None:
    results = {
        pattern(photo(size=(40, 30)), width=120, height=120, pattern=kind).tobytes()
        for kind in PATTERNS
    }
    assert len(results) == len(PATTERNS)
    with pytest.raises(ValueError, match="pattern"):
        pattern(photo(), pattern="spiral")


# Vectorize


def test_vectorize_gives_a_real_svg() -> None:
    svg = vectorize(photo("portrait", (200, 150)), downscale_to=100)
    root = ElementTree.fromstring(svg)  # noqa: S314 - the SVG is our own
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "100",
        "75",
        "0 0 100 75",
    )
    paths = root.findall(f".//{SVG}path")
    assert len(paths) >= 3
    assert all((path.get("d") or "").startswith("M") for path in paths)
    assert len(svg) < 200_000


def test_vectorize_traces_the_image_colours() -> None:
    flag = Image.new("RGB", (60, 40), (0, 60, 200))
    flag.paste((230, 20, 20), (0, 20, 60, 40))
    root = ElementTree.fromstring(vectorize(flag))  # noqa: S314 - the SVG is our own
    fills = {element.get("fill") for element in root.iter() if element.get("fill")}
    assert fills == {"#003cc8", "#e61414"}
    path = root.find(f".//{SVG}path")
    assert path is not None
    assert path.get("d") == "M0 20h60v20H0z"


def test_vectorize_leaves_transparency_empty() -> None:
    cutout = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    cutout.paste((250, 200, 0, 255), (10, 10, 30, 30))
    root = ElementTree.fromstring(vectorize(cutout))  # noqa: S314 - the SVG is our own
    assert root.find(f"{SVG}rect") is None
    paths = root.findall(f".//{SVG}path")
    assert [path.get("fill") for path in paths] == ["#fac800"]
    assert paths[0].get("d") == "M10 10h20v20H10z"


@pytest.mark.parametrize("anchor", ["pattern", "center-middle", "right-bottom"])
def test_a_watermark_on_a_one_pixel_image_keeps_its_size(anchor: str) -> None:
    out = watermark(Image.new("RGB", (1, 1), "red"), None, anchor_point=anchor)
    assert out.size == (1, 1)
