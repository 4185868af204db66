"""Pixel tests for the sandbox's image work: each option must visibly do what Picsart says."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from picsart_component.sandbox.imaging import (
    REMOVEBG_INPUT_FORMATS,
    UPLOAD_INPUT_FORMATS,
    UPSCALE_INPUT_FORMATS,
    NotAnImageError,
    OutputTooLargeError,
    RemoveBackgroundParams,
    UnsupportedFormatError,
    encode,
    open_image,
    parse_color,
    remove_background,
    upscale,
)
from picsart_component.sandbox.samples import (
    SAMPLE_NAMES,
    sample_image,
    sample_png_bytes,
    sample_subject_mask,
    write_samples,
)
from tests.helpers import png_declaring

SMALL = (160, 120)
BACKDROP = (235, 235, 230)
DISC_BLUE = (40, 90, 160)
DISC_CENTRE = (80, 60)
DISC_RADIUS = 20


def disc_photo(
    size: tuple[int, int] = SMALL, centre: tuple[int, int] = DISC_CENTRE, radius: int = DISC_RADIUS
) -> Image.Image:
    """A blue disc on a plain backdrop: symmetric, so shadows and strokes measure exactly."""
    photo = Image.new("RGB", size, BACKDROP)
    x, y = centre
    ImageDraw.Draw(photo).ellipse((x - radius, y - radius, x + radius, y + radius), fill=DISC_BLUE)
    return photo


def cut(photo: Image.Image, bg_image: Image.Image | None = None, **options: Any) -> Image.Image:
    return remove_background(photo, RemoveBackgroundParams(**options), bg_image)


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def level(image: Image.Image, xy: tuple[int, int]) -> int:
    value = image.getpixel(xy)
    assert isinstance(value, int)
    return value


def alpha_of(image: Image.Image) -> Image.Image:
    return image.getchannel("A")


def share(values: list[int], wanted: range) -> float:
    return sum(value in wanted for value in values) / len(values)


def values_where(image: Image.Image, mask: Image.Image) -> list[int]:
    return [value for value, keep in zip(image.tobytes(), mask.tobytes(), strict=True) if keep]


def centroid(alpha: Image.Image) -> tuple[float, float]:
    total = across = down = 0
    for index, value in enumerate(alpha.tobytes()):
        if value:
            y, x = divmod(index, alpha.width)
            total += value
            across += x * value
            down += y * value
    return across / total, down / total


def box_of(alpha: Image.Image, threshold: int = 128) -> tuple[int, int, int, int]:
    box = alpha.point([0] * threshold + [255] * (256 - threshold)).getbbox()
    assert box is not None
    return box


def saved(image: Image.Image, image_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


# Segmentation


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_segmentation_matches_the_drawn_subject(name: str) -> None:
    size = (320, 240)
    mask = cut(sample_image(name, size), output_type="mask")
    truth = sample_subject_mask(name, size)
    surely_subject = truth.point([0] * 255 + [255]).filter(ImageFilter.MinFilter(5))
    surely_backdrop = truth.point([255] + [0] * 255).filter(ImageFilter.MinFilter(5))
    assert share(values_where(mask, surely_subject), range(201, 256)) > 0.97
    assert share(values_where(mask, surely_backdrop), range(30)) > 0.97


def test_segmentation_survives_jpeg_noise() -> None:
    size = (320, 240)
    photo = Image.open(io.BytesIO(saved(sample_image("portrait", size), "JPEG", quality=80)))
    mask = cut(photo, output_type="mask")
    truth = sample_subject_mask("portrait", size)
    surely_subject = truth.point([0] * 255 + [255]).filter(ImageFilter.MinFilter(5))
    surely_backdrop = truth.point([255] + [0] * 255).filter(ImageFilter.MinFilter(5))
    assert share(values_where(mask, surely_subject), range(201, 256)) > 0.97
    assert share(values_where(mask, surely_backdrop), range(30)) > 0.97


def test_backdrop_coloured_highlight_inside_the_subject_stays_opaque() -> None:
    size = (320, 240)
    photo = sample_image("product-plain", size)
    highlight = (135, 85, 140, 109)  # inside the bottle's upper near-white highlight stripe
    assert min(ImageStat.Stat(photo.crop(highlight)).mean) > 225
    alpha = alpha_of(cut(photo)).crop(highlight)
    assert alpha.getextrema() == (255, 255)


def test_segmentation_follows_a_strong_gradient_backdrop() -> None:
    ramp = Image.linear_gradient("L").resize(SMALL)
    photo = ImageOps.colorize(ramp, black=(30, 30, 40), white=(230, 230, 220))
    x, y = DISC_CENTRE
    ImageDraw.Draw(photo).ellipse((x - 20, y - 20, x + 20, y + 20), fill=(200, 60, 60))
    mask = cut(photo, output_type="mask")
    assert mask.crop((x - 13, y - 13, x + 13, y + 13)).getextrema() == (255, 255)
    assert mask.getbbox() == pytest.approx((x - 21, y - 21, x + 22, y + 22), abs=2)


def test_edge_pixels_lose_the_old_backdrop_colour() -> None:
    big = Image.new("RGB", (SMALL[0] * 4, SMALL[1] * 4), (250, 230, 40))
    ImageDraw.Draw(big).ellipse((200, 120, 440, 360), fill=DISC_BLUE)
    cutout = cut(big.reduce(4))
    for red, green, blue, alpha in zip(*(band.tobytes() for band in cutout.split()), strict=True):
        if alpha:
            assert max(abs(red - 40), abs(green - 90), abs(blue - 160)) < 40


def test_specks_away_from_the_subject_are_dropped() -> None:
    photo = disc_photo()
    ImageDraw.Draw(photo).rectangle((140, 15, 142, 17), fill=DISC_BLUE)
    alpha = alpha_of(cut(photo))
    assert level(alpha, (141, 16)) == 0
    assert level(alpha, DISC_CENTRE) == 255


def test_a_second_sizeable_object_is_kept() -> None:
    photo = disc_photo()
    ImageDraw.Draw(photo).rectangle((130, 15, 140, 25), fill=DISC_BLUE)
    assert level(alpha_of(cut(photo)), (135, 20)) == 255


def test_edges_are_soft_not_jagged() -> None:
    alpha = cut(sample_image("product-gradient", (320, 240)), output_type="mask")
    partial = sum(0 < value < 255 for value in alpha.tobytes())
    assert partial > 300


def test_photo_with_transparency_keeps_its_see_through_parts() -> None:
    photo = disc_photo().convert("RGBA")
    half_hidden = Image.new("L", SMALL, 0)
    half_hidden.paste(255, (0, 0, 80, 120))
    photo.putalpha(half_hidden)
    alpha = alpha_of(cut(photo))
    assert level(alpha, (70, 60)) == 255
    assert level(alpha, (90, 60)) == 0


def test_sixteen_bit_grey_photo_is_segmented_not_clipped() -> None:
    photo = Image.new("I;16", SMALL, 60000)
    ImageDraw.Draw(photo).ellipse((60, 40, 100, 80), fill=8000)
    mask = cut(photo, output_type="mask")
    assert level(mask, (80, 60)) == 255
    assert level(mask, (5, 5)) == 0


# Output type


def test_mask_is_a_white_subject_on_black() -> None:
    mask = cut(disc_photo(), output_type="mask")
    assert mask.mode == "L"
    assert mask.size == SMALL
    assert level(mask, DISC_CENTRE) == 255
    assert level(mask, (5, 5)) == 0


def test_mask_ignores_the_cutout_only_options() -> None:
    plain = cut(disc_photo(centre=(50, 60)), output_type="mask")
    dressed = cut(
        disc_photo(centre=(50, 60)),
        Image.new("RGB", (300, 300), "red"),
        output_type="mask",
        bg_width=300,
        bg_height=200,
        bg_blur=50,
        auto_center=True,
        stroke_size=10,
        shadow="bottom",
    )
    assert dressed.tobytes() == plain.tobytes()


def test_cutout_is_the_subject_on_transparency() -> None:
    cutout = cut(disc_photo())
    assert cutout.mode == "RGBA"
    assert pixel(cutout, DISC_CENTRE) == (*DISC_BLUE, 255)
    assert pixel(cutout, (5, 5))[3] == 0


# Backgrounds


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("#ff0000", (255, 0, 0, 255)),
        ("00f", (0, 0, 255, 255)),
        ("navy", (0, 0, 128, 255)),
        ("#00ff0080", (0, 255, 0, 128)),
        ("#0f08", (0, 255, 0, 136)),
    ],
)
def test_bg_color_fills_the_backdrop(colour: str, expected: tuple[int, int, int, int]) -> None:
    result = cut(disc_photo(), bg_color=colour)
    assert pixel(result, (5, 5)) == expected
    assert pixel(result, DISC_CENTRE) == (*DISC_BLUE, 255)


def halves(size: tuple[int, int]) -> Image.Image:
    """Red on the left, green on the right: shows where a background ends up."""
    image = Image.new("RGB", size, (0, 200, 0))
    image.paste((200, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def test_bg_image_shows_behind_the_subject_on_its_own_canvas() -> None:
    result = cut(disc_photo(), halves((200, 100)))
    assert result.size == (200, 100)
    assert pixel(result, (3, 50)) == (200, 0, 0, 255)
    assert pixel(result, (196, 50)) == (0, 200, 0, 255)
    assert pixel(result, (100, 50)) == (*DISC_BLUE, 255)


def test_bg_image_is_scaled_to_cover_the_canvas() -> None:
    result = cut(disc_photo(), halves((100, 50)), bg_width=300, bg_height=300)
    assert result.size == (300, 300)
    assert alpha_of(result).getextrema() == (255, 255)
    assert pixel(result, (2, 150))[:3] == (200, 0, 0)
    assert pixel(result, (297, 150))[:3] == (0, 200, 0)


def checkerboard(size: tuple[int, int], square: int = 8) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for top in range(0, size[1], square):
        for left in range((top // square) % 2 * square, size[0], 2 * square):
            draw.rectangle((left, top, left + square - 1, top + square - 1), fill="black")
    return image


def edge_energy(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]


def test_bg_blur_blurs_the_background_image() -> None:
    photo, backdrop = disc_photo(), checkerboard(SMALL)
    sharp = cut(photo, backdrop).crop((0, 0, 40, 120))
    blurred = cut(photo, backdrop, bg_blur=60).crop((0, 0, 40, 120))
    assert edge_energy(blurred) < 0.3 * edge_energy(sharp)
    stronger = cut(photo, backdrop, bg_blur=100).crop((0, 0, 40, 120))
    assert edge_energy(stronger) < edge_energy(blurred)


def test_bg_blur_leaves_the_subject_sharp() -> None:
    photo, backdrop = disc_photo(), checkerboard(SMALL)
    result = cut(photo, backdrop, bg_blur=100)
    assert pixel(result, DISC_CENTRE) == (*DISC_BLUE, 255)


def test_bg_blur_without_a_background_changes_nothing() -> None:
    photo = disc_photo()
    assert cut(photo, bg_blur=80).tobytes() == cut(photo).tobytes()


@pytest.mark.parametrize(
    ("width", "height", "with_image", "expected"),
    [
        (300, None, False, (300, 120)),
        (None, 200, False, (160, 200)),
        (300, 200, False, (300, 200)),
        (None, 150, True, (200, 150)),
        (90, None, True, (90, 100)),
    ],
)
def test_bg_width_and_height_set_the_canvas(
    width: int | None, height: int | None, with_image: bool, expected: tuple[int, int]
) -> None:
    backdrop = halves((200, 100)) if with_image else None
    result = cut(disc_photo(), backdrop, bg_width=width, bg_height=height)
    assert result.size == expected


@pytest.mark.parametrize(
    ("canvas", "scale", "factor"),
    [
        ((240, 360), "fit", 1.0),
        ((240, 360), "fill", 2.0),
        ((600, 225), "fit", 1.25),
        ((600, 225), "fill", 2.5),
    ],
)
def test_scale_fits_the_longer_side_or_fills_with_the_shorter(
    canvas: tuple[int, int], scale: str, factor: float
) -> None:
    photo = sample_image("product-plain", (240, 180))
    original = box_of(alpha_of(cut(photo)))
    result = cut(photo, bg_width=canvas[0], bg_height=canvas[1], scale=scale)
    placed = box_of(alpha_of(result))
    width_ratio = (placed[2] - placed[0]) / (original[2] - original[0])
    assert width_ratio == pytest.approx(factor, rel=0.06)
    centre = (placed[0] + placed[2]) / 2
    assert centre == pytest.approx(canvas[0] / 2, abs=2)


def test_auto_center_moves_an_off_centre_subject_to_the_middle() -> None:
    shot = sample_image("product-plain", SMALL)
    photo = ImageOps.expand(shot, (0, 0, 100, 0), fill=pixel(shot, (0, 0)))
    as_shot = box_of(alpha_of(cut(photo)))
    centred = box_of(alpha_of(cut(photo, auto_center=True)))
    middle = (photo.width / 2, photo.height / 2)
    assert abs((as_shot[0] + as_shot[2]) / 2 - middle[0]) > 30
    assert (centred[0] + centred[2]) / 2 == pytest.approx(middle[0], abs=2)
    assert (centred[1] + centred[3]) / 2 == pytest.approx(middle[1], abs=2)


# Stroke


def right_edge() -> int:
    """The disc's rightmost opaque column on the middle row."""
    row = alpha_of(cut(disc_photo())).crop((0, DISC_CENTRE[1], SMALL[0], DISC_CENTRE[1] + 1))
    return max(x for x, value in enumerate(row.tobytes()) if value >= 128)


