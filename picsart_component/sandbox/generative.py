"""Made-up generative results for the GenAI emulation: real pixels, made by real work.

Nothing here is a model, but every result depends visibly on what it was asked for: the same
prompt and seed give the same picture, another prompt gives another one, and the image-to-image
operations really change the given image (masks filled from their surroundings, canvases
extended, backdrops painted behind a real cutout). Pillow only; no per-pixel Python loops.

A prompt is read twice: its words pick what they name (colours, moods, a landscape, a subject),
and a hash of the whole prompt picks everything the words leave open, so that any two prompts
differ. The seed moves the composition and only nudges the palette, so seed + 1 is a variation
of the same picture. Pictures are painted at no more than ``_WORK_SIDE`` pixels a side and then
resized, which keeps a 1024-pixel picture to about a tenth of a second.
"""

from __future__ import annotations

import colorsys
import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from PIL import (
    Image,
    ImageChops,
    ImageDraw,
    ImageEnhance,
    ImageFilter,
    ImageFont,
    ImageOps,
    ImageStat,
)

from .imaging import (
    MAX_CANVAS_SIDE,
    RemoveBackgroundParams,
    digest,
    grow,
    normal_words,
    remove_background,
    seeded_random,
)

EXPAND_DIRECTIONS = ("center", "top-left", "top-right", "bottom-left", "bottom-right")
COLOR_TONES = (
    "Auto", "Gray", "Blue", "Pink", "Orange", "Brown", "Yellow", "Green", "Purple", "Red",
)  # fmt: skip

Colour = tuple[int, int, int]
Painter = Callable[[tuple[int, int], "_Look", random.Random], Image.Image]

_WORK_SIDE = 512
_FAR_SIDE = 256
_WHITE: Colour = (255, 255, 255)
_BLACK: Colour = (0, 0, 0)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_HUES: dict[str, float] = {
    "red": 0.0, "crimson": 0.97, "cherry": 0.97, "rose": 0.95, "pink": 0.92, "magenta": 0.86,
    "purple": 0.78, "violet": 0.75, "lavender": 0.72, "indigo": 0.68, "navy": 0.63,
    "blue": 0.61, "ocean": 0.58, "sky": 0.57, "sea": 0.56, "water": 0.55, "ice": 0.53,
    "teal": 0.48, "turquoise": 0.47, "mint": 0.42, "green": 0.33, "jungle": 0.31,
    "forest": 0.3, "leaf": 0.28, "grass": 0.27, "lime": 0.22, "olive": 0.17, "yellow": 0.15,
    "lemon": 0.15, "gold": 0.12, "golden": 0.12, "sun": 0.11, "sand": 0.1, "desert": 0.09,
    "wood": 0.08, "brown": 0.07, "coffee": 0.07, "orange": 0.07, "autumn": 0.07,
    "sunset": 0.05, "fire": 0.03, "lava": 0.02,
}  # fmt: skip
_MOODS: dict[str, tuple[float, float]] = {  # saturation and value factors
    "night": (0.8, 0.45), "dark": (0.9, 0.5), "black": (0.4, 0.5), "moody": (0.7, 0.6),
    "noir": (0.0, 0.55), "monochrome": (0.0, 1.0), "gray": (0.1, 1.0), "grey": (0.1, 1.0),
    "pastel": (0.45, 1.1), "soft": (0.6, 1.05), "dreamy": (0.55, 1.1), "white": (0.3, 1.2),
    "neon": (1.4, 1.1), "vivid": (1.3, 1.05), "vibrant": (1.3, 1.05), "bright": (1.1, 1.15),
    "winter": (0.35, 1.1), "snow": (0.25, 1.15), "fog": (0.4, 1.0), "mist": (0.4, 1.0),
    "vintage": (0.55, 0.95), "retro": (0.7, 1.0),
}  # fmt: skip
_SCENE_WORDS: dict[str, frozenset[str]] = {
    "landscape": _word_set(
        "landscape mountain hill valley sea ocean beach lake river forest desert sunset sunrise"
        " sky field meadow island coast canyon skyline horizon snow winter nature scenery"
        " countryside city building town urban street downtown"
    ),
    "subject": _word_set(
        "portrait cat dog person woman man girl boy product bottle cup mug vase flower fruit"
        " apple car robot bird animal character face toy shoe lamp cake still"
    ),
    "abstract": _word_set(
        "abstract pattern geometric shape texture wallpaper background art modern minimal"
        " poster design"
    ),
}
_WATER_WORDS = _word_set("sea ocean lake beach river coast water island")
_CITY_WORDS = _word_set("city skyline building town urban street downtown")
_KNOWN_WORDS = frozenset(_HUES) | frozenset(_MOODS) | frozenset().union(*_SCENE_WORDS.values())
_SCHEMES = (  # hue offsets from the accent of light, base, second and dark
    (0.03, -0.05, 0.1, 0.02),
    (0.0, 0.02, 0.5, 0.03),
    (0.05, 0.0, 0.33, 0.0),
    (0.02, -0.04, 0.58, 0.05),
)
_TONES: dict[str, tuple[float, float, float]] = {  # hue, saturation, value
    "gray": (0.6, 0.05, 0.42),
    "blue": (0.6, 0.75, 0.75),
    "pink": (0.92, 0.55, 0.92),
    "orange": (0.07, 0.85, 0.95),
    "brown": (0.07, 0.6, 0.45),
    "yellow": (0.13, 0.85, 0.9),
    "green": (0.36, 0.7, 0.62),
    "purple": (0.77, 0.6, 0.65),
    "red": (0.0, 0.8, 0.82),
}
_DARK_WORDS = _word_set("dark night luxury premium noir black elegant")
_CHARACTER_WORDS = _word_set(
    "cat dog animal monster character cute face bear fox bird robot owl bunny kid"
)


# Reading a prompt


def _words(prompt: str) -> list[str]:
    """The prompt's words, plurals folded onto the words the tables know."""
    return [
        word[:-1]
        if word not in _KNOWN_WORDS and word.endswith("s") and word[:-1] in _KNOWN_WORDS
        else word
        for word in re.findall(r"[a-z]+", prompt.lower())
    ]


@dataclass(frozen=True)
class _Look:
    """A prompt's palette (light to dark) and the kind of picture it asks for."""

    light: Colour
    base: Colour
    accent: Colour
    second: Colour
    dark: Colour
    scene: str
    water: bool
    city: bool


def _look(prompt: str, seed: int) -> _Look:
    words = _words(prompt)
    hashed = digest("look", normal_words(prompt))
    hues = [_HUES[word] for word in words if word in _HUES]
    hue = _circular_mean(hues) if hues else hashed[0] / 256
    hue += seeded_random("hue", normal_words(prompt), seed).uniform(-0.02, 0.02)
    saturation = 0.5 + hashed[1] / 256 * 0.4
    value = 0.72 + hashed[2] / 256 * 0.22
    for word in words:
        if word in _MOODS:
            saturation *= _MOODS[word][0]
            value *= _MOODS[word][1]
    value = min(value, 1.0)
    light, base, second, dark = _SCHEMES[hashed[3] % len(_SCHEMES)]
    counts = {scene: sum(word in known for word in words) for scene, known in _SCENE_WORDS.items()}
    best = max(counts.values())
    scenes = sorted(scene for scene, count in counts.items() if count == best)
    return _Look(
        light=_hsv(hue + light, saturation * 0.45, min(1.0, value * 1.2)),
        base=_hsv(hue + base, saturation * 0.85, value * 0.88),
        accent=_hsv(hue, saturation * 1.15, value),
        second=_hsv(hue + second, saturation, value * 0.8),
        dark=_hsv(hue + dark, saturation * 0.9, value * 0.3),
        scene=scenes[hashed[4] % len(scenes)],
        water=any(word in _WATER_WORDS for word in words),
        city=any(word in _CITY_WORDS for word in words),
    )


def _circular_mean(hues: Sequence[float]) -> float:
    x = sum(math.cos(2 * math.pi * hue) for hue in hues)
    y = sum(math.sin(2 * math.pi * hue) for hue in hues)
    return (math.atan2(y, x) / (2 * math.pi)) % 1.0


