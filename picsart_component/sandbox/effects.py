"""The image API's looks, made for real: named effects, AI effects (simulated), adjustments,
masks, blurs, colour and style transfer, laser engraving, and the two enhancers.

Every function takes and returns Pillow images and is deterministic: the same input gives the
same pixels (grain, snow and stars come from a generator seeded by the name and the size).
Pillow only; no per-pixel Python loops: tone curves are lookup tables, mixing is ``ImageChops``
and ``ImageMath``, and random shapes are drawn a shape at a time.

The named effects are Picsart's names given honest stand-ins: the blurs blur, the sketches draw
edges, and each named look is its own tone curve and colour grade. The AI effects cannot be
imitated (Picsart runs a model per name); each is a plausible stylisation made of the same
parts, distinct per name, and no more than a simulation.
"""

from __future__ import annotations

import colorsys
import math
import random
from collections.abc import Callable, Sequence
from functools import cache

from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageDraw,
    ImageEnhance,
    ImageFilter,
    ImageOps,
    ImageStat,
)

from picsart_component.catalogue.choices import (
    AI_EFFECT_NAMES,
    EFFECT_NAMES,
    MASK_BLENDS,
    MASK_FLIPS,
    MASK_NAMES,
    STYLE_LEVELS,
)

from .imaging import (
    MAX_ULTRA_OUTPUT_PIXELS,
    as_image,
    check_range,
    color_dodge,
    grow,
    is_background,
    seeded_random,
    split_alpha,
    subject_mask,
    tiled,
)

ENHANCE_FACTORS = tuple(range(2, 17))
MAX_ENHANCE_OUTPUT_PIXELS = MAX_ULTRA_OUTPUT_PIXELS  # "64 Mpx"

Colour = tuple[int, int, int]
Triple = tuple[float, float, float]
Look = Callable[[Image.Image], Image.Image]

_BLACK: Colour = (0, 0, 0)
_WHITE: Colour = (255, 255, 255)
_PAPER: Colour = (246, 241, 228)
_GRAPHITE: Colour = (38, 38, 44)
_NEUTRAL: Triple = (0.0, 0.0, 0.0)
_UNITY: Triple = (1.0, 1.0, 1.0)


# Shared parts


def _join(rgb: Image.Image, alpha: Image.Image | None) -> Image.Image:
    if alpha is None:
        return rgb
    result = rgb.convert("RGBA")
    result.putalpha(alpha if alpha.size == rgb.size else alpha.resize(rgb.size))
    return result


def _unit(picture: Image.Image) -> int:
    return max(1, min(picture.size))


def _clip(value: float) -> int:
    return max(0, min(255, round(value)))


def _solid(size: tuple[int, int], colour: Colour) -> Image.Image:
    return Image.new("RGB", size, colour)


def _hsv(hue: float, saturation: float, value: float) -> Colour:
    red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(red * 255), round(green * 255), round(blue * 255)


def _scaled(mask: Image.Image, share: float) -> Image.Image:
    return mask.point([_clip(value * share) for value in range(256)])


def _threshold(mask: Image.Image, limit: int) -> Image.Image:
    return mask.point([255 if value >= limit else 0 for value in range(256)])


@cache
def _radial() -> Image.Image:
    return Image.radial_gradient("L")


def _corner_glow(size: tuple[int, int], corner: int, reach: float) -> Image.Image:
    """An "L" glow, 255 at one corner (0 top-left, then clockwise) fading out over ``reach`` of
    the diagonal."""
    width, height = size
    side = max(2, round(2 * reach * math.hypot(width, height)))
    spot = ImageOps.invert(_radial().resize((side, side), Image.Resampling.BILINEAR))
    x = (0, width, width, 0)[corner % 4]
    y = (0, 0, height, height)[corner % 4]
    mask = Image.new("L", size, 0)
    mask.paste(spot, (x - side // 2, y - side // 2))
    return mask


def _grey_rgb(grey: Image.Image) -> Image.Image:
    return Image.merge("RGB", (grey, grey, grey))


def _noise(size: tuple[int, int], amount: int, *label: object) -> Image.Image:
    """Seeded "L" noise spread over 0..2*amount (to add with offset -amount)."""
    rng = seeded_random("noise", size, *label)
    noise = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return noise.point([value * (2 * amount + 1) // 256 for value in range(256)])


# Building blocks of the looks: each returns a Look (an "RGB" picture in, one out, same size)


def _chain(*steps: Look) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        for step in steps:
            picture = step(picture)
        return picture

    return look


def _mixed(step: Look, amount: float) -> Look:
    """``step`` blended over the picture at ``amount`` (0..1)."""

    def look(picture: Image.Image) -> Image.Image:
        return Image.blend(picture, step(picture), amount)

    return look


@cache
def _levels(lift: float, gamma: float, gain: float) -> tuple[int, ...]:
    return tuple(
        _clip(255 * gain * (lift + (1 - lift) * (value / 255) ** (1 / gamma)))
        for value in range(256)
    )


def _grade(
    lift: Triple = _NEUTRAL,
    gamma: Triple = _UNITY,
    gain: Triple = _UNITY,
    *,
    saturation: float = 1.0,
    contrast: float = 1.0,
) -> Look:
    """Lift, gamma and gain per channel (one lookup table), then contrast and saturation."""
    table = [value for band in range(3) for value in _levels(lift[band], gamma[band], gain[band])]

    def look(picture: Image.Image) -> Image.Image:
        graded = picture.point(table)
        if contrast != 1.0:
            graded = ImageEnhance.Contrast(graded).enhance(contrast)
        if saturation != 1.0:
            graded = ImageEnhance.Color(graded).enhance(saturation)
        return graded

    return look


def _duotone(dark: Colour, light: Colour, mid: Colour | None = None) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        grey = ImageOps.autocontrast(picture.convert("L"), cutoff=1)
        return ImageOps.colorize(grey, dark, light, mid)

    return look


def _split_tone(shadow: Colour, highlight: Colour, amount: float) -> Look:
    """Shadows pushed towards one colour and highlights towards another, detail kept."""

    def look(picture: Image.Image) -> Image.Image:
        toned = ImageOps.colorize(picture.convert("L"), shadow, highlight)
        return Image.blend(picture, ImageChops.overlay(picture, toned), amount)

    return look


def _tint(colour: Colour, amount: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        toned = ImageOps.colorize(picture.convert("L"), _BLACK, _WHITE, colour)
        return Image.blend(picture, toned, amount)

    return look


def _vignette(strength: float) -> Look:
    table = [
        _clip(255 * strength * max(0.0, (value / 255 - 0.35) / 0.65) ** 2) for value in range(256)
    ]

    def look(picture: Image.Image) -> Image.Image:
        edge = _radial().resize(picture.size, Image.Resampling.BILINEAR).point(table)
        return Image.composite(_solid(picture.size, _BLACK), picture, edge)

    return look


def _glow(radius_share: float, amount: float) -> Look:
    """A soft bloom: the blurred picture screened over itself."""

    def look(picture: Image.Image) -> Image.Image:
        blurred = picture.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) * radius_share)))
        return ImageChops.screen(
            picture, Image.blend(_solid(picture.size, _BLACK), blurred, amount)
        )

    return look


def _grain(amount: int, label: str) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        noise = _noise(picture.size, amount, label)
        return ImageChops.add(picture, _grey_rgb(noise), 1.0, -amount)

    return look


def _light_leak(colour: Colour, corner: int, strength: float) -> Look:
    """Coloured light screened in from one corner, as from a leaky camera."""

    def look(picture: Image.Image) -> Image.Image:
        glow = _scaled(_corner_glow(picture.size, corner, 0.75), strength)
        layer = Image.composite(_solid(picture.size, colour), _solid(picture.size, _BLACK), glow)
        return ImageChops.screen(picture, layer)

    return look


def _hue_turn(degrees: float) -> Look:
    shift = round(degrees / 360 * 256)
    table = [(value + shift) % 256 for value in range(256)] + list(range(256)) * 2

    def look(picture: Image.Image) -> Image.Image:
        return picture.convert("HSV").point(table).convert("RGB")

    return look


def _saturate(factor: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return ImageEnhance.Color(picture).enhance(factor)

    return look


def _clarity(radius_share: float, percent: int) -> Look:
    """Local contrast: an unsharp mask with a wide radius."""

    def look(picture: Image.Image) -> Image.Image:
        radius = max(2.0, _unit(picture) * radius_share)
        return picture.filter(ImageFilter.UnsharpMask(radius, percent, 0))

    return look


def _posterize(bits: int) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return ImageOps.posterize(picture, bits)

    return look


def _mono(matrix: tuple[float, float, float], dark: Colour, light: Colour) -> Look:
    """Black and white through a colour filter (a channel mix), toned from dark to light."""

    def look(picture: Image.Image) -> Image.Image:
        grey = picture.convert("L", matrix=(*matrix, 0.0))
        return ImageOps.colorize(ImageOps.autocontrast(grey, cutoff=0.5), dark, light)

    return look


def _grey_world(amount: float) -> Look:
    """White balance by the grey-world rule: each channel scaled so the means agree."""

    def look(picture: Image.Image) -> Image.Image:
        means = ImageStat.Stat(picture).mean
        grey = sum(means) / 3
        table = [
            _clip(value * (1 + amount * (min(2.0, max(0.5, grey / max(mean, 1.0))) - 1)))
            for mean in means
            for value in range(256)
        ]
        return picture.point(table)

    return look


# Blurs


def _box_blur(share: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return picture.filter(ImageFilter.BoxBlur(max(1.0, _unit(picture) * share)))

    return look


def _gaussian_blur(share: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return picture.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) * share)))

    return look