@pytest.mark.parametrize(
    ("colour", "opacity", "alpha"),
    [("FF0000", 100, 255), ("#f00", 50, 128), ("red", 20, 51), ("#ff000080", 100, 128)],
)
def test_stroke_takes_its_colour_and_opacity(colour: str, opacity: int, alpha: int) -> None:
    result = cut(disc_photo(), stroke_size=10, stroke_color=colour, stroke_opacity=opacity)
    for x in range(right_edge() + 2, right_edge() + 8):
        red, green, blue, found = pixel(result, (x, DISC_CENTRE[1]))
        assert (red, green, blue) == (255, 0, 0)
        assert found == pytest.approx(alpha, abs=2)
    assert pixel(result, DISC_CENTRE) == (*DISC_BLUE, 255)


def test_stroke_opacity_zero_draws_nothing() -> None:
    photo = disc_photo()
    assert alpha_of(cut(photo, stroke_size=10, stroke_opacity=0)).tobytes() == (
        alpha_of(cut(photo)).tobytes()
    )


@pytest.mark.parametrize("size", [0, 3, 12, 30])
def test_stroke_size_is_its_width_in_pixels(size: int) -> None:
    alpha = alpha_of(cut(disc_photo(), stroke_size=size))
    edge = right_edge()
    if size:
        assert level(alpha, (edge + size - 1, DISC_CENTRE[1])) > 200
    else:
        assert level(alpha, (edge + 1, DISC_CENTRE[1])) < 30
    assert level(alpha, (edge + size + 2, DISC_CENTRE[1])) == 0