def _hsv(hue: float, saturation: float, value: float) -> Colour:
    red, green, blue = colorsys.hsv_to_rgb(
        hue % 1.0, max(0.0, min(1.0, saturation)), max(0.0, min(1.0, value))
    )
    return round(red * 255), round(green * 255), round(blue * 255)


def _mix(first: Colour, second: Colour, amount: float) -> Colour:
    red, green, blue = (round(a + (b - a) * amount) for a, b in zip(first, second, strict=True))
    return red, green, blue


# Building blocks


def _check_size(width: int, height: int) -> None:
    if not (1 <= width <= MAX_CANVAS_SIDE and 1 <= height <= MAX_CANVAS_SIDE):
        raise ValueError(
            f"the size must be from 1 to {MAX_CANVAS_SIDE} pixels a side, not {width}x{height}"
        )


def _work_size(width: int, height: int) -> tuple[int, int]:
    factor = min(1.0, _WORK_SIDE / max(width, height))
    return max(1, round(width * factor)), max(1, round(height * factor))


def _vertical(size: tuple[int, int], stops: Sequence[tuple[float, Colour]]) -> Image.Image:
    """A top-to-bottom gradient through colour stops at fractions of the height."""
    rows = min(size[1], 128)
    column = bytearray()
    for row in range(rows):
        column.extend(_colour_at(stops, (row + 0.5) / rows))
    return Image.frombytes("RGB", (1, rows), bytes(column)).resize(size, Image.Resampling.BILINEAR)


def _colour_at(stops: Sequence[tuple[float, Colour]], where: float) -> Colour:
    if where <= stops[0][0]:
        return stops[0][1]
    for (start, first), (end, second) in itertools.pairwise(stops):
        if where <= end:
            return _mix(first, second, (where - start) / (end - start) if end > start else 1.0)
    return stops[-1][1]


def _ramp(size: tuple[int, int], angle: float) -> Image.Image:
    """An "L" ramp from 0 to 255 across the image, turned by ``angle`` degrees."""
    width, height = size
    side = math.ceil(math.hypot(width, height)) + 2
    ramp = Image.linear_gradient("L").resize((side, side), Image.Resampling.BILINEAR)
    ramp = ramp.rotate(angle, Image.Resampling.BILINEAR)
    left, top = (side - width) // 2, (side - height) // 2
    return ramp.crop((left, top, left + width, top + height))


def _tilted(size: tuple[int, int], first: Colour, second: Colour, angle: float) -> Image.Image:
    return ImageOps.colorize(_ramp(size, angle), first, second)


@cache
def _radial() -> Image.Image:
    return Image.radial_gradient("L")


def _glow(size: tuple[int, int], centre: tuple[float, float], radius: float) -> Image.Image:
    """An "L" mask: 255 at ``centre``, falling off smoothly to 0 at ``radius``."""
    side = max(2, round(2 * radius))
    spot = ImageOps.invert(_radial().resize((side, side), Image.Resampling.BILINEAR))
    spot = spot.point([round(255 * (value / 255) ** 2) for value in range(256)])
    mask = Image.new("L", size, 0)
    mask.paste(spot, (round(centre[0] - side / 2), round(centre[1] - side / 2)))
    return mask


def _clouds(
    size: tuple[int, int], rng: random.Random, cells: int = 3, octaves: int = 4
) -> Image.Image:
    """Smooth fractal noise as "L": random grids, finer each octave, blown up and blended.

    Each grid is first enlarged four times and blurred, which rounds off the squares a
    separable enlargement of random values would leave.
    """
    width, height = size
    longest = max(width, height)
    clouds: Image.Image | None = None
    for octave in range(octaves):
        count = cells * 2**octave
        grid = (max(2, round(count * width / longest)), max(2, round(count * height / longest)))
        layer = Image.frombytes("L", grid, rng.randbytes(grid[0] * grid[1]))
        layer = layer.resize((grid[0] * 4, grid[1] * 4), Image.Resampling.BICUBIC)
        layer = layer.filter(ImageFilter.GaussianBlur(1.6)).resize(size, Image.Resampling.BILINEAR)
        clouds = layer if clouds is None else Image.blend(clouds, layer, 0.3)
    assert clouds is not None
    return ImageOps.autocontrast(clouds)


def _grain(image: Image.Image, rng: random.Random, amount: int) -> Image.Image:
    """Fine monochrome noise of +-``amount`` levels, as on a photo."""
    noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
    noise = noise.point([value * (2 * amount + 1) // 256 for value in range(256)])
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), 1.0, -amount)


def _vignette(image: Image.Image, strength: float) -> Image.Image:
    edge = _radial().resize(image.size, Image.Resampling.BILINEAR)
    edge = edge.point(
        [round(strength * 255 * max(0.0, value / 255 - 0.45) ** 1.5) for value in range(256)]
    )
    return Image.composite(Image.new("RGB", image.size, _BLACK), image, edge)


def _solid(size: tuple[int, int], colour: Colour) -> Image.Image:
    return Image.new("RGB", size, colour)


def _paint(picture: Image.Image, colour: Colour, mask: Image.Image) -> Image.Image:
    """A copy of ``picture`` with ``colour`` laid on where ``mask`` says, as strongly as it says."""
    result = picture.copy()
    result.paste(colour, mask=mask)
    return result


def _scaled(mask: Image.Image, share: float) -> Image.Image:
    return mask.point([round(value * share) for value in range(256)])


def _soft(mask: Image.Image, radius: float) -> Image.Image:
    return mask.filter(ImageFilter.GaussianBlur(radius)) if radius > 0 else mask


def _smooth_at(values: Sequence[float], where: float) -> float:
    """Cosine interpolation through ``values`` spread evenly over 0..1."""
    position = max(0.0, min(1.0, where)) * (len(values) - 1)
    index = min(int(position), len(values) - 2)
    t = (1 - math.cos((position - index) * math.pi)) / 2
    return values[index] * (1 - t) + values[index + 1] * t


