"""The image API's edits and compositions, made for real: resize, crop, flip, rotate and
perspective; smart crop around the subject; blend modes; zoom; watermarks; surface maps;
patterns from an image; and a real SVG from the vectorizer.

Pillow only; no per-pixel Python loops. The subject (smart crop, zoom on ``ai``) is found as
removebg finds it (``imaging``), so it is as good as that segmentation: one clear subject on a
plain or gradient backdrop.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from PIL import (
    Image,
    ImageChops,
    ImageDraw,
    ImageFilter,
    ImageFont,
    ImageMath,
    ImageOps,
    ImageStat,
)

from picsart_component.catalogue import choices

from .imaging import (
    MAX_CANVAS_SIDE,
    as_image,
    check_range,
    color_dodge,
    eight_bit,
    has_alpha,
    is_background,
    subject_mask,
    tiled,
)

BLEND_MODES = choices.BLEND_MODES
ANCHORS = choices.ANCHOR_POINTS
CROP_ANCHORS = choices.CROP_ANCHORS
RATIOS = choices.RATIOS
PATTERNS = ("hex", "mirror", "diamond", "hex2", "tile")
EDIT_MODES = ("resize", "crop")
FLIPS = ("horizontal", "vertical")
ZOOM_ANCHORS = choices.ZOOM_ANCHORS
WATERMARK_ANCHORS = choices.WATERMARK_ANCHORS
DEFAULT_MARK_TEXT = "Picsart"
MAX_ZOOM = 75
MAX_PERSPECTIVE = 45
TRACE_SIDE = 256  # the vectorizer traces at most this many pixels a side
TRACE_COLOURS = 12

Box = tuple[int, int, int, int]
Mix = Callable[[Image.Image, Image.Image], Image.Image]

_TRANSPARENT = (0, 0, 0, 0)
_FLAT_COLOURS = 1024  # fewer distinct colours than this: graphics, traced without smoothing


def _workable(image: Image.Image) -> Image.Image:
    """The image as "RGB", or "RGBA" when it has transparency."""
    image = eight_bit(image)
    wanted = "RGBA" if has_alpha(image) else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def _check_choice(name: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _subject_box(picture: Image.Image) -> Box | None:
    """The subject's bounding box (as removebg finds it), None when there is none."""
    return subject_mask(picture).point([0] * 128 + [255] * 128).getbbox()


# Edit


def edit(
    image: Image.Image,
    *,
    mode: str | None = None,
    size: int | None = None,
    width: int | None = None,
    height: int | None = None,
    crop_x: int | None = None,
    crop_y: int | None = None,
    crop_anchor: str = "center",
    flip: str | None = None,
    rotate: float = 0.0,
    perspective_horizontal: int = 0,
    perspective_vertical: int = 0,
) -> Image.Image:
    """Basic editing, in Picsart's order: resize (mode resize: to width/height, or the longer
    side to ``size``, keeping the ratio when one is missing) or crop (mode crop: a width x height
    window at crop_x/crop_y, or placed by crop_anchor), then flip (horizontal, vertical), rotate
    (degrees, -180..180, the canvas grows to hold it), and a perspective tilt (-45..45 each
    way). ``ValueError`` for a combination that cannot be done (a crop window at crop_x/crop_y
    that reaches outside the image).

    A width or height larger than the image's is the image's, as the file says ("the original
    size of the image will be selected"), for a crop and a resize alike; ``size``, which the file
    applies to both, likewise never enlarges. Without a mode, a size or width or height means
    resize. Positive angles turn clockwise; the corners a rotation or a tilt uncovers are
    transparent.
    """
    _check_choice("mode", mode, EDIT_MODES)
    _check_choice("crop_anchor", crop_anchor, CROP_ANCHORS)
    _check_choice("flip", flip, FLIPS)
    check_range("rotate", rotate, -180, 180)
    check_range("perspective_horizontal", perspective_horizontal, -MAX_PERSPECTIVE, MAX_PERSPECTIVE)
    check_range("perspective_vertical", perspective_vertical, -MAX_PERSPECTIVE, MAX_PERSPECTIVE)
    for name, value in (("size", size), ("width", width), ("height", height)):
        check_range(name, value, 1, MAX_CANVAS_SIDE)
    picture = _workable(image)
    if mode is None and (size or width or height):
        mode = "resize"
    image_width, image_height = picture.size
    width = None if width is None else min(width, image_width)
    height = None if height is None else min(height, image_height)
    size = None if size is None else min(size, max(image_width, image_height))
    # crop_x/crop_y: the file calls them both "the x,y starting position" (width's text) and
    # "the center of the crop area" (their own); the sandbox keeps reading them as the window's
    # top-left corner, the starting position, and its documentation names the ambiguity.
    if mode == "resize":
        picture = _resize(picture, size, width, height)
    elif mode == "crop":
        picture = picture.crop(_crop_box(picture.size, width, height, crop_x, crop_y, crop_anchor))
    if flip == "horizontal":
        picture = ImageOps.mirror(picture)
    elif flip == "vertical":
        picture = ImageOps.flip(picture)
    if rotate % 360:
        picture = _rotate(picture, rotate)
    if perspective_horizontal or perspective_vertical:
        picture = _perspective(picture, perspective_horizontal, perspective_vertical)
    return picture