def test_stroke_100_is_round_like_a_pen() -> None:
    photo = disc_photo((320, 320), (160, 160), 20)
    alpha = alpha_of(cut(photo, stroke_size=100))
    reach = 120 / 2**0.5
    assert level(alpha, (160 + round(reach) - 4, 160 + round(reach) - 4)) > 200
    assert level(alpha, (160 + round(reach) + 4, 160 + round(reach) + 4)) == 0
    assert level(alpha, (160 + 117, 160)) > 200
    assert level(alpha, (160 + 123, 160)) == 0


# Shadow

DIRECTIONS = {
    "bottom-right": (1, 1),
    "bottom": (0, 1),
    "bottom-left": (-1, 1),
    "left": (-1, 0),
    "right": (1, 0),
    "top-left": (-1, -1),
    "top": (0, -1),
    "top-right": (1, -1),
}


def visible_shadow(photo: Image.Image, **options: Any) -> Image.Image:
    """Where the result is covered but the plain cutout is not: the shadow (and stroke)."""
    return ImageChops.subtract(alpha_of(cut(photo, **options)), alpha_of(cut(photo)))


@pytest.mark.parametrize("preset", DIRECTIONS)
def test_shadow_preset_falls_10px_its_way(preset: str) -> None:
    shadow = visible_shadow(disc_photo(), shadow=preset, shadow_opacity=100, shadow_blur=0)
    x, y = centroid(shadow)
    dx, dy = DIRECTIONS[preset]
    for shift, direction in ((x - DISC_CENTRE[0], dx), (y - DISC_CENTRE[1], dy)):
        if direction:
            assert shift * direction > 5
        else:
            assert abs(shift) < 0.5
    disc = box_of(alpha_of(cut(disc_photo())))
    union = box_of(alpha_of(cut(disc_photo(), shadow=preset, shadow_opacity=100, shadow_blur=0)))
    grown = (disc[0] - union[0], disc[1] - union[1], union[2] - disc[2], union[3] - disc[3])
    assert grown == (10 * (dx < 0), 10 * (dy < 0), 10 * (dx > 0), 10 * (dy > 0))