def _lens_blur(share: float) -> Look:
    """A flat, disc-like blur (two box passes) with bright spots spread into bokeh."""

    def look(picture: Image.Image) -> Image.Image:
        radius = max(1.0, _unit(picture) * share)
        soft = picture.filter(ImageFilter.BoxBlur(radius)).filter(ImageFilter.BoxBlur(radius / 2))
        spots = picture.point([max(0, value - 215) * 4 for value in range(256)] * 3)
        return ImageChops.screen(soft, spots.filter(ImageFilter.BoxBlur(radius)))

    return look


def _motion_blur(share: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return picture.filter(ImageFilter.BoxBlur((max(1.0, _unit(picture) * share), 0)))

    return look


def _find_edges(grey: Image.Image) -> Image.Image:
    """FIND_EDGES without the frame Pillow leaves (its 3x3 filters copy the outer pixels)."""
    edges = grey.filter(ImageFilter.FIND_EDGES)
    if min(edges.size) <= 2:
        return Image.new("L", edges.size, 0)
    return ImageOps.expand(edges.crop((1, 1, edges.width - 1, edges.height - 1)), 1, 0)


def _edge_mask(picture: Image.Image, limit: int) -> Image.Image:
    return _threshold(_find_edges(picture.convert("L").filter(ImageFilter.BoxBlur(1))), limit)


def _smart_blur(share: float) -> Look:
    """Blurs flat areas and keeps edges (where the picture's local gradient is strong)."""

    def look(picture: Image.Image) -> Image.Image:
        blurred = picture.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) * share)))
        keep = grow(_edge_mask(picture, 12), 1)
        return Image.composite(picture, blurred, keep.filter(ImageFilter.BoxBlur(1)))

    return look


def _pixelize(share: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        block = max(2, round(_unit(picture) * share))
        small = (max(1, -(-picture.width // block)), max(1, -(-picture.height // block)))
        cells = picture.resize(small, Image.Resampling.BOX)
        return cells.resize(picture.size, Image.Resampling.NEAREST)

    return look


def _tilt_shift(centre: float, band: float, share: float) -> Look:
    """Miniature look: sharp across a horizontal band, blurred above and below it."""

    def look(picture: Image.Image) -> Image.Image:
        height = picture.height
        column = bytes(
            _clip(255 * min(1.0, max(0.0, (abs(row / height - centre) - band / 2) / band)))
            for row in range(height)
        )
        mask = Image.frombytes("L", (1, height), column).resize(picture.size)
        blurred = picture.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) * share)))
        return ImageEnhance.Color(Image.composite(blurred, picture, mask)).enhance(1.3)

    return look


def _waves(amplitude_share: float, wavelength_share: float) -> Look:
    """A water ripple: rows shifted sideways along a sine, through a mesh transform."""

    def look(picture: Image.Image) -> Image.Image:
        width, height = picture.size
        amplitude = max(1.0, _unit(picture) * amplitude_share)
        wavelength = max(4.0, _unit(picture) * wavelength_share)
        rows = max(1, min(64, height // 4))
        mesh = []
        for index in range(rows):
            top, bottom = height * index // rows, height * (index + 1) // rows
            shift_top = amplitude * math.sin(2 * math.pi * top / wavelength)
            shift_bottom = amplitude * math.sin(2 * math.pi * bottom / wavelength)
            quad = (
                max(0.0, shift_top), top, max(0.0, shift_bottom), bottom,
                min(width, width + shift_bottom), bottom, min(width, width + shift_top), top,
            )  # fmt: skip
            mesh.append(((0, top, width, bottom), quad))
        return picture.transform(
            picture.size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR
        )

    return look


# Drawings


def _pencil_lines(picture: Image.Image, radius_share: float) -> Image.Image:
    """The classic pencil sketch: the grey picture dodged by its own blurred negative."""
    grey = picture.convert("L")
    negative = ImageOps.invert(grey).filter(
        ImageFilter.GaussianBlur(max(1.0, _unit(picture) * radius_share))
    )
    return color_dodge(grey, negative)


def _pencil(radius_share: float, colour: float = 0.0, darker: bool = False) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        lines = _pencil_lines(picture, radius_share).point(
            [_clip(255 * (value / 255) ** 2.5) for value in range(256)]
        )
        if darker:
            lines = ImageChops.multiply(lines, lines)
        drawing = ImageOps.colorize(lines, _GRAPHITE, _PAPER)
        if colour:
            pale = ImageEnhance.Color(picture).enhance(0.8)
            drawing = Image.blend(drawing, ImageChops.multiply(pale, _grey_rgb(lines)), colour)
        return drawing

    return look


def _ink_lines(picture: Image.Image, limit: int, thick: bool) -> Image.Image:
    edges = _edge_mask(picture, limit)
    return edges.filter(ImageFilter.MaxFilter(3)) if thick else edges


def _charcoal(picture: Image.Image) -> Image.Image:
    grey = picture.convert("L").filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) / 400)))
    strokes = ImageOps.autocontrast(_find_edges(grey), cutoff=2)
    strokes = ImageChops.lighter(strokes.filter(ImageFilter.MaxFilter(3)), ImageOps.invert(grey))
    return ImageOps.colorize(ImageOps.invert(strokes), (20, 20, 22), (236, 233, 226))


def _cartoon(bits: int, limit: int, *, thick: bool, saturation: float = 1.3) -> Look:
    """Flat colours (smoothed and posterised) with dark outlines where the edges are."""

    def look(picture: Image.Image) -> Image.Image:
        flat = ImageOps.posterize(picture.filter(ImageFilter.SMOOTH_MORE), bits)
        flat = ImageEnhance.Color(flat).enhance(saturation)
        ink = _ink_lines(picture, limit, thick)
        return Image.composite(_solid(picture.size, (22, 20, 26)), flat, ink)

    return look


