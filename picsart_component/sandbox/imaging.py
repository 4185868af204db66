"""The pixel work behind the sandbox's remove-background and upscale endpoints (Ultra Upscale
too), in Pillow; the GenAI operations' pictures are drawn in ``generative``.

The sandbox answers offline with real pixels, so a flow tried against it gets the kinds of results
Picsart gives: cutouts with transparency, masks, subjects on new backgrounds, bigger images. The
segmentation is classical, not learned: it models the backdrop from the photo's borders. That is
good on what Picsart recommends shooting (one clear subject on a plain or gradient backdrop) and is
not meant to rival the real service on busy scenes.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import re
import string
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from PIL import (
    Image,
    ImageChops,
    ImageColor,
    ImageDraw,
    ImageFilter,
    ImageMath,
    ImageOps,
    UnidentifiedImageError,
)

from picsart_component.catalogue import choices


class ImagingError(Exception):
    """Base."""


class NotAnImageError(ImagingError):
    """The bytes are not an image Pillow can open (-> HTTP 415)."""


class UnsupportedFormatError(ImagingError):
    """An image, but not in an accepted format (-> 415)."""


class OutputTooLargeError(ImagingError):
    """Result would exceed the limit (-> 422)."""


REMOVEBG_INPUT_FORMATS = choices.REMOVEBG_INPUT_FORMATS
UPSCALE_INPUT_FORMATS = choices.UPSCALE_INPUT_FORMATS
UPLOAD_INPUT_FORMATS = choices.TOOL_INPUT_FORMATS
MAX_UPSCALE_OUTPUT_SIDE = choices.MAX_UPSCALE_OUTPUT_SIDE
MAX_UPSCALE_OUTPUT_PIXELS = MAX_UPSCALE_OUTPUT_SIDE * MAX_UPSCALE_OUTPUT_SIDE
MAX_CANVAS_SIDE = 8000
UPSCALE_FACTORS = choices.UPSCALE_FACTORS
ULTRA_FACTORS = choices.ULTRA_FACTORS
MAX_ULTRA_INPUT_PIXELS = 2048 * 2048  # "4 Mpx": 2048x2048 worth of pixels
MAX_ULTRA_OUTPUT_PIXELS = 16 * MAX_ULTRA_INPUT_PIXELS  # "64 Mpx"

OUTPUT_TYPES = ("cutout", "mask")
SCALES = ("fit", "fill")
SHADOW_PRESET_OFFSETS: dict[str, tuple[int, int]] = {
    "bottom-right": (10, 10),
    "bottom": (0, 10),
    "bottom-left": (-10, 10),
    "left": (-10, 0),
    "right": (10, 0),
    "top-left": (-10, -10),
    "top": (0, -10),
    "top-right": (10, -10),
}
SHADOWS = ("disabled", "custom", *SHADOW_PRESET_OFFSETS)
OUTPUT_FORMATS: dict[str, tuple[str, str]] = {
    "JPG": ("JPEG", "image/jpeg"),
    "PNG": ("PNG", "image/png"),
    "WEBP": ("WEBP", "image/webp"),
}

BACKGROUND_WORDS = frozenset(
    {"background", "backdrop", "bg", "back", "sky", "scenery", "surroundings", "wall", "behind"}
)
"""Words that name the background in a ``segment`` (selective blur, smart crop)."""

_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_WHITE = (255, 255, 255, 255)
_TRANSPARENT = (0, 0, 0, 0)

_BORDER_DEPTH = 3
_BORDER_SAMPLES = 16
_FIELD_GRID = 16
_FIT_ROUNDS = 3
_OUTLIER_FLOOR = 12.0
_THRESHOLD_FLOOR = 14
_RAMP_WIDTH = 36
_REGION_SIDE = 256
_MIN_PIECE_SHARE = 0.05
_EDGE_SMOOTHING = 0.5
_EDGE_BAND = 1


def open_image(
    data: bytes, accepted_formats: frozenset[str], max_pixels: int = 64_000_000
) -> Image.Image:
    """Open and fully load an image from bytes; raises NotAnImageError / UnsupportedFormatError.

    The pixel count is checked from the header, before decoding, so a small file that would
    inflate to gigabytes (a decompression bomb) is refused cheaply. EXIF orientation is applied
    because Picsart returns results the way the photo is meant to be seen.
    """
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise NotAnImageError(f"refused as a likely decompression bomb: {error}") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise NotAnImageError("the data is not an image in any format Pillow can read") from error
    if image.format not in accepted_formats:
        raise UnsupportedFormatError(f"{image.format} images are not accepted here")
    width, height = image.size
    if width * height > max_pixels:
        raise NotAnImageError(
            f"the image is {width}x{height} ({width * height} pixels), over the limit of "
            f"{max_pixels} pixels; refused as a likely decompression bomb"
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise NotAnImageError(f"the {image.format} data cannot be decoded: {error}") from error
    ImageOps.exif_transpose(image, in_place=True)
    return image


@dataclass(frozen=True)
class RemoveBackgroundParams:
    """Picsart's remove-background options; values Picsart would refuse raise ValueError."""

    output_type: str = "cutout"
    bg_color: str | None = None
    bg_blur: int = 0
    bg_width: int | None = None
    bg_height: int | None = None
    scale: str = "fit"
    auto_center: bool = False
    stroke_size: int = 0
    stroke_color: str = "FFFFFF"
    stroke_opacity: int = 100
    shadow: str = "disabled"
    shadow_opacity: int = 20
    shadow_blur: int = 50
    shadow_offset_x: int | None = None
    shadow_offset_y: int | None = None
    format: str = "PNG"

    def __post_init__(self) -> None:
        choices = {
            "output_type": OUTPUT_TYPES,
            "scale": SCALES,
            "shadow": SHADOWS,
            "format": tuple(OUTPUT_FORMATS),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        for name in ("bg_blur", "stroke_size", "stroke_opacity", "shadow_opacity", "shadow_blur"):
            check_range(name, getattr(self, name), 0, 100)
        for name in ("shadow_offset_x", "shadow_offset_y"):
            check_range(name, getattr(self, name), -100, 100)
        for name in ("bg_width", "bg_height"):
            check_range(name, getattr(self, name), 1, MAX_CANVAS_SIDE)
        if self.shadow == "custom" and (
            self.shadow_offset_x is None or self.shadow_offset_y is None
        ):
            raise ValueError("shadow_offset_x and shadow_offset_y are required when shadow=custom")
        if self.bg_color is not None:
            parse_color(self.bg_color)
        parse_color(self.stroke_color)


def parse_color(value: str) -> tuple[int, int, int, int]:
    """A colour in any form Picsart documents: hex with 3, 4, 6 or 8 digits, or a CSS name."""
    text = value.strip()
    digits = text.removeprefix("#")
    if len(digits) in (3, 4, 6, 8) and all(digit in string.hexdigits for digit in digits):
        if len(digits) < 6:
            digits = "".join(digit * 2 for digit in digits)
        channels = [int(digits[index : index + 2], 16) for index in range(0, len(digits), 2)]
        red, green, blue, alpha = (*channels, 255)[:4]
        return red, green, blue, alpha
    name = text.lower()
    if name == "transparent":
        return _TRANSPARENT
    if name in ImageColor.colormap:
        red, green, blue = ImageColor.getrgb(name)[:3]
        return red, green, blue, 255
    raise ValueError(
        f"{value!r} is not a colour: use #rgb, #rgba, #rrggbb or #rrggbbaa (the # is optional) "
        "or a CSS colour name such as blue"
    )


def remove_background(
    image: Image.Image, params: RemoveBackgroundParams, bg_image: Image.Image | None = None
) -> Image.Image:
    """The subject cut out ("RGBA", composed as the options ask) or its mask ("L")."""
    photo = _as_rgba(image)
    alpha = ImageChops.darker(_subject_alpha(_flatten(photo)), photo.getchannel("A"))
    if params.output_type == "mask":
        return alpha
    cutout = _decontaminate(photo.convert("RGB"), alpha)
    cutout.putalpha(alpha)
    return _compose(cutout, params, bg_image)


def upscale(image: Image.Image, factor: int) -> Image.Image:
    """The image ``factor`` times larger, same mode; refuses outputs over 4800 px a side."""
    if factor not in UPSCALE_FACTORS:
        raise ValueError(f"the upscale factor must be one of {UPSCALE_FACTORS}, not {factor}")
    width, height = image.size
    if max(width, height) * factor > MAX_UPSCALE_OUTPUT_SIDE:
        largest = MAX_UPSCALE_OUTPUT_SIDE // factor
        raise OutputTooLargeError(
            f"upscaling {width}x{height} by {factor} would give {width * factor}x"
            f"{height * factor}, over the {MAX_UPSCALE_OUTPUT_SIDE}x{MAX_UPSCALE_OUTPUT_SIDE} "
            f"limit; the largest input allowed for factor {factor} is {largest}x{largest}"
        )
    if image.mode in ("P", "PA", "1"):
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    return image.resize((width * factor, height * factor), Image.Resampling.LANCZOS)


def upscale_ultra(image: Image.Image, factor: int) -> Image.Image:
    """Ultra Upscale's stand-in: Lanczos, then an unsharp mask for the crisper edges Ultra gives.

    Refuses inputs over 4 Mpx and outputs over 64 Mpx (2048x2048 and 8192x8192 worth of pixels).
    """
    if factor not in ULTRA_FACTORS:
        raise ValueError(f"the ultra upscale factor must be from 2 to 16, not {factor}")
    width, height = image.size
    check_ultra_size(width, height, factor)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    bigger = image.resize((width * factor, height * factor), Image.Resampling.LANCZOS)
    return bigger.filter(ImageFilter.UnsharpMask(radius=1 + factor // 4, percent=60, threshold=2))


def check_ultra_size(width: int, height: int, factor: int) -> None:
    """``OutputTooLargeError`` unless Ultra Upscale takes a ``width`` x ``height`` input."""
    if width * height > MAX_ULTRA_INPUT_PIXELS:
        raise OutputTooLargeError(
            f"the image is {width}x{height}, {width * height} pixels; Ultra Upscale takes at "
            f"most {MAX_ULTRA_INPUT_PIXELS} (2048x2048 worth)"
        )
    if width * height * factor * factor > MAX_ULTRA_OUTPUT_PIXELS:
        raise OutputTooLargeError(
            f"upscaling {width}x{height} by {factor} would give {width * factor}x"
            f"{height * factor}, {width * height * factor * factor} pixels, over the "
            f"{MAX_ULTRA_OUTPUT_PIXELS} (64 Mpx) an Ultra Upscale may give; use a smaller factor"
        )


PNG_COMPRESS_LEVEL = 1


def encode(image: Image.Image, fmt: str, quality: int = 90) -> tuple[bytes, str]:
    """The image as JPG, PNG or WEBP bytes, with its content type; JPG puts alpha on white.
    ``quality`` (1-100) is for JPG and WEBP; PNG is lossless."""
    if fmt.upper() not in OUTPUT_FORMATS:
        raise ValueError(f"the format must be one of {', '.join(OUTPUT_FORMATS)}, not {fmt!r}")
    pillow_format, content_type = OUTPUT_FORMATS[fmt.upper()]
    buffer = io.BytesIO()
    if image.mode in _SIXTEEN_BIT_MODES:
        image = image.convert("I;16") if pillow_format == "PNG" else _eight_bit_grey(image)
    if pillow_format == "JPEG":
        if has_alpha(image):
            image = _flatten(image.convert("RGBA"))
        elif image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(buffer, pillow_format, quality=quality)
    elif pillow_format == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if has_alpha(image) else "RGB")
        image.save(buffer, pillow_format, quality=quality)
    else:
        if image.mode not in ("1", "L", "LA", "I;16", "P", "RGB", "RGBA"):
            image = image.convert("RGBA" if has_alpha(image) else "RGB")
        # Lossless at any level; the fastest one keeps the sandbox's CPU for answering.
        image.save(buffer, pillow_format, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue(), content_type


def _as_rgba(image: Image.Image) -> Image.Image:
    if image.mode in _SIXTEEN_BIT_MODES:
        image = _eight_bit_grey(image)
    return image.convert("RGBA")


def _eight_bit_grey(image: Image.Image) -> Image.Image:
    """16-bit grey as "L"; Pillow's own conversion clips everything above 255 to white."""
    return image.point(lambda value: value / 256).convert("L")


def _flatten(rgba: Image.Image) -> Image.Image:
    """RGB for analysis and JPEG: see-through parts become white, as on a page."""
    if rgba.getchannel("A").getextrema() == (255, 255):
        return rgba.convert("RGB")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, _WHITE), rgba).convert("RGB")


# Segmentation


def _subject_alpha(rgb: Image.Image) -> Image.Image:
    """Alpha of the subject: 255 inside it, 0 on the backdrop, a soft ramp along its edge.

    A pixel's distance from the modelled backdrop gives the soft alpha. Regions decide the rest:
    backdrop-like pixels enclosed by the subject (a highlight, a white label) stay opaque, and
    specks far from the subject are dropped, so only the edge is left to the soft alpha.
    """
    distance = _distance_from_backdrop(rgb)
    low = _THRESHOLD_FLOOR + 2 * _border_median(distance)
    high = low + _RAMP_WIDTH
    soft_table, core_table = _alpha_tables(low, high)
    soft, core = distance.point(soft_table), distance.point(core_table)
    backdrop, subject, cell = _regions(core)
    reach = cell + 1
    alpha = ImageChops.lighter(soft, ImageChops.invert(grow(backdrop, reach)))
    return ImageChops.darker(alpha, grow(subject, reach))


@cache
def _alpha_tables(low: int, high: int) -> tuple[list[int], list[int]]:
    """Lookup tables from distance to soft alpha (a ramp from ``low`` to ``high``) and to the
    core mask (the ramp's middle as a hard threshold)."""
    soft = [max(0, min(255, round((value - low) * 255 / (high - low)))) for value in range(256)]
    core = [255 if value >= (low + high) // 2 else 0 for value in range(256)]
    return soft, core


def _distance_from_backdrop(rgb: Image.Image) -> Image.Image:
    """Per pixel, the largest channel difference from the backdrop model, lightly denoised."""
    red, green, blue = ImageChops.difference(rgb, _backdrop_model(rgb)).split()
    return ImageChops.lighter(ImageChops.lighter(red, green), blue).filter(ImageFilter.BoxBlur(1))


def _backdrop_model(rgb: Image.Image) -> Image.Image:
    """A smooth colour field fitted to the border, as the backdrop would look without the subject.

    A quadratic surface per channel follows plain, gradient and vignetted backdrops. It is fitted
    robustly: border samples far from the fit (where the subject touches the frame) are dropped
    and the fit repeated.
    """
    terms, colours = _border_samples(rgb)
    residuals = np.abs(colours - np.median(colours, axis=0)).max(axis=1)
    coefficients = np.zeros((6, 3))
    for _ in range(_FIT_ROUNDS):
        limit = max(_OUTLIER_FLOOR, 2.5 * float(np.median(residuals)))
        inliers = residuals <= limit
        coefficients = _fit_quadratic(terms[inliers], colours[inliers])
        residuals = np.abs(colours - terms @ coefficients).max(axis=1)
    grid = (min(rgb.width, _FIELD_GRID), min(rgb.height, _FIELD_GRID))
    field = np.clip(np.rint(_grid_terms(grid) @ coefficients), 0, 255).astype(np.uint8)
    return Image.frombytes("RGB", grid, field.tobytes()).resize(rgb.size, Image.Resampling.BILINEAR)


def _terms(u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    """The quadratic's terms (one row per point) at points given as (u, v) in 0..1."""
    x, y = u - 0.5, v - 0.5
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)


@cache
def _grid_terms(grid: tuple[int, int]) -> NDArray[np.float64]:
    """The quadratic's terms at the centres of a grid's cells, row by row."""
    width, height = grid
    rows, columns = np.divmod(np.arange(width * height), width)
    return _terms((columns + 0.5) / width, (rows + 0.5) / height)


def _border_samples(rgb: Image.Image) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The quadratic's terms where mean colours are taken along the four edges, and the colours."""
    width, height = rgb.size
    depth = min(_BORDER_DEPTH, width, height)
    across, down = min(_BORDER_SAMPLES, width), min(_BORDER_SAMPLES, height)
    along_top, along_side = (np.arange(across) + 0.5) / across, (np.arange(down) + 0.5) / down
    edges = (
        ((0, 0, width, depth), (across, 1), along_top, np.zeros(across)),
        ((0, height - depth, width, height), (across, 1), along_top, np.ones(across)),
        ((0, 0, depth, height), (1, down), np.zeros(down), along_side),
        ((width - depth, 0, width, height), (1, down), np.ones(down), along_side),
    )
    terms, colours = [], []
    for box, shape, u, v in edges:
        data = rgb.crop(box).resize(shape, Image.Resampling.BOX).tobytes()
        colours.append(np.frombuffer(data, dtype=np.uint8).reshape(-1, 3))
        terms.append(_terms(u, v))
    return np.concatenate(terms), np.concatenate(colours).astype(np.float64)


def _fit_quadratic(terms: NDArray[np.float64], colours: NDArray[np.float64]) -> NDArray[np.float64]:
    """Least-squares coefficients, a column per channel; a tiny ridge keeps lopsided borders
    solvable."""
    normal = terms.T @ terms + 1e-6 * np.eye(terms.shape[1])
    return np.linalg.solve(normal, terms.T @ colours)


def _border_median(distance: Image.Image) -> int:
    """The typical distance along the frame: the backdrop's noise (JPEG grain, texture)."""
    width, height = distance.size
    boxes = ((0, 0, width, 2), (0, height - 2, width, height), (0, 0, 2, height))
    counts = [0] * 256
    for box in (*boxes, (width - 2, 0, width, height)):
        counts = [a + b for a, b in zip(counts, distance.crop(box).histogram(), strict=True)]
    half, seen = sum(counts) / 2, 0
    for value, count in enumerate(counts):
        seen += count
        if seen >= half:
            return value
    return 0


def _regions(core: Image.Image) -> tuple[Image.Image, Image.Image, int]:
    """The backdrop reachable from the frame, and the subject's main pieces, as 0/255 masks.

    Worked out on cells of up to ``cell`` x ``cell`` pixels (a cell holding any subject pixel
    counts as subject), which keeps the connectivity pass cheap on big photos. Returns the
    cell size so callers know how far the masks may be off.
    """
    cell = max(1, math.ceil(max(core.size) / _REGION_SIDE))
    cells = np.asarray(core.reduce(cell) if cell > 1 else core) != 0
    height, width = cells.shape
    open_runs = _Runs.of(~cells, diagonal=False)
    rows, starts, ends = open_runs.rows_starts_ends()
    touches_frame = (rows == 0) | (rows == height - 1) | (starts == 0) | (ends == width)
    framed = np.zeros(len(rows), dtype=np.bool_)
    framed[open_runs.pieces[touches_frame]] = True
    backdrop = open_runs.paint(framed[open_runs.pieces])
    subject_runs = _Runs.of(~backdrop, diagonal=True)
    areas = np.bincount(subject_runs.pieces, weights=subject_runs.ends - subject_runs.starts)
    biggest = areas.max(initial=0)
    subject = subject_runs.paint(areas[subject_runs.pieces] >= _MIN_PIECE_SHARE * biggest)
    return (
        _mask_image(backdrop).resize(core.size, Image.Resampling.NEAREST),
        _mask_image(subject).resize(core.size, Image.Resampling.NEAREST),
        cell,
    )


@dataclass(frozen=True)
class _Runs:
    """A mask's horizontal runs of set pixels, and the connected piece each belongs to.

    The mask is laid out row after row with a clear pixel either side of every row; ``starts``
    and ``ends`` are positions on that line (a run's first pixel, and the first clear pixel after
    it), so runs of one row sort before those of the next, and a row is ``span`` positions on.
    """

    shape: tuple[int, int]
    starts: NDArray[np.intp]
    ends: NDArray[np.intp]
    pieces: NDArray[np.intp]

    @property
    def span(self) -> int:
        return self.shape[1] + 2

    @classmethod
    def of(cls, mask: NDArray[np.bool_], *, diagonal: bool) -> _Runs:
        """The runs of ``mask`` and their pieces: runs in neighbouring rows join when they
        overlap, or (with ``diagonal``) touch at a corner.

        Working on runs rather than pixels leaves only the joins to Python: a few hundred steps
        on a typical 256 x 256 mask.
        """
        height, width = mask.shape
        span, reach = width + 2, 1 if diagonal else 0
        padded = np.zeros((height, span), dtype=np.int8)
        padded[:, 1:-1] = mask
        changes = np.diff(padded.ravel())
        starts = np.flatnonzero(changes == 1) + 1
        ends = np.flatnonzero(changes == -1) + 1
        # A run's neighbours in the row above are the runs there that end past its start and
        # start before its end (both a pixel further with diagonal reach); being sorted, they are
        # one slice, found by two binary searches.
        first = np.searchsorted(ends + reach, starts - span, side="right")
        last = np.searchsorted(starts, ends - span + reach, side="left")
        counts = np.maximum(last - first, 0)
        below = np.repeat(np.arange(len(starts)), counts)
        above = np.repeat(first, counts) + np.arange(counts.sum())
        above -= np.repeat(np.cumsum(counts) - counts, counts)
        parent = list(range(len(starts)))

        def root(index: int) -> int:
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        for run, other in zip(below.tolist(), above.tolist(), strict=True):
            parent[root(other)] = root(run)
        pieces = np.array([root(index) for index in range(len(starts))], dtype=np.intp)
        return cls((height, width), starts, ends, pieces)

    def rows_starts_ends(self) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """Each run's row, first column and the column after its last."""
        rows = self.starts // self.span
        return rows, self.starts - rows * self.span - 1, self.ends - rows * self.span - 1

    def paint(self, chosen: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """A mask of the original shape with the ``chosen`` runs set."""
        height = self.shape[0]
        steps = np.zeros(height * self.span + 1, dtype=np.int8)
        steps[self.starts[chosen]] = 1
        steps[self.ends[chosen]] = -1
        painted = np.cumsum(steps, dtype=np.int8)[:-1].reshape(height, self.span)
        return painted[:, 1:-1] > 0


def _mask_image(mask: NDArray[np.bool_]) -> Image.Image:
    return Image.fromarray(mask.astype(np.uint8) * 255, mode="L")


def _decontaminate(rgb: Image.Image, alpha: Image.Image) -> Image.Image:
    """Edge pixels recoloured from the subject just inside them.

    An edge pixel mixes subject and old backdrop; kept as it is, it draws a thin line of the old
    backdrop's colour round the subject on any new background. The subject's own colours are
    spread outwards (a blur of the premultiplied interior, divided by its coverage) and replace
    the colour of every pixel that is not well inside the opaque part.
    """
    solid = alpha.point([0] * 255 + [255])
    interior = ImageChops.invert(grow(ImageChops.invert(solid), _EDGE_BAND))
    spread = rgb.convert("RGBA")
    spread.putalpha(interior)
    spread = spread.convert("RGBa").filter(ImageFilter.BoxBlur(_EDGE_BAND + 1)).convert("RGBA")
    reached = spread.getchannel("A").point([0] + [255] * 255)
    return Image.composite(spread.convert("RGB"), rgb, ImageChops.subtract(reached, interior))


# Composition


def _compose(
    cutout: Image.Image, params: RemoveBackgroundParams, bg_image: Image.Image | None
) -> Image.Image:
    """Background, shadow, stroke and subject, bottom to top, on the requested canvas."""
    base_width, base_height = bg_image.size if bg_image is not None else cutout.size
    canvas = (params.bg_width or base_width, params.bg_height or base_height)
    if max(canvas) > MAX_CANVAS_SIDE:
        raise OutputTooLargeError(
            f"the result would be {canvas[0]}x{canvas[1]}, over the limit of "
            f"{MAX_CANVAS_SIDE} pixels a side"
        )
    subject, position = _place(cutout, canvas, params.scale, auto_center=params.auto_center)
    silhouette = Image.new("L", canvas, 0)
    silhouette.paste(subject.getchannel("A"), position)
    subject_layer = Image.new("RGBA", canvas, _TRANSPARENT)
    subject_layer.paste(subject, position)

    layers = []
    if bg_image is not None or params.bg_color is not None:
        layers.append(_background(canvas, params, bg_image))
    stroke_layer = None
    if params.stroke_size > 0:
        stroke_layer = _stroke(silhouette, params)
        silhouette = ImageChops.lighter(silhouette, stroke_layer.getchannel("A"))
    if params.shadow != "disabled":
        layers.append(_shadow(silhouette, params))
    if stroke_layer is not None:
        layers.append(stroke_layer)
    layers.append(subject_layer)
    result = layers[0]
    for layer in layers[1:]:
        result = Image.alpha_composite(result, layer)
    return result


def _place(
    cutout: Image.Image, canvas: tuple[int, int], scale: str, *, auto_center: bool
) -> tuple[Image.Image, tuple[int, int]]:
    """The photo's frame scaled to the canvas ("fit": all of it shows; "fill": it covers)."""
    width, height = cutout.size
    ratios = (canvas[0] / width, canvas[1] / height)
    factor = min(ratios) if scale == "fit" else max(ratios)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    subject = cutout if size == cutout.size else cutout.resize(size, Image.Resampling.LANCZOS)
    left, top = (canvas[0] - size[0]) // 2, (canvas[1] - size[1]) // 2
    box = subject.getbbox() if auto_center else None
    if box is not None:
        left = round(canvas[0] / 2 - (box[0] + box[2]) / 2)
        top = round(canvas[1] / 2 - (box[1] + box[3]) / 2)
    return subject, (left, top)


def _background(
    canvas: tuple[int, int], params: RemoveBackgroundParams, bg_image: Image.Image | None
) -> Image.Image:
    """The colour, under the image scaled to cover the canvas, blurred as asked."""
    colour = parse_color(params.bg_color) if params.bg_color is not None else _TRANSPARENT
    layer = Image.new("RGBA", canvas, colour)
    if bg_image is not None:
        cover = ImageOps.fit(_as_rgba(bg_image), canvas, Image.Resampling.LANCZOS)
        layer = Image.alpha_composite(layer, cover)
    if params.bg_blur > 0:
        # Relative to the canvas, so the same value looks alike at any output size.
        radius = params.bg_blur * max(canvas) / 2000
        layer = layer.filter(ImageFilter.GaussianBlur(radius))
    return layer


def _stroke(silhouette: Image.Image, params: RemoveBackgroundParams) -> Image.Image:
    red, green, blue, alpha = parse_color(params.stroke_color)
    strength = alpha / 255 * params.stroke_opacity / 100
    outline = _outline(silhouette, params.stroke_size)
    layer = Image.new("RGBA", silhouette.size, (red, green, blue, 0))
    layer.putalpha(outline.point([round(value * strength) for value in range(256)]))
    return layer


def _outline(silhouette: Image.Image, size: int) -> Image.Image:
    """The silhouette grown by ``size`` px all round, with round corners like a pen's.

    A disc is stamped on edge pixels about sqrt(size / 2) apart, close enough that the
    scallops between neighbouring discs stay under half a pixel deep; stamping every edge
    pixel would cost hundreds of times more at size 100 for no visible gain.
    """
    solid = silhouette.point([0] * 128 + [255] * 128)
    inner_edge = solid.filter(ImageFilter.FIND_EDGES)
    grown = solid.copy()
    draw = ImageDraw.Draw(grown)
    spacing = max(1, math.isqrt(size // 2))
    stamped: set[tuple[int, int]] = set()
    width = solid.width
    for match in re.finditer(rb"[^\x00]", inner_edge.tobytes()):
        y, x = divmod(match.start(), width)
        if (x // spacing, y // spacing) not in stamped:
            stamped.add((x // spacing, y // spacing))
            draw.ellipse((x - size, y - size, x + size, y + size), fill=255)
    return grown.filter(ImageFilter.BoxBlur(_EDGE_SMOOTHING))


def _shadow(silhouette: Image.Image, params: RemoveBackgroundParams) -> Image.Image:
    """A black, blurred copy of the silhouette, offset by the preset's 10 px or the custom one."""
    offset = SHADOW_PRESET_OFFSETS.get(
        params.shadow, (params.shadow_offset_x or 0, params.shadow_offset_y or 0)
    )
    shifted = Image.new("L", silhouette.size, 0)
    shifted.paste(silhouette, offset)
    if params.shadow_blur > 0:
        shifted = shifted.filter(ImageFilter.GaussianBlur(params.shadow_blur / 5))
    strength = params.shadow_opacity / 100
    layer = Image.new("RGBA", silhouette.size, (0, 0, 0, 0))
    layer.putalpha(shifted.point([round(value * strength) for value in range(256)]))
    return layer


# Helpers the other work modules share


def check_range(name: str, value: float | None, lowest: float, highest: float) -> None:
    if value is not None and not lowest <= value <= highest:
        raise ValueError(f"{name} must be from {lowest} to {highest}, not {value}")


def has_alpha(image: Image.Image) -> bool:
    return image.mode in _ALPHA_MODES or "transparency" in image.info


def eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and floating-point grey as "L"; any other image as it is."""
    if image.mode in _SIXTEEN_BIT_MODES:
        return _eight_bit_grey(image)
    return image.convert("L") if image.mode == "F" else image


def split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """The image as "RGB" and its alpha, or None when nothing is see-through."""
    image = eight_bit(image)
    if not has_alpha(image):
        return image.convert("RGB"), None
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    return rgba.convert("RGB"), None if alpha.getextrema() == (255, 255) else alpha


def tiled(cell: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``cell`` repeated to cover ``size``, by doubling (a handful of pastes at any size)."""
    strip = cell
    while strip.width < size[0]:
        wider = Image.new(cell.mode, (strip.width * 2, strip.height))
        wider.paste(strip, (0, 0))
        wider.paste(strip, (strip.width, 0))
        strip = wider
    block = strip.crop((0, 0, size[0], strip.height))
    while block.height < size[1]:
        taller = Image.new(cell.mode, (block.width, block.height * 2))
        taller.paste(block, (0, 0))
        taller.paste(block, (0, block.height))
        block = taller
    return block.crop((0, 0, *size))


def grow(mask: Image.Image, radius: float) -> Image.Image:
    """A 0/255 mask grown by about ``radius`` pixels (a square reach: a box blur and a
    threshold, whose cost does not depend on the radius)."""
    return mask.filter(ImageFilter.BoxBlur(radius)).point([0] + [255] * 255)


def color_dodge(base: Image.Image, top: Image.Image) -> Image.Image:
    """Colour dodge of two "L" images: base / (1 - top), clipped."""
    return as_image(
        ImageMath.lambda_eval(
            lambda e: e["min"](e["float"](e["b"]) * 255.0 / e["max"](255.0 - e["t"], 1.0), 255.0),
            b=base,
            t=top,
        )
    ).convert("L")


def as_image(result: object) -> Image.Image:
    """``result`` (of an ``ImageMath`` expression, say) as the image it is."""
    assert isinstance(result, Image.Image)
    return result


def subject_mask(picture: Image.Image) -> Image.Image:
    """The subject as removebg finds it ("L", 255 inside)."""
    return remove_background(picture, RemoveBackgroundParams(output_type="mask"))


def is_background(segment: str) -> bool:
    """Whether a segment's words name the background (or sky, backdrop...), not the subject."""
    return any(word in BACKGROUND_WORDS for word in segment.lower().replace("_", " ").split())


def digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8", "replace")).digest()


def seeded_random(*parts: object) -> random.Random:
    """A generator seeded by ``parts``: the same parts, the same numbers."""
    return random.Random(int.from_bytes(digest(*parts)[:8], "big"))  # noqa: S311 - not secrets


def normal_words(text: str) -> str:
    """``text`` in lower case, its words separated by single spaces."""
    return " ".join(text.lower().split())