@pytest.mark.parametrize("offset", [(30, -20), (-25, 15), (0, 40)])
def test_custom_shadow_uses_the_given_offsets(offset: tuple[int, int]) -> None:
    dx, dy = offset
    result = cut(
        disc_photo(),
        shadow="custom",
        shadow_offset_x=dx,
        shadow_offset_y=dy,
        shadow_opacity=100,
        shadow_blur=0,
    )
    length = (dx * dx + dy * dy) ** 0.5
    step = (dx / length, dy / length)
    x, y = DISC_CENTRE
    far_side = (
        round(x + dx + (DISC_RADIUS - 3) * step[0]),
        round(y + dy + (DISC_RADIUS - 3) * step[1]),
    )
    near_side = (round(x - (DISC_RADIUS + 3) * step[0]), round(y - (DISC_RADIUS + 3) * step[1]))
    assert pixel(result, far_side) == (0, 0, 0, 255)
    assert pixel(result, near_side)[3] == 0


def test_shadow_disabled_draws_nothing() -> None:
    assert visible_shadow(disc_photo(), shadow="disabled", shadow_opacity=100).getbbox() is None


@pytest.mark.parametrize("opacity", [10, 50, 100])
def test_shadow_opacity_sets_its_darkness(opacity: int) -> None:
    result = cut(
        disc_photo(),
        shadow="custom",
        shadow_offset_x=30,
        shadow_offset_y=0,
        shadow_opacity=opacity,
        shadow_blur=0,
    )
    red, green, blue, alpha = pixel(result, (DISC_CENTRE[0] + DISC_RADIUS + 20, DISC_CENTRE[1]))
    assert (red, green, blue) == (0, 0, 0)
    assert alpha == pytest.approx(255 * opacity / 100, abs=1)