def _painterly(step_share: float, bits: int) -> Look:
    """Broad strokes: a median filter at a coarser scale (``step_share`` of the shorter side),
    enlarged smoothly, fewer tones."""

    def look(picture: Image.Image) -> Image.Image:
        scale = max(1, round(_unit(picture) * step_share))
        small = picture.reduce(scale) if scale > 1 else picture
        strokes = small.filter(ImageFilter.MedianFilter(3))
        enlarged = strokes.resize(picture.size, Image.Resampling.BICUBIC)
        return ImageOps.posterize(enlarged, bits)

    return look


def _watercolour(picture: Image.Image) -> Image.Image:
    """Soft washes with darker rims where colours meet, on grainy paper."""
    washes = _painterly(0.002, 6)(picture)
    rims = _scaled(_edge_mask(picture, 20).filter(ImageFilter.BoxBlur(1)), 0.35)
    wet = ImageChops.multiply(washes, _grey_rgb(ImageOps.invert(rims)))
    paper = _noise(picture.size, 8, "paper").filter(ImageFilter.BoxBlur(1))
    lifted = ImageChops.screen(wet, _solid(picture.size, (24, 20, 14)))
    return ImageChops.add(lifted, _grey_rgb(paper), 1.0, -8)


def _stripes(size: tuple[int, int], spacing: int, thickness: int, slope: int = 0) -> Image.Image:
    """An "L" image of 255 stripes ``thickness`` wide every ``spacing`` px; ``slope`` shifts each
    row by that many px (1: 45-degree hatching). Built row by row from one repeating row."""
    width, height = size
    unit = bytes(255 if index < thickness else 0 for index in range(spacing))
    row = unit * (width // spacing + 2)
    if slope == 0:
        column = bytes(unit[row_index % spacing] for row_index in range(height))
        return Image.frombytes("L", (1, height), column).resize(size, Image.Resampling.NEAREST)
    data = b"".join(
        row[(row_index * slope) % spacing : (row_index * slope) % spacing + width]
        for row_index in range(height)
    )
    return Image.frombytes("L", size, data)


def _halftone(cell_share: float, ink: Colour, paper: Colour, saturation: float = 1.8) -> Look:
    """Comic print: posterised colours with a dot screen where the picture is dark."""

    def look(picture: Image.Image) -> Image.Image:
        cell = max(3, round(_unit(picture) * cell_share))
        dot = ImageOps.invert(_radial().resize((cell, cell), Image.Resampling.BILINEAR))
        screen = tiled(dot, picture.size)
        grey = picture.convert("L")
        dots = _threshold(ImageChops.subtract(ImageOps.invert(grey), ImageOps.invert(screen)), 1)
        flat = ImageOps.posterize(ImageEnhance.Color(picture).enhance(saturation), 2)
        flat = Image.blend(flat, _solid(picture.size, paper), 0.15)
        return Image.composite(_solid(picture.size, ink), flat, dots)

    return look


def _engraving(ink: Colour, paper: Colour) -> Look:
    """Banknote engraving: fine hatching, denser and crossed where the picture is dark."""

    def look(picture: Image.Image) -> Image.Image:
        grey = ImageOps.equalize(picture.convert("L"))
        lines = _hatched(grey, max(3, _unit(picture) // 90))
        lines = ImageChops.lighter(lines, _ink_lines(picture, 28, thick=False))
        return Image.composite(_solid(picture.size, ink), _solid(picture.size, paper), lines)

    return look


def _hatched(grey: Image.Image, period: int) -> Image.Image:
    lines = Image.new("L", grey.size, 0)
    layers = ((170, 2 * period, 1), (110, period, 1), (60, period, -1))
    for limit, spacing, slope in layers:
        dark = grey.point([255 if value < limit else 0 for value in range(256)])
        hatch = _stripes(grey.size, spacing, max(1, spacing // 3), slope)
        lines = ImageChops.lighter(lines, ImageChops.darker(dark, hatch))
    return lines


def _crystal(colour: Colour) -> Look:
    """Geode-like facets: a coarse mosaic with glowing facet edges, tinted."""

    def look(picture: Image.Image) -> Image.Image:
        facets = _pixelize(0.05)(picture).filter(ImageFilter.SMOOTH_MORE)
        edges = _find_edges(facets.convert("L"))
        lit = ImageChops.screen(facets, _grey_rgb(ImageOps.autocontrast(edges)))
        return ImageChops.overlay(lit, _solid(picture.size, colour))

    return look


def _shades(count: int) -> Look:
    table = [round(round(value * (count - 1) / 255) * 255 / (count - 1)) for value in range(256)]

    def look(picture: Image.Image) -> Image.Image:
        return _grey_rgb(picture.convert("L").filter(ImageFilter.SMOOTH).point(table))

    return look


# Overlays


def _snow(density: float, label: str) -> Look:
    """Flakes of a few sizes, placed by a generator seeded from the name and size."""

    def look(picture: Image.Image) -> Image.Image:
        width, height = picture.size
        rng = seeded_random("snow", label, picture.size)
        flakes = Image.new("L", picture.size, 0)
        draw = ImageDraw.Draw(flakes)
        largest = max(1.0, _unit(picture) / 90)
        for _ in range(min(1500, max(12, round(width * height * density / 2000)))):
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            radius = rng.uniform(0.4, 1.0) * largest
            draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius), fill=rng.randint(150, 255)
            )
        flakes = flakes.filter(ImageFilter.GaussianBlur(max(0.5, largest / 3)))
        cold = ImageChops.screen(picture, _solid(picture.size, (18, 24, 40)))
        return Image.composite(_solid(picture.size, (250, 252, 255)), cold, flakes)

    return look


def _clouds(size: tuple[int, int], rng: random.Random, cells: int) -> Image.Image:
    """Smooth random "L" blobs: a small random grid enlarged and blurred."""
    width, height = size
    longest = max(width, height)
    grid = (max(2, round(cells * width / longest)), max(2, round(cells * height / longest)))
    layer = Image.frombytes("L", grid, rng.randbytes(grid[0] * grid[1]))
    layer = layer.resize((grid[0] * 4, grid[1] * 4), Image.Resampling.BICUBIC)
    layer = layer.filter(ImageFilter.GaussianBlur(1.5)).resize(size, Image.Resampling.BICUBIC)
    return ImageOps.autocontrast(layer)


def _galaxy(label: str) -> Look:
    """The picture darkened under a purple-blue nebula and a field of stars."""

    def look(picture: Image.Image) -> Image.Image:
        width, height = picture.size
        rng = seeded_random("galaxy", label, picture.size)
        nebula = ImageOps.colorize(
            _clouds(picture.size, rng, 4), (6, 4, 24), (236, 120, 255), (60, 40, 160)
        )
        stars = Image.new("L", picture.size, 0)
        draw = ImageDraw.Draw(stars)
        count = min(4000, max(20, width * height // 250))
        for brightness in (120, 190, 255):
            points = [(rng.randrange(width), rng.randrange(height)) for _ in range(count // 3)]
            draw.point(points, fill=brightness)
        night = ImageEnhance.Brightness(picture).enhance(0.7)
        sky = ImageChops.screen(nebula, _grey_rgb(stars))
        return ImageChops.screen(night, Image.blend(_solid(picture.size, _BLACK), sky, 0.8))

    return look


def _rainbow(amount: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return Image.blend(
            picture, ImageChops.soft_light(picture, _hue_ramp(picture.size, 45)), amount
        )

    return look


def _hue_ramp(size: tuple[int, int], angle: float) -> Image.Image:
    """Every hue in turn across the picture, turned by ``angle`` degrees."""
    width, height = size
    side = math.ceil(math.hypot(width, height)) + 2
    ramp = Image.linear_gradient("L").rotate(90).resize((side, side), Image.Resampling.BILINEAR)
    ramp = ramp.rotate(angle, Image.Resampling.BILINEAR, fillcolor=0)
    left, top = (side - width) // 2, (side - height) // 2
    hues = ramp.crop((left, top, left + width, top + height)).point(
        [value * 220 // 255 for value in range(256)]
    )
    full = Image.new("L", size, 255)
    return Image.merge("HSV", (hues, full, full)).convert("RGB")


def _flare(corner: int, colour: Colour) -> Look:
    """A lens flare: a hot glow at one corner and ghosts along the line to the centre."""

    def look(picture: Image.Image) -> Image.Image:
        width, height = picture.size
        layer = Image.composite(
            _solid(picture.size, colour),
            _solid(picture.size, _BLACK),
            _corner_glow(picture.size, corner, 0.5),
        )
        ghosts = Image.new("L", picture.size, 0)
        draw = ImageDraw.Draw(ghosts)
        start = ((0, width, width, 0)[corner], (0, 0, height, height)[corner])
        for step, share in ((0.55, 0.05), (0.8, 0.03), (1.25, 0.08)):
            x = start[0] + (width / 2 - start[0]) * step
            y = start[1] + (height / 2 - start[1]) * step
            radius = max(1.0, _unit(picture) * share)
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=90)
        ghosts = ghosts.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) / 200)))
        layer = ImageChops.screen(layer, _grey_rgb(ghosts))
        return ImageChops.screen(picture, layer)

    return look


def _bokeh(colours: Sequence[Colour], label: str) -> Look:
    """Out-of-focus party lights: soft discs of the given colours screened over the picture."""

    def look(picture: Image.Image) -> Image.Image:
        width, height = picture.size
        rng = seeded_random("bokeh", label, picture.size)
        lights = Image.new("RGB", picture.size, _BLACK)
        draw = ImageDraw.Draw(lights)
        for _ in range(36):
            radius = _unit(picture) * rng.uniform(0.03, 0.09)
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            shade = tuple(value * rng.randint(140, 220) // 255 for value in rng.choice(colours))
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shade)
        lights = lights.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) / 120)))
        return ImageChops.screen(ImageEnhance.Brightness(picture).enhance(0.8), lights)

    return look


