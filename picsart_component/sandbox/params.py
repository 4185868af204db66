"""Turning a request's inputs into the typed job of its operation, with Picsart's rules: every
broken rule answers 422 (400 where the operation's file lists no 422: the app decides, from
``catalogue.statuses``), naming the field, before anything is charged.

The rules follow ``picsart-image-tools-openapi.yml``, ``picsart-genai-openapi.yml`` and
``picsart-video-openapi.yml``: exactly
one source per picture (``image``, ``image_url`` or ``image_id``; a second picture from sources
of its own: ``reference_image*``, ``overlay_image*``, ``mask*``, ``sticker*``, ``watermark*``),
enums in any case (Picsart takes ``png`` for ``PNG``), ranges, required fields, colours as
``parse_color`` reads them. Text values must be written the way Picsart reads them: integers as
plain decimals (``10``, never ``10.5`` or ``10.0``), booleans as ``true`` or ``false``; where the
GenAI file types a whole quantity (a size, a count) as ``number``, JSON may write it ``512.0``.
``effect_names`` and the previews' ``mask`` are lists: a JSON array, a form field given several
times, or names joined by commas. Fields the API does not know are ignored, as is the deprecated
``negative_prompt`` once checked; the deprecated ``mode`` is checked here and obeyed by the app
(``async`` asks for a job when no ``Prefer`` decides, as the files say).

Where the files are silent the sandbox decides (and its documentation says so): the transfers need
their reference; blend needs its overlay; surface map needs its mask and sticker, the mask the
image's size; previews take at most 10 names (the file's prose), effect names once each (its
``uniqueItems``), mask names as often as given; sizes are capped at 8000 pixels a side as the
file caps the pattern's; a smart crop's ``width``/``height`` of 0 means "not set" and, with a
``ratio``, must match it; ``downscale_to`` is -1 or at least 1; ``temperature`` is from 0 to 2
(the range of the models behind it); expand's ``width``/``height`` are at least 1 (and, once the
image is read, at least its size); a ``prompt``, ``text`` or name must not be blank; a trim keeps
at most 30 seconds, and its ``end`` must lie inside the video (checked once it is read).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from picsart_component.catalogue import choices

from . import (
    analysis,
    editing,
    generative,
    imaging,
    media,
    variable_data,
    video_audio,
    video_compose,
    video_edits,
)
from .errors import ApiError
from .forms import FilePart, Inputs

MAX_URL_LENGTH = 2083
MAX_CANVAS_SIDE = imaging.MAX_CANVAS_SIDE
"""The sandbox's own cap on sizes (``bg_width``, a pattern's, expand's); the spec gives none."""

OUTPUT_TYPES = imaging.OUTPUT_TYPES
SCALES = imaging.SCALES
SHADOWS = imaging.SHADOWS
FORMATS = choices.OUTPUT_FORMATS
ENGRAVING_FORMATS = choices.ENGRAVING_FORMATS
MODELS = choices.REMOVEBG_MODELS
UPSCALE_FACTORS = imaging.UPSCALE_FACTORS
ULTRA_FACTORS = imaging.ULTRA_FACTORS
ENHANCE_FACTORS = ULTRA_FACTORS
MAX_ENHANCE_OUTPUT_PIXELS = imaging.MAX_ULTRA_OUTPUT_PIXELS
"""Ultra Enhance gives at most "64 Mpx", counted as Ultra Upscale counts it (8192x8192 worth)."""
MAX_UNSCALED_VECTOR_SIDE = 4000
"""With ``downscale_to`` -1 the vectorizer takes images under 4000 pixels a side."""
IMAGE_TYPES = ("product", "portrait", "nature", "graphics")
MODES = ("sync", "async", "auto")
"""The deprecated ``mode`` field's values: ``async`` asks for a job unless ``Prefer`` decides
(``asyncjobs.read_prefer``); ``auto`` and ``sync`` get the synchronous answer."""
PAINTING_MODES = ("sync", "async")
ADJUSTMENTS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(
        ("brightness", "contrast", "clarity", "saturation", "hue", "shadows", "highlights"),
        (-100, 100),
    ),
    "temperature": (-100, 100),
    **dict.fromkeys(("sharpen", "noise", "vignette"), (0, 100)),
}
MAX_PREVIEWS = 10
MAX_SEGMENT_LENGTH = 90
PREVIEW_SIZES = choices.PREVIEW_SIZES
LIST_FIELDS = ("effect_names", "mask")
ROLES = ("system", "user", "assistant")
LANGUAGES = media.SPEECH_LANGUAGES
QUALITIES = ("480p", "720p", "1080p")
COLOR_TONES = generative.COLOR_TONES
DIRECTIONS = generative.EXPAND_DIRECTIONS
MIN_PICTURE_SIDE, MAX_PICTURE_SIDE = 64, 1024
MAX_SPEECH_CHARACTERS = 5000
DEFAULT_MAX_TOKENS = 512
EXPORT_FORMATS = tuple(media.VIDEO_FORMATS)
DEFAULT_FRAME_RATE = 30
MIN_TRIM_END = 1000
MAX_TRIM_MS = round(media.MAX_VIDEO_SECONDS * 1000)
"""The sandbox's own cap on what a trim keeps (the file gives none), so that the work stays
bounded whatever length a video's container claims."""

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
T = TypeVar("T")


@dataclass(frozen=True)
class ImageSource:
    """Where an input picture comes from: a file part, a URL to fetch, or a stored id."""

    field: str
    kind: str
    text: str = ""
    part: FilePart | None = None