def test_shadow_blur_softens_its_edge() -> None:
    def shadow(blur: int) -> Image.Image:
        return visible_shadow(
            disc_photo(),
            shadow="custom",
            shadow_offset_x=30,
            shadow_offset_y=0,
            shadow_opacity=100,
            shadow_blur=blur,
        )

    hard, soft = shadow(0), shadow(60)
    beyond = (DISC_CENTRE[0] + 30 + DISC_RADIUS + 4, DISC_CENTRE[1])
    assert level(hard, beyond) == 0
    assert level(soft, beyond) > 20
    assert sum(0 < v < 255 for v in soft.tobytes()) > 5 * sum(0 < v < 255 for v in hard.tobytes())


def test_shadow_lies_behind_stroke_and_subject() -> None:
    result = cut(
        disc_photo(),
        stroke_size=8,
        stroke_color="white",
        shadow="custom",
        shadow_offset_x=6,
        shadow_offset_y=0,
        shadow_opacity=100,
        shadow_blur=0,
    )
    assert pixel(result, (right_edge() + 4, DISC_CENTRE[1])) == (255, 255, 255, 255)
    assert pixel(result, DISC_CENTRE) == (*DISC_BLUE, 255)
    assert pixel(result, (right_edge() + 12, DISC_CENTRE[1])) == (0, 0, 0, 255)


# Encoding


@pytest.mark.parametrize(
    ("image_format", "magic", "content_type"),
    [
        ("JPG", b"\xff\xd8\xff", "image/jpeg"),
        ("PNG", b"\x89PNG\r\n\x1a\n", "image/png"),
        ("WEBP", b"RIFF", "image/webp"),
    ],
)
@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L", "P"])
def test_encode_writes_the_asked_format(
    image_format: str, magic: bytes, content_type: str, mode: str
) -> None:
    data, found_type = encode(disc_photo().convert(mode), image_format)
    assert data.startswith(magic)
    assert found_type == content_type
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.size == SMALL


