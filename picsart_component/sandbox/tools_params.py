"""Turning the inputs of the image API's other operations into typed jobs; every broken rule
answers 422, naming the field, before anything is charged.

The rules follow ``picsart-image-tools-openapi.yml``, the way ``params`` reads the first
operations: exactly one image source (``image``, ``image_url`` or ``image_id``), enums in any
case, integer ranges, required fields, colours as ``parse_color`` reads them, ``format`` from
JPG, PNG and WEBP (and SVG for laser engraving). A second picture comes from one source of its
own (``reference_image*``, ``overlay_image*``, ``mask*``, ``sticker*``, ``watermark*``), required
where the operation cannot work without it. ``effect_names`` and the previews' ``mask`` are
lists: a JSON array, a form field given several times, or names joined by commas.

Where the file is silent the sandbox decides (and its README says so): the transfers need their
reference; blend needs its overlay; surface map needs its mask and sticker, the mask the image's
size; previews take at most 10 names (the file's prose), effect names once each (its
``uniqueItems``), mask names as often as given; sizes are capped at 8000 pixels a side as the
file caps the pattern's; a smart crop's ``width``/``height`` of 0 means "not set" and, with a
``ratio``, must match it; ``downscale_to`` is -1 or at least 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import analysis, editing, effects, imaging, models
from .forms import Inputs
from .params import (
    FORMATS,
    ImageSource,
    as_color,
    as_text,
    as_url,
    integer_choice,
    integer_in,
    number_in,
    one_of,
    optional_value,
    refuse_repeats,
    required_image,
    unprocessable,
    value_or,
)

MAX_SIDE = imaging.MAX_CANVAS_SIDE
ENHANCE_FACTORS = tuple(range(2, 17))
MAX_ENHANCE_OUTPUT_PIXELS = imaging.MAX_ULTRA_OUTPUT_PIXELS
"""Ultra Enhance gives at most "64 Mpx", counted as Ultra Upscale counts it (8192x8192 worth)."""
MAX_UNSCALED_VECTOR_SIDE = 4000
"""With ``downscale_to`` -1 the vectorizer takes images under 4000 pixels a side."""
ENGRAVING_FORMATS = (*FORMATS, "SVG")
WATERMARK_ANCHORS = (*editing.ANCHORS, "pattern")
ZOOM_ANCHORS = (*editing.ANCHORS, "ai")
EDIT_MODES = ("resize", "crop")
FLIPS = ("horizontal", "vertical")
ADJUSTMENTS: dict[str, tuple[int, int]] = {
    "brightness": (-100, 100),
    "contrast": (-100, 100),
    "clarity": (-100, 100),
    "saturation": (-100, 100),
    "hue": (-100, 100),
    "shadows": (-100, 100),
    "highlights": (-100, 100),
    "temperature": (-100, 100),
    "sharpen": (0, 100),
    "noise": (0, 100),
    "vignette": (0, 100),
}
MAX_PREVIEWS = 10
MAX_SEGMENT_LENGTH = 90
PREVIEW_SIZES = (50, 240)
LIST_FIELDS = ("effect_names", "mask")


@dataclass(frozen=True)
class ToolJob:
    """One checked call. ``kind`` is the operation's name; ``image`` its input (the design file
    for design2replay); ``sources`` the second pictures by role (``reference``, ``overlay``,
    ``mask``, ``sticker``, ``watermark``); ``options`` the keyword arguments of the work;
    ``names`` the effects or masks to preview; ``format`` and ``quality`` the output's."""

    kind: str
    image: ImageSource
    format: str = "JPG"
    options: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, ImageSource] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    preview_size: int = 120
    quality: int = 90


def parse(operation: str, inputs: Inputs) -> ToolJob:
    """The job ``inputs`` ask of ``operation``, or ``ApiError`` 422 for the first broken rule."""
    refuse_repeats(inputs, LIST_FIELDS)
    return _PARSERS[operation](inputs)


def serves(operation: str) -> bool:
    return operation in _PARSERS


def _format(
    values: dict[str, Any], default: str = "JPG", choices: tuple[str, ...] = FORMATS
) -> str:
    return optional_value(values, "format", one_of(choices)) or default


def _plain(kind: str) -> Callable[[Inputs], ToolJob]:
    """An operation that takes the image and ``format`` only."""

    def parse_plain(inputs: Inputs) -> ToolJob:
        return ToolJob(kind, required_image(inputs), _format(inputs.values))

    return parse_plain


