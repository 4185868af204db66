"""Turning GenAI request inputs into typed jobs; every broken rule answers 422, naming the field.

The rules follow ``picsart-genai-openapi.yml``: required fields, enums (in any case, as for the
image API), ranges, one source per image, the watermark fields. The file types some whole
quantities (sizes, counts) as ``number``; JSON may write those ``512.0``, but not ``512.5``.
Fields the API does not know are ignored, as are the deprecated ``negative_prompt`` and ``mode``
once checked: ``Prefer`` alone chooses between a synchronous answer and a job.

Where the file is silent the sandbox decides: ``temperature`` is from 0 to 2 (the range of the
models behind it), expand's ``width``/``height`` are at least 1 (and, once the image is read, at
least its size), a ``prompt``, ``text`` or name must not be blank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import imaging, models
from .forms import Inputs
from .params import (
    FORMATS,
    MAX_URL_LENGTH,
    ImageSource,
    as_boolean,
    as_color,
    as_integer,
    as_text,
    as_url,
    image_source,
    integer_in,
    number_in,
    one_of,
    optional_value,
    refuse_repeats,
    required_image,
    unprocessable,
    value_or,
    whole_number_in,
)

ROLES = ("system", "user", "assistant")
LANGUAGES = ("en", "fr")
QUALITIES = ("480p", "720p", "1080p")
COLOR_TONES = (
    "Auto",
    "Gray",
    "Blue",
    "Pink",
    "Orange",
    "Brown",
    "Yellow",
    "Green",
    "Purple",
    "Red",
)
DIRECTIONS = ("center", "top-left", "top-right", "bottom-left", "bottom-right")
ENGRAVING_FORMATS = (*FORMATS, "SVG")
ANCHOR_POINTS = (
    "left-top",
    "left-middle",
    "left-bottom",
    "center-top",
    "center-middle",
    "center-bottom",
    "right-top",
    "right-middle",
    "right-bottom",
    "pattern",
)
PAINTING_MODES = ("sync", "async")
PAINTING_MODES_WITH_AUTO = (*PAINTING_MODES, "auto")
MIN_SIDE, MAX_SIDE = 64, 1024
MAX_EXPAND_SIDE = 8000
MAX_SPEECH_CHARACTERS = 5000
DEFAULT_MAX_TOKENS = 512


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
class SpeechJob:
    text: str
    language: str
    voice: str | None


@dataclass(frozen=True)
class SoundJob:
    prompt: str
    duration: float | None
    loop: bool


GenAIJob = ChatJob | PictureJob | LogoJob | PaintingJob | VideoJob | SpeechJob | SoundJob


def parse(operation: str, inputs: Inputs) -> GenAIJob:
    """The job ``inputs`` ask of ``operation``, or ``ApiError`` 422 for the first broken rule."""
    refuse_repeats(inputs)
    return _PARSERS[operation](inputs)


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
    _model(values, models.CHAT_MODELS)
    return ChatJob(tuple(messages), max_tokens)


def _picture(kind: str) -> Callable[[Inputs], PictureJob]:
    def parse_picture(inputs: Inputs) -> PictureJob:
        values = inputs.values
        prompt = _prompt(values)
        optional_value(values, "negative_prompt", as_text)
        width = value_or(values, "width", whole_number_in(MIN_SIDE, MAX_SIDE), 1024)
        height = value_or(values, "height", whole_number_in(MIN_SIDE, MAX_SIDE), 1024)
        count = value_or(values, "count", whole_number_in(1, 10), 2)
        if kind != "laserengraving":
            _model(values, models.TEXT2IMAGE_MODELS)
            return PictureJob(kind, prompt, width, height, count, _PICTURE_FORMATS[kind])
        _model(values, models.LASER_ENGRAVING_MODELS)
        engrave = optional_value(values, "engrave_color", as_color) or "black"
        background = optional_value(values, "background_color", as_color) or "white"
        return PictureJob(
            kind,
            prompt,
            width,
            height,
            count,
            optional_value(values, "format", one_of(ENGRAVING_FORMATS)) or "JPG",
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
    reference = image_source(inputs, "reference_", with_id=True)
    _model(values, models.TEXT2IMAGE_MODELS)
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
        if kind in ("inpaint", "outpaint"):
            mask = image_source(inputs, "mask_", with_id=True)
        elif kind == "remove-object":
            mask = required_image(inputs, "mask_", "A mask")
        if kind in ("remove-object", "bleed"):
            prompt = optional_value(values, "prompt", as_text) or ""
        else:
            prompt = _prompt(values)
        optional_value(values, "negative_prompt", as_text)
        if kind != "bleed":
            auto = kind in ("remove-object", "expand")
            optional_value(
                values, "mode", one_of(PAINTING_MODES_WITH_AUTO if auto else PAINTING_MODES)
            )
        count = 1
        if kind not in ("remove-object", "bleed"):
            count = value_or(values, "count", integer_in(1, 2 if kind == "expand" else 10), 2)
        extra: dict[str, Any] = {}
        if kind == "expand":
            extra["width"] = value_or(values, "width", integer_in(1, MAX_EXPAND_SIDE), 1024)
            extra["height"] = value_or(values, "height", integer_in(1, MAX_EXPAND_SIDE), 1024)
            extra["direction"] = optional_value(values, "direction", one_of(DIRECTIONS)) or "center"
        elif kind == "bleed":
            if "bleed_size" not in values:
                raise unprocessable("bleed_size is required: from 1 to 75 pixels.")
            extra["bleed_size"] = value_or(values, "bleed_size", integer_in(1, 75), 5)
        elif kind == "edit":
            _model(values, models.IMAGE2IMAGE_MODELS)
            extra["watermark"] = _watermark(values)
        image_format = optional_value(values, "format", one_of(FORMATS)) or "JPG"
        return PaintingJob(kind, image, prompt, mask, count, image_format, **extra)

    return parse_painting


def _watermark(values: dict[str, Any]) -> Watermark | None:
    """The watermark fields, all checked; a ``Watermark`` only when it is enabled."""
    enabled = value_or(values, "watermark_enabled", as_boolean, False)
    url = optional_value(values, "watermark_url", as_url)
    anchor = optional_value(values, "watermark_anchor_point", one_of(ANCHOR_POINTS))
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
        prompt = _prompt(values)
        width = value_or(values, "width", whole_number_in(MIN_SIDE, MAX_SIDE), 1024)
        height = value_or(values, "height", whole_number_in(MIN_SIDE, MAX_SIDE), 1024)
        optional_value(values, "quality", one_of(QUALITIES))
        audio = value_or(values, "audio", as_boolean, False)
        seconds = value_or(values, "length", number_in(1, 20), 3.0)
        _model(values, models.IMAGE2VIDEO_MODELS if with_image else models.TEXT2VIDEO_MODELS)
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
    _model(values, models.SPEECH_MODELS)
    return SpeechJob(text, language, optional_value(values, "voice", as_text))


def _sound(inputs: Inputs) -> SoundJob:
    values = inputs.values
    prompt = _prompt(values)
    duration = optional_value(values, "duration", number_in(0.5, 22))
    loop = value_or(values, "loop", as_boolean, False)
    _model(values, models.SOUND_MODELS)
    return SoundJob(prompt, duration, loop)


def _prompt(values: dict[str, Any]) -> str:
    return _required_text(values, "prompt")


def _required_text(values: dict[str, Any], name: str) -> str:
    found = optional_value(values, name, as_text)
    if found is None or not found.strip():
        raise unprocessable(f"{name} is required and must not be blank.")
    return found


def _at_least(low: int) -> Callable[[str, Any], int]:
    def convert(name: str, value: Any) -> int:
        number = as_integer(name, value)
        if number < low:
            raise unprocessable(f"{name} must be {low} or more, not {number}.")
        return number

    return convert


def _model(values: dict[str, Any], choices: tuple[str, ...]) -> None:
    """Checks ``model``; the lists are long, so a refusal names one model instead of all."""
    if "model" not in values:
        return
    by_lower = {choice.lower(): choice for choice in choices}
    text = as_text("model", values["model"])
    if text.lower() not in by_lower:
        raise unprocessable(
            f"model {text[:MAX_URL_LENGTH]!r} is not one of the {len(choices)} models this "
            f"operation offers, such as {choices[0]!r}."
        )


_PARSERS: dict[str, Callable[[Inputs], GenAIJob]] = {
    "chat": _chat,
    "text2image": _picture("text2image"),
    "text2sticker": _picture("text2sticker"),
    "laserengraving": _picture("laserengraving"),
    "logo": _logo,
    "edit": _painting("edit"),
    "inpaint": _painting("inpaint"),
    "outpaint": _painting("outpaint"),
    "remove-object": _painting("remove-object"),
    "replace-background": _painting("replace-background"),
    "expand": _painting("expand"),
    "bleed": _painting("bleed"),
    "text2video": _video(with_image=False),
    "image2video": _video(with_image=True),
    "text2speech": _speech,
    "text2sound": _sound,
}