def test_encode_jpg_puts_transparency_on_white() -> None:
    data, _ = encode(cut(disc_photo()), "JPG")
    with Image.open(io.BytesIO(data)) as decoded:
        assert min(pixel(decoded, (5, 5))) > 245


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_encode_keeps_transparency_where_the_format_can(image_format: str) -> None:
    data, _ = encode(cut(disc_photo()), image_format)
    with Image.open(io.BytesIO(data)) as decoded:
        assert pixel(decoded.convert("RGBA"), (5, 5))[3] == 0


@pytest.mark.parametrize(("image_format", "expected"), [("PNG", 40000), ("JPG", 156)])
def test_encode_keeps_the_tones_of_sixteen_bit_grey(image_format: str, expected: int) -> None:
    data, _ = encode(Image.new("I;16", (8, 8), 40000), image_format)
    with Image.open(io.BytesIO(data)) as decoded:
        assert level(decoded, (4, 4)) == pytest.approx(expected, abs=2)


def test_encode_refuses_unknown_formats() -> None:
    with pytest.raises(ValueError, match="GIF"):
        encode(disc_photo(), "GIF")


# Upscale


@pytest.mark.parametrize("factor", [2, 4, 6, 8])
@pytest.mark.parametrize("mode", ["RGBA", "RGB", "L"])
def test_upscale_multiplies_the_size_and_keeps_the_mode(factor: int, mode: str) -> None:
    result = upscale(disc_photo((40, 30), (20, 15), 8).convert(mode), factor)
    assert result.size == (40 * factor, 30 * factor)
    assert result.mode == mode


def test_upscale_smooths_instead_of_repeating_pixels() -> None:
    result = upscale(disc_photo((40, 30), (20, 15), 8), 4)
    colours = {pixel(result, (x, 60)) for x in range(40, 120)}
    assert len(colours) > 10


def test_upscale_palette_image_becomes_rgb_not_blocky() -> None:
    assert upscale(disc_photo((40, 30), (20, 15), 8).convert("P"), 2).mode == "RGB"


@pytest.mark.parametrize(
    ("size", "factor", "largest"), [((601, 10), 8, 600), ((10, 2401), 2, 2400)]
)
def test_upscale_refuses_outputs_over_4800_naming_the_largest_input(
    size: tuple[int, int], factor: int, largest: int
) -> None:
    with pytest.raises(OutputTooLargeError) as raised:
        upscale(Image.new("RGB", size), factor)
    message = str(raised.value)
    assert f"factor {factor}" in message
    assert f"{largest}x{largest}" in message


def test_upscale_accepts_exactly_4800() -> None:
    assert upscale(Image.new("L", (600, 1)), 8).size == (4800, 8)


def test_upscale_refuses_other_factors() -> None:
    with pytest.raises(ValueError, match="2, 4, 6, 8"):
        upscale(Image.new("RGB", (10, 10)), 3)


# Opening


def test_open_image_refuses_text_as_not_an_image() -> None:
    with pytest.raises(NotAnImageError):
        open_image(b"hello, this is not a picture", REMOVEBG_INPUT_FORMATS)


@pytest.mark.parametrize(
    ("image_format", "accepted"),
    [
        ("GIF", REMOVEBG_INPUT_FORMATS),
        ("BMP", REMOVEBG_INPUT_FORMATS),
        ("BMP", UPSCALE_INPUT_FORMATS),
    ],
)
def test_open_image_refuses_formats_the_endpoint_does_not_take(
    image_format: str, accepted: frozenset[str]
) -> None:
    with pytest.raises(UnsupportedFormatError, match=image_format):
        open_image(saved(disc_photo(), image_format), accepted)


def test_open_image_takes_bmp_for_uploads() -> None:
    assert open_image(saved(disc_photo(), "BMP"), UPLOAD_INPUT_FORMATS).size == SMALL


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP", "TIFF"])
def test_open_image_loads_accepted_formats(image_format: str) -> None:
    image = open_image(saved(disc_photo(), image_format), REMOVEBG_INPUT_FORMATS)
    assert image.size == SMALL
    assert image.format == image_format


