"""Sample photos drawn in code, so the sandbox, its demos and its tests need no binary files.

Each is the kind of shot remove-background is made for (one clear subject against a contrasting
backdrop), and each stresses the segmentation differently: a plain backdrop with a near-white
highlight inside the subject, a diagonal gradient backdrop, and a person cut by the frame's edge.
Shapes are drawn four times too large and shrunk, so their edges are anti-aliased like a photo's.
"""

from __future__ import annotations

import array
import functools
import hashlib
import io
import math
import sys
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageChops, ImageDraw, ImageOps

SAMPLE_NAMES = ("product-plain", "product-gradient", "portrait")
JPEG_SAMPLE = "portrait"

_SUPERSAMPLING = 4

Colour = tuple[int, int, int]

_BOTTLE_TEAL = (20, 112, 128)
_CAP_GREY = (45, 48, 56)
_RIDGE_GREY = (86, 90, 100)
_LABEL_CORAL = (236, 112, 76)
_PRINT_WHITE = (250, 248, 240)
_HIGHLIGHT = (236, 246, 248)
_DUCK_YELLOW = (250, 206, 48)
_WING_YELLOW = (232, 172, 28)
_BEAK_ORANGE = (244, 124, 28)
_EYE_BLACK = (24, 24, 30)
_GLINT_WHITE = (255, 255, 255)
_SKIN = (228, 184, 152)
_SKIN_SHADE = (206, 156, 124)
_HAIR = (58, 40, 32)
_SHIRT = (46, 72, 128)
_LIPS = (170, 80, 80)


@dataclass(frozen=True)
class _Pen:
    """Draws in units of the shorter side, from the centre, so shapes keep their proportions."""

    draw: ImageDraw.ImageDraw
    centre_x: float
    centre_y: float
    unit: float

    def _box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (
            self.centre_x + x0 * self.unit,
            self.centre_y + y0 * self.unit,
            self.centre_x + x1 * self.unit,
            self.centre_y + y1 * self.unit,
        )

    def ellipse(self, x: float, y: float, rx: float, ry: float, colour: Colour) -> None:
        self.draw.ellipse(self._box(x - rx, y - ry, x + rx, y + ry), fill=colour)

    def rectangle(
        self, x0: float, y0: float, x1: float, y1: float, colour: Colour, corner: float = 0.0
    ) -> None:
        self.draw.rounded_rectangle(
            self._box(x0, y0, x1, y1), radius=corner * self.unit, fill=colour
        )

    def polygon(self, points: Sequence[tuple[float, float]], colour: Colour) -> None:
        self.draw.polygon(
            [(self.centre_x + x * self.unit, self.centre_y + y * self.unit) for x, y in points],
            fill=colour,
        )

    def smile(self, x: float, y: float, rx: float, ry: float, colour: Colour) -> None:
        width = max(1, round(0.012 * self.unit))
        self.draw.arc(self._box(x - rx, y - ry, x + rx, y + ry), 20, 160, fill=colour, width=width)


def _bottle(pen: _Pen) -> None:
    pen.rectangle(-0.07, -0.44, 0.07, -0.33, _CAP_GREY, corner=0.015)
    for ridge in (-0.04, -0.013, 0.013, 0.04):
        pen.rectangle(ridge - 0.006, -0.42, ridge + 0.006, -0.35, _RIDGE_GREY)
    pen.rectangle(-0.055, -0.34, 0.055, -0.26, _BOTTLE_TEAL)
    pen.ellipse(0.0, -0.2, 0.15, 0.09, _BOTTLE_TEAL)
    pen.rectangle(-0.15, -0.2, 0.15, 0.3, _BOTTLE_TEAL)
    pen.rectangle(-0.15, 0.0, 0.15, 0.44, _BOTTLE_TEAL, corner=0.05)
    pen.rectangle(-0.15, 0.0, 0.15, 0.22, _LABEL_CORAL)
    pen.rectangle(-0.09, 0.05, 0.09, 0.08, _PRINT_WHITE, corner=0.01)
    pen.rectangle(-0.06, 0.11, 0.06, 0.13, _PRINT_WHITE, corner=0.01)
    pen.rectangle(-0.04, 0.16, 0.04, 0.175, _PRINT_WHITE, corner=0.007)
    pen.rectangle(-0.115, -0.16, -0.075, -0.03, _HIGHLIGHT, corner=0.02)
    pen.rectangle(-0.115, 0.26, -0.075, 0.38, _HIGHLIGHT, corner=0.02)


