"""Turning request inputs into typed jobs, with Picsart's rules: every broken rule answers 422.

The ranges and enums follow ``picsart-image-tools-openapi.yml`` (``ImageParameters``,
``RemoveBackgroundParameters``, ``UpscaleParameters``, ``UpscaleUltraParameters``,
``UploadParameters``). Text values must be written the way Picsart reads them: integers as plain
decimals (``10``, never ``10.5`` or ``10.0``), booleans as ``true`` or ``false``. Fields the API
does not know are ignored. The converters here are shared with ``genai_params``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from . import imaging
from .errors import ApiError
from .forms import FilePart, Inputs

MAX_URL_LENGTH = 2083
MAX_CANVAS_SIDE = imaging.MAX_CANVAS_SIDE
"""The sandbox's own cap on ``bg_width``/``bg_height``; the spec gives none."""

OUTPUT_TYPES = ("cutout", "mask")
SCALES = ("fit", "fill")
SHADOWS = (
    "disabled",
    "custom",
    "bottom-right",
    "bottom",
    "bottom-left",
    "left",
    "right",
    "top-left",
    "top",
    "top-right",
)
FORMATS = ("JPG", "PNG", "WEBP")
MODELS = (
    "urn:air:picsart:model:picsart:sod@8.2",
    "urn:air:picsart:model:picsart:sod@10",
    "urn:air:picsart:model:picsart:sod@10.1",
    "urn:air:picsart:model:picsart:sod@11",
)
UPSCALE_FACTORS = (2, 4, 6, 8)
ULTRA_FACTORS = tuple(range(2, 17))
IMAGE_TYPES = ("product", "portrait", "nature", "graphics")
MODES = ("sync", "async", "auto")
"""The deprecated ``mode`` field's values: checked, never obeyed (``Prefer`` decides)."""

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
T = TypeVar("T")


@dataclass(frozen=True)
class ImageSource:
    """Where an input image comes from: a file part, a URL to fetch, or a stored id."""

    field: str
    kind: str
    text: str = ""
    part: FilePart | None = None


@dataclass(frozen=True)
class RemoveBackgroundJob:
    image: ImageSource
    background: ImageSource | None
    params: imaging.RemoveBackgroundParams


@dataclass(frozen=True)
class UpscaleJob:
    image: ImageSource
    factor: int
    format: str


@dataclass(frozen=True)
class UltraJob:
    image: ImageSource
    factor: int
    format: str


@dataclass(frozen=True)
class UploadJob:
    image: ImageSource


def unprocessable(detail: str) -> ApiError:
    return ApiError(422, detail)


def parse_removebg(inputs: Inputs) -> RemoveBackgroundJob:
    refuse_repeats(inputs)
    image = image_source(inputs, "", with_id=True)
    if image is None:
        raise unprocessable("An image is required: give one of image, image_url or image_id.")
    background = image_source(inputs, "bg_", with_id=True)
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
    return RemoveBackgroundJob(image, background, params)


def parse_upscale(inputs: Inputs) -> UpscaleJob:
    refuse_repeats(inputs)
    image = image_source(inputs, "", with_id=True)
    if image is None:
        raise unprocessable("An image is required: give one of image, image_url or image_id.")
    factor = optional_value(inputs.values, "upscale_factor", integer_choice(UPSCALE_FACTORS))
    if factor is None:
        raise unprocessable("upscale_factor is required: one of 2, 4, 6 or 8.")
    image_format = optional_value(inputs.values, "format", one_of(FORMATS)) or "JPG"
    return UpscaleJob(image, factor, image_format)


def parse_ultra(inputs: Inputs) -> UltraJob:
    refuse_repeats(inputs)
    image = required_image(inputs)
    values = inputs.values
    factor = value_or(values, "upscale_factor", integer_choice(ULTRA_FACTORS), 2)
    for name in ("image_type", "product_type"):
        optional_value(values, name, one_of(IMAGE_TYPES))
    optional_value(values, "mode", one_of(MODES))
    return UltraJob(image, factor, optional_value(values, "format", one_of(FORMATS)) or "JPG")


def parse_upload(inputs: Inputs) -> UploadJob:
    refuse_repeats(inputs)
    image = image_source(inputs, "", with_id=False)
    if image is None:
        raise unprocessable("An image is required: give one of image or image_url.")
    return UploadJob(image)


def refuse_repeats(inputs: Inputs, lists: tuple[str, ...] = ()) -> None:
    """422 for a field sent more than once, unless it is one of the ``lists`` parameters."""
    repeated = set(inputs.repeated) - set(lists)
    if repeated:
        names = ", ".join(sorted(repeated))
        raise unprocessable(f"Each parameter takes a single value; given more than once: {names}.")


def image_source(inputs: Inputs, prefix: str, *, with_id: bool) -> ImageSource | None:
    file_field, url_field, id_field = f"{prefix}image", f"{prefix}image_url", f"{prefix}image_id"
    if file_field in inputs.values:
        where = "multipart/form-data" if inputs.encoding == "multipart" else "a multipart body"
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
    if with_id:
        image_id = optional_value(inputs.values, id_field, as_text)
        if image_id is not None:
            found.append(ImageSource(id_field, "id", text=image_id))
    if len(found) > 1:
        names = " and ".join(source.field for source in found)
        raise unprocessable(f"Give only one image source; got {names}.")
    return found[0] if found else None


def required_image(inputs: Inputs, prefix: str = "", what: str = "An image") -> ImageSource:
    """Exactly one of ``<prefix>image``, ``<prefix>image_url`` and ``<prefix>image_id``."""
    found = image_source(inputs, prefix, with_id=True)
    if found is None:
        raise unprocessable(
            f"{what} is required: give one of {prefix}image, {prefix}image_url or {prefix}image_id."
        )
    return found


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


def whole_number_in(low: int, high: int | None = None) -> Callable[[str, Any], int]:
    """A whole number for a field the file types as ``number``: JSON may write it ``512.0``."""

    def convert(name: str, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        number = as_integer(name, value)
        if number < low or (high is not None and number > high):
            upper = f" to {high}" if high is not None else " or more"
            raise unprocessable(f"{name} must be from {low}{upper}, not {number}.")
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


def integer_in(low: int, high: int) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = as_integer(name, value)
        if not low <= number <= high:
            raise unprocessable(f"{name} must be from {low} to {high}, not {number}.")
        return number

    return convert


def integer_choice(choices: tuple[int, ...]) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = as_integer(name, value)
        if number not in choices:
            allowed = ", ".join(str(choice) for choice in choices)
            raise unprocessable(f"{name} must be one of {allowed}, not {number}.")
        return number

    return convert


def one_of(choices: tuple[str, ...]) -> Callable[[str, Any], str]:
    """One of ``choices``, whatever its case (Picsart takes ``png`` for ``PNG``)."""
    by_lower = {choice.lower(): choice for choice in choices}

    def convert(name: str, value: Any) -> str:
        text = as_text(name, value)
        chosen = by_lower.get(text.lower())
        if chosen is None:
            raise unprocessable(f"{name} must be one of {', '.join(choices)}, not {text!r}.")
        return chosen

    return convert