def _flatten(image: Image.Image) -> Image.Image:
    """RGB; see-through parts on white."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (*_WHITE, 255)), rgba).convert(
            "RGB"
        )
    return image.convert("RGB")


# Scenes


def _landscape(size: tuple[int, int], look: _Look, rng: random.Random) -> Image.Image:
    """Sky, a sun with its glow, clouds, ridges fading into haze, water when the words say so."""
    width, height = size
    unit = min(width, height)
    horizon = rng.uniform(0.45, 0.62)
    sky_top = _mix(look.accent, look.dark, 0.3)
    picture = _vertical(size, [(0.0, sky_top), (horizon, look.light), (1.0, look.base)])
    sun = (width * rng.uniform(0.15, 0.85), height * horizon * rng.uniform(0.35, 0.8))
    sun_radius = unit * rng.uniform(0.05, 0.09)
    sun_colour = _mix(look.light, (255, 250, 225), 0.6)
    picture = _paint(
        picture, _mix(look.accent, _WHITE, 0.5), _scaled(_glow(size, sun, sun_radius * 5), 0.6)
    )
    disc = Image.new("L", size, 0)
    ImageDraw.Draw(disc).ellipse(
        (sun[0] - sun_radius, sun[1] - sun_radius, sun[0] + sun_radius, sun[1] + sun_radius), 255
    )
    picture = _paint(picture, sun_colour, _soft(disc, 0.8))
    sky_only = _vertical(size, [(0.0, _WHITE), (horizon * 0.9, _WHITE), (horizon, _BLACK)])
    cloud_mask = _clouds(size, rng).point(
        [min(255, max(0, value - 130) * 3) for value in range(256)]
    )
    cloud_mask = ImageChops.multiply(cloud_mask, sky_only.convert("L"))
    picture = _paint(picture, _mix(look.light, _WHITE, 0.6), _scaled(cloud_mask, 0.75))

    horizon_y = round(height * horizon)
    layers = 2 if look.water else rng.randint(3, 4)
    texture = _clouds(size, rng, cells=6, octaves=3)
    land = Image.new("L", size, 0)
    haze = _mix(look.light, look.base, 0.5)
    near = _mix(look.second, look.dark, 0.55)
    for layer in range(layers):
        depth = layer / max(1, layers - 1)
        if look.water:
            baseline = horizon_y + 1.0
            amplitude = height * (0.18 - 0.08 * depth) * rng.uniform(0.6, 1.1)
        else:
            baseline = height * (horizon + depth * (1 - horizon) * 0.55) + 1
            amplitude = height * 0.22 * (1 - 0.6 * depth) * rng.uniform(0.6, 1.1)
        if look.city and layer > 0:
            outline = _skyline(width, height, rng, baseline, amplitude * 1.6)
        else:
            roughness = 0.3 * (1 - depth) + 0.06
            outline = _ridge(width, height, rng, baseline, amplitude, roughness)
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).polygon(outline, 255)
        mask = mask.filter(ImageFilter.BoxBlur(1.5 * (1 - depth) + 0.5))
        picture.paste(_mix(haze, near, (layer + 1) / layers), mask=mask)
        land = ImageChops.lighter(land, mask)
    shade = ImageChops.darker(land, _scaled(texture, 0.45))
    picture = Image.composite(ImageEnhance.Brightness(picture).enhance(0.75), picture, shade)
    if look.water:
        picture = _water(picture, horizon_y, look, rng)
    return picture


def _ridge(
    width: int, height: int, rng: random.Random, baseline: float, amplitude: float, roughness: float
) -> list[tuple[float, float]]:
    """The outline of one ridge as a polygon closed along the bottom of the picture."""
    broad = [rng.uniform(0.0, 1.0) for _ in range(rng.randint(4, 9))]
    fine = [rng.uniform(-1.0, 1.0) for _ in range(rng.randint(18, 30))]
    step = max(2, width // 128)
    outline = [(0.0, float(height))]
    for x in range(0, width + step, step):
        where = x / width
        rise = amplitude * (_smooth_at(broad, where) + roughness * _smooth_at(fine, where))
        outline.append((float(x), baseline - rise))
    outline.append((float(width), float(height)))
    return outline


def _skyline(
    width: int, height: int, rng: random.Random, baseline: float, amplitude: float
) -> list[tuple[float, float]]:
    """The outline of a row of buildings of random widths and heights."""
    outline = [(0.0, float(height))]
    x = 0.0
    while x < width:
        top = baseline - amplitude * rng.uniform(0.2, 1.0)
        step = width * rng.uniform(0.03, 0.09)
        outline += [(x, top), (x + step, top)]
        x += step
    outline.append((float(width), float(height)))
    return outline


def _water(picture: Image.Image, horizon_y: int, look: _Look, rng: random.Random) -> Image.Image:
    """Below the horizon: the sky mirrored, smeared along the ripples, tinted as water."""
    width, height = picture.size
    depth = height - horizon_y
    if depth < 2 or horizon_y < 2:
        return picture
    source = picture.crop((0, max(0, horizon_y - depth), width, horizon_y))
    reflection = source.transpose(Image.Transpose.FLIP_TOP_BOTTOM).resize((width, depth))
    reflection = reflection.filter(ImageFilter.BoxBlur((max(1, width // 60), 1)))
    water_colour = _tilted((width, depth), _mix(look.second, look.dark, 0.3), look.dark, 0)
    reflection = Image.blend(reflection, water_colour, 0.45)
    draw = ImageDraw.Draw(reflection, "RGBA")
    for _ in range(rng.randint(20, 40)):
        y = depth * rng.random() ** 1.5
        x = width * rng.random()
        length = width * rng.uniform(0.02, 0.12) * (0.3 + y / depth)
        draw.line((x, y, x + length, y), fill=(*_mix(look.light, _WHITE, 0.5), 90), width=1)
    result = picture.copy()
    result.paste(reflection, (0, horizon_y))
    return result


def _still_life(size: tuple[int, int], look: _Look, rng: random.Random) -> Image.Image:
    """One object on a floor in front of a lit backdrop, with its shadow and a highlight."""
    width, height = size
    unit = min(width, height)
    floor = rng.uniform(0.62, 0.74)
    wall = _mix(look.light, look.base, 0.25)
    picture = _vertical(
        size,
        [
            (0.0, _mix(wall, look.base, 0.5)),
            (floor, wall),
            (floor + 0.002, _mix(look.base, look.dark, 0.3)),
            (1.0, _mix(look.base, look.dark, 0.7)),
        ],
    )
    centre_x = width * rng.uniform(0.38, 0.62)
    ground = height * floor + unit * 0.05
    scale = unit * rng.uniform(0.17, 0.26)
    light_spot = _glow(size, (centre_x, ground - 2 * scale), scale * 4)
    picture = _paint(picture, _mix(look.light, _WHITE, 0.5), _scaled(light_spot, 0.5))
    shading = _ramp(size, rng.uniform(20, 70))
    extras = [
        (width * rng.uniform(0.08, 0.3), rng.uniform(0.25, 0.4)),
        (width * rng.uniform(0.7, 0.92), rng.uniform(0.2, 0.35)),
    ]
    for x, share in extras[: rng.randint(0, 2)]:
        picture = _object(picture, shading, (x, ground), scale * share, "orb", look.second)
    kind = ("orb", "vase", "stack", "flower", "block")[rng.randrange(5)]
    return _object(picture, shading, (centre_x, ground), scale, kind, look.accent)


def _object(
    picture: Image.Image,
    shading: Image.Image,
    foot: tuple[float, float],
    scale: float,
    kind: str,
    colour: Colour,
) -> Image.Image:
    size = picture.size
    x, ground = foot
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).ellipse(
        (x - scale * 1.1, ground - scale * 0.15, x + scale * 1.1, ground + scale * 0.15), 255
    )
    picture = _paint(picture, _BLACK, _scaled(_soft(shadow, scale * 0.12), 0.45))
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    top = ground - scale * 2
    if kind == "orb":
        draw.ellipse((x - scale, ground - 2 * scale, x + scale, ground), 255)
    elif kind == "vase":
        draw.ellipse((x - scale * 0.85, ground - scale * 1.7, x + scale * 0.85, ground), 255)
        draw.rectangle(
            (x - scale * 0.3, ground - scale * 2.4, x + scale * 0.3, ground - scale * 1.2), 255
        )
        draw.ellipse(
            (x - scale * 0.45, ground - scale * 2.55, x + scale * 0.45, ground - scale * 2.3), 255
        )
        top = ground - scale * 2.5
    elif kind == "stack":
        bottom = ground
        for radius in (scale * 0.55, scale * 0.4, scale * 0.28):
            draw.ellipse((x - radius, bottom - 2 * radius, x + radius, bottom), 255)
            bottom -= 1.75 * radius
        top = bottom
    elif kind == "flower":
        head_y = ground - scale * 2.4
        draw.line((x, ground, x, head_y), fill=255, width=max(1, round(scale * 0.12)))
        petals = 7
        for petal in range(petals):
            angle = 2 * math.pi * petal / petals
            px, py = x + math.cos(angle) * scale * 0.55, head_y + math.sin(angle) * scale * 0.55
            draw.ellipse(
                (px - scale * 0.38, py - scale * 0.38, px + scale * 0.38, py + scale * 0.38), 255
            )
        top = head_y - scale
    else:
        draw.rounded_rectangle(
            (x - scale * 0.7, ground - scale * 1.9, x + scale * 0.7, ground),
            radius=scale * 0.2,
            fill=255,
        )
    mask = _soft(mask, 0.7)
    body = ImageOps.colorize(
        shading, _mix(colour, _WHITE, 0.35), _mix(colour, _BLACK, 0.45), colour
    )
    picture = Image.composite(body, picture, mask)
    highlight = _glow(size, (x - scale * 0.35, top + scale * 0.55), scale * 0.5)
    return _paint(picture, _WHITE, _scaled(ImageChops.darker(highlight, mask), 0.55))


def _abstract(size: tuple[int, int], look: _Look, rng: random.Random) -> Image.Image:
    """A tilted gradient, a blurred far layer of big shapes and a sharp near layer of small ones."""
    width, height = size
    unit = min(width, height)
    picture = _tilted(size, look.light, look.base, rng.uniform(0, 360))
    picture = Image.blend(
        picture, ImageChops.soft_light(picture, _clouds(size, rng).convert("RGB")), 0.6
    )
    colours = (look.accent, look.second, look.dark, look.light, look.base)
    for far in (True, False):
        layer = Image.new("RGBA", size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        count = rng.randint(3, 6) if far else rng.randint(5, 10)
        for _ in range(count):
            colour = colours[rng.randrange(3 if far else 5)]
            alpha = rng.randint(110, 190) if far else rng.randint(190, 255)
            extent = unit * (rng.uniform(0.2, 0.45) if far else rng.uniform(0.05, 0.18))
            _shape(
                draw, rng, (rng.uniform(0, width), rng.uniform(0, height)), extent, (*colour, alpha)
            )
        layer = layer.filter(ImageFilter.GaussianBlur(unit * 0.025 if far else 0.6))
        picture = Image.alpha_composite(picture.convert("RGBA"), layer).convert("RGB")
    return picture


def _shape(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    extent: float,
    fill: tuple[int, int, int, int],
) -> None:
    x, y = centre
    kind = rng.randrange(6)
    box = (x - extent, y - extent, x + extent, y + extent)
    if kind == 0:
        draw.ellipse(box, fill=fill)
    elif kind == 1:
        draw.ellipse(box, outline=fill, width=max(1, round(extent * 0.25)))
    elif kind in (2, 3):
        sides = 3 if kind == 2 else 4
        turn = rng.uniform(0, 2 * math.pi)
        draw.polygon(
            [
                (
                    x + extent * math.cos(turn + 2 * math.pi * i / sides),
                    y + extent * math.sin(turn + 2 * math.pi * i / sides),
                )
                for i in range(sides)
            ],
            fill=fill,
        )
    elif kind == 4:
        turn = rng.uniform(0, math.pi)
        dx, dy = math.cos(turn) * extent * 2.5, math.sin(turn) * extent * 2.5
        draw.line((x - dx, y - dy, x + dx, y + dy), fill=fill, width=max(1, round(extent * 0.35)))
    else:
        step = max(2.0, extent * 0.4)
        radius = step * 0.22
        for row in range(4):
            for column in range(4):
                cx, cy = x - extent + column * step, y - extent + row * step
                draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)


_PAINTERS: dict[str, Painter] = {
    "landscape": _landscape,
    "subject": _still_life,
    "abstract": _abstract,
}


# Text to image


def generate_image(prompt: str, *, width: int, height: int, seed: int) -> Image.Image:
    """An RGB picture for ``prompt``: palette and composition from the prompt, variation from
    ``seed`` (the n-th image of one request uses seed + n)."""
    return _picture(prompt, width, height, seed, grain=True)


def _picture(prompt: str, width: int, height: int, seed: int, *, grain: bool) -> Image.Image:
    _check_size(width, height)
    look = _look(prompt, seed)
    rng = seeded_random("image", normal_words(prompt), seed)
    picture = _vignette(_PAINTERS[look.scene](_work_size(width, height), look, rng), 0.5)
    if grain:
        picture = _grain(picture, rng, 4)
    if picture.size != (width, height):
        picture = picture.resize((width, height), Image.Resampling.BICUBIC)
    return picture


def generate_sticker(prompt: str, *, width: int, height: int, seed: int) -> Image.Image:
    """An RGBA sticker: one subject on a transparent background, with a white outline.

    The subject is drawn in a square as big as the shorter side (at no less than 64 pixels,
    then resized) and centred, so that any shape of canvas gets the whole of it.
    """
    _check_size(width, height)
    look = _look(prompt, seed)
    rng = seeded_random("sticker", normal_words(prompt), seed)
    side = min(width, height)
    work = max(64, min(side, _WORK_SIDE))
    size = (work, work)
    outline = max(3.0, work * 0.045)
    centre = (work / 2, work / 2)
    reach = work / 2 - outline * 2.6 - 2
    character = bool(set(_words(prompt)) & _CHARACTER_WORDS) or rng.random() < 0.25
    mask = Image.new("L", size, 0)
    _sticker_shape(ImageDraw.Draw(mask), rng, centre, reach, character)
    mask = _soft(mask, 0.7)
    fill = _tilted(
        size,
        _mix(look.accent, _WHITE, 0.3),
        _mix(look.accent, look.dark, 0.35),
        rng.uniform(30, 80),
    )
    fill = _sticker_details(fill, rng, centre, reach, look, character)
    inside = mask.filter(ImageFilter.BoxBlur(2)).point([0] * 255 + [255])
    fill = _paint(fill, _mix(look.accent, _BLACK, 0.55), ImageChops.subtract(mask, inside))
    shine = _glow(size, (centre[0] - reach * 0.35, centre[1] - reach * 0.4), reach * 0.45)
    fill = _paint(fill, _WHITE, _scaled(ImageChops.darker(shine, mask), 0.45))
    border = _soft(mask, outline * 0.6).point([255 if value > 1 else 0 for value in range(256)])
    border = ImageChops.lighter(_soft(border, 0.8), mask)
    subject = Image.new("RGBA", size, (*_WHITE, 0))
    subject.putalpha(border)
    drawn = fill.convert("RGBA")
    drawn.putalpha(mask)
    subject = Image.alpha_composite(subject, drawn)
    if work != side:
        subject = subject.resize((side, side), Image.Resampling.LANCZOS)
    sticker = Image.new("RGBA", (width, height), (*_WHITE, 0))
    sticker.paste(subject, ((width - side) // 2, (height - side) // 2))
    return sticker


def _sticker_shape(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    reach: float,
    character: bool,
) -> None:
    x, y = centre
    if character:
        ear = reach * 0.32
        for side in (-1, 1):
            ex = x + side * reach * 0.55
            draw.ellipse((ex - ear, y - reach * 0.9, ex + ear, y - reach * 0.9 + 2 * ear), 255)
        draw.ellipse((x - reach * 0.85, y - reach * 0.6, x + reach * 0.85, y + reach * 0.95), 255)
        return
    kind = rng.randrange(4)
    if kind == 0:
        points = rng.choice((5, 6, 8))
        turn = -math.pi / 2
        star = [
            (
                x + (reach if i % 2 == 0 else reach * 0.5) * math.cos(turn + math.pi * i / points),
                y + (reach if i % 2 == 0 else reach * 0.5) * math.sin(turn + math.pi * i / points),
            )
            for i in range(2 * points)
        ]
        draw.polygon(star, 255)
    elif kind == 1:
        lobe = reach * 0.5
        draw.ellipse((x - 2 * lobe, y - reach * 0.75, x, y - reach * 0.75 + 2 * lobe), 255)
        draw.ellipse((x, y - reach * 0.75, x + 2 * lobe, y - reach * 0.75 + 2 * lobe), 255)
        draw.polygon(
            [
                (x - reach * 0.97, y - reach * 0.15),
                (x + reach * 0.97, y - reach * 0.15),
                (x, y + reach),
            ],
            255,
        )
    elif kind == 2:
        for _ in range(rng.randint(4, 6)):
            radius = reach * rng.uniform(0.35, 0.5)
            angle = rng.uniform(0, 2 * math.pi)
            distance = reach - radius
            cx, cy = x + math.cos(angle) * distance * 0.8, y + math.sin(angle) * distance * 0.8
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), 255)
        draw.ellipse((x - reach * 0.55, y - reach * 0.55, x + reach * 0.55, y + reach * 0.55), 255)
    else:
        draw.rounded_rectangle(
            (x - reach * 0.8, y - reach * 0.95, x + reach * 0.8, y + reach * 0.95),
            radius=reach * 0.35,
            fill=255,
        )


def _sticker_details(
    fill: Image.Image,
    rng: random.Random,
    centre: tuple[float, float],
    reach: float,
    look: _Look,
    character: bool,
) -> Image.Image:
    draw = ImageDraw.Draw(fill, "RGBA")
    x, y = centre
    if character:
        for side in (-1, 1):
            ex, ey = x + side * reach * 0.32, y + reach * 0.05
            eye = reach * 0.12
            draw.ellipse((ex - eye, ey - eye, ex + eye, ey + eye), fill=(20, 20, 28, 255))
            glint = eye * 0.35
            draw.ellipse(
                (
                    ex - glint - eye * 0.3,
                    ey - glint - eye * 0.3,
                    ex + glint - eye * 0.3,
                    ey + glint - eye * 0.3,
                ),
                fill=(255, 255, 255, 255),
            )
            cheek = (x + side * reach * 0.55, y + reach * 0.35)
            draw.ellipse(
                (cheek[0] - eye, cheek[1] - eye * 0.6, cheek[0] + eye, cheek[1] + eye * 0.6),
                fill=(255, 120, 140, 120),
            )
        mouth = reach * 0.18
        draw.arc(
            (x - mouth, y + reach * 0.2, x + mouth, y + reach * 0.2 + mouth * 1.2),
            20,
            160,
            fill=(20, 20, 28, 255),
            width=max(1, round(reach * 0.04)),
        )
        return fill
    for _ in range(rng.randint(3, 7)):
        radius = reach * rng.uniform(0.05, 0.14)
        angle = rng.uniform(0, 2 * math.pi)
        distance = reach * rng.uniform(0.0, 0.5)
        cx, cy = x + math.cos(angle) * distance, y + math.sin(angle) * distance
        draw.ellipse(
            (cx - radius, cy - radius, cx + radius, cy + radius),
            fill=(*_mix(look.second, _WHITE, 0.2), 200),
        )
    return fill


def laser_engraving(
    prompt: str,
    *,
    width: int,
    height: int,
    seed: int,
    engrave_color: tuple[int, int, int, int],
    background_color: tuple[int, int, int, int],
) -> Image.Image:
    """A two-colour line drawing for ``prompt``: engrave colour on the background colour.

    The lines are the picture's edges, with horizontal hatching in its darker half, denser in
    the darkest quarter, as engravers shade. The result is "RGBA" holding exactly the two
    colours.
    """
    _check_size(width, height)
    size = (width, height)
    picture = _picture(prompt, width, height, seed, grain=False)
    unit = min(size)
    grey = ImageOps.autocontrast(picture.convert("L"), cutoff=1)
    smooth = grey.filter(ImageFilter.BoxBlur(max(0.5, unit / 512)))
    steps = ImageChops.subtract(
        smooth.filter(ImageFilter.MaxFilter(3)), smooth.filter(ImageFilter.MinFilter(3))
    )
    lines = steps.point([255 if value >= 18 else 0 for value in range(256)])
    grey = ImageOps.equalize(grey)
    period = max(3, unit // 96)
    for limit, spacing in ((128, 2 * period), (64, period)):
        dark = grey.point([255 if value < limit else 0 for value in range(256)])
        lines = ImageChops.lighter(lines, ImageChops.darker(dark, _stripes(size, spacing)))
    return Image.composite(
        Image.new("RGBA", size, engrave_color), Image.new("RGBA", size, background_color), lines
    )


def _stripes(size: tuple[int, int], spacing: int) -> Image.Image:
    thickness = max(1, spacing // 3)
    column = bytes(255 if row % spacing < thickness else 0 for row in range(size[1]))
    return Image.frombytes("L", (1, size[1]), column).resize(size, Image.Resampling.NEAREST)


def engraving_svg(
    image: Image.Image,
    engrave_color: tuple[int, int, int, int],
    background_color: tuple[int, int, int, int],
) -> bytes:
    """A real SVG document tracing a two-colour ``image`` (what format=SVG returns).

    Each pixel goes to the nearer of the two colours; the engraved pixels become rectangles,
    runs along a row merged with identical runs in the rows below, all in one path.
    """
    rgba = image.convert("RGBA")
    to_engrave = _channel_distance(rgba, engrave_color)
    to_background = _channel_distance(rgba, background_color)
    engraved = ImageChops.subtract(to_background, to_engrave).point([0] + [255] * 255)
    width, height = rgba.size
    data = engraved.tobytes()
    pattern = re.compile(b"\xff+")
    open_runs: dict[tuple[int, int], int] = {}
    segments: list[str] = []
    for row in range(height + 1):
        current: dict[tuple[int, int], int] = {}
        if row < height:
            offset = row * width
            for match in pattern.finditer(data, offset, offset + width):
                run = (match.start() - offset, match.end() - offset)
                current[run] = open_runs.pop(run, row)
        for (start, end), first in open_runs.items():
            segments.append(f"M{start} {first}h{end - start}v{row - first}h{start - end}z")
        open_runs = current
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">\n',
    ]
    if background_color[3] > 0:
        parts.append(f'<rect width="{width}" height="{height}"{_svg_fill(background_color)}/>\n')
    if segments:
        parts.append(f'<path{_svg_fill(engrave_color)} d="{"".join(segments)}"/>\n')
    parts.append("</svg>\n")
    return "".join(parts).encode("utf-8")


def _channel_distance(rgba: Image.Image, colour: tuple[int, int, int, int]) -> Image.Image:
    channels = ImageChops.difference(rgba, Image.new("RGBA", rgba.size, colour)).split()
    distance = channels[0]
    for channel in channels[1:]:
        distance = ImageChops.lighter(distance, channel)
    return distance


def _svg_fill(colour: tuple[int, int, int, int]) -> str:
    red, green, blue, alpha = colour
    text = f' fill="#{red:02x}{green:02x}{blue:02x}"'
    if alpha < 255:
        text += f' fill-opacity="{alpha / 255:.3f}"'
    return text


def generate_logo(
    brand_name: str,
    business_description: str,
    *,
    color_tone: str,
    logo_description: str | None,
    reference: Image.Image | None,
    size: int,
    seed: int,
) -> Image.Image:
    """A square RGB logo: a mark from the descriptions (and the reference's colours when given)
    in ``color_tone`` (Auto picks from the description), with the brand name written under it."""
    _check_size(size, size)
    tone = {name.lower(): name for name in COLOR_TONES}.get(color_tone.strip().lower())
    if tone is None:
        raise ValueError(f"color_tone must be one of {', '.join(COLOR_TONES)}, not {color_tone!r}")
    description = f"{business_description} {logo_description or ''}"
    primary, secondary = _logo_colours(tone, description, reference, seed)
    dark_background = bool(set(_words(description)) & _DARK_WORDS)
    background = _mix(primary, _BLACK, 0.85) if dark_background else _mix(primary, _WHITE, 0.92)
    text_colour = _mix(primary, _WHITE, 0.8) if dark_background else _mix(primary, _BLACK, 0.55)
    rng = seeded_random("logo", brand_name, normal_words(description), seed)
    supersample = 2 if size <= 1024 else 1
    side = size * supersample
    logo = Image.new("RGB", (side, side), background)
    draw = ImageDraw.Draw(logo)
    centre = (side / 2, side * 0.4)
    radius = side * 0.24
    filled = _logo_mark(draw, rng, centre, radius, primary)
    arc = radius * 1.18
    start = rng.uniform(0, 360)
    draw.arc(
        (centre[0] - arc, centre[1] - arc, centre[0] + arc, centre[1] + arc),
        start,
        start + rng.uniform(70, 140),
        fill=secondary,
        width=max(1, round(side * 0.022)),
    )
    initials = "".join(word[0] for word in brand_name.split()[:2]).upper() or "?"
    letter_colour = background if filled else primary
    _centred_text(
        draw,
        initials,
        centre,
        radius * (1.0 if len(initials) == 1 else 0.8),
        radius * 1.3,
        letter_colour,
    )
    name = " ".join(brand_name.split()) or "Brand"
    _centred_text(draw, name, (side / 2, side * 0.8), side * 0.11, side * 0.86, text_colour)
    return logo.reduce(supersample) if supersample > 1 else logo


def _logo_colours(
    tone: str, description: str, reference: Image.Image | None, seed: int
) -> tuple[Colour, Colour]:
    found = _dominant_colours(reference) if reference is not None else []
    look = _look(description, seed)
    if tone != "Auto":
        hue, saturation, value = _TONES[tone.lower()]
        primary = _hsv(hue, saturation, value)
        secondary = found[0] if found else _hsv(hue + 0.08, saturation * 0.8, min(1.0, value * 1.1))
        return primary, secondary
    if found:
        return found[0], found[1] if len(found) > 1 else look.second
    return look.accent, look.second


def _dominant_colours(reference: Image.Image) -> list[Colour]:
    """The reference's main colours, the most colourful and common first."""
    small = _flatten(reference).resize((64, 64), Image.Resampling.BILINEAR)
    quantized = small.quantize(5)
    palette = quantized.getpalette() or []
    scored = []
    for index, count in enumerate(quantized.histogram()[: len(palette) // 3]):
        if not count:
            continue
        red, green, blue = palette[3 * index : 3 * index + 3]
        _, saturation, value = colorsys.rgb_to_hsv(red / 255, green / 255, blue / 255)
        scored.append((count * (0.2 + saturation) * (0.3 + value), (red, green, blue)))
    return [colour for _, colour in sorted(scored, reverse=True)]


def _logo_mark(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    centre: tuple[float, float],
    radius: float,
    colour: Colour,
) -> bool:
    """Draws the mark; True when it is filled (the initials then go on it in the background's
    colour)."""
    x, y = centre
    box = (x - radius, y - radius, x + radius, y + radius)
    kind = rng.randrange(6)
    if kind == 0:
        draw.ellipse(box, fill=colour)
    elif kind == 1:
        draw.rounded_rectangle(box, radius=radius * 0.3, fill=colour)
    elif kind == 2:
        draw.regular_polygon((x, y, radius * 1.05), 6, rotation=30, fill=colour)
    elif kind == 3:
        top, shoulder, tip = y - radius * 0.9, y + radius * 0.1, y + radius * 1.1
        shield = [(x - radius, top), (x + radius, top), (x + radius, shoulder), (x, tip)]
        draw.polygon([*shield, (x - radius, shoulder)], fill=colour)
    elif kind == 4:
        draw.regular_polygon((x, y, radius * 1.15), 4, fill=colour)
    else:
        draw.ellipse(box, outline=colour, width=max(1, round(radius * 0.14)))
        return False
    return True


def _centred_text(
    draw: ImageDraw.ImageDraw,
    text: str,
    centre: tuple[float, float],
    height: float,
    max_width: float,
    colour: Colour,
) -> None:
    """``text`` in the default font, as tall as ``height`` unless that would be too wide."""
    size = max(6.0, height)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    if right - left > max_width:
        size = max(6.0, size * max_width / (right - left))
        font = ImageFont.load_default(size=size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    position = (centre[0] - (left + right) / 2, centre[1] - (top + bottom) / 2)
    draw.text(position, text, fill=colour, font=font)


# Image to image


def edit_with_prompt(image: Image.Image, prompt: str, *, seed: int) -> Image.Image:
    """The image changed the way the prompt's words suggest (colour grade, mood, texture).

    Words such as vintage, black and white, warm, cold, vivid, dark, dreamy, sketch, painting,
    cartoon and grain pick the edits; every prompt also grades the image towards its own
    palette, so any prompt changes it. Alpha, when present, is kept.
    """
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    picture = _flatten(image)
    words = set(_words(prompt))
    if {"black", "white"} <= words:
        words.add("monochrome")
    look = _look(prompt, seed)
    rng = seeded_random("edit", normal_words(prompt), seed)
    for names, effect in _EDITS:
        if words & names:
            picture = effect(picture, look)
    grade = ImageOps.colorize(
        picture.convert("L"),
        _mix(look.dark, _BLACK, 0.3),
        _mix(look.light, _WHITE, 0.3),
        look.accent,
    )
    picture = Image.blend(picture, grade, 0.2 + 0.1 * rng.random())
    if words & {"grain", "film", "noise", "analog"}:
        picture = _grain(picture, rng, 14)
    if alpha is not None:
        picture = picture.convert("RGBA")
        picture.putalpha(alpha)
    return picture


def _sepia(picture: Image.Image, look: _Look) -> Image.Image:
    toned = ImageOps.colorize(picture.convert("L"), (40, 26, 14), (250, 236, 205), (160, 118, 76))
    return _vignette(ImageEnhance.Contrast(toned).enhance(0.9), 0.8)


def _grey(picture: Image.Image, look: _Look) -> Image.Image:
    return ImageOps.autocontrast(picture.convert("L"), cutoff=1).convert("RGB")


def _tint(colour: Colour, amount: float) -> Callable[[Image.Image, _Look], Image.Image]:
    def tint(picture: Image.Image, look: _Look) -> Image.Image:
        return Image.blend(
            picture, ImageChops.multiply(picture, _solid(picture.size, colour)), amount
        )

    return tint


def _vivid(picture: Image.Image, look: _Look) -> Image.Image:
    return ImageEnhance.Contrast(ImageEnhance.Color(picture).enhance(1.6)).enhance(1.15)


def _moody(picture: Image.Image, look: _Look) -> Image.Image:
    darker = ImageEnhance.Brightness(picture).enhance(0.72)
    return _vignette(ImageEnhance.Contrast(darker).enhance(1.3), 1.0)


def _dreamy(picture: Image.Image, look: _Look) -> Image.Image:
    glow = picture.filter(ImageFilter.GaussianBlur(max(2, min(picture.size) // 40)))
    return ImageEnhance.Color(
        ImageChops.screen(picture, Image.blend(_solid(picture.size, _BLACK), glow, 0.55))
    ).enhance(0.8)


def _sketch(picture: Image.Image, look: _Look) -> Image.Image:
    grey = picture.convert("L")
    lines = ImageOps.invert(grey.filter(ImageFilter.GaussianBlur(1)).filter(ImageFilter.FIND_EDGES))
    paper = ImageOps.autocontrast(ImageChops.multiply(lines, lines), cutoff=1)
    return Image.blend(paper.convert("RGB"), _solid(picture.size, (245, 240, 228)), 0.15)


def _painting(picture: Image.Image, look: _Look) -> Image.Image:
    small = picture.reduce(2) if min(picture.size) >= 64 else picture
    strokes = small.filter(ImageFilter.SMOOTH_MORE).filter(ImageFilter.MedianFilter(3))
    return ImageOps.posterize(strokes.resize(picture.size, Image.Resampling.BICUBIC), 5)


def _cartoon(picture: Image.Image, look: _Look) -> Image.Image:
    flat = ImageOps.posterize(picture.filter(ImageFilter.SMOOTH_MORE), 3)
    edges = picture.convert("L").filter(ImageFilter.GaussianBlur(1)).filter(ImageFilter.FIND_EDGES)
    ink = edges.point([255 if value > 28 else 0 for value in range(256)])
    return _paint(ImageEnhance.Color(flat).enhance(1.3), (25, 25, 30), ink)


_EDITS: tuple[tuple[frozenset[str], Callable[[Image.Image, _Look], Image.Image]], ...] = (
    (frozenset({"sketch", "pencil", "drawing", "lineart"}), _sketch),
    (
        frozenset({"painting", "paint", "oil", "watercolor", "watercolour", "impressionist"}),
        _painting,
    ),
    (frozenset({"cartoon", "comic", "anime", "pop"}), _cartoon),
    (frozenset({"vintage", "retro", "sepia", "old", "antique"}), _sepia),
    (frozenset({"monochrome", "noir", "grayscale", "greyscale", "bw"}), _grey),
    (frozenset({"warm", "sunset", "golden", "summer", "cozy"}), _tint((255, 214, 160), 0.5)),
    (
        frozenset({"cold", "cool", "winter", "ice", "icy", "night", "blue"}),
        _tint((170, 200, 255), 0.5),
    ),
    (frozenset({"vivid", "vibrant", "neon", "colorful", "colourful", "bright"}), _vivid),
    (frozenset({"dark", "moody", "dramatic", "gloomy", "horror"}), _moody),
    (frozenset({"dream", "dreamy", "soft", "haze", "hazy", "glow", "ethereal"}), _dreamy),
)


def _hole(image: Image.Image, mask: Image.Image | None, *, outside: bool = False) -> Image.Image:
    """The area to fill as a 0/255 "L" mask the image's size: white in ``mask`` (transparent
    parts of a mask count as black), else the image's transparent area."""
    if mask is None:
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            hole = image.convert("RGBA").getchannel("A").point([255] * 128 + [0] * 128)
        else:
            hole = Image.new("L", image.size, 0)
    else:
        if mask.mode in ("RGBA", "LA", "PA") or "transparency" in mask.info:
            rgba = mask.convert("RGBA")
            grey = Image.alpha_composite(
                Image.new("RGBA", rgba.size, (0, 0, 0, 255)), rgba
            ).convert("L")
        else:
            grey = mask.convert("L")
        if grey.size != image.size:
            grey = grey.resize(image.size, Image.Resampling.BILINEAR)
        hole = grey.point([0] * 128 + [255] * 128)
    return ImageOps.invert(hole) if outside else hole


def _fill_from_surroundings(picture: Image.Image, hole: Image.Image) -> Image.Image | None:
    """The picture with its hole filled by push-pull diffusion, or None when nothing is known.

    Pull: the known pixels are averaged down a pyramid of halvings (Pillow reduces "RGBA" with
    premultiplied alpha, so unknown pixels do not count) until the coarsest level has no gaps.
    Push: from the coarsest level up, each level's gaps take the enlarged coarser level. The
    result is then smoothed inside the hole, the more the deeper in it a pixel lies.
    """
    level = picture.convert("RGBA")
    level.putalpha(ImageOps.invert(hole))
    levels = [level]
    while level.getchannel("A").getextrema()[0] == 0:
        if level.size == (1, 1):
            return None
        level = level.reduce((2 if level.width > 1 else 1, 2 if level.height > 1 else 1))
        level.putalpha(level.getchannel("A").point([0] + [255] * 255))
        levels.append(level)
    filled = levels[-1].convert("RGB")
    for finer in reversed(levels[:-1]):
        grown = filled.resize(finer.size, Image.Resampling.BILINEAR)
        filled = Image.composite(finer.convert("RGB"), grown, finer.getchannel("A"))
    if min(filled.size) < 8:
        return filled
    smooth = filled.reduce(2).filter(ImageFilter.GaussianBlur(2))
    return Image.composite(
        smooth.resize(filled.size, Image.Resampling.BILINEAR), filled, _depth(hole)
    )


def _depth(hole: Image.Image) -> Image.Image:
    """How deep in the hole each pixel is: 0 at and outside its edge, 255 a few pixels in."""
    reach = max(2, min(hole.size) // 40)
    inner = hole.filter(ImageFilter.BoxBlur(reach)).point(
        [max(0, min(255, (value - 127) * 2)) for value in range(256)]
    )
    return ImageChops.darker(hole, inner)


def _around(hole: Image.Image) -> tuple[int, int, int, int]:
    """The hole's bounding box with a margin of known pixels to fill it from."""
    box = hole.getbbox()
    assert box is not None
    left, top, right, bottom = box
    margin = max(8, (right - left + bottom - top) // 8)
    return (
        max(0, left - margin),
        max(0, top - margin),
        min(hole.width, right + margin),
        min(hole.height, bottom + margin),
    )


def _patch(
    picture: Image.Image, hole: Image.Image, work: Callable[[Image.Image, Image.Image], Image.Image]
) -> Image.Image:
    """``picture`` with ``work`` (given a crop round the hole and the hole there) pasted back
    through the hole, so no pixel outside it changes. Work on a crop is cheaper than on the
    whole picture when the hole is small."""
    box = _around(hole)
    hole_part = hole.crop(box)
    result = picture.copy()
    result.paste(work(picture.crop(box), hole_part), box[:2], hole_part)
    return result


def inpaint(
    image: Image.Image,
    mask: Image.Image | None,
    prompt: str,
    *,
    seed: int,
    outside: bool = False,
) -> Image.Image:
    """Fill the masked area (white in ``mask``; without a mask, the image's transparent area)
    from its surroundings plus prompt-coloured texture; ``outside`` fills the rest instead
    (outpainting). The result is RGB, the image's size; unmasked pixels are unchanged."""
    picture = _flatten(image) if mask is not None else image.convert("RGB")
    hole = _hole(image, mask, outside=outside)
    if hole.getbbox() is None:
        return picture.copy()
    if hole.getextrema() == (255, 255):
        return generate_image(prompt, width=picture.width, height=picture.height, seed=seed)
    look = _look(prompt, seed)
    rng = seeded_random("inpaint", normal_words(prompt), seed)

    def fill(part: Image.Image, part_hole: Image.Image) -> Image.Image:
        filled = _fill_from_surroundings(part, part_hole)
        assert filled is not None  # the box's margin holds known pixels
        clouds = _clouds(_work_size(*part.size), rng, cells=4, octaves=4)
        texture = ImageOps.colorize(clouds, look.dark, look.light, look.accent)
        texture = texture.resize(part.size, Image.Resampling.BILINEAR)
        textured = Image.blend(filled, ImageChops.soft_light(filled, texture), 0.7)
        textured = Image.blend(textured, texture, 0.18)
        return Image.composite(textured, filled, _depth(part_hole))

    return _patch(picture, hole, fill)


def remove_object(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The masked object gone: its area filled from the surroundings only (no prompt).

    A two-pixel ring round the mask is left out of what the fill reads, so the object's soft
    edge does not bleed back in, and the fill gets the fine grain its surroundings have; only
    the masked pixels change.
    """
    picture = _flatten(image)
    hole = _hole(image, mask)
    if hole.getbbox() is None or hole.getextrema() == (255, 255):
        return picture.copy()

    def fill(part: Image.Image, part_hole: Image.Image) -> Image.Image:
        ring = grow(part_hole, 2)
        filled = _fill_from_surroundings(part, ring) or _fill_from_surroundings(part, part_hole)
        assert filled is not None  # the box's margin holds known pixels
        grain = _grain_level(part, ImageChops.subtract(grow(ring, 6), ring))
        if grain:
            filled = _grain(filled, seeded_random("remove", grain, part.size), grain)
        return filled

    return _patch(picture, hole, fill)


def _grain_level(picture: Image.Image, where: Image.Image) -> int:
    """How much fine noise the picture has where ``where`` is set, as a +- amplitude."""
    if where.getbbox() is None:
        return 0
    grey = picture.convert("L")
    detail = ImageChops.difference(grey, grey.filter(ImageFilter.BoxBlur(1)))
    return round(ImageStat.Stat(detail, mask=where).mean[0] * 2)


def replace_background(image: Image.Image, prompt: str, *, seed: int) -> Image.Image:
    """The subject (cut out as removebg does) in front of a backdrop generated from ``prompt``."""
    cutout = remove_background(image, RemoveBackgroundParams())
    backdrop = generate_image(prompt, width=cutout.width, height=cutout.height, seed=seed)
    unit = min(cutout.size)
    backdrop = backdrop.filter(ImageFilter.GaussianBlur(max(0.5, unit / 300)))
    alpha = cutout.getchannel("A")
    shadow = Image.new("L", cutout.size, 0)
    shadow.paste(alpha, (round(unit * 0.01), round(unit * 0.02)))
    shadow = _scaled(_soft(shadow, max(1.0, unit / 60)), 0.4)
    backdrop = _paint(backdrop, _BLACK, shadow).convert("RGBA")
    return Image.alpha_composite(backdrop, cutout).convert("RGB")


def expand(
    image: Image.Image,
    *,
    width: int,
    height: int,
    direction: str,
    prompt: str,
    seed: int,
) -> Image.Image:
    """The image on a ``width`` x ``height`` canvas, placed as ``direction`` says (center: in the
    middle; top-left: expanded towards the top left, so the original sits bottom right), the new
    area continued from the image's edges. ``width``/``height`` are at least the image's.

    The new area is the image mirrored across its edges, blurred more the farther it lies from
    them and fading towards the prompt's colours; the original is pasted back untouched.
    """
    if direction not in EXPAND_DIRECTIONS:
        raise ValueError(
            f"direction must be one of {', '.join(EXPAND_DIRECTIONS)}, not {direction!r}"
        )
    _check_size(width, height)
    if width < image.width or height < image.height:
        raise ValueError(
            f"the canvas ({width}x{height}) must be at least the image's size "
            f"({image.width}x{image.height})"
        )
    picture = _flatten(image)
    position = _placement(picture.size, (width, height), direction)
    return _extend(picture, (width, height), position, prompt, seed)


def _placement(size: tuple[int, int], canvas: tuple[int, int], direction: str) -> tuple[int, int]:
    free_x, free_y = canvas[0] - size[0], canvas[1] - size[1]
    return {
        "center": (free_x // 2, free_y // 2),
        "top-left": (free_x, free_y),
        "top-right": (0, free_y),
        "bottom-left": (free_x, 0),
        "bottom-right": (0, 0),
    }[direction]


def _extend(
    picture: Image.Image,
    canvas: tuple[int, int],
    position: tuple[int, int],
    prompt: str | None,
    seed: int,
) -> Image.Image:
    """The picture on a bigger canvas, the new area continued from its edges.

    Next to the edges the picture's mirror image continues it exactly. Farther out comes a
    far field, worked out at about ``_FAR_SIDE`` pixels and enlarged: the mirror image blurred
    more and more, then the edges' colours drawn straight out and blurred (which, unlike a
    mirror, repeats none of the picture's content), tinted towards the prompt's palette.
    """
    if canvas == picture.size:
        return picture.copy()
    rng = seeded_random("extend", normal_words(prompt or ""), seed)
    distance = _distance_from(picture.size, canvas, position)
    result = _mirror_tiles(picture, canvas, position)
    farthest = distance.getextrema()[1]
    assert isinstance(farthest, int)
    if farthest > 8:
        factor = max(1, math.ceil(max(canvas) / _FAR_SIDE))
        small = picture.reduce(factor) if factor > 1 else picture
        far = _far_field(
            small,
            (math.ceil(canvas[0] / factor), math.ceil(canvas[1] / factor)),
            (round(position[0] / factor), round(position[1] / factor)),
            prompt,
            seed,
            rng,
        )
        far = far.resize(canvas, Image.Resampling.BILINEAR) if factor > 1 else far
        result = Image.composite(far, result, distance.point(_ramp_table(8, 56)))
    result = _grain(result, rng, 3)
    result.paste(picture, position)
    return result


def _ramp_table(start: int, end: int, top: float = 1.0) -> list[int]:
    """A point table: 0 up to ``start``, rising evenly to ``top`` x 255 at ``end``."""
    return [
        round(top * 255 * max(0.0, min(1.0, (value - start) / (end - start))))
        for value in range(256)
    ]


def _far_field(
    picture: Image.Image,
    canvas: tuple[int, int],
    position: tuple[int, int],
    prompt: str | None,
    seed: int,
    rng: random.Random,
) -> Image.Image:
    mirrored = _mirror_tiles(picture, canvas, position)
    distance = _distance_from(picture.size, canvas, position)
    unit = max(canvas)
    result = mirrored
    for step, share in enumerate((0.006, 0.016, 0.04)):
        blurred = mirrored.filter(ImageFilter.GaussianBlur(max(0.8, unit * share)))
        start = 4 + 12 * step
        result = Image.composite(blurred, result, distance.point(_ramp_table(start, start + 24)))
    farthest = distance.getextrema()[1]
    assert isinstance(farthest, int)
    if farthest > 24:
        smeared = _edge_extend(picture, canvas, position).filter(
            ImageFilter.GaussianBlur(max(1.0, unit * 0.03))
        )
        result = Image.composite(smeared, result, distance.point(_ramp_table(24, 96)))
    if prompt is not None:
        look = _look(prompt, seed)
        texture = ImageOps.colorize(_clouds(canvas, rng), look.dark, look.light, look.accent)
        tinted = Image.blend(ImageChops.soft_light(result, texture), texture, 0.2)
        result = Image.composite(tinted, result, distance.point(_ramp_table(16, 255, 0.4)))
    return result


def _edge_extend(
    picture: Image.Image, canvas: tuple[int, int], position: tuple[int, int]
) -> Image.Image:
    """The canvas with the picture's edge colours drawn straight out to the frame: the left and
    right edges across, then the top and bottom rows of that band (corners included) down."""
    left, top = position
    width, height = picture.size
    depth = max(1, min(width, height) // 32)
    band = Image.new("RGB", (canvas[0], height))
    band.paste(picture, (left, 0))
    right = canvas[0] - left - width
    if left > 0:
        edge = picture.crop((0, 0, depth, height)).resize((1, height), Image.Resampling.BOX)
        band.paste(edge.resize((left, height), Image.Resampling.NEAREST), (0, 0))
    if right > 0:
        edge = picture.crop((width - depth, 0, width, height)).resize(
            (1, height), Image.Resampling.BOX
        )
        band.paste(edge.resize((right, height), Image.Resampling.NEAREST), (left + width, 0))
    result = Image.new("RGB", canvas)
    result.paste(band, (0, top))
    bottom = canvas[1] - top - height
    if top > 0:
        edge = band.crop((0, 0, canvas[0], depth)).resize((canvas[0], 1), Image.Resampling.BOX)
        result.paste(edge.resize((canvas[0], top), Image.Resampling.NEAREST), (0, 0))
    if bottom > 0:
        edge = band.crop((0, height - depth, canvas[0], height)).resize(
            (canvas[0], 1), Image.Resampling.BOX
        )
        result.paste(edge.resize((canvas[0], bottom), Image.Resampling.NEAREST), (0, top + height))
    return result


def _mirror_tiles(
    picture: Image.Image, canvas: tuple[int, int], position: tuple[int, int]
) -> Image.Image:
    """The canvas covered by the picture and its mirror images, the picture at ``position``."""
    width, height = picture.size
    tile = Image.new("RGB", (2 * width, 2 * height))
    tile.paste(picture, (0, 0))
    tile.paste(ImageOps.mirror(picture), (width, 0))
    tile.paste(ImageOps.flip(picture), (0, height))
    tile.paste(picture.transpose(Image.Transpose.ROTATE_180), (width, height))
    result = Image.new("RGB", canvas)
    left = position[0] % (2 * width) - 2 * width
    top = position[1] % (2 * height) - 2 * height
    for y in range(top, canvas[1], 2 * height):
        for x in range(left, canvas[0], 2 * width):
            result.paste(tile, (x, y))
    return result


def _distance_from(
    size: tuple[int, int], canvas: tuple[int, int], position: tuple[int, int]
) -> Image.Image:
    """How far each canvas pixel lies outside the picture's box (octagonal distance, close to
    the true one): 255 at a quarter of the canvas's longer side, so a thin bleed stays sharp and
    a wide expansion fades out."""
    left, top = position
    right, bottom = left + size[0], top + size[1]
    reach = max(1, max(canvas) // 4)
    across = bytes(
        min(255, 255 * max(0, left - x, x + 1 - right) // reach) for x in range(canvas[0])
    )
    down = bytes(min(255, 255 * max(0, top - y, y + 1 - bottom) // reach) for y in range(canvas[1]))
    horizontal = Image.frombytes("L", (canvas[0], 1), across).resize(
        canvas, Image.Resampling.NEAREST
    )
    vertical = Image.frombytes("L", (1, canvas[1]), down).resize(canvas, Image.Resampling.NEAREST)
    farther = ImageChops.lighter(horizontal, vertical)
    nearer = ImageChops.darker(horizontal, vertical)
    return ImageChops.add(farther, nearer.point([round(value * 0.41) for value in range(256)]))


def bleed(image: Image.Image, bleed_size: int, *, prompt: str | None = None) -> Image.Image:
    """The image with ``bleed_size`` pixels added on every side, continued from its edges."""
    if bleed_size < 0:
        raise ValueError(f"bleed_size must not be negative, not {bleed_size}")
    picture = _flatten(image)
    canvas = (picture.width + 2 * bleed_size, picture.height + 2 * bleed_size)
    _check_size(*canvas)
    return _extend(picture, canvas, (bleed_size, bleed_size), prompt, 0)