def _duck(pen: _Pen) -> None:
    pen.polygon([(0.28, 0.05), (0.46, -0.12), (0.40, 0.12)], _DUCK_YELLOW)
    pen.ellipse(0.04, 0.14, 0.40, 0.24, _DUCK_YELLOW)
    pen.ellipse(0.12, 0.12, 0.18, 0.10, _WING_YELLOW)
    pen.ellipse(-0.20, -0.20, 0.19, 0.19, _DUCK_YELLOW)
    pen.ellipse(-0.40, -0.16, 0.11, 0.05, _BEAK_ORANGE)
    pen.ellipse(-0.24, -0.26, 0.035, 0.035, _EYE_BLACK)
    pen.ellipse(-0.25, -0.27, 0.012, 0.012, _GLINT_WHITE)


def _person(pen: _Pen) -> None:
    pen.ellipse(0.0, 0.66, 0.56, 0.36, _SHIRT)
    pen.rectangle(-0.07, 0.08, 0.07, 0.36, _SKIN_SHADE)
    pen.ellipse(0.0, 0.32, 0.07, 0.05, _SKIN_SHADE)
    pen.ellipse(0.0, -0.16, 0.22, 0.20, _HAIR)
    pen.ellipse(-0.19, -0.05, 0.04, 0.06, _SKIN_SHADE)
    pen.ellipse(0.19, -0.05, 0.04, 0.06, _SKIN_SHADE)
    pen.ellipse(0.0, -0.06, 0.19, 0.24, _SKIN)
    pen.ellipse(0.0, -0.25, 0.185, 0.08, _HAIR)
    pen.ellipse(-0.075, -0.07, 0.025, 0.016, _EYE_BLACK)
    pen.ellipse(0.075, -0.07, 0.025, 0.016, _EYE_BLACK)
    pen.ellipse(0.0, 0.01, 0.02, 0.03, _SKIN_SHADE)
    pen.smile(0.0, 0.06, 0.07, 0.04, _LIPS)


def _plain(size: tuple[int, int]) -> Image.Image:
    return Image.new("RGB", size, (238, 236, 230))


def _diagonal_gradient(size: tuple[int, int]) -> Image.Image:
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    ramp = ImageChops.add(across, down, scale=2.0)
    return ImageOps.colorize(ramp, black=(132, 76, 176), white=(64, 120, 196))


def _soft_vertical_gradient(size: tuple[int, int]) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return ImageOps.colorize(ramp, black=(222, 228, 236), white=(188, 198, 214))


_SCENES: dict[str, tuple[Callable[[tuple[int, int]], Image.Image], Callable[[_Pen], None]]] = {
    "product-plain": (_plain, _bottle),
    "product-gradient": (_diagonal_gradient, _duck),
    "portrait": (_soft_vertical_gradient, _person),
}


def _subject_layer(name: str, size: tuple[int, int]) -> Image.Image:
    """The subject alone on transparency; its alpha is what a perfect segmentation would give."""
    if name not in _SCENES:
        raise ValueError(f"no sample called {name!r}; the samples are {', '.join(SAMPLE_NAMES)}")
    width, height = size
    if width < 1 or height < 1:
        raise ValueError(f"a sample needs a positive size, not {width}x{height}")
    big = (width * _SUPERSAMPLING, height * _SUPERSAMPLING)
    layer = Image.new("RGBA", big, (0, 0, 0, 0))
    _, paint = _SCENES[name]
    paint(_Pen(ImageDraw.Draw(layer), big[0] / 2, big[1] / 2, min(big)))
    return layer.reduce(_SUPERSAMPLING)