def _haze(colour: Colour, amount: float) -> Look:
    """Fog, thickest at the top."""

    def look(picture: Image.Image) -> Image.Image:
        fog = _scaled(ImageOps.invert(Image.linear_gradient("L").resize(picture.size)), amount)
        return Image.composite(_solid(picture.size, colour), picture, fog)

    return look


def _marble(label: str) -> Look:
    """Crushed marble: the picture paled and veined by bands of smooth noise."""
    veins = [_clip(255 * abs(math.sin(value / 255 * math.pi * 7)) ** 0.2) for value in range(256)]

    def look(picture: Image.Image) -> Image.Image:
        rng = seeded_random("marble", label, picture.size)
        stone = _clouds(picture.size, rng, 5).point(veins)
        pale = Image.blend(picture, _solid(picture.size, (236, 232, 226)), 0.35)
        return Image.blend(pale, ImageChops.multiply(pale, _grey_rgb(stone)), 0.55)

    return look


def _scanlines(spacing: int, darkness: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        lines = _scaled(_stripes(picture.size, spacing, 1), darkness)
        return Image.composite(_solid(picture.size, _BLACK), picture, lines)

    return look


def _neon_edges(colour: Colour) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        edges = ImageOps.autocontrast(_find_edges(picture.convert("L")))
        glow = edges.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) / 250)))
        layer = Image.composite(
            _solid(picture.size, colour),
            _solid(picture.size, _BLACK),
            ImageChops.lighter(edges, glow),
        )
        return ImageChops.screen(ImageEnhance.Brightness(picture).enhance(0.55), layer)

    return look


def _fill_light(amount: float) -> Look:
    table = [_clip(value + 255 * amount * (1 - value / 255) ** 2) for value in range(256)] * 3

    def look(picture: Image.Image) -> Image.Image:
        return picture.point(table)

    return look


def _autocontrast(cutoff: float) -> Look:
    def look(picture: Image.Image) -> Image.Image:
        return ImageOps.autocontrast(picture, cutoff=cutoff)

    return look