def _resize(
    picture: Image.Image, size: int | None, width: int | None, height: int | None
) -> Image.Image:
    old_width, old_height = picture.size
    if width is None and height is None:
        if size is None:
            raise ValueError("mode resize needs width, height or size")
        scale = size / max(old_width, old_height)
        target = (round(old_width * scale), round(old_height * scale))
    elif width is None:
        assert height is not None
        target = (round(old_width * height / old_height), height)
    elif height is None:
        target = (width, round(old_height * width / old_width))
    else:
        target = (width, height)
    target = (max(1, target[0]), max(1, target[1]))
    if max(target) > MAX_CANVAS_SIDE:
        raise ValueError(
            f"the result would be {target[0]}x{target[1]}, over {MAX_CANVAS_SIDE} a side"
        )
    return picture if target == picture.size else picture.resize(target, Image.Resampling.LANCZOS)


def _crop_box(
    size: tuple[int, int],
    width: int | None,
    height: int | None,
    crop_x: int | None,
    crop_y: int | None,
    anchor: str,
) -> Box:
    image_width, image_height = size
    window = (width or image_width, height or image_height)
    if window[0] > image_width or window[1] > image_height:
        raise ValueError(
            f"a {window[0]}x{window[1]} crop does not fit in the {image_width}x{image_height} image"
        )
    spare_x, spare_y = image_width - window[0], image_height - window[1]
    left = {"center": spare_x // 2, "top-left": 0, "bottom-left": 0}.get(anchor, spare_x)
    top = {"center": spare_y // 2, "top-left": 0, "top-right": 0}.get(anchor, spare_y)
    left = left if crop_x is None else crop_x
    top = top if crop_y is None else crop_y
    if not (0 <= left <= spare_x and 0 <= top <= spare_y):
        raise ValueError(
            f"a {window[0]}x{window[1]} crop at ({left}, {top}) reaches outside the "
            f"{image_width}x{image_height} image"
        )
    return left, top, left + window[0], top + window[1]


def _rotate(picture: Image.Image, degrees: float) -> Image.Image:
    quarter = {90.0: Image.Transpose.ROTATE_270, -90.0: Image.Transpose.ROTATE_90}
    if abs(degrees) == 180:
        return picture.transpose(Image.Transpose.ROTATE_180)
    if float(degrees) in quarter:
        return picture.transpose(quarter[float(degrees)])
    return picture.convert("RGBA").rotate(
        -degrees, Image.Resampling.BILINEAR, expand=True, fillcolor=_TRANSPARENT
    )


def _perspective(picture: Image.Image, horizontal: int, vertical: int) -> Image.Image:
    """The picture turned away about its vertical axis (``horizontal``: positive moves the
    right side away) and its horizontal axis (``vertical``: positive moves the top away).

    The far side shrinks by the sine of the angle and draws in by its versine, as a flat card
    seen turned; ``Image.transform`` with the eight PERSPECTIVE coefficients that map the
    output's corners back to the picture's does the sampling.
    """
    width, height = picture.size
    corners = [[0.0, 0.0], [float(width), 0.0], [float(width), float(height)], [0.0, float(height)]]
    turn = math.radians(horizontal)
    squeeze, draw_in = abs(math.sin(turn)) * height / 4, (1 - math.cos(turn)) * width / 2
    far = (1, 2) if horizontal > 0 else (0, 3)
    for index in far:
        corners[index][1] += squeeze if index in (0, 1) else -squeeze
        corners[index][0] += -draw_in if index in (1, 2) else draw_in
    tilt = math.radians(vertical)
    squeeze, draw_in = abs(math.sin(tilt)) * width / 4, (1 - math.cos(tilt)) * height / 2
    far = (0, 1) if vertical > 0 else (2, 3)
    for index in far:
        corners[index][0] += squeeze if index in (0, 3) else -squeeze
        corners[index][1] += draw_in if index in (0, 1) else -draw_in
    source = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    coefficients = _perspective_coefficients([(x, y) for x, y in corners], source)
    return picture.convert("RGBA").transform(
        picture.size,
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BILINEAR,
        fillcolor=_TRANSPARENT,
    )


def _perspective_coefficients(
    output: Sequence[tuple[float, float]], source: Sequence[tuple[float, float]]
) -> tuple[float, ...]:
    """(a..h) with source = ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (...)) for
    each output corner (x, y): eight equations, solved by elimination."""
    rows = []
    for (x, y), (u, v) in zip(output, source, strict=True):
        rows.append([x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u])
        rows.append([0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v])
    return _solve(rows)


def _solve(rows: list[list[float]]) -> tuple[float, ...]:
    """Gauss-Jordan elimination with partial pivoting on an augmented matrix."""
    size = len(rows)
    for pivot in range(size):
        best = max(range(pivot, size), key=lambda row: abs(rows[row][pivot]))
        rows[pivot], rows[best] = rows[best], rows[pivot]
        lead = rows[pivot][pivot]
        rows[pivot] = [value / lead for value in rows[pivot]]
        for row in range(size):
            if row != pivot and rows[row][pivot]:
                factor = rows[row][pivot]
                rows[row] = [a - factor * b for a, b in zip(rows[row], rows[pivot], strict=True)]
    return tuple(row[size] for row in rows)


# Smart crop


def _parse_ratio(ratio: str) -> float:
    match = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", ratio)
    if match is None or not int(match[1]) or not int(match[2]):
        raise ValueError(f"ratio must be width:height such as {', '.join(RATIOS)}, not {ratio!r}")
    return int(match[1]) / int(match[2])


def smart_crop(
    image: Image.Image,
    segment: str,
    *,
    ratio: str | None = None,
    width: int | None = None,
    height: int | None = None,
    margin: int = 0,
) -> Image.Image:
    """A crop around the segment a word names (found as removebg finds the subject; background
    means the whole frame), grown by ``margin`` percent, shaped to ``ratio`` or to width x
    height when given.

    The box grows to the shape (never cuts into the subject) unless the frame is too small for
    it; then it is the largest box of that shape the frame holds, centred on the subject. When
    width and height are given the crop is resized to them (one of them: the ratio is kept).
    """
    check_range("margin", margin, 0, 100)
    for name, value in (("width", width), ("height", height)):
        check_range(name, value, 1, MAX_CANVAS_SIDE)
    picture = _workable(image)
    frame: Box = (0, 0, *picture.size)
    box = frame if is_background(segment) else (_subject_box(picture) or frame)
    left, top, right, bottom = (float(value) for value in box)
    grow_x, grow_y = (right - left) * margin / 100, (bottom - top) * margin / 100
    left, top, right, bottom = left - grow_x, top - grow_y, right + grow_x, bottom + grow_y
    aspect: float | None = None
    if ratio is not None:
        aspect = _parse_ratio(ratio)
    elif width is not None and height is not None:
        aspect = width / height
    crop = _shaped((left, top, right, bottom), aspect, picture.size)
    result = picture.crop(crop)
    if width is not None or height is not None:
        result = _resize(result, None, width, height)
    return result


def _shaped(
    box: tuple[float, float, float, float], aspect: float | None, size: tuple[int, int]
) -> Box:
    """``box`` grown to ``aspect`` (width / height), kept inside the frame."""
    frame_width, frame_height = size
    left, top, right, bottom = box
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    box_width, box_height = max(1.0, right - left), max(1.0, bottom - top)
    if aspect is not None:
        if box_width / box_height < aspect:
            box_width = box_height * aspect
        else:
            box_height = box_width / aspect
        fit = min(1.0, frame_width / box_width, frame_height / box_height)
        box_width, box_height = box_width * fit, box_height * fit
    crop_width = max(1, min(frame_width, round(box_width)))
    crop_height = max(1, min(frame_height, round(box_height)))
    x = min(max(0, round(centre_x - crop_width / 2)), frame_width - crop_width)
    y = min(max(0, round(centre_y - crop_height / 2)), frame_height - crop_height)
    return x, y, x + crop_width, y + crop_height


# Blend


def _lut(function: Callable[[float], float]) -> list[int]:
    return [max(0, min(255, round(255 * function(value / 255)))) for value in range(256)]


# W3C soft light: base + (2 top - 1) * G(base), G depending on whether top is light; stored in
# "L" as G * 1020 (G is at most 1/4).
_SOFT_DARK = _lut(lambda b: 4 * b * (1 - b))
_SOFT_LIGHT = _lut(lambda b: 4 * ((((16 * b - 12) * b + 4) * b if b <= 0.25 else math.sqrt(b)) - b))


def _per_band(mix: Mix) -> Mix:
    def mixed(base: Image.Image, top: Image.Image) -> Image.Image:
        return Image.merge(
            "RGB", [mix(b, t) for b, t in zip(base.split(), top.split(), strict=True)]
        )

    return mixed


def _soft_light(base: Image.Image, top: Image.Image) -> Image.Image:
    light_top = top.point([0] * 128 + [255] * 128)
    reach = Image.composite(base.point(_SOFT_LIGHT), base.point(_SOFT_DARK), light_top)
    return as_image(
        ImageMath.lambda_eval(
            lambda e: (
                e["float"](e["b"]) + (e["float"](e["t"]) * 2.0 - 255.0) * e["g"] / 1020.0 + 0.5
            ),
            b=base,
            t=top,
            g=reach,
        )
    ).convert("L")


def _hue_mix(base: Image.Image, top: Image.Image) -> Image.Image:
    """The top's hue with the base's saturation and value (grey tops stay grey)."""
    _, base_s, base_v = base.convert("HSV").split()
    top_h, top_s, _ = top.convert("HSV").split()
    saturation = ImageChops.darker(base_s, top_s.point([0] + [255] * 255))
    return Image.merge("HSV", (top_h, saturation, base_v)).convert("RGB")


def _saturation_mix(base: Image.Image, top: Image.Image) -> Image.Image:
    """The top's saturation with the base's hue and value (a grey base stays grey)."""
    base_h, base_s, base_v = base.convert("HSV").split()
    top_s = top.convert("HSV").getchannel("S")
    saturation = ImageChops.darker(top_s, base_s.point([0] + [255] * 255))
    return Image.merge("HSV", (base_h, saturation, base_v)).convert("RGB")


def _color_mix(base: Image.Image, top: Image.Image) -> Image.Image:
    """The top's chroma (Cb, Cr) with the base's luma."""
    luma = base.convert("YCbCr").getchannel("Y")
    _, blue, red = top.convert("YCbCr").split()
    return Image.merge("YCbCr", (luma, blue, red)).convert("RGB")


def _luminosity_mix(base: Image.Image, top: Image.Image) -> Image.Image:
    return _color_mix(top, base)


_MIXES: dict[str, Mix] = {
    "normal": lambda base, top: top,
    "darken": ImageChops.darker,
    "multiply": ImageChops.multiply,
    "lighten": ImageChops.lighter,
    "screen": ImageChops.screen,
    "color_dodge": _per_band(color_dodge),
    "overlay": ImageChops.overlay,
    "soft_light": _per_band(_soft_light),
    "hard_light": ImageChops.hard_light,
    "hue": _hue_mix,
    "saturation": _saturation_mix,
    "color": _color_mix,
    "luminosity": _luminosity_mix,
}


def blend(
    image: Image.Image, overlay: Image.Image, *, mode: str = "normal", opacity: int = 100
) -> Image.Image:
    """The overlay (scaled to cover the image) blended with one of ``BLEND_MODES`` at
    ``opacity`` 0-100; the image's size.

    The separable modes follow the W3C compositing formulas (overlay and hard light are
    ``ImageChops``'; colour dodge and soft light are worked out with ``ImageMath``). The four
    non-separable ones are close stand-ins: hue and saturation swap HSV channels, color and
    luminosity swap luma and chroma (YCbCr). The overlay's own alpha and ``opacity`` set how
    much of the blend shows; where the image is transparent the overlay shows as it is.
    """
    _check_choice("mode", mode, BLEND_MODES)
    check_range("opacity", opacity, 0, 100)
    base = _workable(image).convert("RGBA")
    top = ImageOps.fit(_workable(overlay).convert("RGBA"), base.size, Image.Resampling.LANCZOS)
    base_rgb, top_rgb = base.convert("RGB"), top.convert("RGB")
    base_alpha = base.getchannel("A")
    mixed = Image.composite(_MIXES[mode](base_rgb, top_rgb), top_rgb, base_alpha)
    strength = top.getchannel("A").point([round(value * opacity / 100) for value in range(256)])
    result = Image.composite(mixed, base_rgb, strength)
    if not has_alpha(image):
        return result
    result.putalpha(ImageChops.screen(base_alpha, strength))
    return result


# Zoom


def zoom(
    image: Image.Image, scale_factor: int, *, anchor_point: str = "center-middle"
) -> Image.Image:
    """The image magnified ``scale_factor`` (1-75) times around the anchor (``ai``: around the
    subject), the same size as the input."""
    check_range("scale_factor", scale_factor, 1, MAX_ZOOM)
    _check_choice("anchor_point", anchor_point, ZOOM_ANCHORS)
    picture = _workable(image)
    width, height = picture.size
    if scale_factor == 1:
        return picture.copy()
    window_width, window_height = width / scale_factor, height / scale_factor
    if anchor_point == "ai":
        box = _subject_box(picture) or (0, 0, width, height)
        left = (box[0] + box[2]) / 2 - window_width / 2
        top = (box[1] + box[3]) / 2 - window_height / 2
    else:
        across, down = anchor_point.split("-")
        left = {"left": 0.0, "center": 0.5, "right": 1.0}[across] * (width - window_width)
        top = {"top": 0.0, "middle": 0.5, "bottom": 1.0}[down] * (height - window_height)
    left = min(max(0.0, left), width - window_width)
    top = min(max(0.0, top), height - window_height)
    window = (left, top, left + window_width, top + window_height)
    return picture.resize(picture.size, Image.Resampling.BICUBIC, box=window)


# Watermark


def _text_mark(size: tuple[int, int]) -> Image.Image:
    """The default mark: the word in white with a dark outline, a quarter of the width wide."""
    width = max(8, size[0] // 4)
    font_size = max(6.0, width / 4)
    font = ImageFont.load_default(size=font_size)
    outline = max(1, round(font_size / 14))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox(
        (0, 0), DEFAULT_MARK_TEXT, font=font, stroke_width=outline
    )
    mark = Image.new(
        "RGBA", (math.ceil(right - left) + 2, math.ceil(bottom - top) + 2), _TRANSPARENT
    )
    ImageDraw.Draw(mark).text(
        (1 - left, 1 - top),
        DEFAULT_MARK_TEXT,
        font=font,
        fill=(255, 255, 255, 255),
        stroke_width=outline,
        stroke_fill=(20, 20, 20, 255),
    )
    return mark


def watermark(
    image: Image.Image,
    mark: Image.Image | None = None,
    *,
    anchor_point: str = "center-middle",
    width: int | None = None,
    height: int | None = None,
    opacity: int = 50,
    angle: int = 0,
    padding_x: int = 0,
    padding_y: int = 0,
) -> Image.Image:
    """``mark`` (a default text mark when None) sized, rotated and placed at the anchor with
    padding, or tiled over the image for ``pattern``, at ``opacity``.

    Without width and height a mark keeps its size, shrunk to fit the image; with one of them
    its ratio is kept. Positive angles turn clockwise. In a pattern the padding is the gap
    between marks.
    """
    _check_choice("anchor_point", anchor_point, WATERMARK_ANCHORS)
    check_range("opacity", opacity, 0, 100)
    check_range("angle", angle, -360, 360)
    for name, value in (("width", width), ("height", height)):
        check_range(name, value, 1, MAX_CANVAS_SIDE)
    base = _workable(image).convert("RGBA")
    stamp = _text_mark(base.size) if mark is None else _workable(mark).convert("RGBA")
    if width is not None or height is not None:
        stamp = _resize(stamp, None, width, height)
    elif stamp.width > base.width or stamp.height > base.height:
        stamp = ImageOps.contain(stamp, base.size, Image.Resampling.LANCZOS)
    if angle % 360:
        stamp = stamp.rotate(-angle, Image.Resampling.BICUBIC, expand=True)
    stamp.putalpha(
        stamp.getchannel("A").point([round(value * opacity / 100) for value in range(256)])
    )
    layer = Image.new("RGBA", base.size, _TRANSPARENT)
    if anchor_point == "pattern":
        # A 1x1 image shrinks the default mark to nothing; a step of 0 would never advance.
        step_x = max(1, stamp.width + max(padding_x, stamp.width // 2))
        step_y = max(1, stamp.height + max(padding_y, stamp.height // 2))
        for row, y in enumerate(range(0, base.height, step_y)):
            shift = (step_x // 2) * (row % 2)
            for x in range(-shift, base.width, step_x):
                _stamp(layer, stamp, (x, y))
    else:
        padding = (padding_x, padding_y)
        _stamp(layer, stamp, anchored(stamp.size, base.size, anchor_point, padding))
    result = Image.alpha_composite(base, layer)
    return result if has_alpha(image) else result.convert("RGB")


def anchored(
    item: tuple[int, int], canvas: tuple[int, int], anchor: str, padding: tuple[int, int]
) -> tuple[int, int]:
    """Where ``item`` goes on ``canvas`` at an anchor such as ``left-top``, inside the padding."""
    across, down = anchor.split("-")
    spare_x, spare_y = canvas[0] - item[0], canvas[1] - item[1]
    x = {"left": padding[0], "center": spare_x // 2, "right": spare_x - padding[0]}[across]
    y = {"top": padding[1], "middle": spare_y // 2, "bottom": spare_y - padding[1]}[down]
    return x, y


def _stamp(layer: Image.Image, stamp: Image.Image, position: tuple[int, int]) -> None:
    """``stamp`` composited onto ``layer`` at ``position``, cropped where it leaves the layer."""
    x, y = position
    if x >= layer.width or y >= layer.height or x + stamp.width <= 0 or y + stamp.height <= 0:
        return
    layer.alpha_composite(stamp, (max(0, x), max(0, y)), (max(0, -x), max(0, -y)))


# Surface map


def surface_map(image: Image.Image, mask: Image.Image, sticker: Image.Image) -> Image.Image:
    """The sticker "printed" onto the image inside the mask's white area: fitted to the area,
    displaced and shaded by the image's own light and texture there (a live print preview).

    The sticker covers the white area's bounding box; a mesh warp moves it along the slopes of
    the image's (smoothed) brightness, as a print follows folds, and the image's light there
    darkens and lightens it. Pixels outside the mask are left exactly as they were.
    """
    base = _workable(image)
    area = mask.convert("L") if mask.mode != "RGBA" else mask.getchannel("A")
    if area.size != base.size:
        area = area.resize(base.size, Image.Resampling.BILINEAR)
    box = area.point([0] * 128 + [255] * 128).getbbox()
    if box is None:
        raise ValueError("the mask has no white area to print on")
    size = (box[2] - box[0], box[3] - box[1])
    design = ImageOps.fit(_workable(sticker).convert("RGBA"), size, Image.Resampling.LANCZOS)
    surface = base.convert("L").crop(box)
    inside = area.crop(box)
    warped = _follow(design, surface)
    shaded = _shade(warped.convert("RGB"), surface, inside)
    coverage = ImageChops.multiply(inside, warped.getchannel("A"))
    result = base.copy()
    result.paste(shaded.convert(base.mode), box[:2], coverage)
    return result


def _follow(design: Image.Image, surface: Image.Image) -> Image.Image:
    """``design`` warped by a mesh whose points move along the surface's brightness slopes."""
    width, height = design.size
    cells = max(1, min(32, min(width, height) // 8))
    smooth = surface.filter(ImageFilter.GaussianBlur(max(1.0, min(width, height) / 64)))
    levels = smooth.resize((cells + 1, cells + 1), Image.Resampling.BILINEAR).tobytes()
    reach = min(width, height) * 0.08 / 255

    def level(column: int, row: int) -> int:
        column, row = min(max(column, 0), cells), min(max(row, 0), cells)
        return levels[row * (cells + 1) + column]

    def source(column: int, row: int) -> tuple[float, float]:
        x, y = width * column / cells, height * row / cells
        slope_x = (level(column + 1, row) - level(column - 1, row)) / 2
        slope_y = (level(column, row + 1) - level(column, row - 1)) / 2
        return (
            min(max(x + slope_x * reach, 0.0), float(width)),
            min(max(y + slope_y * reach, 0.0), float(height)),
        )

    mesh = []
    for row in range(cells):
        for column in range(cells):
            target = (
                width * column // cells,
                height * row // cells,
                width * (column + 1) // cells,
                height * (row + 1) // cells,
            )
            corners = (
                source(column, row),
                source(column, row + 1),
                source(column + 1, row + 1),
                source(column + 1, row),
            )
            mesh.append((target, tuple(value for corner in corners for value in corner)))
    return design.transform(design.size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)


def _shade(design: Image.Image, surface: Image.Image, inside: Image.Image) -> Image.Image:
    """``design`` lit as the surface is: darker where it is darker than its mean, lighter where
    lighter (80 % of the surface's own variation)."""
    mean = max(1.0, ImageStat.Stat(surface, mask=inside).mean[0])
    factors = [1 + 0.8 * (value / mean - 1) for value in range(256)]
    darker = surface.point([max(0, min(255, round(255 * factor))) for factor in factors])
    lighter = surface.point([max(0, min(255, round(127 * (factor - 1)))) for factor in factors])
    shaded = ImageChops.multiply(design, Image.merge("RGB", (darker, darker, darker)))
    return ImageChops.screen(shaded, Image.merge("RGB", (lighter, lighter, lighter)))


# Pattern


def _lattice(
    size: tuple[int, int], piece: Image.Image, corners: Sequence[tuple[int, int]]
) -> Image.Image:
    """A periodic cell of ``size``: ``piece`` with its top-left corner on each point, wrapped
    across the cell's edges."""
    cell = Image.new("RGBA", size, _TRANSPARENT)
    width, height = size
    for x, y in corners:
        for shift_x in (-width, 0, width):
            for shift_y in (-height, 0, height):
                _stamp(cell, piece, (x + shift_x, y + shift_y))
    return cell


def _hexagon(tile: Image.Image) -> Image.Image:
    """The tile cut to a pointy-topped hexagon and laid on a hexagonal lattice."""
    half = max(1, round(tile.width / 2))
    quarter = max(1, round(half / math.sqrt(3)))  # a regular hexagon is 2 / sqrt(3) as tall
    width, height = 2 * half, 4 * quarter
    piece = ImageOps.fit(tile, (width, height), Image.Resampling.LANCZOS)
    shape = Image.new("L", piece.size, 0)
    corners = [
        (half, 0), (width, quarter), (width, 3 * quarter), (half, height), (0, 3 * quarter),
        (0, quarter),
    ]  # fmt: skip
    ImageDraw.Draw(shape).polygon(corners, fill=255, outline=255)
    piece.putalpha(ImageChops.darker(piece.getchannel("A"), shape))
    return _lattice((width, 6 * quarter), piece, [(0, 0), (-half, 3 * quarter)])


def _mirrored(tile: Image.Image) -> Image.Image:
    width, height = tile.size
    cell = Image.new("RGBA", (2 * width, 2 * height), _TRANSPARENT)
    cell.paste(tile, (0, 0))
    cell.paste(ImageOps.mirror(tile), (width, 0))
    cell.paste(ImageOps.flip(tile), (0, height))
    cell.paste(tile.transpose(Image.Transpose.ROTATE_180), (width, height))
    return cell


def _diamond(tile: Image.Image) -> Image.Image:
    """The tile squared, turned 45 degrees, and laid edge to edge as diamonds."""
    side = max(2, min(tile.size))
    square = ImageOps.fit(tile, (side, side), Image.Resampling.LANCZOS)
    piece = square.rotate(45, Image.Resampling.BICUBIC, expand=True)
    span = piece.width
    return _lattice((span, span), piece, [(0, 0), (-(span // 2), -(span // 2))])


_CELLS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "tile": lambda tile: tile,
    "mirror": _mirrored,
    "hex": _hexagon,
    "hex2": lambda tile: _hexagon(tile.transpose(Image.Transpose.TRANSPOSE)).transpose(
        Image.Transpose.TRANSPOSE
    ),
    "diamond": _diamond,
}


def pattern(
    image: Image.Image,
    *,
    width: int = 1024,
    height: int = 1024,
    offset_x: int = 0,
    offset_y: int = 0,
    pattern: str = "hex",
    rotate: int = 0,
    scale: float = 1.0,
) -> Image.Image:
    """A width x height background made by repeating the image as ``pattern`` says (hex, hex2
    and diamond lattices, mirror tiling, plain tiles), scaled, rotated and offset.

    At scale 1 the image's longer side is a quarter of the background's shorter side, so the
    repetition shows; the offsets move the pattern right and down. Gaps between hexagons and
    diamonds are filled with the image's mean colour (transparent for a transparent image).
    """
    _check_choice("pattern", pattern, PATTERNS)
    check_range("width", width, 1, MAX_CANVAS_SIDE)
    check_range("height", height, 1, MAX_CANVAS_SIDE)
    check_range("scale", scale, 0.01, 100)
    check_range("rotate", rotate, -360, 360)
    picture = _workable(image)
    side = min(MAX_CANVAS_SIDE, max(4, round(min(width, height) / 4 * scale)))
    tile = ImageOps.contain(picture.convert("RGBA"), (side, side), Image.Resampling.LANCZOS)
    cell = _CELLS[pattern](tile)
    if not has_alpha(picture):
        mean = tuple(round(value) for value in ImageStat.Stat(picture).mean[:3])
        cell = Image.alpha_composite(Image.new("RGBA", cell.size, (*mean, 255)), cell)
    turn = math.radians(rotate % 360)
    reach = math.ceil(math.hypot(width, height)) + 2 if turn else 0
    span = (max(width, reach), max(height, reach))
    plane = tiled(cell, (span[0] + cell.width, span[1] + cell.height))
    left, top = -offset_x % cell.width, -offset_y % cell.height
    plane = plane.crop((left, top, left + span[0], top + span[1]))
    if turn:
        # Each output pixel samples the plane turned back about the centres (clockwise turn).
        cos, sin = math.cos(turn), math.sin(turn)
        centre_x, centre_y, middle_x, middle_y = span[0] / 2, span[1] / 2, width / 2, height / 2
        matrix = (
            cos, sin, centre_x - cos * middle_x - sin * middle_y,
            -sin, cos, centre_y + sin * middle_x - cos * middle_y,
        )  # fmt: skip
        plane = plane.transform(
            (width, height), Image.Transform.AFFINE, matrix, Image.Resampling.BILINEAR
        )
    else:
        plane = plane.crop((0, 0, width, height))
    return plane if has_alpha(picture) else plane.convert("RGB")


# Vectorize


def vectorize(
    image: Image.Image,
    *,
    downscale_to: int = 2048,
    colors: int = TRACE_COLOURS,
    trace_side: int = TRACE_SIDE,
) -> bytes:
    """A real SVG of the image: colour-quantised regions traced into paths (after scaling the
    longer side down to ``downscale_to``); parses as XML with an ``svg`` root and a viewBox.

    The SVG has the downscaled size, but the tracing is done at most ``trace_side`` pixels a
    side (scaled up by a transform), which keeps a photo's SVG to some hundred kilobytes. A
    photo (many distinct colours) is smoothed by a median filter first; graphics are not. Then
    the picture is reduced to ``colors`` colours (median cut refined by k-means), and each
    colour's horizontal runs are merged with identical runs below into rectangles, one path per
    colour; the most common colour is one background rectangle. Transparent parts stay empty.
    """
    if downscale_to < 1:
        raise ValueError(f"downscale_to must be at least 1, not {downscale_to}")
    check_range("colors", colors, 2, 64)
    check_range("trace_side", trace_side, 8, MAX_CANVAS_SIDE)
    picture = _workable(image).convert("RGBA")
    shrink = min(1.0, downscale_to / max(picture.size))
    out_width = max(1, round(picture.width * shrink))
    out_height = max(1, round(picture.height * shrink))
    reduce_to = min(1.0, min(trace_side, downscale_to) / max(picture.size))
    work_size = (
        max(1, round(picture.width * reduce_to)),
        max(1, round(picture.height * reduce_to)),
    )
    small = (
        picture.resize(work_size, Image.Resampling.BOX) if work_size != picture.size else picture
    )
    alpha = small.getchannel("A")
    rgb = Image.composite(small.convert("RGB"), Image.new("RGB", work_size, "white"), alpha)
    if rgb.getcolors(_FLAT_COLOURS) is None:
        rgb = rgb.filter(ImageFilter.MedianFilter(3))  # a photo's grain would trace as specks
    quantized = rgb.quantize(colors, Image.Quantize.MEDIANCUT, kmeans=2, dither=Image.Dither.NONE)
    see_through = alpha.point([255] * 128 + [0] * 128)
    clear = see_through.getbbox() is not None
    if clear:
        quantized.paste(255, mask=see_through)
    palette = quantized.getpalette() or []
    counts = sorted(
        (count, index) for count, index in quantized.getcolors() or [] if isinstance(index, int)
    )[::-1]
    background = None if clear or not counts else counts[0][1]
    paths = _traced(quantized, skip={255} if background is None else {255, background})

    def fill(index: int) -> str:
        red, green, blue = palette[3 * index : 3 * index + 3]
        return f"#{red:02x}{green:02x}{blue:02x}"

    scale_x, scale_y = out_width / work_size[0], out_height / work_size[1]
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{out_width}" height="{out_height}" '
        f'viewBox="0 0 {out_width} {out_height}" shape-rendering="crispEdges">',
    ]
    if background is not None:
        parts.append(f'<rect width="{out_width}" height="{out_height}" fill="{fill(background)}"/>')
    parts.append(f'<g transform="scale({scale_x:.6g} {scale_y:.6g})">')
    for _, index in counts:
        if index in paths:
            parts.append(f'<path fill="{fill(index)}" d="{"".join(paths[index])}"/>')
    parts.append("</g></svg>")
    return "\n".join(parts).encode("utf-8")


_RUN = re.compile(rb"(.)\1*", re.DOTALL)


def _traced(indexed: Image.Image, skip: set[int]) -> dict[int, list[str]]:
    """Per palette index, rectangles as path segments: each row's runs, merged with the
    identical runs (same index, same columns) of the rows below."""
    width, height = indexed.size
    data = indexed.tobytes()
    paths: dict[int, list[str]] = {}
    open_runs: dict[tuple[int, int, int], int] = {}
    for row in range(height + 1):
        current: dict[tuple[int, int, int], int] = {}
        if row < height:
            offset = row * width
            for match in _RUN.finditer(data, offset, offset + width):
                index = data[match.start()]
                if index not in skip:
                    key = (index, match.start() - offset, match.end() - offset)
                    current[key] = open_runs.pop(key, row)
        for (index, start, end), top in open_runs.items():
            paths.setdefault(index, []).append(f"M{start} {top}h{end - start}v{row - top}H{start}z")
        open_runs = current
    return paths