def sample_image(name: str, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """An RGB photo-like sample; the same name and size always give the same pixels."""
    layer = _subject_layer(name, size)
    backdrop, _ = _SCENES[name]
    return Image.alpha_composite(backdrop(size).convert("RGBA"), layer).convert("RGB")


def sample_subject_mask(name: str, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """The true subject of ``sample_image(name, size)`` as an "L" mask (255 subject, 0 backdrop)."""
    return _subject_layer(name, size).getchannel("A")


def sample_png_bytes(name: str, size: tuple[int, int] = (480, 360)) -> bytes:
    buffer = io.BytesIO()
    sample_image(name, size).save(buffer, "PNG")
    return buffer.getvalue()


def write_samples(directory: Path, size: tuple[int, int] = (480, 360)) -> list[Path]:
    """Writes every sample; the portrait as a JPEG, since uploads are often camera JPEGs."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SAMPLE_NAMES:
        if name == JPEG_SAMPLE:
            path = directory / f"{name}.jpg"
            sample_image(name, size).save(path, "JPEG", quality=92)
        else:
            path = directory / f"{name}.png"
            sample_image(name, size).save(path, "PNG")
        paths.append(path)
    return paths


STAND_IN_MARK = "X-Picsart-Sandbox-Stand-In"
STAND_IN_CACHE = 64
"""Stand-ins kept made (about 100 kB each): a batch that names the same few URLs again and
again gets them without drawing them each time."""
_STAND_IN_FORMATS = {
    ".jpg": ("JPEG", "image/jpeg"),
    ".jpeg": ("JPEG", "image/jpeg"),
    ".png": ("PNG", "image/png"),
    ".webp": ("WEBP", "image/webp"),
}


_STAND_IN_VIDEO_FORMATS = {
    ".mp4": "MP4",
    ".m4v": "MP4",
    ".mov": "MOV",
    ".qt": "MOV",
    ".webm": "WEBM",
    ".gif": "GIF",
}


@dataclass(frozen=True)
class _SoundFormat:
    container: str
    codec: str
    rate: int
    content_type: str


_STAND_IN_SOUND_FORMATS = {
    ".mp3": _SoundFormat("mp3", "libmp3lame", 44_100, "audio/mpeg"),
    ".wav": _SoundFormat("wav", "pcm_s16le", 44_100, "audio/wav"),
    ".aac": _SoundFormat("adts", "aac", 44_100, "audio/aac"),
    ".m4a": _SoundFormat("ipod", "aac", 44_100, "audio/mp4"),
    ".ogg": _SoundFormat("ogg", "libopus", 48_000, "audio/ogg"),
    ".oga": _SoundFormat("ogg", "libopus", 48_000, "audio/ogg"),
    ".opus": _SoundFormat("ogg", "libopus", 48_000, "audio/ogg"),
    ".flac": _SoundFormat("flac", "flac", 44_100, "audio/flac"),
}
"""The audio files the video API takes (``audio_url``, ``bg_audio_url``), by their extension;
``ipod`` is FFmpeg's name for the M4A flavour of MP4."""
STAND_IN_CLIP_SIZE = (64, 64)
STAND_IN_CLIP_SECONDS = 2.0


def _url_digest(url: str) -> bytes:
    return hashlib.sha256(url.encode("utf-8", "replace")).digest()


def _suffix(url: str) -> str:
    return Path(urlsplit(url).path).suffix.lower()


def _stand_in_picture(url: str, size: tuple[int, int]) -> Image.Image:
    """One of the samples, mirrored or not, as the URL decides."""
    digest = _url_digest(url)
    image = sample_image(SAMPLE_NAMES[digest[0] % len(SAMPLE_NAMES)], size)
    return ImageOps.mirror(image) if digest[1] % 2 else image


@functools.lru_cache(maxsize=STAND_IN_CACHE)
def stand_in_image(url: str, size: tuple[int, int] = (480, 360)) -> tuple[bytes, str]:
    """A made-up photo for a URL the sandbox cannot fetch: the same URL always gives the same
    image (one of the samples, mirrored or not as the URL decides), in the format its name says
    (PNG otherwise). Returns the bytes and their content type."""
    image_format, content_type = _STAND_IN_FORMATS.get(_suffix(url), ("PNG", "image/png"))
    buffer = io.BytesIO()
    _stand_in_picture(url, size).save(buffer, image_format)
    return buffer.getvalue(), content_type


@functools.lru_cache(maxsize=STAND_IN_CACHE)
def stand_in_video(url: str, seconds: float = STAND_IN_CLIP_SECONDS) -> tuple[bytes, str]:
    """A made-up clip for a video URL the sandbox cannot fetch: ``seconds`` of a 64x64 sample
    (chosen and mirrored as for ``stand_in_image``) with a bar along its bottom that fills as it
    plays, and a quiet tone whose pitch the URL chooses, in the format its name says (MP4,
    MOV, WEBM or GIF; MP4 otherwise). The same URL always gives the same clip: the same bytes
    within a process, the same frames and sound across processes (x264 may set bits that change
    no frame differently). Needs the video
    extra (``media.VideoUnavailable`` without it). Returns the bytes and their content type."""
    from . import media  # noqa: PLC0415 - PyAV and the sound code only when a clip is made

    video_format = _STAND_IN_VIDEO_FORMATS.get(_suffix(url), media.DEFAULT_VIDEO_FORMAT)
    clip = media.stand_in_clip(
        _stand_in_picture(url, STAND_IN_CLIP_SIZE),
        seconds=seconds,
        video_format=video_format,
        pitch=220.0 + _url_digest(url)[2],
    )
    return clip, media.VIDEO_FORMATS[video_format].content_type


@functools.lru_cache(maxsize=STAND_IN_CACHE)
def stand_in_sound(url: str, seconds: float = STAND_IN_CLIP_SECONDS) -> tuple[bytes, str]:
    """A made-up sound for an audio URL the sandbox cannot fetch: ``seconds`` of the quiet tone a
    stand-in clip of the same URL carries, in the format its name says (MP3, WAV, AAC, M4A, OGG
    or FLAC; WAV otherwise, which needs nothing but the standard library). Returns the bytes and
    their content type."""
    pitch = 220 + _url_digest(url)[2]
    chosen = _STAND_IN_SOUND_FORMATS.get(_suffix(url), _STAND_IN_SOUND_FORMATS[".wav"])
    samples = _tone(pitch, seconds, chosen.rate)
    if chosen.container == "wav":
        return _wav(samples, chosen.rate), chosen.content_type
    from . import media  # noqa: PLC0415 - PyAV only when a compressed sound is made

    if not media.video_available():
        raise media.VideoUnavailable(f"a {chosen.codec} sound needs PyAV (the video extra)")
    return _encoded_sound(samples, chosen), chosen.content_type


def names_media(url: str) -> bool:
    """Whether a URL's name says a video or a sound (a GIF counts as a picture)."""
    suffix = _suffix(url)
    return suffix != ".gif" and (
        suffix in _STAND_IN_VIDEO_FORMATS or suffix in _STAND_IN_SOUND_FORMATS
    )


def stand_in_media(url: str) -> tuple[bytes, str]:
    """What the video API reads an unreachable URL as, by the format its name says: a picture
    for ``.png``, ``.jpg`` or ``.webp`` (``image_url``, ``watermark_url``), a sound for an audio
    name (``audio_url``), and a clip for a video name or any other (``video_url``)."""
    suffix = _suffix(url)
    if suffix in _STAND_IN_FORMATS:
        return stand_in_image(url)
    if suffix in _STAND_IN_SOUND_FORMATS:
        return stand_in_sound(url)
    return stand_in_video(url)


_TONE_LEVEL = 0.2
_FADE_SECONDS = 0.01


def _tone(pitch: float, seconds: float, rate: int) -> array.array[float]:
    """A sine of ``pitch`` Hz with a softer octave above, faded in and out so it does not click.
    The pitch is a whole number of hertz, so one second repeats: it is computed once."""
    count = max(1, round(seconds * rate))
    step = 2 * math.pi * pitch / rate
    second = array.array(
        "f",
        (
            _TONE_LEVEL * (math.sin(step * index) + 0.3 * math.sin(2 * step * index)) / 1.3
            for index in range(rate)
        ),
    )
    samples = (second * (count // rate + 1))[:count]
    fade = min(count // 2, max(1, round(_FADE_SECONDS * rate)))
    for index in range(fade):
        samples[index] *= index / fade
        samples[count - 1 - index] *= index / fade
    return samples


def _wav(samples: array.array[float], rate: int) -> bytes:
    """Mono 16-bit PCM; the tone stays well inside -1..1, so nothing needs clipping."""
    signal = Image.frombytes("F", (len(samples), 1), samples.tobytes())
    scaled = signal.point(lambda value: value * 32767).convert("I")
    pcm = array.array("h", array.array("i", scaled.tobytes()))
    if sys.byteorder == "big":
        pcm.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _encoded_sound(samples: array.array[float], chosen: _SoundFormat) -> bytes:
    import av  # noqa: PLC0415 - optional; the caller checked it is there

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=chosen.container) as container:
        stream = container.add_stream(chosen.codec, rate=chosen.rate, layout="mono")
        frame = av.AudioFrame(format="flt", layout="mono", samples=len(samples))
        data = samples.tobytes()
        plane = frame.planes[0]
        plane.update(data + bytes(plane.buffer_size - len(data)))
        frame.sample_rate = chosen.rate
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()