def _analysis(kind: str) -> Callable[[Inputs], ToolJob]:
    """An analysis: the image only (its answer is data, not a picture)."""

    def parse_analysis(inputs: Inputs) -> ToolJob:
        image = required_image(inputs)
        if kind == "cars-classify":
            _model(inputs.values, models.CAR_CLASSIFICATION_MODELS)
        return ToolJob(kind, image, "PNG")

    return parse_analysis


def _enhance(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    factor = value_or(values, "upscale_factor", integer_choice(ENHANCE_FACTORS), 2)
    return ToolJob("upscale-enhance", image, _format(values), {"factor": factor})


def _effect(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    name = _name(values, "effect_name", effects.EFFECT_NAMES, "effects", "GET /effects")
    fade = value_or(values, "fade", integer_in(0, 100), 0)
    return ToolJob("effects", image, _format(values), {"name": name, "fade": fade})


def _effect_previews(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    names = _names(inputs, "effect_names", effects.EFFECT_NAMES, unique=True)
    return ToolJob(
        "effects-previews",
        image,
        _format(values),
        {"fade": value_or(values, "fade", integer_in(0, 100), 0)},
        names=names,
        preview_size=value_or(values, "preview_size", integer_in(*PREVIEW_SIZES), 120),
    )


def _ai_effect(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    name = _name(values, "effect_name", effects.AI_EFFECT_NAMES, "AI effects", "GET /effects/ai")
    return ToolJob("effects-ai", image, _format(values), {"name": name})


def _engraving(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    engrave = optional_value(values, "engrave_color", as_color) or "black"
    background = optional_value(values, "background_color", as_color) or "white"
    options = {
        "engrave_color": imaging.parse_color(engrave),
        "background_color": imaging.parse_color(background),
    }
    return ToolJob(
        "effects-laserengraving", image, _format(values, choices=ENGRAVING_FORMATS), options
    )


def _adjust(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    options = {
        name: value_or(values, name, integer_in(low, high), 0)
        for name, (low, high) in ADJUSTMENTS.items()
    }
    return ToolJob("adjust", image, _format(values), options)


def _selective_blur(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    options = {
        "segment": _segment(values),
        "blur": value_or(values, "blur", integer_in(1, 100), 50),
    }
    return ToolJob("selective-blur", image, _format(values), options)


def _transfer(kind: str) -> Callable[[Inputs], ToolJob]:
    """Colour or style transfer: the image and the reference it takes after (required)."""

    def parse_transfer(inputs: Inputs) -> ToolJob:
        image = required_image(inputs)
        reference = required_image(inputs, "reference_", "A reference image")
        options: dict[str, Any] = {}
        if kind == "styletransfer":
            options["level"] = (
                optional_value(inputs.values, "level", one_of(effects.STYLE_LEVELS)) or "l1"
            )
        return ToolJob(
            kind, image, _format(inputs.values), options, sources={"reference": reference}
        )

    return parse_transfer


def _mask_options(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "blend": optional_value(values, "blend", one_of(effects.MASK_BLENDS)) or "screen",
        "opacity": value_or(values, "opacity", integer_in(0, 100), 100),
        "hue": value_or(values, "hue", integer_in(-180, 180), 0),
        "flip": optional_value(values, "mask_flip", one_of(effects.MASK_FLIPS)),
    }


def _masks(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    name = _name(values, "mask", effects.MASK_NAMES, "masks")
    options = {"name": name, **_mask_options(values)}
    return ToolJob("masks", image, _format(values, "PNG"), options)


def _mask_previews(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    names = _names(inputs, "mask", effects.MASK_NAMES, unique=False)
    return ToolJob(
        "masks-previews",
        image,
        _format(values, "PNG"),
        _mask_options(values),
        names=names,
        preview_size=value_or(values, "preview_size", integer_in(*PREVIEW_SIZES), 120),
    )


def _pattern(kind: str) -> Callable[[Inputs], ToolJob]:
    """The pattern generator, under its name and under the deprecated ``background/texture``."""

    def parse_pattern(inputs: Inputs) -> ToolJob:
        image = required_image(inputs)
        values = inputs.values
        options = {
            "width": value_or(values, "width", integer_in(1, MAX_SIDE), 1024),
            "height": value_or(values, "height", integer_in(1, MAX_SIDE), 1024),
            "offset_x": value_or(values, "offset_x", integer_in(-MAX_SIDE, MAX_SIDE), 0),
            "offset_y": value_or(values, "offset_y", integer_in(-MAX_SIDE, MAX_SIDE), 0),
            "pattern": optional_value(values, "pattern", one_of(editing.PATTERNS)) or "hex",
            "rotate": value_or(values, "rotate", integer_in(-180, 180), 0),
            "scale": value_or(values, "scale", number_in(0.5, 10), 1.0),
        }
        return ToolJob(kind, image, _format(values), options)

    return parse_pattern


def _vectorizer(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    downscale_to = value_or(inputs.values, "downscale_to", _downscale, 2048)
    return ToolJob("vectorizer", image, "SVG", {"downscale_to": downscale_to})


def _downscale(name: str, value: Any) -> int:
    number = integer_in(-1, 2**31 - 1)(name, value)
    if number == 0:
        raise unprocessable(f"{name} must be -1 (no downscaling) or at least 1, not 0.")
    return number


def _design(inputs: Inputs) -> ToolJob:
    design = _source(inputs, "file", "file_url", None)
    if design is None:
        raise unprocessable("A design is required: give one of file or file_url (SVG or AI).")
    return ToolJob("design2replay", design, "JSON")


def _surfacemap(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    mask = _source(inputs, "mask", "mask_url", "mask_id")
    sticker = _source(inputs, "sticker", "sticker_url", "sticker_id")
    if mask is None:
        raise unprocessable("A mask is required: give one of mask, mask_url or mask_id.")
    if sticker is None:
        raise unprocessable(
            "A sticker is required: give one of sticker, sticker_url or sticker_id."
        )
    return ToolJob(
        "surfacemap",
        image,
        _format(inputs.values),
        sources={"mask": mask, "sticker": sticker},
    )


def _watermark(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    mark = _source(inputs, "watermark", "watermark_url", None)
    options = {
        "anchor_point": optional_value(values, "anchor_point", one_of(WATERMARK_ANCHORS))
        or "center-middle",
        "width": optional_value(values, "watermark_width", integer_in(1, MAX_SIDE)),
        "height": optional_value(values, "watermark_height", integer_in(1, MAX_SIDE)),
        "opacity": value_or(values, "watermark_opacity", integer_in(0, 100), 50),
        "angle": value_or(values, "watermark_angle", integer_in(0, 360), 0),
        "padding_x": value_or(values, "watermark_padding_x", integer_in(0, MAX_SIDE), 0),
        "padding_y": value_or(values, "watermark_padding_y", integer_in(0, MAX_SIDE), 0),
    }
    sources = {"watermark": mark} if mark is not None else {}
    return ToolJob("watermark", image, _format(values), options, sources=sources)


def _edit(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    side = integer_in(1, MAX_SIDE)
    position = integer_in(0, MAX_SIDE)
    options = {
        "mode": optional_value(values, "mode", one_of(EDIT_MODES)),
        "size": optional_value(values, "size", side),
        "width": optional_value(values, "width", side),
        "height": optional_value(values, "height", side),
        "crop_x": optional_value(values, "crop_x", position),
        "crop_y": optional_value(values, "crop_y", position),
        "crop_anchor": optional_value(values, "crop_anchor", one_of(editing.CROP_ANCHORS))
        or "center",
        "flip": optional_value(values, "flip", one_of(FLIPS)),
        "rotate": value_or(values, "rotate", number_in(-180, 180), 0.0),
        "perspective_horizontal": value_or(
            values, "perspective_horizontal", integer_in(-45, 45), 0
        ),
        "perspective_vertical": value_or(values, "perspective_vertical", integer_in(-45, 45), 0),
    }
    if (options["crop_x"] is None) != (options["crop_y"] is None):
        raise unprocessable("crop_x and crop_y go together: give both or neither.")
    quality = value_or(values, "quality", integer_in(10, 100), 90)
    return ToolJob("basic-edit", image, _format(values), options, quality=quality)


def _smart_crop(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    ratio = optional_value(values, "ratio", one_of(editing.RATIOS))
    width = optional_value(values, "width", integer_in(0, MAX_SIDE)) or None
    height = optional_value(values, "height", integer_in(0, MAX_SIDE)) or None
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
    return ToolJob("smart-crop", image, _format(values), options)


def _blend(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    overlay = required_image(inputs, "overlay_", "An overlay image")
    values = inputs.values
    options = {
        "mode": optional_value(values, "blend_mode", one_of(editing.BLEND_MODES)) or "normal",
        "opacity": value_or(values, "opacity", integer_in(0, 100), 100),
    }
    return ToolJob("blend", image, _format(values), options, sources={"overlay": overlay})


def _zoom(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    values = inputs.values
    factor = optional_value(values, "scale_factor", integer_in(1, 75))
    if factor is None:
        raise unprocessable("scale_factor is required: a whole number from 1 to 75.")
    anchor = optional_value(values, "anchor_point", one_of(ZOOM_ANCHORS)) or "center-middle"
    return ToolJob("zoom", image, _format(values), {"scale_factor": factor, "anchor_point": anchor})


def _matting(inputs: Inputs) -> ToolJob:
    image = required_image(inputs)
    found = optional_value(
        inputs.values, "segmentation_class", one_of(analysis.SEGMENTATION_CLASSES)
    )
    if found is None:
        classes = ", ".join(analysis.SEGMENTATION_CLASSES)
        raise unprocessable(f"segmentation_class is required: one of {classes}.")
    return ToolJob("multi-matting", image, "PNG", {"segmentation_class": found})


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
    choices: tuple[str, ...],
    what: str,
    listed_at: str | None = None,
) -> str:
    """A required name from a long list, in any case; a refusal names a few and where the rest
    are listed."""
    if name not in values:
        raise unprocessable(f"{name} is required: one of the {len(choices)} {what}.")
    return _choice(name, as_text(name, values[name]), choices, what, listed_at)


def _choice(
    name: str, text: str, choices: tuple[str, ...], what: str, listed_at: str | None = None
) -> str:
    by_lower = {choice.lower(): choice for choice in choices}
    chosen = by_lower.get(text.strip().lower())
    if chosen is None:
        if listed_at is not None:
            hint = f"{listed_at} lists them; for instance {', '.join(choices[:3])}"
        else:
            hint = ", ".join(choices)
        raise unprocessable(
            f"{name} {text[:100]!r} is not one of the {len(choices)} {what} ({hint})."
        )
    return chosen


def _names(inputs: Inputs, name: str, choices: tuple[str, ...], *, unique: bool) -> tuple[str, ...]:
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
    chosen = tuple(_choice(name, text, choices, what, listed_at) for text in texts)
    if unique and len(set(chosen)) < len(chosen):
        raise unprocessable(f"{name} must list each name once.")
    return chosen


def _source(
    inputs: Inputs, file_field: str, url_field: str, id_field: str | None
) -> ImageSource | None:
    """At most one of a file part, a URL and (where the file has one) an id."""
    if file_field in inputs.values:
        raise unprocessable(
            f"{file_field} must be a file part in a multipart body; to pass a link use {url_field}."
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
        raise unprocessable(f"Give only one {file_field} source; got {names}.")
    return found[0] if found else None


def _model(values: dict[str, Any], choices: tuple[str, ...]) -> None:
    if "model" in values:
        _choice("model", as_text("model", values["model"]), choices, "models", None)


_PARSERS: dict[str, Callable[[Inputs], ToolJob]] = {
    "upscale-enhance": _enhance,
    "enhance-face": _plain("enhance-face"),
    "effects": _effect,
    "effects-previews": _effect_previews,
    "effects-laserengraving": _engraving,
    "effects-ai": _ai_effect,
    "adjust": _adjust,
    "selective-blur": _selective_blur,
    "color-transfer": _transfer("color-transfer"),
    "styletransfer": _transfer("styletransfer"),
    "masks": _masks,
    "masks-previews": _mask_previews,
    "background-texture": _pattern("background-texture"),
    "background-pattern": _pattern("background-pattern"),
    "vectorizer": _vectorizer,
    "design2replay": _design,
    "surfacemap": _surfacemap,
    "watermark": _watermark,
    "basic-edit": _edit,
    "smart-crop": _smart_crop,
    "blend": _blend,
    "zoom": _zoom,
    "multi-matting": _matting,
    "tags": _analysis("tags"),
    "describe": _analysis("describe"),
    "cars-classify": _analysis("cars-classify"),
    "extract-colors": _analysis("extract-colors"),
}