@dataclass(frozen=True)
class ImageJob:
    """One checked call of the image API. ``kind`` is the operation's name; ``image`` its input
    (the design file for design2replay); ``sources`` the second pictures by role
    (``background``, ``reference``, ``overlay``, ``mask``, ``sticker``, ``watermark``);
    ``options`` the keyword arguments of the work; ``names`` the effects or masks to preview;
    ``format`` and ``quality`` the output's."""

    kind: str
    image: ImageSource
    format: str = "JPG"
    options: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, ImageSource] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    preview_size: int = 120
    quality: int = 90


@dataclass(frozen=True)
class ChatJob:
    messages: tuple[tuple[str, str], ...]
    max_tokens: int


@dataclass(frozen=True)
class PictureJob:
    """text2image, text2sticker or laser engraving (``kind``); colours only for engraving."""

    kind: str
    prompt: str
    width: int
    height: int
    count: int
    format: str
    engrave_color: tuple[int, int, int, int] = (0, 0, 0, 255)
    background_color: tuple[int, int, int, int] = (255, 255, 255, 255)


@dataclass(frozen=True)
class LogoJob:
    brand_name: str
    business_description: str
    color_tone: str
    logo_description: str | None
    reference: ImageSource | None
    count: int


@dataclass(frozen=True)
class Watermark:
    anchor: str
    url: str | None
    width: int | None
    height: int | None
    opacity: int
    angle: int | None
    padding_x: int
    padding_y: int


@dataclass(frozen=True)
class PaintingJob:
    """One of the painting operations (``kind`` is the operation's name); the fields a kind
    does not use keep their defaults."""

    kind: str
    image: ImageSource
    prompt: str = ""
    mask: ImageSource | None = None
    count: int = 1
    format: str = "JPG"
    width: int = 1024
    height: int = 1024
    direction: str = "center"
    bleed_size: int = 5
    watermark: Watermark | None = None


@dataclass(frozen=True)
class VideoJob:
    prompt: str
    image: ImageSource | None
    width: int
    height: int
    seconds: float
    audio: bool


@dataclass(frozen=True)
class TrimJob:
    """Trim video: the video, the part kept (``start`` to ``end``, in milliseconds) and the
    ``export`` settings (format, frames a second, bitrate in kb/s: none lets the encoder choose)."""

    video: ImageSource
    start: int
    end: int
    format: str = media.DEFAULT_VIDEO_FORMAT
    frame_rate: int = 30
    bitrate: int | None = None


@dataclass(frozen=True)
class SpeechJob:
    text: str
    language: str
    voice: str | None


@dataclass(frozen=True)
class SoundJob:
    prompt: str
    duration: float | None
    loop: bool


Job = (
    ImageJob
    | ChatJob
    | PictureJob
    | LogoJob
    | PaintingJob
    | VideoJob
    | SpeechJob
    | SoundJob
    | TrimJob
)


def parse(operation: str, inputs: Inputs) -> Job:
    """The job ``inputs`` ask of ``operation`` (the catalogue's name), or ``ApiError`` 422 for
    the first broken rule."""
    refuse_repeats(inputs, LIST_FIELDS if operation in _TAKING_LISTS else ())
    return PARSERS[operation](inputs)


def unprocessable(detail: str) -> ApiError:
    return ApiError(422, detail)


# The image API's first operations


