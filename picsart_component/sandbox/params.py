"""Turning request inputs into typed jobs, with Picsart's rules: every broken rule answers 422.

The ranges and enums follow ``picsart-image-tools-openapi.yml`` (``ImageParameters``,
``RemoveBackgroundParameters``, ``UpscaleParameters``, ``UploadParameters``). Text values must be
written the way Picsart reads them: integers as plain decimals (``10``, never ``10.5`` or
``10.0``), booleans as ``true`` or ``false``. Fields the API does not know are ignored.
"""

from __future__ import annotations

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

_INTEGER = re.compile(r"-?[0-9]+")
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
class UploadJob:
    image: ImageSource


def unprocessable(detail: str) -> ApiError:
    return ApiError(422, detail)


def parse_removebg(inputs: Inputs) -> RemoveBackgroundJob:
    _refuse_repeats(inputs)
    image = _image_source(inputs, "", with_id=True)
    if image is None:
        raise unprocessable("An image is required: give one of image, image_url or image_id.")
    background = _image_source(inputs, "bg_", with_id=True)
    values = inputs.values
    bg_color = _optional(values, "bg_color", _color)
    if background is not None and bg_color is not None:
        raise unprocessable(
            "Give only one background: bg_image, bg_image_url, bg_image_id or bg_color."
        )
    shadow = _optional(values, "shadow", _choice(SHADOWS)) or "disabled"
    offset_x = _optional(values, "shadow_offset_x", _integer_in(-100, 100))
    offset_y = _optional(values, "shadow_offset_y", _integer_in(-100, 100))
    if shadow == "custom" and (offset_x is None or offset_y is None):
        raise unprocessable("shadow=custom needs both shadow_offset_x and shadow_offset_y.")
    _optional(values, "model", _choice(MODELS))
    params = imaging.RemoveBackgroundParams(
        output_type=_optional(values, "output_type", _choice(OUTPUT_TYPES)) or "cutout",
        bg_color=bg_color,
        bg_blur=_default(values, "bg_blur", _integer_in(0, 100), 0),
        bg_width=_optional(values, "bg_width", _integer_in(1, MAX_CANVAS_SIDE)),
        bg_height=_optional(values, "bg_height", _integer_in(1, MAX_CANVAS_SIDE)),
        scale=_optional(values, "scale", _choice(SCALES)) or "fit",
        auto_center=_default(values, "auto_center", _boolean, False),
        stroke_size=_default(values, "stroke_size", _integer_in(0, 100), 0),
        stroke_color=_optional(values, "stroke_color", _color) or "FFFFFF",
        stroke_opacity=_default(values, "stroke_opacity", _integer_in(0, 100), 100),
        shadow=shadow,
        shadow_opacity=_default(values, "shadow_opacity", _integer_in(0, 100), 20),
        shadow_blur=_default(values, "shadow_blur", _integer_in(0, 100), 50),
        shadow_offset_x=offset_x,
        shadow_offset_y=offset_y,
        format=_optional(values, "format", _choice(FORMATS)) or "PNG",
    )
    return RemoveBackgroundJob(image, background, params)


def parse_upscale(inputs: Inputs) -> UpscaleJob:
    _refuse_repeats(inputs)
    image = _image_source(inputs, "", with_id=True)
    if image is None:
        raise unprocessable("An image is required: give one of image, image_url or image_id.")
    factor = _optional(inputs.values, "upscale_factor", _integer_choice(UPSCALE_FACTORS))
    if factor is None:
        raise unprocessable("upscale_factor is required: one of 2, 4, 6 or 8.")
    image_format = _optional(inputs.values, "format", _choice(FORMATS)) or "JPG"
    return UpscaleJob(image, factor, image_format)


def parse_upload(inputs: Inputs) -> UploadJob:
    _refuse_repeats(inputs)
    image = _image_source(inputs, "", with_id=False)
    if image is None:
        raise unprocessable("An image is required: give one of image or image_url.")
    return UploadJob(image)


def _refuse_repeats(inputs: Inputs) -> None:
    if inputs.repeated:
        names = ", ".join(sorted(set(inputs.repeated)))
        raise unprocessable(f"Each parameter takes a single value; given more than once: {names}.")


def _image_source(inputs: Inputs, prefix: str, *, with_id: bool) -> ImageSource | None:
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
    url = _optional(inputs.values, url_field, _url)
    if url is not None:
        found.append(ImageSource(url_field, "url", text=url))
    if with_id:
        image_id = _optional(inputs.values, id_field, _text)
        if image_id is not None:
            found.append(ImageSource(id_field, "id", text=image_id))
    if len(found) > 1:
        names = " and ".join(source.field for source in found)
        raise unprocessable(f"Give only one image source; got {names}.")
    return found[0] if found else None


def _optional(values: dict[str, Any], name: str, convert: Callable[[str, Any], T]) -> T | None:
    if name not in values:
        return None
    return convert(name, values[name])


def _default(values: dict[str, Any], name: str, convert: Callable[[str, Any], T], default: T) -> T:
    found = _optional(values, name, convert)
    return default if found is None else found


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise unprocessable(f"{name} must be a string.")
    return value


def _url(name: str, value: Any) -> str:
    text = _text(name, value)
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


def _color(name: str, value: Any) -> str:
    text = _text(name, value)
    try:
        imaging.parse_color(text)
    except ValueError:
        raise unprocessable(
            f"{name} {text!r} is not a colour: use a hex code (#82d5fa, #fff, #18d4ff87) "
            "or a colour name (blue)."
        ) from None
    return text


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise unprocessable(f"{name} must be true or false, not {value!r}.")


def _integer(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise unprocessable(f"{name} must be a whole number, not {value!r}.")


def _integer_in(low: int, high: int) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = _integer(name, value)
        if not low <= number <= high:
            raise unprocessable(f"{name} must be from {low} to {high}, not {number}.")
        return number

    return convert


def _integer_choice(choices: tuple[int, ...]) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = _integer(name, value)
        if number not in choices:
            allowed = ", ".join(str(choice) for choice in choices)
            raise unprocessable(f"{name} must be one of {allowed}, not {number}.")
        return number

    return convert


def _choice(choices: tuple[str, ...]) -> Callable[[str, Any], str]:
    """One of ``choices``, whatever its case (Picsart takes ``png`` for ``PNG``)."""
    by_lower = {choice.lower(): choice for choice in choices}

    def convert(name: str, value: Any) -> str:
        text = _text(name, value)
        chosen = by_lower.get(text.lower())
        if chosen is None:
            raise unprocessable(f"{name} must be one of {', '.join(choices)}, not {text!r}.")
        return chosen

    return convert