def _dodger(picture: Image.Image) -> Image.Image:
    """Each channel colour-dodged by its own blur at half strength: a glowing, bright look."""
    blurred = picture.filter(ImageFilter.GaussianBlur(max(1.0, _unit(picture) / 80)))
    half = blurred.point([value * 45 // 100 for value in range(256)] * 3)
    bands = zip(picture.split(), half.split(), strict=True)
    return Image.merge("RGB", [color_dodge(base, top) for base, top in bands])


def _popart(picture: Image.Image) -> Image.Image:
    vivid = ImageEnhance.Color(picture).enhance(2.2)
    return ImageEnhance.Contrast(ImageOps.posterize(vivid, 2)).enhance(1.1)


def _sketch_ink(picture: Image.Image) -> Image.Image:
    """Ink outlines over flat, pale colour: a marker sketch."""
    flat = ImageOps.posterize(picture.filter(ImageFilter.SMOOTH_MORE), 3)
    pale = Image.blend(flat, _solid(picture.size, _PAPER), 0.45)
    return Image.composite(
        _solid(picture.size, _GRAPHITE), pale, _ink_lines(picture, 16, thick=False)
    )


def _light_look(number: int) -> Look:
    """light1..light20: a brighter exposure with a light leak whose hue, corner and strength
    the number sets."""
    return _chain(
        _grade(_NEUTRAL, (1.08 + number / 100,) * 3, _UNITY),
        _light_leak(_hsv((number - 1) / 20, 0.6, 1.0), number % 4, 0.3 + number / 50),
    )


_EFFECTS: dict[str, Look] = {
    "1972": _chain(
        _grade((0.1, 0.07, 0.03), (1.0, 1.0, 0.9), (0.96, 0.9, 0.78), saturation=0.7),
        _vignette(0.5),
        _grain(8, "1972"),
    ),
    "apr1": _chain(
        _grade((0.08, 0.04, 0.06), gain=(1.0, 0.95, 0.97), saturation=0.8),
        _tint((255, 190, 205), 0.2),
    ),
    "apr2": _chain(
        _grade((0.04, 0.08, 0.06), gain=(0.95, 1.0, 0.97), saturation=0.8),
        _tint((180, 240, 210), 0.2),
    ),
    "apr3": _chain(
        _grade((0.06, 0.04, 0.09), gain=(0.97, 0.95, 1.0), saturation=0.8),
        _tint((205, 190, 250), 0.2),
    ),
    "blur": _box_blur(0.01),
    "gblur": _gaussian_blur(0.02),
    "lensblur": _lens_blur(0.025),
    "motionblur": _motion_blur(0.03),
    "smartblur": _smart_blur(0.015),
    "pixelize": _pixelize(0.03),
    "brl1": _chain(
        _grade((0.0, 0.01, 0.03), (0.95, 1.0, 1.05), saturation=1.1, contrast=1.25),
        _clarity(0.03, 60),
        _vignette(0.4),
    ),
    "brnz1": _duotone((40, 22, 8), (255, 222, 165), (170, 110, 50)),
    "brnz2": _mixed(_duotone((50, 28, 10), (250, 226, 180), (185, 120, 60)), 0.6),
    "brnz3": _chain(_duotone((24, 12, 4), (240, 200, 130), (150, 90, 36)), _vignette(0.6)),
    "brnz4": _chain(_split_tone((90, 50, 20), (250, 210, 150), 0.8), _grain(6, "brnz4")),
    "cyber1": _chain(_split_tone((0, 150, 160), (255, 60, 200), 0.9), _grade(contrast=1.15)),
    "cyber2": _chain(
        _mixed(_duotone((30, 0, 60), (80, 255, 255), (200, 40, 220)), 0.7),
        _glow(0.02, 0.5),
        _scanlines(3, 0.35),
    ),
    "dodger": _dodger,
    "fattal2": _chain(_clarity(0.05, 120), _fill_light(0.12), _saturate(1.15)),
    "food1": _grade(gain=(1.06, 1.0, 0.92), saturation=1.3, contrast=1.08),
    "food2": _chain(
        _grade((0.02, 0.01, 0.0), gain=(1.08, 1.02, 0.94), saturation=1.2), _clarity(0.02, 50)
    ),
    "icy1": _grade(gain=(0.92, 1.0, 1.1), saturation=0.8),
    "icy2": _grade((0.0, 0.03, 0.1), gain=(0.85, 0.97, 1.12), saturation=0.6, contrast=1.1),
    "icy3": _chain(_mixed(_duotone((10, 30, 70), (245, 252, 255)), 0.6), _glow(0.03, 0.4)),
    **{f"light{number}": _light_look(number) for number in range(1, 21)},
    "mnch1": _mono((0.299, 0.587, 0.114), _BLACK, _WHITE),
    "mnch2": _chain(_mono((0.7, 0.2, 0.1), _BLACK, _WHITE), _grade(contrast=1.15)),
    "mnch3": _mono((0.1, 0.3, 0.6), (14, 18, 34), (234, 240, 250)),
    "nature1": _grade(gain=(0.98, 1.08, 0.95), saturation=1.25),
    "nature2": _grade((0.03, 0.04, 0.0), gain=(1.02, 1.0, 0.88), saturation=0.9, contrast=1.1),
    "noise": _grain(24, "noise"),
    "ntrl1": _grade(saturation=0.92, contrast=1.08),
    "ntrl2": _chain(_grey_world(1.0), _autocontrast(0.5)),
    "popart": _popart,
    "saturation": _saturate(1.8),
    "sft1": _glow(0.015, 0.45),
    "sft2": _chain(_glow(0.04, 0.6), _grade((0.05, 0.05, 0.05))),
    "sft3": _chain(_glow(0.025, 0.5), _tint((255, 200, 210), 0.25)),
    "sft4": _chain(_glow(0.03, 0.5), _saturate(0.6), _haze((240, 240, 236), 0.3)),
    "shadow1": _fill_light(0.3),
    "shadow2": _chain(_grade(gamma=(0.75, 0.75, 0.75), contrast=1.1), _vignette(0.7)),
    "sketch1": _pencil(0.02),
    "sketch2": _pencil(0.008, darker=True),
    "sketch3": _pencil(0.015, colour=0.7),
    "sketcher1": _charcoal,
    "sketcher2": _sketch_ink,
    "spc1": _chain(_split_tone((30, 10, 90), (150, 220, 255), 0.85), _glow(0.02, 0.3)),
    "tl1": _tilt_shift(0.5, 0.25, 0.015),
    "tl2": _chain(_tilt_shift(0.6, 0.15, 0.025), _vignette(0.4)),
    "urban1": _chain(
        _split_tone((20, 50, 70), (235, 225, 205), 0.6), _grade(saturation=0.55, contrast=1.25)
    ),
    "urban2": _chain(_saturate(0.45), _autocontrast(1.0), _grade(contrast=1.2)),
    "water1": _watercolour,
    "water2": _chain(
        _waves(0.012, 0.12), _grade((0.0, 0.06, 0.1), gain=(0.75, 1.0, 1.05), saturation=0.85)
    ),
}


def apply_effect(image: Image.Image, name: str, *, fade: int = 0) -> Image.Image:
    """The named effect (one of ``EFFECT_NAMES``; ``ValueError`` otherwise), really applied:
    the blur family blurs (gaussian, lens, motion, smart), pixelize pixelates, sketch and
    sketcher draw edges, popart posterizes, noise adds grain, saturation saturates, and the named
    looks (light*, shadow*, icy*, urban*, food*, nature*, ...) are distinct tone curves and colour
    grades. ``fade`` (0-100) blends the result back towards the original by that percentage."""
    look = _EFFECTS.get(name)
    if look is None:
        raise ValueError(
            f"effect_name {name!r} is not supported; use one of {', '.join(EFFECT_NAMES)}"
        )
    check_range("fade", fade, 0, 100)
    picture, alpha = split_alpha(image)
    result = look(picture)
    if fade:
        result = Image.blend(result, picture, fade / 100)
    return _join(result, alpha)


# AI effects (simulated)


def _popsketch(picture: Image.Image) -> Image.Image:
    lines = _pencil_lines(picture, 0.01)
    return ImageChops.multiply(_popart(picture), _grey_rgb(ImageChops.multiply(lines, lines)))


_PARTY: tuple[Colour, ...] = (
    (255, 60, 60), (255, 200, 60), (60, 220, 120), (80, 140, 255), (255, 120, 220),
)  # fmt: skip

_AI_EFFECTS: dict[str, Look] = {
    "winterblues": _chain(
        _split_tone((10, 30, 90), (220, 235, 255), 0.8), _saturate(0.7), _snow(0.12, "winterblues")
    ),
    "wispy": _chain(_glow(0.05, 0.7), _saturate(0.7), _haze((250, 246, 255), 0.35)),
    "geode": _crystal((150, 80, 200)),
    "744": _chain(_painterly(0.003, 4), _split_tone((60, 20, 40), (255, 200, 120), 0.6)),
    "sketchy": _pencil(0.03, darker=True),
    "dystopia": _chain(
        _grade(
            (0.02, 0.03, 0.0), (0.9, 0.95, 0.85), (0.95, 1.0, 0.8), saturation=0.45, contrast=1.35
        ),
        _vignette(0.8),
        _grain(14, "dystopia"),
    ),
    "libtest2": _chain(_posterize(3), _hue_turn(90)),
    "pastel": _chain(_painterly(0.002, 5), _grade((0.15, 0.13, 0.16), saturation=0.7)),
    "moonlight": _chain(_duotone((4, 8, 30), (210, 225, 255), (60, 80, 140)), _glow(0.03, 0.4)),
    "rainbow": _rainbow(0.8),
    "money": _engraving((30, 80, 50), (222, 232, 210)),
    "popsketch": _popsketch,
    "hintofyellow": _chain(_tint((255, 236, 150), 0.25), _grade(gain=(1.02, 1.0, 0.9))),
    "badlands": _chain(
        _grade((0.03, 0.0, 0.0), (1.0, 0.95, 0.8), (1.1, 0.95, 0.7), saturation=1.2, contrast=1.2),
        _vignette(0.5),
    ),
    "letitsnow": _chain(_grade(gain=(0.95, 0.98, 1.05)), _snow(0.6, "letitsnow")),
    "flora": _chain(
        _painterly(0.0025, 6), _split_tone((20, 90, 40), (255, 170, 210), 0.6), _glow(0.02, 0.35)
    ),
    "staygold": _duotone((40, 25, 0), (255, 235, 150), (200, 150, 40)),
    "holidayparty": _bokeh(_PARTY, "holidayparty"),
    "galaxy": _galaxy("galaxy"),
    "crushedmarble": _marble("crushedmarble"),
    "pow": _halftone(0.025, (20, 20, 40), (255, 245, 220)),
    "shades_of_gray": _shades(6),
    "haze": _haze((225, 230, 238), 0.6),
    "shamrock": _chain(_split_tone((0, 60, 20), (200, 255, 170), 0.8), _saturate(1.2)),
    "815": _chain(_cartoon(3, 30, thick=False, saturation=0.8), _hue_turn(-40)),
    "flare": _flare(1, (255, 190, 120)),
    "prettyinpink": _chain(
        _mixed(_duotone((80, 10, 50), (255, 220, 235), (240, 110, 170)), 0.65), _glow(0.02, 0.3)
    ),
    "rosegold": _duotone((60, 30, 30), (255, 225, 210), (215, 150, 130)),
    "wonderland": _chain(_hue_turn(-60), _saturate(1.5), _glow(0.03, 0.5)),
    "whiteice": _chain(
        _grade((0.2, 0.24, 0.3), gain=(0.95, 1.0, 1.05), saturation=0.35), _glow(0.02, 0.4)
    ),
    "nightcore": _chain(_split_tone((40, 0, 120), (0, 220, 255), 0.7), _neon_edges((255, 60, 220))),
    "pleinair34_120": _chain(
        _painterly(0.004, 5),
        _grade((0.04, 0.03, 0.0), gain=(1.05, 1.0, 0.9), saturation=1.15),
        _clarity(0.02, 40),
    ),
    "soul": _chain(
        _mono((0.4, 0.45, 0.15), (30, 20, 10), (245, 225, 190)), _vignette(0.6), _grain(10, "soul")
    ),
    "rosequartz": _chain(
        _mixed(_duotone((70, 40, 80), (255, 228, 236), (220, 160, 190)), 0.7), _glow(0.04, 0.45)
    ),
    "animation": _cartoon(4, 22, thick=True, saturation=1.6),
    "feast": _chain(
        _grade(gain=(1.1, 1.0, 0.85), saturation=1.45, contrast=1.12), _clarity(0.03, 70)
    ),
    "undead": _chain(
        _grade((0.03, 0.06, 0.02), (0.85, 0.95, 0.85), (0.85, 1.0, 0.85), saturation=0.35),
        _tint((150, 190, 140), 0.35),
        _vignette(0.9),
    ),
    "highlight": _chain(_glow(0.01, 0.8), _grade(contrast=1.25)),
    "neopop": _chain(_posterize(2), _hue_turn(150), _saturate(2.0)),
    "midnight": _chain(
        _grade(gamma=(0.7, 0.75, 0.9), gain=(0.6, 0.7, 0.95), saturation=0.8), _vignette(0.6)
    ),
    "colorbright": _chain(_saturate(1.9), _grade((0.04, 0.04, 0.04), (1.15, 1.15, 1.15))),
    "cartoon1": _cartoon(3, 24, thick=False),
    "cartoon2": _cartoon(2, 18, thick=True, saturation=1.5),
}


def apply_ai_effect(image: Image.Image, name: str) -> Image.Image:
    """A deterministic stylisation named after one of ``AI_EFFECT_NAMES`` (``ValueError``
    otherwise): a plausible, clearly simulated look (cartoon: flat colours and outlines;
    letitsnow: falling flakes; galaxy: a starfield blend; ...); each name gives a distinct one."""
    look = _AI_EFFECTS.get(name)
    if look is None:
        raise ValueError(
            f"effect_name {name!r} is not supported; use one of {', '.join(AI_EFFECT_NAMES)}"
        )
    picture, alpha = split_alpha(image)
    return _join(look(picture), alpha)


# Adjustments


def _tone_table(brightness: int, shadows: int, highlights: int) -> list[int]:
    """One curve for brightness (towards white or black) and the shadow and highlight lifts."""
    table = []
    for value in range(256):
        level = float(value)
        if brightness > 0:
            level += (255 - level) * brightness / 150
        elif brightness < 0:
            level *= 1 + brightness / 150
        share = level / 255
        level += shadows / 100 * 80 * (1 - share) ** 2
        level += highlights / 100 * 80 * share**2
        table.append(_clip(level))
    return table


def _temperature_table(temperature: int) -> list[int]:
    warmth = temperature / 100
    gains = (1 + 0.15 * warmth, 1 + 0.03 * warmth, 1 - 0.15 * warmth)
    return [_clip(value * gain) for gain in gains for value in range(256)]


def adjust(
    image: Image.Image,
    *,
    brightness: int = 0,
    contrast: int = 0,
    clarity: int = 0,
    saturation: int = 0,
    hue: int = 0,
    shadows: int = 0,
    highlights: int = 0,
    temperature: int = 0,
    sharpen: int = 0,
    noise: int = 0,
    vignette: int = 0,
) -> Image.Image:
    """Each adjustment really applied: -100..100 (sharpen, noise, vignette 0..100); all zero
    returns the same pixels."""
    signed = {
        "brightness": brightness, "contrast": contrast, "clarity": clarity,
        "saturation": saturation, "hue": hue, "shadows": shadows, "highlights": highlights,
        "temperature": temperature,
    }  # fmt: skip
    unsigned = {"sharpen": sharpen, "noise": noise, "vignette": vignette}
    for name, value in signed.items():
        check_range(name, value, -100, 100)
    for name, value in unsigned.items():
        check_range(name, value, 0, 100)
    if not any(signed.values()) and not any(unsigned.values()):
        return image.copy()
    picture, alpha = split_alpha(image)
    if brightness or shadows or highlights:
        picture = picture.point(_tone_table(brightness, shadows, highlights) * 3)
    if contrast:
        picture = ImageEnhance.Contrast(picture).enhance(1 + contrast / 100)
    if temperature:
        picture = picture.point(_temperature_table(temperature))
    if saturation:
        picture = ImageEnhance.Color(picture).enhance(1 + saturation / 100)
    if hue:
        picture = _hue_turn(hue * 1.8)(picture)
    if clarity > 0:
        picture = _clarity(0.025, round(clarity * 1.2))(picture)
    elif clarity < 0:
        soft = picture.filter(ImageFilter.GaussianBlur(max(2.0, _unit(picture) * 0.01)))
        picture = Image.blend(picture, soft, -clarity / 150)
    if sharpen:
        picture = picture.filter(ImageFilter.UnsharpMask(1.5, sharpen * 2, 0))
    if vignette:
        picture = _vignette(vignette / 100)(picture)
    if noise:
        picture = _grain(max(1, round(noise * 0.35)), "adjust")(picture)
    return _join(picture, alpha)


# Engraving, selective blur, colour and style


def laser_engrave(
    image: Image.Image,
    engrave_color: tuple[int, int, int, int],
    background_color: tuple[int, int, int, int],
) -> Image.Image:
    """The photo as two-colour line art for a laser engraver (edges and hatched shadows).

    Lines are where the smoothed picture steps sharply; shadows are hatched diagonally, denser
    and then crossed as they darken. The result is "RGBA" holding exactly the two colours;
    see-through parts of the photo are left unengraved.
    """
    picture, alpha = split_alpha(image)
    if alpha is not None:
        picture = Image.composite(picture, _solid(picture.size, _WHITE), alpha)
    unit = _unit(picture)
    grey = ImageOps.autocontrast(picture.convert("L"), cutoff=1)
    smooth = grey.filter(ImageFilter.BoxBlur(max(0.5, unit / 512)))
    steps = ImageChops.subtract(
        smooth.filter(ImageFilter.MaxFilter(3)), smooth.filter(ImageFilter.MinFilter(3))
    )
    lines = ImageChops.lighter(
        _threshold(steps, 20), _hatched(ImageOps.equalize(grey), max(3, unit // 100))
    )
    return Image.composite(
        Image.new("RGBA", picture.size, engrave_color),
        Image.new("RGBA", picture.size, background_color),
        lines,
    )


def selective_blur(image: Image.Image, segment: str, *, blur: int = 50) -> Image.Image:
    """Blur the segment a word names: background (or sky, backdrop...) blurs what is not the
    subject, foreground (person, product, face, object, or any other word) blurs the subject
    found as removebg finds it. ``blur`` 1-100 sets the radius.

    The blur is taken of the segment alone (premultiplied), so the other segment's colours do
    not bleed into it as a halo.
    """
    check_range("blur", blur, 1, 100)
    picture, alpha = split_alpha(image)
    subject = subject_mask(picture)
    target = ImageOps.invert(subject) if is_background(segment) else subject
    radius = max(1.0, blur / 100 * _unit(picture) / 12)
    alone = picture.convert("RGBA")
    alone.putalpha(target)
    blurred = alone.convert("RGBa").filter(ImageFilter.GaussianBlur(radius)).convert("RGBA")
    return _join(Image.composite(blurred.convert("RGB"), picture, target), alpha)


@cache
def _lab_transforms() -> tuple[ImageCms.ImageCmsTransform, ImageCms.ImageCmsTransform]:
    srgb = ImageCms.createProfile("sRGB")
    lab = ImageCms.createProfile("LAB")
    return (
        ImageCms.buildTransform(srgb, lab, "RGB", "LAB"),
        ImageCms.buildTransform(lab, srgb, "LAB", "RGB"),
    )


def _to_lab(picture: Image.Image) -> Image.Image:
    return as_image(ImageCms.applyTransform(picture, _lab_transforms()[0]))


def _from_lab(lab: Image.Image) -> Image.Image:
    return as_image(ImageCms.applyTransform(lab, _lab_transforms()[1]))


def _statistics(image: Image.Image) -> tuple[Image.Image, list[float], list[float]]:
    """An image's LAB pixels, and the mean and spread of each LAB channel over its opaque part."""
    picture, alpha = split_alpha(image)
    lab = _to_lab(picture)
    sample = lab if max(lab.size) <= 256 else lab.resize(_fit_within(lab.size, 256))
    mask = None if alpha is None else alpha.resize(sample.size).point([0] * 128 + [255] * 128)
    if mask is not None and mask.getbbox() is None:
        mask = None
    stat = ImageStat.Stat(sample, mask=mask)
    return lab, list(stat.mean), list(stat.stddev)


def _fit_within(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def color_transfer(image: Image.Image, reference: Image.Image) -> Image.Image:
    """The image recoloured to the reference's colour statistics (mean and spread per channel
    in a perceptual space), keeping its own detail.

    The classic Reinhard transfer in CIELAB (through LittleCMS): each channel shifted and
    scaled, by a lookup table, so its mean and standard deviation become the reference's.
    """
    picture, alpha = split_alpha(image)
    lab, means, spreads = _statistics(picture)
    _, target_means, target_spreads = _statistics(reference)
    tables = []
    for mean, spread, target_mean, target_spread in zip(
        means, spreads, target_means, target_spreads, strict=True
    ):
        scale = min(4.0, max(0.25, target_spread / max(spread, 1.0)))
        tables.append([_clip(target_mean + (value - mean) * scale) for value in range(256)])
    bands = [band.point(table) for band, table in zip(lab.split(), tables, strict=True)]
    return _join(_from_lab(Image.merge("LAB", bands)), alpha)


def style_transfer(image: Image.Image, reference: Image.Image, *, level: str = "l1") -> Image.Image:
    """The image "painted" in the reference's style: its palette (quantised), texture and
    strokes; ``level`` l1..l5 from light to strong.

    The colours are first transferred (``color_transfer``); then the picture is repainted in
    broader strokes, mapped onto the reference's own palette, and given the reference's fine
    texture. The level sets the stroke size, how few colours, and how much of the painting shows.
    """
    if level not in STYLE_LEVELS:
        raise ValueError(f"level must be one of {', '.join(STYLE_LEVELS)}, not {level!r}")
    strength = STYLE_LEVELS.index(level) + 1
    picture, alpha = split_alpha(image)
    recoloured = split_alpha(color_transfer(picture, reference))[0]
    style, _ = split_alpha(reference)
    swatch = style.resize(_fit_within(style.size, 128), Image.Resampling.BOX)
    palette = swatch.quantize(40 - 6 * strength, Image.Quantize.MEDIANCUT)
    painted = _painterly(0.001 * (1 + strength), 8)(recoloured)
    painted = painted.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
    grain = style.convert("L").resize(_fit_within(style.size, 512), Image.Resampling.BOX)
    detail = ImageChops.subtract(grain, grain.filter(ImageFilter.GaussianBlur(2)), 1.0, 128)
    texture = ImageOps.fit(_grey_rgb(detail), picture.size, Image.Resampling.BILINEAR)
    textured = Image.blend(painted, ImageChops.overlay(painted, texture), 0.15 * strength)
    return _join(Image.blend(recoloured, textured, 0.3 + 0.14 * strength), alpha)


# Masks


def _lace_cell(motif: int, cell: int) -> Image.Image:
    """One tile of lace: rings, flowers, a diamond net or scallops."""
    tile = Image.new("L", (cell, cell), 0)
    draw = ImageDraw.Draw(tile)
    line = max(1, cell // 14)
    if motif == 1:
        draw.ellipse((cell * 0.1, cell * 0.1, cell * 0.9, cell * 0.9), outline=255, width=line)
        draw.ellipse((cell * 0.4, cell * 0.4, cell * 0.6, cell * 0.6), fill=255)
    elif motif == 2:
        for petal in range(6):
            angle = petal * math.pi / 3
            x = cell / 2 + cell * 0.22 * math.cos(angle)
            y = cell / 2 + cell * 0.22 * math.sin(angle)
            draw.ellipse(
                (x - cell * 0.12, y - cell * 0.12, x + cell * 0.12, y + cell * 0.12),
                outline=255,
                width=line,
            )
        draw.ellipse((cell * 0.44, cell * 0.44, cell * 0.56, cell * 0.56), fill=255)
    elif motif == 3:
        draw.line((0, 0, cell, cell), fill=255, width=line)
        draw.line((cell, 0, 0, cell), fill=255, width=line)
        draw.rectangle((cell * 0.45, cell * 0.2, cell * 0.55, cell * 0.3), fill=255)
    else:
        draw.ellipse((0, cell * 0.5, cell, cell * 1.5), outline=255, width=line)
        draw.ellipse((cell * 0.42, cell * 0.2, cell * 0.58, cell * 0.36), fill=255)
    return tile


def _lace(motif: int) -> Callable[[tuple[int, int]], Image.Image]:
    def texture(size: tuple[int, int]) -> Image.Image:
        cell = max(6, min(size) // (4 + 2 * motif))
        pattern = tiled(_lace_cell(motif, cell), size)
        if motif == 4:
            edges = Image.linear_gradient("L").resize((1, 256))
            frame = ImageChops.lighter(edges, ImageOps.flip(edges)).point(
                [255 if value > 190 else 0 for value in range(256)]
            )
            pattern = ImageChops.darker(pattern, frame.resize(size, Image.Resampling.BILINEAR))
        return ImageOps.colorize(pattern, _BLACK, (255, 250, 240))

    return texture


def _blinds(size: tuple[int, int]) -> Image.Image:
    spacing = max(4, min(size) // 7)
    light = _stripes(size, spacing, spacing // 2, 1)
    return ImageOps.colorize(
        light.filter(ImageFilter.GaussianBlur(spacing / 6)), _BLACK, (255, 244, 214)
    )


def _dapples(size: tuple[int, int]) -> Image.Image:
    """Sunlight through leaves: soft bright blobs, placed by a seeded generator."""
    rng = seeded_random("shdw17", size)
    width, height = size
    light = Image.new("L", size, 0)
    draw = ImageDraw.Draw(light)
    unit = max(1, min(size))
    for _ in range(40):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = unit * rng.uniform(0.03, 0.1), unit * rng.uniform(0.02, 0.06)
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=rng.randint(160, 255))
    light = light.filter(ImageFilter.GaussianBlur(max(1.0, unit / 60)))
    return ImageOps.colorize(light, _BLACK, (250, 240, 200))


def _distance_from(size: tuple[int, int], centre: tuple[float, float], reach: float) -> Image.Image:
    """An "L" field of the distance from ``centre`` (0..1 of the size), 255 at ``reach`` of the
    longer side."""
    width, height = size
    side = max(2, round(2 * reach * max(size)))
    field = _radial().resize((side, side), Image.Resampling.BILINEAR)
    canvas = Image.new("L", size, 255)
    canvas.paste(field, (round(centre[0] * width - side / 2), round(centre[1] * height - side / 2)))
    return canvas


def _ripples(
    centres: Sequence[tuple[float, float]], rings: int
) -> Callable[[tuple[int, int]], Image.Image]:
    table = [
        _clip(
            255 * (0.5 + 0.5 * math.cos(2 * math.pi * rings * value / 255)) ** 3 * (1 - value / 255)
        )
        for value in range(256)
    ]

    def texture(size: tuple[int, int]) -> Image.Image:
        waves = [_distance_from(size, centre, 1.0).point(table) for centre in centres]
        light = waves[0]
        for wave in waves[1:]:
            light = ImageChops.screen(light, wave)
        return ImageOps.colorize(light, _BLACK, (200, 235, 255))

    return texture


def _prism(kind: int) -> Callable[[tuple[int, int]], Image.Image]:
    def texture(size: tuple[int, int]) -> Image.Image:
        if kind == 3:
            colours = _hue_ramp(size, 45)
            band = (
                Image.linear_gradient("L")
                .resize((1, 256))
                .point(
                    [
                        _clip(255 * max(0.0, 1 - abs(value / 255 - 0.35) / 0.25))
                        for value in range(256)
                    ]
                )
            )
            reach = band.resize(size, Image.Resampling.BILINEAR).rotate(-45, fillcolor=0)
        elif kind == 9:
            colours = _hue_ramp(size, 0)
            reach = (
                Image.linear_gradient("L")
                .rotate(90)
                .resize(size)
                .point([_clip(255 * (value / 255) ** 2) for value in range(256)])
            )
        else:
            distance = _distance_from(size, (0.5, 0.5), 0.6)
            full = Image.new("L", size, 255)
            colours = Image.merge("HSV", (distance, full, full)).convert("RGB")
            reach = distance.point(
                [_clip(255 * max(0.0, 1 - abs(value / 255 - 0.6) / 0.18)) for value in range(256)]
            )
        return Image.composite(colours, _solid(size, _BLACK), reach)

    return texture


_MASK_TEXTURES: dict[str, Callable[[tuple[int, int]], Image.Image]] = {
    "lace1": _lace(1),
    "lace2": _lace(2),
    "lace3": _lace(3),
    "lace4": _lace(4),
    "shdw2": _blinds,
    "shdw17": _dapples,
    "rpl3": _ripples(((0.5, 0.5),), 9),
    "rpl5": _ripples(((0.3, 0.35), (0.72, 0.6)), 7),
    "prsm3": _prism(3),
    "prsm9": _prism(9),
    "prsm10": _prism(10),
}
_MASK_MIXES: dict[str, Callable[[Image.Image, Image.Image], Image.Image]] = {
    "normal": lambda base, top: Image.composite(top, base, top.convert("L")),
    "screen": ImageChops.screen,
    "overlay": ImageChops.overlay,
    "multiply": ImageChops.multiply,
    "darken": ImageChops.darker,
    "lighten": ImageChops.lighter,
    "add": ImageChops.add,
}
_FLIP_TRANSPOSES = {
    "left": Image.Transpose.ROTATE_90,
    "right": Image.Transpose.ROTATE_270,
    "mirror horizontal": Image.Transpose.FLIP_LEFT_RIGHT,
    "mirror vertical": Image.Transpose.FLIP_TOP_BOTTOM,
    "turnaround": Image.Transpose.ROTATE_180,
}


def apply_mask(
    image: Image.Image,
    name: str,
    *,
    blend: str = "screen",
    opacity: int = 100,
    hue: int = 0,
    flip: str | None = None,
) -> Image.Image:
    """An overlay texture generated for ``name`` (lace: lace patterns; shdw: leaf/blind
    shadows; rpl: water ripples; prsm: prism light leaks) blended onto the image with ``blend``,
    ``opacity`` 0-100, its hue turned by ``hue`` degrees (-180..180) and flipped as ``flip`` says.

    Textures are light on black, so screen, lighten and add light the image, multiply and darken
    shade it (the shadows), and normal lays the texture on where it is bright.
    """
    texture_of = _MASK_TEXTURES.get(name)
    if texture_of is None:
        raise ValueError(f"mask {name!r} is not supported; use one of {', '.join(MASK_NAMES)}")
    if blend not in _MASK_MIXES:
        raise ValueError(f"blend must be one of {', '.join(MASK_BLENDS)}, not {blend!r}")
    if flip is not None and flip not in _FLIP_TRANSPOSES:
        raise ValueError(f"flip must be one of {', '.join(MASK_FLIPS)}, not {flip!r}")
    check_range("opacity", opacity, 0, 100)
    check_range("hue", hue, -180, 180)
    picture, alpha = split_alpha(image)
    turned = flip in ("left", "right")
    size = (picture.height, picture.width) if turned else picture.size
    texture = texture_of(size)
    if hue:
        texture = _hue_turn(hue)(texture)
    if flip is not None:
        texture = texture.transpose(_FLIP_TRANSPOSES[flip])
    mixed = _MASK_MIXES[blend](picture, texture)
    return _join(Image.blend(picture, mixed, opacity / 100), alpha)


# Enhancers


def enhance_upscale(image: Image.Image, factor: int) -> Image.Image:
    """Ultra enhance: ``factor`` (2-16) times larger with detail added (unsharp masking after a
    Lanczos resize), at most 64 Mpx (``ValueError`` beyond)."""
    if factor not in ENHANCE_FACTORS:
        raise ValueError(f"the upscale factor must be from 2 to 16, not {factor}")
    width, height = image.size
    size = (width * factor, height * factor)
    if size[0] * size[1] > MAX_ENHANCE_OUTPUT_PIXELS:
        raise ValueError(
            f"enhancing {width}x{height} by {factor} would give {size[0]}x{size[1]}, over the "
            f"{MAX_ENHANCE_OUTPUT_PIXELS} pixels (64 Mpx) allowed; use a smaller factor"
        )
    picture, alpha = split_alpha(image)
    bigger = picture.resize(size, Image.Resampling.LANCZOS)
    crisp = bigger.filter(ImageFilter.UnsharpMask(1 + factor / 4, 80, 2))
    fine = crisp.filter(ImageFilter.UnsharpMask(1, 30, 3))
    return _join(fine, None if alpha is None else alpha.resize(size, Image.Resampling.LANCZOS))


def _skin(picture: Image.Image) -> Image.Image:
    """Skin-coloured pixels ("L", 255) by the usual YCbCr box (Cb 77-127, Cr 133-173, not
    dark)."""
    luma, blue, red = picture.convert("YCbCr").split()
    bright = luma.point([255 if value > 70 else 0 for value in range(256)])
    blue_ok = blue.point([255 if 77 <= value <= 127 else 0 for value in range(256)])
    red_ok = red.point([255 if 133 <= value <= 173 else 0 for value in range(256)])
    return ImageChops.darker(ImageChops.darker(blue_ok, red_ok), bright)


def enhance_face(image: Image.Image) -> Image.Image:
    """Face enhancement: denoised, sharpened and colour-balanced, the same size.

    Skin-coloured areas are smoothed (blurred where there are no edges), everything else is
    sharpened, and the colours are balanced halfway by the grey-world rule and stretched.
    """
    picture, alpha = split_alpha(image)
    unit = _unit(picture)
    skin = _skin(picture).filter(ImageFilter.BoxBlur(max(1.0, unit / 200)))
    smooth = picture.filter(ImageFilter.GaussianBlur(max(1.0, unit / 250)))
    calm = ImageChops.subtract(skin, grow(_edge_mask(picture, 24), 1))
    denoised = Image.composite(smooth, picture, _scaled(calm, 0.75))
    sharp = denoised.filter(ImageFilter.UnsharpMask(max(1.0, unit / 400), 70, 3))
    balanced = _chain(_grey_world(0.5), _autocontrast(0.3))(sharp)
    return _join(balanced, alpha)