def _removebg(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    background = image_source(inputs, "bg_")
    values = inputs.values
    bg_color = optional_value(values, "bg_color", as_color)
    if background is not None and bg_color is not None:
        raise unprocessable(
            "Give only one background: bg_image, bg_image_url, bg_image_id or bg_color."
        )
    shadow = optional_value(values, "shadow", one_of(SHADOWS)) or "disabled"
    offset_x = optional_value(values, "shadow_offset_x", integer_in(-100, 100))
    offset_y = optional_value(values, "shadow_offset_y", integer_in(-100, 100))
    if shadow == "custom" and (offset_x is None or offset_y is None):
        raise unprocessable("shadow=custom needs both shadow_offset_x and shadow_offset_y.")
    optional_value(values, "model", one_of(MODELS))
    params = imaging.RemoveBackgroundParams(
        output_type=optional_value(values, "output_type", one_of(OUTPUT_TYPES)) or "cutout",
        bg_color=bg_color,
        bg_blur=value_or(values, "bg_blur", integer_in(0, 100), 0),
        bg_width=optional_value(values, "bg_width", integer_in(1, MAX_CANVAS_SIDE)),
        bg_height=optional_value(values, "bg_height", integer_in(1, MAX_CANVAS_SIDE)),
        scale=optional_value(values, "scale", one_of(SCALES)) or "fit",
        auto_center=value_or(values, "auto_center", as_boolean, False),
        stroke_size=value_or(values, "stroke_size", integer_in(0, 100), 0),
        stroke_color=optional_value(values, "stroke_color", as_color) or "FFFFFF",
        stroke_opacity=value_or(values, "stroke_opacity", integer_in(0, 100), 100),
        shadow=shadow,
        shadow_opacity=value_or(values, "shadow_opacity", integer_in(0, 100), 20),
        shadow_blur=value_or(values, "shadow_blur", integer_in(0, 100), 50),
        shadow_offset_x=offset_x,
        shadow_offset_y=offset_y,
        format=optional_value(values, "format", one_of(FORMATS)) or "PNG",
    )
    sources = {"background": background} if background is not None else {}
    return ImageJob("removebg", image, params.format, {"params": params}, sources)


def _upscale(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    factor = optional_value(inputs.values, "upscale_factor", integer_choice(UPSCALE_FACTORS))
    if factor is None:
        raise unprocessable("upscale_factor is required: one of 2, 4, 6 or 8.")
    return ImageJob("upscale", image, _format(inputs.values), {"factor": factor})


def _ultra(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    factor = value_or(values, "upscale_factor", integer_choice(ULTRA_FACTORS), 2)
    for name in ("image_type", "product_type"):
        optional_value(values, name, one_of(IMAGE_TYPES))
    optional_value(values, "mode", one_of(MODES))
    return ImageJob("ultra", image, _format(values), {"factor": factor})


def _upload(inputs: Inputs) -> ImageJob:
    image = image_source(inputs, "", with_id=False)
    if image is None:
        raise unprocessable("An image is required: give one of image or image_url.")
    return ImageJob("upload", image)


# The image API's other operations


def _format(
    values: dict[str, Any], default: str = "JPG", allowed: tuple[str, ...] = FORMATS
) -> str:
    return optional_value(values, "format", one_of(allowed)) or default


def _plain(kind: str) -> Callable[[Inputs], ImageJob]:
    """An operation that takes the image and ``format`` only."""

    def parse_plain(inputs: Inputs) -> ImageJob:
        return ImageJob(kind, required_image(inputs), _format(inputs.values))

    return parse_plain


def _analysis(kind: str) -> Callable[[Inputs], ImageJob]:
    """An analysis: the image only (its answer is data, not a picture)."""

    def parse_analysis(inputs: Inputs) -> ImageJob:
        image = required_image(inputs)
        if kind == "cars-classify" and "model" in inputs.values:
            model = as_text("model", inputs.values["model"])
            _choice("model", model, choices.CAR_MODELS, "models")
        return ImageJob(kind, image, "PNG")

    return parse_analysis


def _enhance(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    factor = value_or(values, "upscale_factor", integer_choice(ENHANCE_FACTORS), 2)
    return ImageJob("upscale-enhance", image, _format(values), {"factor": factor})


def _effect(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    name = _name(values, "effect_name", choices.EFFECT_NAMES, "effects", "GET /effects")
    fade = value_or(values, "fade", integer_in(0, 100), 0)
    return ImageJob("effects", image, _format(values), {"name": name, "fade": fade})


def _ai_effect(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    name = _name(values, "effect_name", choices.AI_EFFECT_NAMES, "AI effects", "GET /effects/ai")
    return ImageJob("effects-ai", image, _format(values), {"name": name})


def _previews(kind: str) -> Callable[[Inputs], ImageJob]:
    """Effect previews (each name once, with a ``fade``) or mask previews (the masks' options)."""

    def parse_previews(inputs: Inputs) -> ImageJob:
        image = required_image(inputs)
        values = inputs.values
        if kind == "effects-previews":
            names = _names(inputs, "effect_names", choices.EFFECT_NAMES, unique=True)
            image_format = _format(values)
            options = {"fade": value_or(values, "fade", integer_in(0, 100), 0)}
        else:
            names = _names(inputs, "mask", choices.MASK_NAMES, unique=False)
            image_format = _format(values, "PNG")
            options = _mask_options(values)
        size = value_or(values, "preview_size", integer_in(*PREVIEW_SIZES), 120)
        return ImageJob(kind, image, image_format, options, names=names, preview_size=size)

    return parse_previews


def _engraving(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    engrave = optional_value(values, "engrave_color", as_color) or "black"
    background = optional_value(values, "background_color", as_color) or "white"
    options = {
        "engrave_color": imaging.parse_color(engrave),
        "background_color": imaging.parse_color(background),
    }
    return ImageJob(
        "effects-laserengraving", image, _format(values, allowed=ENGRAVING_FORMATS), options
    )


def _adjust(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    options = {
        name: value_or(values, name, integer_in(low, high), 0)
        for name, (low, high) in ADJUSTMENTS.items()
    }
    return ImageJob("adjust", image, _format(values), options)


def _selective_blur(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    options = {
        "segment": _segment(values),
        "blur": value_or(values, "blur", integer_in(1, 100), 50),
    }
    return ImageJob("selective-blur", image, _format(values), options)


def _transfer(kind: str) -> Callable[[Inputs], ImageJob]:
    """Colour or style transfer: the image and the reference it takes after (required)."""

    def parse_transfer(inputs: Inputs) -> ImageJob:
        image = required_image(inputs)
        reference = required_image(inputs, "reference_", "A reference image")
        options: dict[str, Any] = {}
        if kind == "styletransfer":
            options["level"] = (
                optional_value(inputs.values, "level", one_of(choices.STYLE_LEVELS)) or "l1"
            )
        return ImageJob(
            kind, image, _format(inputs.values), options, sources={"reference": reference}
        )

    return parse_transfer


def _mask_options(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "blend": optional_value(values, "blend", one_of(choices.MASK_BLENDS)) or "screen",
        "opacity": value_or(values, "opacity", integer_in(0, 100), 100),
        "hue": value_or(values, "hue", integer_in(-180, 180), 0),
        "flip": optional_value(values, "mask_flip", one_of(choices.MASK_FLIPS)),
    }


def _masks(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    name = _name(values, "mask", choices.MASK_NAMES, "masks")
    options = {"name": name, **_mask_options(values)}
    return ImageJob("masks", image, _format(values, "PNG"), options)


def _pattern(kind: str) -> Callable[[Inputs], ImageJob]:
    """The pattern generator, under its name and under the deprecated ``background/texture``."""

    def parse_pattern(inputs: Inputs) -> ImageJob:
        image = required_image(inputs)
        values = inputs.values
        side, offset = integer_in(1, MAX_CANVAS_SIDE), integer_in(-MAX_CANVAS_SIDE, MAX_CANVAS_SIDE)
        options = {
            "width": value_or(values, "width", side, 1024),
            "height": value_or(values, "height", side, 1024),
            "offset_x": value_or(values, "offset_x", offset, 0),
            "offset_y": value_or(values, "offset_y", offset, 0),
            "pattern": optional_value(values, "pattern", one_of(editing.PATTERNS)) or "hex",
            "rotate": value_or(values, "rotate", integer_in(-180, 180), 0),
            "scale": value_or(values, "scale", number_in(0.5, 10), 1.0),
        }
        return ImageJob(kind, image, _format(values), options)

    return parse_pattern


def _vectorizer(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    downscale_to = value_or(inputs.values, "downscale_to", _downscale, 2048)
    return ImageJob("vectorizer", image, "SVG", {"downscale_to": downscale_to})


def _downscale(name: str, value: Any) -> int:
    number = integer_in(-1, 2**31 - 1)(name, value)
    if number == 0:
        raise unprocessable(f"{name} must be -1 (no downscaling) or at least 1, not 0.")
    return number


def _design(inputs: Inputs) -> ImageJob:
    design = _source(inputs, "file", "file_url", None)
    if design is None:
        raise unprocessable("A design is required: give one of file or file_url (SVG or AI).")
    return ImageJob("design2replay", design, "JSON")


def _surfacemap(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    mask = _source(inputs, "mask", "mask_url", "mask_id")
    sticker = _source(inputs, "sticker", "sticker_url", "sticker_id")
    if mask is None:
        raise unprocessable("A mask is required: give one of mask, mask_url or mask_id.")
    if sticker is None:
        raise unprocessable(
            "A sticker is required: give one of sticker, sticker_url or sticker_id."
        )
    return ImageJob(
        "surfacemap",
        image,
        _format(inputs.values),
        sources={"mask": mask, "sticker": sticker},
    )


def _watermark_stamp(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    mark = _source(inputs, "watermark", "watermark_url", None)
    side = integer_in(1, MAX_CANVAS_SIDE)
    options = {
        "anchor_point": optional_value(values, "anchor_point", _watermark_anchor)
        or "center-middle",
        "width": optional_value(values, "watermark_width", side),
        "height": optional_value(values, "watermark_height", side),
        "opacity": value_or(values, "watermark_opacity", integer_in(0, 100), 50),
        "angle": value_or(values, "watermark_angle", integer_in(0, 360), 0),
        "padding_x": value_or(values, "watermark_padding_x", integer_in(0, MAX_CANVAS_SIDE), 0),
        "padding_y": value_or(values, "watermark_padding_y", integer_in(0, MAX_CANVAS_SIDE), 0),
    }
    sources = {"watermark": mark} if mark is not None else {}
    return ImageJob("watermark", image, _format(values), options, sources=sources)


def _edit(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    side = integer_in(1, MAX_CANVAS_SIDE)
    position = integer_in(0, MAX_CANVAS_SIDE)
    options = {
        "mode": optional_value(values, "mode", one_of(editing.EDIT_MODES)),
        "size": optional_value(values, "size", side),
        "width": optional_value(values, "width", side),
        "height": optional_value(values, "height", side),
        "crop_x": optional_value(values, "crop_x", position),
        "crop_y": optional_value(values, "crop_y", position),
        "crop_anchor": optional_value(values, "crop_anchor", one_of(editing.CROP_ANCHORS))
        or "center",
        "flip": optional_value(values, "flip", one_of(editing.FLIPS)),
        "rotate": value_or(values, "rotate", number_in(-180, 180), 0.0),
        "perspective_horizontal": value_or(
            values, "perspective_horizontal", integer_in(-45, 45), 0
        ),
        "perspective_vertical": value_or(values, "perspective_vertical", integer_in(-45, 45), 0),
    }
    if (options["crop_x"] is None) != (options["crop_y"] is None):
        raise unprocessable("crop_x and crop_y go together: give both or neither.")
    quality = value_or(values, "quality", integer_in(10, 100), 90)
    return ImageJob("basic-edit", image, _format(values), options, quality=quality)


def _smart_crop(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    ratio = optional_value(values, "ratio", one_of(editing.RATIOS))
    width = optional_value(values, "width", integer_in(0, MAX_CANVAS_SIDE)) or None
    height = optional_value(values, "height", integer_in(0, MAX_CANVAS_SIDE)) or None
    if ratio is not None and width is not None and height is not None:
        across, down = (int(part) for part in ratio.split(":"))
        if abs(width * down - height * across) > max(across, down):
            raise unprocessable(
                f"width and height, {width}x{height}, do not match ratio {ratio}; give one of "
                "them, or both in that ratio."
            )
    options = {
        "segment": _segment(values),
        "ratio": ratio,
        "width": width,
        "height": height,
        "margin": value_or(values, "margin", integer_in(0, 100), 0),
    }
    return ImageJob("smart-crop", image, _format(values), options)


def _blend(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    overlay = required_image(inputs, "overlay_", "An overlay image")
    values = inputs.values
    options = {
        "mode": optional_value(values, "blend_mode", one_of(editing.BLEND_MODES)) or "normal",
        "opacity": value_or(values, "opacity", integer_in(0, 100), 100),
    }
    return ImageJob("blend", image, _format(values), options, sources={"overlay": overlay})


def _zoom(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    values = inputs.values
    factor = optional_value(values, "scale_factor", integer_in(1, 75))
    if factor is None:
        raise unprocessable("scale_factor is required: a whole number from 1 to 75.")
    anchor = optional_value(values, "anchor_point", one_of(editing.ZOOM_ANCHORS)) or "center-middle"
    options = {"scale_factor": factor, "anchor_point": anchor}
    return ImageJob("zoom", image, _format(values), options)


def _matting(inputs: Inputs) -> ImageJob:
    image = required_image(inputs)
    found = optional_value(
        inputs.values, "segmentation_class", one_of(analysis.SEGMENTATION_CLASSES)
    )
    if found is None:
        classes = ", ".join(analysis.SEGMENTATION_CLASSES)
        raise unprocessable(f"segmentation_class is required: one of {classes}.")
    return ImageJob("multi-matting", image, "PNG", {"segmentation_class": found})


def _segment(values: dict[str, Any]) -> str:
    found = optional_value(values, "segment", as_text)
    if found is None or not found.strip():
        raise unprocessable("segment is required: a word for what to work on, such as background.")
    if len(found) > MAX_SEGMENT_LENGTH:
        raise unprocessable(
            f"segment is {len(found)} characters long; at most {MAX_SEGMENT_LENGTH} are allowed."
        )
    return found.strip()


def _name(
    values: dict[str, Any],
    name: str,
    allowed: tuple[str, ...],
    what: str,
    listed_at: str | None = None,
) -> str:
    """A required name from a long list, in any case; a refusal names a few and where the rest
    are listed."""
    if name not in values:
        raise unprocessable(f"{name} is required: one of the {len(allowed)} {what}.")
    return _choice(name, as_text(name, values[name]), allowed, what, listed_at)


def _choice(
    name: str, text: str, allowed: tuple[str, ...], what: str, listed_at: str | None = None
) -> str:
    by_lower = {choice.lower(): choice for choice in allowed}
    chosen = by_lower.get(text.strip().lower())
    if chosen is None:
        if listed_at is not None:
            hint = f"{listed_at} lists them; for instance {', '.join(allowed[:3])}"
        else:
            hint = ", ".join(allowed)
        raise unprocessable(
            f"{name} {text[:100]!r} is not one of the {len(allowed)} {what} ({hint})."
        )
    return chosen


def _names(inputs: Inputs, name: str, allowed: tuple[str, ...], *, unique: bool) -> tuple[str, ...]:
    """A list parameter: a JSON array, a repeated form field, or names joined by commas."""
    raw: list[Any]
    if name in inputs.lists:
        raw = list(inputs.lists[name])
    elif name in inputs.values:
        found = inputs.values[name]
        raw = found if isinstance(found, list) else [found]
    else:
        raw = []
    texts: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise unprocessable(f"{name} must be a list of names, not {item!r}.")
        texts.extend(piece.strip() for piece in item.split(","))
    if not any(texts):
        raise unprocessable(f"{name} is required: a list of 1 to {MAX_PREVIEWS} names.")
    if "" in texts:
        raise unprocessable(f"{name} has an empty name; separate names with single commas.")
    if len(texts) > MAX_PREVIEWS:
        raise unprocessable(f"{name} lists {len(texts)} names; at most {MAX_PREVIEWS} are allowed.")
    what = "effects" if name == "effect_names" else "masks"
    listed_at = "GET /effects" if name == "effect_names" else None
    chosen = tuple(_choice(name, text, allowed, what, listed_at) for text in texts)
    if unique and len(set(chosen)) < len(chosen):
        raise unprocessable(f"{name} must list each name once.")
    return chosen


# GenAI


def _chat(inputs: Inputs) -> ChatJob:
    values = inputs.values
    if "messages" not in values:
        raise unprocessable("messages is required: a list of {role, content} objects.")
    raw = values["messages"]
    if not isinstance(raw, list) or not raw:
        raise unprocessable("messages must be a non-empty list of {role, content} objects.")
    messages: list[tuple[str, str]] = []
    for number, message in enumerate(raw):
        where = f"messages[{number}]"
        if not isinstance(message, dict):
            raise unprocessable(f"{where} must be an object with a role and a content.")
        role = one_of(ROLES)(f"{where}.role", message.get("role", ""))
        content = message.get("content", "")
        if not isinstance(content, str):
            raise unprocessable(f"{where}.content must be a string.")
        messages.append((role, content))
    max_tokens = value_or(values, "max_tokens", whole_number_in(1), DEFAULT_MAX_TOKENS)
    optional_value(values, "temperature", number_in(0, 2))
    _model(values, choices.CHAT_MODELS)
    return ChatJob(tuple(messages), max_tokens)


def _picture(kind: str) -> Callable[[Inputs], PictureJob]:
    def parse_picture(inputs: Inputs) -> PictureJob:
        values = inputs.values
        prompt = _required_text(values, "prompt")
        optional_value(values, "negative_prompt", as_text)
        side = whole_number_in(MIN_PICTURE_SIDE, MAX_PICTURE_SIDE)
        width = value_or(values, "width", side, 1024)
        height = value_or(values, "height", side, 1024)
        count = value_or(values, "count", whole_number_in(1, 10), 2)
        if kind != "laserengraving":
            _model(values, choices.TEXT_TO_IMAGE_MODELS)
            return PictureJob(kind, prompt, width, height, count, _PICTURE_FORMATS[kind])
        _model(values, choices.LASER_ENGRAVING_MODELS)
        engrave = optional_value(values, "engrave_color", as_color) or "black"
        background = optional_value(values, "background_color", as_color) or "white"
        return PictureJob(
            kind,
            prompt,
            width,
            height,
            count,
            _format(values, allowed=ENGRAVING_FORMATS),
            imaging.parse_color(engrave),
            imaging.parse_color(background),
        )

    return parse_picture


_PICTURE_FORMATS = {"text2image": "JPG", "text2sticker": "PNG"}
"""The file gives these two no ``format``: photos come as JPG, stickers (transparent) as PNG."""


def _logo(inputs: Inputs) -> LogoJob:
    values = inputs.values
    brand = _required_text(values, "brand_name")
    description = _required_text(values, "business_description")
    reference = image_source(inputs, "reference_")
    _model(values, choices.TEXT_TO_IMAGE_MODELS)
    return LogoJob(
        brand,
        description,
        optional_value(values, "color_tone", one_of(COLOR_TONES)) or "Auto",
        optional_value(values, "logo_description", as_text),
        reference,
        value_or(values, "count", whole_number_in(1, 10), 2),
    )


def _painting(kind: str) -> Callable[[Inputs], PaintingJob]:
    def parse_painting(inputs: Inputs) -> PaintingJob:
        values = inputs.values
        image = required_image(inputs)
        mask = None
        if kind in ("inpaint", "outpaint", "remove-object"):
            mask = _painting_mask(inputs, required=kind == "remove-object")
        if kind in ("remove-object", "bleed"):
            prompt = optional_value(values, "prompt", as_text) or ""
        else:
            prompt = _required_text(values, "prompt")
        optional_value(values, "negative_prompt", as_text)
        if kind != "bleed":
            auto = kind in ("remove-object", "expand")
            optional_value(values, "mode", one_of(MODES if auto else PAINTING_MODES))
        count = 1
        if kind not in ("remove-object", "bleed"):
            count = value_or(values, "count", integer_in(1, 2 if kind == "expand" else 10), 2)
        extra: dict[str, Any] = {}
        if kind == "expand":
            extra["width"] = value_or(values, "width", integer_in(1, MAX_CANVAS_SIDE), 1024)
            extra["height"] = value_or(values, "height", integer_in(1, MAX_CANVAS_SIDE), 1024)
            extra["direction"] = optional_value(values, "direction", one_of(DIRECTIONS)) or "center"
        elif kind == "bleed":
            if "bleed_size" not in values:
                raise unprocessable("bleed_size is required: from 1 to 75 pixels.")
            extra["bleed_size"] = value_or(values, "bleed_size", integer_in(1, 75), 5)
        elif kind == "edit":
            _model(values, choices.IMAGE_TO_IMAGE_MODELS)
            extra["watermark"] = _watermark(values)
        return PaintingJob(kind, image, prompt, mask, count, _format(values), **extra)

    return parse_painting


def _painting_mask(inputs: Inputs, *, required: bool) -> ImageSource | None:
    """The mask by the file's names (``mask_image``, ``mask_image_url``, ``mask_image_id``) or by
    the ones Picsart's Python SDK sends and production takes (``mask``, ``mask_url``): one source
    in all."""
    by_file_name = image_source(inputs, "mask_")
    by_sdk_name = _source(inputs, "mask", "mask_url", None, label="mask")
    if by_file_name is not None and by_sdk_name is not None:
        raise unprocessable(
            f"Give only one mask source; got {by_file_name.field} and {by_sdk_name.field}."
        )
    found = by_file_name or by_sdk_name
    if found is None and required:
        raise unprocessable(
            "A mask is required: give one of mask_image, mask_image_url or mask_image_id "
            "(or mask or mask_url)."
        )
    return found


_WATERMARK_ANCHOR_BY_ALIAS = {
    alias.lower(): anchor for alias, anchor in choices.WATERMARK_ANCHOR_ALIASES.items()
}


def _watermark_anchor(name: str, value: Any) -> str:
    """A watermark anchor by the file's name (``right-bottom``) or by the one Picsart's n8n node
    sends and production takes (``bottom-right``), in any case; the file's name is kept."""
    text = as_text(name, value)
    by_alias = _WATERMARK_ANCHOR_BY_ALIAS.get(text.lower())
    return by_alias or one_of(editing.WATERMARK_ANCHORS)(name, text)


def _watermark(values: dict[str, Any]) -> Watermark | None:
    """The watermark fields, all checked; a ``Watermark`` only when it is enabled."""
    enabled = value_or(values, "watermark_enabled", as_boolean, False)
    url = optional_value(values, "watermark_url", as_url)
    anchor = optional_value(values, "watermark_anchor_point", _watermark_anchor)
    width = optional_value(values, "watermark_width", _at_least(1))
    height = optional_value(values, "watermark_height", _at_least(1))
    opacity = value_or(values, "watermark_opacity", integer_in(0, 100), 50)
    angle = optional_value(values, "watermark_angle", integer_in(0, 360))
    padding_x = value_or(values, "watermark_padding_x", _at_least(0), 0)
    padding_y = value_or(values, "watermark_padding_y", _at_least(0), 0)
    if not enabled:
        return None
    return Watermark(
        anchor or "left-bottom", url, width, height, opacity, angle, padding_x, padding_y
    )


def _video(with_image: bool) -> Callable[[Inputs], VideoJob]:
    def parse_video(inputs: Inputs) -> VideoJob:
        values = inputs.values
        image = required_image(inputs) if with_image else None
        prompt = _required_text(values, "prompt")
        side = whole_number_in(MIN_PICTURE_SIDE, MAX_PICTURE_SIDE)
        width = value_or(values, "width", side, 1024)
        height = value_or(values, "height", side, 1024)
        optional_value(values, "quality", one_of(QUALITIES))
        audio = value_or(values, "audio", as_boolean, False)
        seconds = value_or(values, "length", number_in(1, 20), 3.0)
        _model(
            values, choices.IMAGE_TO_VIDEO_MODELS if with_image else choices.TEXT_TO_VIDEO_MODELS
        )
        return VideoJob(prompt, image, width, height, seconds, audio)

    return parse_video


def _speech(inputs: Inputs) -> SpeechJob:
    values = inputs.values
    text = _required_text(values, "text")
    if len(text) > MAX_SPEECH_CHARACTERS:
        raise unprocessable(
            f"text is {len(text)} characters long; at most {MAX_SPEECH_CHARACTERS} are spoken."
        )
    language = optional_value(values, "language", one_of(LANGUAGES)) or "en"
    _model(values, choices.TEXT_TO_SPEECH_MODELS)
    return SpeechJob(text, language, optional_value(values, "voice", as_text))


def _sound(inputs: Inputs) -> SoundJob:
    values = inputs.values
    prompt = _required_text(values, "prompt")
    duration = optional_value(values, "duration", number_in(0.5, 22))
    loop = value_or(values, "loop", as_boolean, False)
    _model(values, choices.TEXT_TO_SOUND_MODELS)
    return SoundJob(prompt, duration, loop)


# The video API


def _trim(inputs: Inputs) -> TrimJob:
    values = inputs.values
    video = _required_url(values, "video_url")
    start = _required_value(values, "start", integer_in(0, None))
    end = _required_value(values, "end", integer_in(MIN_TRIM_END, None))
    if end <= start:
        raise unprocessable(f"end ({end}) must be greater than start ({start}).")
    if end - start > MAX_TRIM_MS:
        raise unprocessable(
            f"end ({end}) is {end - start} ms after start; the sandbox keeps at most "
            f"{MAX_TRIM_MS} ms of a video."
        )
    video_format, frame_rate, bitrate = _export(values)
    return TrimJob(video, start, end, video_format, frame_rate, bitrate)


def _export(values: dict[str, Any]) -> tuple[str, int, int | None]:
    """The ``export`` object's format, frame rate and bitrate (Picsart's defaults where unset);
    a refusal names the field as ``export.format``."""
    export = values.get("export")
    if export is None:
        return media.DEFAULT_VIDEO_FORMAT, DEFAULT_FRAME_RATE, None
    if not isinstance(export, dict):
        raise unprocessable("export must be an object (format, frame_rate, bitrate).")
    named = {f"export.{name}": value for name, value in export.items()}
    video_format = value_or(
        named, "export.format", one_of(EXPORT_FORMATS), media.DEFAULT_VIDEO_FORMAT
    )
    frame_rate = value_or(named, "export.frame_rate", integer_in(1, 60), DEFAULT_FRAME_RATE)
    bitrate = optional_value(named, "export.bitrate", integer_in(1, 10000))
    return video_format, frame_rate, bitrate


def _required_url(values: dict[str, Any], name: str) -> ImageSource:
    return ImageSource(name, "url", text=_required_value(values, name, as_url))


def _required_value(values: dict[str, Any], name: str, convert: Callable[[str, Any], T]) -> T:
    found = optional_value(values, name, convert)
    if found is None:
        raise unprocessable(f"{name} is required.")
    return found


def _required_text(values: dict[str, Any], name: str) -> str:
    found = optional_value(values, name, as_text)
    if found is None or not found.strip():
        raise unprocessable(f"{name} is required and must not be blank.")
    return found


def _model(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Checks ``model``; the lists are long, so a refusal names one model instead of all."""
    if "model" not in values:
        return
    by_lower = {choice.lower(): choice for choice in allowed}
    text = as_text("model", values["model"])
    if text.lower() not in by_lower:
        raise unprocessable(
            f"model {text[:MAX_URL_LENGTH]!r} is not one of the {len(allowed)} models this "
            f"operation offers, such as {allowed[0]!r}."
        )


# Sources and values


def refuse_repeats(inputs: Inputs, lists: tuple[str, ...] = ()) -> None:
    """422 for a field sent more than once, unless it is one of the ``lists`` parameters."""
    repeated = set(inputs.repeated) - set(lists)
    if repeated:
        names = ", ".join(sorted(repeated))
        raise unprocessable(f"Each parameter takes a single value; given more than once: {names}.")


def image_source(inputs: Inputs, prefix: str, *, with_id: bool = True) -> ImageSource | None:
    """At most one of ``<prefix>image``, ``<prefix>image_url`` and ``<prefix>image_id``."""
    id_field = f"{prefix}image_id" if with_id else None
    return _source(inputs, f"{prefix}image", f"{prefix}image_url", id_field, label="image")


def required_image(inputs: Inputs, prefix: str = "", what: str = "An image") -> ImageSource:
    """Exactly one of ``<prefix>image``, ``<prefix>image_url`` and ``<prefix>image_id``."""
    found = image_source(inputs, prefix)
    if found is None:
        raise unprocessable(
            f"{what} is required: give one of {prefix}image, {prefix}image_url or {prefix}image_id."
        )
    return found


def _source(
    inputs: Inputs,
    file_field: str,
    url_field: str,
    id_field: str | None,
    label: str | None = None,
) -> ImageSource | None:
    """At most one of a file part, a URL and (where the file has one) an id. A refusal calls
    the picture ``label``, else its file field; an image's names the body's encoding."""
    if file_field in inputs.values:
        where = "a multipart body"
        if label is not None and inputs.encoding == "multipart":
            where = "multipart/form-data"
        raise unprocessable(
            f"{file_field} must be a file part in {where}; to pass a link use {url_field}."
        )
    found: list[ImageSource] = []
    part = inputs.files.get(file_field)
    if part is not None:
        found.append(ImageSource(file_field, "file", part=part))
    url = optional_value(inputs.values, url_field, as_url)
    if url is not None:
        found.append(ImageSource(url_field, "url", text=url))
    if id_field is not None:
        given_id = optional_value(inputs.values, id_field, as_text)
        if given_id is not None:
            found.append(ImageSource(id_field, "id", text=given_id))
    if len(found) > 1:
        names = " and ".join(source.field for source in found)
        raise unprocessable(f"Give only one {label or file_field} source; got {names}.")
    return found[0] if found else None


def optional_value(values: dict[str, Any], name: str, convert: Callable[[str, Any], T]) -> T | None:
    if name not in values:
        return None
    return convert(name, values[name])


def value_or(values: dict[str, Any], name: str, convert: Callable[[str, Any], T], default: T) -> T:
    found = optional_value(values, name, convert)
    return default if found is None else found


def as_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise unprocessable(f"{name} must be a string.")
    return value


def as_url(name: str, value: Any) -> str:
    text = as_text(name, value)
    if len(text) > MAX_URL_LENGTH:
        raise unprocessable(f"{name} is {len(text)} characters long; at most 2083 are allowed.")
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise unprocessable(f"{name} must be an absolute http(s) URL.")
    return text


def as_color(name: str, value: Any) -> str:
    text = as_text(name, value)
    try:
        imaging.parse_color(text)
    except ValueError:
        raise unprocessable(
            f"{name} {text!r} is not a colour: use a hex code (#82d5fa, #fff, #18d4ff87) "
            "or a colour name (blue)."
        ) from None
    return text


def as_boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise unprocessable(f"{name} must be true or false, not {value!r}.")


def as_integer(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise unprocessable(f"{name} must be a whole number, not {value!r}.")


def integer_in(
    low: int, high: int | None, *, whole_floats: bool = False
) -> Callable[[str, Any], int]:
    """A whole number from ``low`` to ``high`` (or more, without one); ``whole_floats`` for a
    field the file types as ``number``, which JSON may write ``512.0``."""

    def convert(name: str, value: Any) -> int:
        if whole_floats and isinstance(value, float) and value.is_integer():
            value = int(value)
        number = as_integer(name, value)
        if number < low or (high is not None and number > high):
            upper = f" to {high}" if high is not None else " or more"
            raise unprocessable(f"{name} must be from {low}{upper}, not {number}.")
        return number

    return convert


def whole_number_in(low: int, high: int | None = None) -> Callable[[str, Any], int]:
    return integer_in(low, high, whole_floats=True)


def _at_least(low: int) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = as_integer(name, value)
        if number < low:
            raise unprocessable(f"{name} must be {low} or more, not {number}.")
        return number

    return convert


def number_in(low: float, high: float) -> Callable[[str, Any], float]:
    """A number with a fraction allowed (seconds): JSON numbers, or decimals in a form."""

    def convert(name: str, value: Any) -> float:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric and not (isinstance(value, str) and _DECIMAL.fullmatch(value)):
            raise unprocessable(f"{name} must be a number, not {value!r}.")
        number = float(value)
        if not (math.isfinite(number) and low <= number <= high):
            raise unprocessable(f"{name} must be from {low:g} to {high:g}, not {value!r}.")
        return number

    return convert


def integer_choice(allowed: tuple[int, ...]) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = as_integer(name, value)
        if number not in allowed:
            listed = ", ".join(str(choice) for choice in allowed)
            raise unprocessable(f"{name} must be one of {listed}, not {number}.")
        return number

    return convert


def one_of(allowed: tuple[str, ...]) -> Callable[[str, Any], str]:
    """One of ``allowed``, whatever its case (Picsart takes ``png`` for ``PNG``)."""
    by_lower = {choice.lower(): choice for choice in allowed}

    def convert(name: str, value: Any) -> str:
        text = as_text(name, value)
        chosen = by_lower.get(text.lower())
        if chosen is None:
            raise unprocessable(f"{name} must be one of {', '.join(allowed)}, not {text!r}.")
        return chosen

    return convert


_TAKING_LISTS: dict[str, Callable[[Inputs], Job]] = {
    "upscaleEnhance": _enhance,
    "enhanceFace": _plain("enhance-face"),
    "applyEffect": _effect,
    "effectPreviews": _previews("effects-previews"),
    "laserEngravingEffect": _engraving,
    "applyAiEffect": _ai_effect,
    "adjustImage": _adjust,
    "selectiveBlur": _selective_blur,
    "colorTransfer": _transfer("color-transfer"),
    "styleTransfer": _transfer("styletransfer"),
    "applyMask": _masks,
    "maskPreviews": _previews("masks-previews"),
    "backgroundTexture": _pattern("background-texture"),
    "backgroundPattern": _pattern("background-pattern"),
    "vectorizeImage": _vectorizer,
    "designToReplay": _design,
    "surfaceMap": _surfacemap,
    "addWatermark": _watermark_stamp,
    "transformImage": _edit,
    "smartCrop": _smart_crop,
    "blendImages": _blend,
    "zoomImage": _zoom,
    "multiMatting": _matting,
    "tagImage": _analysis("tags"),
    "describeImage": _analysis("describe"),
    "classifyCar": _analysis("cars-classify"),
    "extractColors": _analysis("extract-colors"),
}
"""The image API's operations after the first four: ``effect_names`` and ``mask`` may come as
lists in any of them; everywhere else a repeated field is refused."""

PARSERS: dict[str, Callable[[Inputs], Job]] = {
    "removeBackground": _removebg,
    "upscale": _upscale,
    "ultraUpscale": _ultra,
    "uploadImage": _upload,
    **_TAKING_LISTS,
    "chatCompletions": _chat,
    "textToImage": _picture("text2image"),
    "textToSticker": _picture("text2sticker"),
    "laserEngraving": _picture("laserengraving"),
    "generateLogo": _logo,
    "editImage": _painting("edit"),
    "inpaint": _painting("inpaint"),
    "outpaint": _painting("outpaint"),
    "removeObject": _painting("remove-object"),
    "smartBackground": _painting("replace-background"),
    "expandImage": _painting("expand"),
    "generateBleed": _painting("bleed"),
    "textToVideo": _video(with_image=False),
    "imageToVideo": _video(with_image=True),
    "textToSpeech": _speech,
    "textToSound": _sound,
    "trimVideo": _trim,
    # issue 28, group A (crop, fit, edit, adjust, effects, watermark)
    **video_edits.PARSERS,
    # issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
    **video_compose.PARSERS,
    # issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
    **video_audio.PARSERS,
    # issue 28, group D (the Variable Data API)
    **variable_data.PARSERS,
}
"""Every operation with a body, by name: the parser of its inputs."""