def test_open_image_refuses_more_pixels_than_allowed() -> None:
    with pytest.raises(NotAnImageError, match="19200 pixels"):
        open_image(saved(disc_photo(), "PNG"), REMOVEBG_INPUT_FORMATS, max_pixels=10_000)


def test_open_image_refuses_a_decompression_bomb_header() -> None:
    with pytest.raises(NotAnImageError, match="decompression bomb"):
        open_image(png_declaring(40_000, 40_000), REMOVEBG_INPUT_FORMATS)


def test_open_image_refuses_truncated_data() -> None:
    data = saved(sample_image("product-plain", SMALL), "PNG")
    with pytest.raises(NotAnImageError, match="cannot be decoded"):
        open_image(data[: len(data) // 2], REMOVEBG_INPUT_FORMATS)


def test_open_image_applies_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    data = saved(Image.new("RGB", (40, 20)), "JPEG", exif=exif)
    assert open_image(data, REMOVEBG_INPUT_FORMATS).size == (20, 40)


# Colours and options


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#82d5fa", (0x82, 0xD5, 0xFA, 255)),
        ("82D5FA", (0x82, 0xD5, 0xFA, 255)),
        ("#fff", (255, 255, 255, 255)),
        ("#18d4ff87", (0x18, 0xD4, 0xFF, 0x87)),
        ("#f008", (255, 0, 0, 0x88)),
        ("Blue", (0, 0, 255, 255)),
        ("transparent", (0, 0, 0, 0)),
    ],
)
def test_parse_color_reads_every_documented_form(
    text: str, expected: tuple[int, int, int, int]
) -> None:
    assert parse_color(text) == expected


@pytest.mark.parametrize("text", ["", "#12", "#12345", "#ggg", "#red", "notacolour", "rgb(1,2,3)"])
def test_parse_color_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="not a colour"):
        parse_color(text)


@pytest.mark.parametrize(
    "options",
    [
        {"output_type": "sticker"},
        {"scale": "stretch"},
        {"shadow": "below"},
        {"format": "GIF"},
        {"stroke_size": 101},
        {"bg_blur": -1},
        {"shadow_offset_x": 101, "shadow_offset_y": 0, "shadow": "custom"},
        {"shadow": "custom", "shadow_offset_x": 5},
        {"bg_color": "#12"},
        {"bg_width": 0},
    ],
)
def test_params_refuse_values_picsart_would_refuse(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must|required|not a colour"):
        RemoveBackgroundParams(**options)


# Samples


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_are_deterministic(name: str) -> None:
    assert sample_png_bytes(name, SMALL) == sample_png_bytes(name, SMALL)
    assert sample_image(name, SMALL).tobytes() == sample_image(name, SMALL).tobytes()


def test_samples_differ_from_each_other() -> None:
    assert len({sample_image(name, SMALL).tobytes() for name in SAMPLE_NAMES}) == len(SAMPLE_NAMES)


def test_sample_size_is_honoured() -> None:
    assert sample_image("portrait", (200, 300)).size == (200, 300)


def test_unknown_sample_is_refused_with_the_known_names() -> None:
    with pytest.raises(ValueError, match="product-plain"):
        sample_image("cat")


def test_write_samples_writes_openable_files(tmp_path: Path) -> None:
    paths = write_samples(tmp_path / "samples", SMALL)
    assert sorted(path.name for path in paths) == [
        "portrait.jpg",
        "product-gradient.png",
        "product-plain.png",
    ]
    for path in paths:
        assert open_image(path.read_bytes(), REMOVEBG_INPUT_FORMATS).size == SMALL


def test_a_stand_in_is_drawn_once_per_url() -> None:
    from picsart_component.sandbox.samples import stand_in_image

    stand_in_image.cache_clear()
    first = stand_in_image("https://images.example.com/cached.jpg")
    again = stand_in_image("https://images.example.com/cached.jpg")
    other = stand_in_image("https://images.example.com/other.png")
    assert again is first
    assert other[1] == "image/png"
    assert first[1] == "image/jpeg"
    assert stand_in_image.cache_info().hits == 1
