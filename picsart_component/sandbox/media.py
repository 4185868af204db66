"""Audio and video work: the GenAI API's playable WAV files and short MP4 videos, and the video
API's trims of a clip.

WAV is written by the standard library (``wave``). Video needs the optional extra
``picsart-component[video]`` (PyAV, which ships its own FFmpeg); without it ``video_available()``
is False and the app answers video operations 501, naming the extra.

Sound is worked on as Pillow "F" images one pixel high, a pixel per sample: mixing, envelopes
and filters then run in Pillow's C loops (``ImageMath``, ``resize``, ``paste``) as the pictures
do, with no per-sample Python loop and no numpy. Waveforms are single periods (a few hundred
samples, computed once and cached) repeated by bytes multiplication.
"""

from __future__ import annotations

import array
import io
import math
import random
import re
import sys
import unicodedata
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from av import AudioFrame, VideoFrame
    from av.container import InputContainer

from PIL import Image, ImageChops, ImageMath, ImageOps

from .generative import edit_with_prompt, generate_image
from .imaging import as_image, digest, normal_words, seeded_random

VIDEO_EXTRA = "video"
SPEECH_LANGUAGES = ("en", "fr")

SPEECH_RATE = 22_050
SOUND_RATE = 44_100
VIDEO_FPS = 24
MAX_SOUND_SECONDS = 60.0
MAX_VIDEO_SECONDS = 30.0


class VideoUnavailable(RuntimeError):
    """The video extra is not installed."""


def video_available() -> bool:
    """Whether ``import av`` works (checked each time, so tests can hide the module)."""
    try:
        import av  # noqa: F401, PLC0415 - optional, and slow to import
    except ImportError:
        return False
    return True


def _require_video() -> None:
    if not video_available():
        raise VideoUnavailable(
            "video results need the optional extra: pip install "
            f"'picsart-component[{VIDEO_EXTRA}]' (PyAV, which brings its own FFmpeg)"
        )


# Signals: "F" images of (samples, 1)


def _silence(count: int) -> Image.Image:
    return Image.new("F", (max(1, count), 1), 0.0)


def _mul(first: Image.Image, second: Image.Image) -> Image.Image:
    return as_image(ImageMath.lambda_eval(lambda e: e["a"] * e["b"], a=first, b=second))


def _add(first: Image.Image, second: Image.Image) -> Image.Image:
    return as_image(ImageMath.lambda_eval(lambda e: e["a"] + e["b"], a=first, b=second))


def _gain(signal: Image.Image, factor: float) -> Image.Image:
    return as_image(ImageMath.lambda_eval(lambda e: e["a"] * factor, a=signal))


def _peak(signal: Image.Image) -> float:
    low, high = signal.getextrema()
    assert isinstance(low, float)
    assert isinstance(high, float)
    return max(abs(low), abs(high))


def _normalised(signal: Image.Image, level: float) -> Image.Image:
    peak = _peak(signal)
    return _gain(signal, level / peak) if peak > 1e-9 else signal


def _concat(parts: Sequence[Image.Image]) -> Image.Image:
    track = _silence(sum(part.width for part in parts))
    offset = 0
    for part in parts:
        track.paste(part, (offset, 0))
        offset += part.width
    return track


def _curve(function: Callable[[float], float], count: int, points: int = 256) -> Image.Image:
    """``function`` over 0..1, sampled at ``points`` places and stretched to ``count`` samples."""
    count = max(1, count)
    points = max(1, min(points, count))
    values = array.array("f", (function((index + 0.5) / points) for index in range(points)))
    small = Image.frombytes("F", (points, 1), values.tobytes())
    return small if points == count else small.resize((count, 1), Image.Resampling.BILINEAR)


def _fade(signal: Image.Image, fade_in: int, fade_out: int) -> Image.Image:
    """The signal with its first and last samples ramped from and to silence."""
    result = signal.copy()
    width = result.width
    fade_in, fade_out = min(fade_in, width), min(fade_out, width)
    if fade_in > 0:
        head = result.crop((0, 0, fade_in, 1))
        result.paste(_mul(head, _curve(lambda t: t, fade_in)), (0, 0))
    if fade_out > 0:
        tail = result.crop((width - fade_out, 0, width, 1))
        result.paste(_mul(tail, _curve(lambda t: 1 - t, fade_out)), (width - fade_out, 0))
    return result


@lru_cache(maxsize=1024)
def _cycle(period: int, harmonics: tuple[float, ...]) -> bytes:
    """One period of ``period`` samples with these harmonic amplitudes, as float32 bytes."""
    values = array.array(
        "f",
        (
            sum(
                amplitude * math.sin(2 * math.pi * number * index / period)
                for number, amplitude in enumerate(harmonics, 1)
                if amplitude
            )
            for index in range(period)
        ),
    )
    return values.tobytes()


def _tone(frequency: float, count: int, rate: int, harmonics: Sequence[float]) -> Image.Image:
    """``count`` samples of a steady tone; harmonics above the Nyquist limit are left out."""
    period = max(2, round(rate / max(1.0, frequency)))
    usable = tuple(
        amplitude if number * rate / period < rate * 0.45 else 0.0
        for number, amplitude in enumerate(harmonics, 1)
    )
    repeats = max(1, count) // period + 1
    wave_bytes = _cycle(period, usable) * repeats
    return Image.frombytes("F", (period * repeats, 1), wave_bytes).crop((0, 0, max(1, count), 1))


def _noise(count: int, rng: random.Random, darkness: int = 1) -> Image.Image:
    """White noise from -1 to 1; ``darkness`` > 1 low-passes it (averaging, then smoothing)."""
    count = max(1, count)
    grey = Image.frombytes("L", (count, 1), rng.randbytes(count)).convert("F")
    noise = as_image(ImageMath.lambda_eval(lambda e: (e["a"] - 127.5) / 127.5, a=grey))
    if darkness > 1 and count > darkness:
        coarse = noise.resize((max(2, count // darkness), 1), Image.Resampling.BOX)
        noise = _normalised(coarse.resize((count, 1), Image.Resampling.BILINEAR), 1.0)
    return noise


def _pcm16(signal: Image.Image) -> bytes:
    """Signed 16-bit little-endian samples, the signal's -1..1 clipped."""
    scaled = as_image(
        ImageMath.lambda_eval(
            lambda e: e["int"](e["min"](e["max"](e["a"] * 32767.0, -32767.0), 32767.0)),
            a=signal,
        )
    )
    samples = array.array("h", array.array("i", scaled.tobytes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def _wav(signal: Image.Image, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(_pcm16(signal))
    return buffer.getvalue()


# Speech

_FORMANTS: dict[str, tuple[float, float, float]] = {
    "a": (800.0, 1250.0, 2600.0),
    "e": (480.0, 1900.0, 2600.0),
    "i": (300.0, 2300.0, 3000.0),
    "o": (500.0, 880.0, 2500.0),
    "u": (330.0, 800.0, 2300.0),
    "y": (300.0, 1900.0, 2500.0),
}
_FRICATIVES = frozenset("sfhzxcvj")
_PLOSIVES = frozenset("ptkbdgq")
_SYLLABLE = re.compile(r"[^aeiouy]*[aeiouy]+")
_TOKEN = re.compile(r"[^\W\d_]+|\d|[,;:]|[.!?\n]+")
_HIGH_VOICES = frozenset({"female", "woman", "girl", "lady", "soprano", "alto", "child", "kid"})
_LOW_VOICES = frozenset({"male", "man", "boy", "bass", "baritone", "tenor", "deep"})


@dataclass(frozen=True)
class _Voice:
    pitch: float  # Hz at the start of a phrase
    formants: float  # formant scale: higher for smaller voices
    syllable: float  # seconds
    stress_last: bool  # French stresses a phrase's last syllable, English a word's first


def _voice(language: str, voice: str | None) -> _Voice:
    code = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    if code not in SPEECH_LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(SPEECH_LANGUAGES)}, not {language!r}")
    french = code == "fr"
    pitch, formants = (128.0, 1.0) if french else (118.0, 1.0)
    if voice:
        hashed = digest("voice", normal_words(voice))
        words = set(re.findall(r"[a-z]+", voice.lower()))
        if words & _HIGH_VOICES:
            pitch, formants = 190.0 + hashed[0] % 50, 1.12
        elif words & _LOW_VOICES:
            pitch, formants = 95.0 + hashed[0] % 30, 0.95
        else:
            pitch, formants = 95.0 + hashed[0] % 140, 0.92 + hashed[1] / 255 * 0.22
    return _Voice(pitch, formants, 0.13 if french else 0.15, french)


@lru_cache(maxsize=512)
def _vowel_harmonics(vowel: str, period: int, rate: int, formants: float) -> tuple[float, ...]:
    """Harmonic amplitudes of a voiced vowel: a falling glottal spectrum shaped by its
    formants, so that "a" and "i" on one pitch really sound different."""
    pitch = rate / period
    centres = [centre * formants for centre in _FORMANTS.get(vowel, _FORMANTS["e"])]
    amplitudes = []
    for number in range(1, max(2, min(40, int(rate * 0.45 / pitch))) + 1):
        frequency = number * pitch
        shape = sum(
            weight * math.exp(-(((frequency - centre) / 160.0) ** 2))
            for centre, weight in zip(centres, (1.0, 0.7, 0.3), strict=True)
        )
        amplitudes.append((shape + 0.03) / number**0.6)
    top = max(amplitudes)
    return tuple(amplitude / top for amplitude in amplitudes)


def _plain(text: str) -> str:
    """Lower case without accents, so that "é" counts as the vowel "e"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _syllables(word: str) -> list[tuple[str, str]]:
    """(onset consonants, vowel) pairs. A digit is one syllable; a word without Latin vowels
    (an abbreviation, another script) one for every two letters, so its length still counts."""
    if word.isdigit():
        return [(word, "i")]
    found = [
        (piece.rstrip("aeiouy"), piece[len(piece.rstrip("aeiouy"))])
        for piece in _SYLLABLE.findall(word)
    ]
    return found or [(word[index], "aeo"[index % 3]) for index in range(0, len(word), 2)]


def _consonant(onset: str, pitch: float, rate: int, rng: random.Random) -> Image.Image | None:
    """The start of a syllable: a hiss, a burst or a hum, as its first consonant suggests."""
    if not onset:
        return None
    first = onset[0]
    if first in _FRICATIVES:
        count = round(0.07 * rate)
        hiss = _add(_noise(count, rng), _gain(_noise(count, rng, darkness=6), -1.0))
        return _mul(_normalised(hiss, 0.3), _curve(lambda t: math.sin(math.pi * t), count))
    if first in _PLOSIVES:
        burst = round(0.02 * rate)
        click = _mul(_noise(burst, rng, darkness=2), _curve(lambda t: (1 - t) ** 2, burst))
        return _concat([_gain(click, 0.45), _silence(round(0.012 * rate))])
    count = round(0.05 * rate)
    hum = _tone(pitch, count, rate, (1.0, 0.3, 0.1))
    return _mul(hum, _curve(lambda t: 0.35 * math.sin(math.pi * (0.5 + t / 2)) + 0.1, count))


def _vowel(vowel: str, pitch: float, seconds: float, rate: int, voice: _Voice) -> Image.Image:
    count = round(seconds * rate)
    period = max(2, round(rate / pitch))
    voiced = _tone(pitch, count, rate, _vowel_harmonics(vowel, period, rate, voice.formants))
    envelope = _curve(lambda t: min(1.0, t / 0.12) * min(1.0, (1 - t) / 0.35) ** 1.5, count)
    return _mul(voiced, envelope)


def speech_wav(text: str, *, language: str, voice: str | None) -> bytes:
    """A WAV file that "speaks" ``text``: one syllable-like tone burst per word, pauses at
    punctuation, its length following the text's; the voice name shifts the pitch.

    More exactly, one burst per syllable: each vowel is a voiced tone whose harmonics follow
    that vowel's formants, led in by a hiss, a burst or a hum for its consonants; the pitch
    falls along a phrase and rises at a question. ``language`` is "en" or "fr" (a region such
    as "en-US" is accepted); anything else raises ValueError. 22.05 kHz mono, 16-bit.
    """
    settings = _voice(language, voice)
    rate = SPEECH_RATE
    rng = seeded_random("speech", text, language, voice)
    parts: list[Image.Image] = [_silence(round(0.12 * rate))]
    phrase: list[tuple[str, str, bool]] = []
    for piece in [*_TOKEN.findall(_plain(text)), "."]:
        if piece[0].isalnum():
            syllables = _syllables(piece)
            phrase += [(onset, vowel, index == 0) for index, (onset, vowel) in enumerate(syllables)]
            phrase.append(("", "", False))  # the gap between words
            continue
        parts += _phrase(phrase, question="?" in piece, voice=settings, rate=rate, rng=rng)
        pause = 0.22 if piece in ",;:" else 0.42
        if phrase:
            parts.append(_silence(round(pause * rate)))
        phrase = []
    parts.append(_silence(round(0.08 * rate)))
    return _wav(_normalised(_concat(parts), 0.8), rate)


def _phrase(
    phrase: Sequence[tuple[str, str, bool]],
    *,
    question: bool,
    voice: _Voice,
    rate: int,
    rng: random.Random,
) -> list[Image.Image]:
    spoken = [item for item in phrase if item[1]]
    parts: list[Image.Image] = []
    position = 0
    for onset, vowel, word_start in phrase:
        if not vowel:
            parts.append(_silence(round(0.06 * rate)))
            continue
        share = position / max(1, len(spoken) - 1)
        last = position == len(spoken) - 1
        stressed = last if voice.stress_last else word_start
        pitch = voice.pitch * (1.15 - 0.3 * share) * rng.uniform(0.97, 1.03)
        pitch *= 1.08 if stressed else 1.0
        if last and question:
            pitch *= 1.3
        seconds = voice.syllable * (1.25 if stressed else 1.0) * (1.3 if last else 1.0)
        consonant = _consonant(onset, pitch, rate, rng)
        if consonant is not None:
            parts.append(consonant)
        parts.append(_vowel(vowel, pitch, seconds, rate, voice))
        position += 1
    return parts


# Sounds


@dataclass(frozen=True)
class _Timbre:
    pitch: float = 220.0  # Hz of the tonal layer
    harmonics: tuple[float, ...] = (1.0, 0.5, 0.25)
    tone: float = 1.0  # level of the tonal layer
    noise: float = 0.0  # level of the noise layer
    darkness: int = 1  # the noise's low-pass, 1 = white
    pulse: float = 0.0  # pulses a second, 0 = steady
    decay: float = 0.5  # share of a pulse's interval it takes to die away
    swell: float = 0.0  # slow swells a second (waves, wind), 0 = none
    melody: bool = False  # each pulse a new note


_SOUNDS: dict[str, _Timbre] = {
    "rain": _Timbre(tone=0.0, noise=1.0, darkness=2, swell=0.2),
    "wind": _Timbre(tone=0.0, noise=1.0, darkness=60, swell=0.25),
    "ocean": _Timbre(tone=0.0, noise=1.0, darkness=20, swell=0.12),
    "wave": _Timbre(tone=0.0, noise=1.0, darkness=20, swell=0.12),
    "sea": _Timbre(tone=0.0, noise=1.0, darkness=20, swell=0.12),
    "water": _Timbre(tone=0.0, noise=1.0, darkness=4, swell=1.5),
    "stream": _Timbre(tone=0.0, noise=1.0, darkness=4, swell=1.5),
    "river": _Timbre(tone=0.0, noise=1.0, darkness=5, swell=1.2),
    "fire": _Timbre(tone=0.0, noise=1.0, darkness=3, pulse=9.0, decay=0.15),
    "crackle": _Timbre(tone=0.0, noise=1.0, darkness=2, pulse=11.0, decay=0.12),
    "thunder": _Timbre(pitch=45.0, tone=0.4, noise=1.0, darkness=120, pulse=0.3, decay=0.9),
    "explosion": _Timbre(pitch=40.0, tone=0.5, noise=1.0, darkness=60, pulse=0.25, decay=0.9),
    "rumble": _Timbre(pitch=40.0, tone=0.5, noise=1.0, darkness=150, swell=0.3),
    "bird": _Timbre(pitch=2600.0, harmonics=(1.0, 0.2), pulse=6.0, decay=0.35, melody=True),
    "chirp": _Timbre(pitch=3000.0, harmonics=(1.0, 0.15), pulse=7.0, decay=0.3, melody=True),
    "bell": _Timbre(pitch=880.0, harmonics=(1.0, 0.0, 0.5, 0.0, 0.3, 0.25), pulse=0.8, decay=0.95),
    "chime": _Timbre(
        pitch=1320.0, harmonics=(1.0, 0.0, 0.4, 0.2), pulse=1.5, decay=0.9, melody=True
    ),
    "ding": _Timbre(pitch=1046.0, harmonics=(1.0, 0.0, 0.4), pulse=0.5, decay=0.95),
    "beep": _Timbre(pitch=1000.0, harmonics=(1.0, 0.0, 0.33, 0.0, 0.2), pulse=2.0, decay=0.45),
    "alarm": _Timbre(
        pitch=880.0, harmonics=(1.0, 0.0, 0.33, 0.0, 0.2), pulse=4.0, decay=0.8, melody=True
    ),
    "siren": _Timbre(pitch=700.0, harmonics=(1.0, 0.3, 0.2), pulse=1.0, decay=1.0, melody=True),
    "drum": _Timbre(
        pitch=70.0, harmonics=(1.0, 0.3), tone=0.9, noise=0.5, darkness=6, pulse=2.0, decay=0.25
    ),
    "beat": _Timbre(
        pitch=60.0, harmonics=(1.0, 0.3), tone=0.9, noise=0.4, darkness=4, pulse=4.0, decay=0.3
    ),
    "knock": _Timbre(
        pitch=180.0, harmonics=(1.0, 0.5), tone=0.7, noise=0.6, darkness=8, pulse=3.0, decay=0.15
    ),
    "footstep": _Timbre(
        pitch=90.0, harmonics=(1.0, 0.4), tone=0.5, noise=0.8, darkness=10, pulse=2.0, decay=0.2
    ),
    "heartbeat": _Timbre(pitch=50.0, harmonics=(1.0, 0.2), tone=1.0, pulse=2.4, decay=0.25),
    "clap": _Timbre(tone=0.0, noise=1.0, darkness=2, pulse=3.0, decay=0.12),
    "applause": _Timbre(tone=0.0, noise=1.0, darkness=2, pulse=14.0, decay=0.35),
    "crowd": _Timbre(pitch=180.0, tone=0.2, noise=1.0, darkness=8, swell=0.4),
    "engine": _Timbre(
        pitch=55.0,
        harmonics=(1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2),
        noise=0.3,
        darkness=8,
        swell=3.0,
    ),
    "motor": _Timbre(
        pitch=80.0, harmonics=(1.0, 0.7, 0.5, 0.4, 0.3), noise=0.2, darkness=6, swell=5.0
    ),
    "hum": _Timbre(pitch=60.0, harmonics=(1.0, 0.5, 0.3, 0.2)),
    "fan": _Timbre(pitch=120.0, harmonics=(1.0, 0.3), tone=0.3, noise=1.0, darkness=12, swell=2.0),
    "music": _Timbre(
        pitch=262.0, harmonics=(1.0, 0.5, 0.3, 0.15, 0.1), pulse=3.0, decay=0.7, melody=True
    ),
    "melody": _Timbre(pitch=330.0, harmonics=(1.0, 0.4, 0.2), pulse=3.0, decay=0.75, melody=True),
    "piano": _Timbre(
        pitch=262.0, harmonics=(1.0, 0.6, 0.3, 0.2, 0.1, 0.05), pulse=2.5, decay=0.85, melody=True
    ),
    "guitar": _Timbre(
        pitch=196.0, harmonics=(1.0, 0.7, 0.5, 0.3, 0.2, 0.1), pulse=3.0, decay=0.8, melody=True
    ),
    "laser": _Timbre(pitch=1500.0, harmonics=(1.0, 0.5), pulse=3.0, decay=0.4, melody=True),
    "zap": _Timbre(pitch=1800.0, harmonics=(1.0, 0.6, 0.3), pulse=4.0, decay=0.3, melody=True),
    "meow": _Timbre(pitch=520.0, harmonics=(1.0, 0.6, 0.5, 0.2), pulse=0.8, decay=0.6),
    "bark": _Timbre(
        pitch=300.0, harmonics=(1.0, 0.8, 0.5, 0.3), noise=0.3, darkness=3, pulse=1.5, decay=0.25
    ),
}
_PENTATONIC = (1.0, 9 / 8, 5 / 4, 3 / 2, 5 / 3, 2.0)


def _timbre(prompt: str, seed: int) -> _Timbre:
    """The sound a prompt names, else one its hash makes up; the seed nudges the pitch."""
    nudge = seeded_random("nudge", normal_words(prompt), seed).uniform(0.97, 1.03)
    for word in re.findall(r"[a-z]+", prompt.lower()):
        for name in (word, word.removesuffix("s")):
            if name in _SOUNDS:
                timbre = _SOUNDS[name]
                return replace(timbre, pitch=timbre.pitch * nudge)
    rng = seeded_random("timbre", normal_words(prompt))
    steady = rng.random() < 0.4
    return _Timbre(
        pitch=110.0 * 2 ** rng.uniform(0, 3) * nudge,
        harmonics=tuple(rng.uniform(0.1, 1.0) / number for number in range(1, rng.randint(3, 9))),
        tone=rng.uniform(0.4, 1.0),
        noise=rng.uniform(0.0, 0.6),
        darkness=rng.choice((1, 2, 4, 8, 16, 40)),
        pulse=0.0 if steady else rng.uniform(1.0, 6.0),
        decay=rng.uniform(0.2, 0.9),
        swell=rng.uniform(0.1, 2.0) if steady else 0.0,
        melody=rng.random() < 0.5,
    )


def _sound(prompt: str, seconds: float, *, loop: bool, seed: int, rate: int) -> Image.Image:
    """The sound's samples, exactly ``round(seconds * rate)`` of them, peaking at 0.8."""
    timbre = _timbre(prompt, seed)
    rng = seeded_random("sound", normal_words(prompt), seed)
    count = max(1, round(seconds * rate))
    overlap = min(count // 4, round(0.25 * rate)) if loop else 0
    total = count + overlap
    pulse, swell = timbre.pulse, timbre.swell
    if loop:  # whole numbers of pulses and swells, so that the end leads into the start
        pulse = max(1, round(pulse * seconds)) / seconds if pulse else 0.0
        swell = max(1, round(swell * seconds)) / seconds if swell else 0.0
    if pulse:
        rhythm, notes = _pulses(timbre, pulse, total, rate, rng)
    else:
        rhythm = _curve(lambda t: 1.0, total, points=2)
        notes = [(timbre.pitch, total)]
    if swell:
        cycles = swell * total / rate
        phase = rng.uniform(0, 2 * math.pi)
        wobble = _curve(
            lambda t: 0.65 + 0.35 * math.sin(2 * math.pi * cycles * t + phase),
            total,
            points=max(16, round(cycles * 32)),
        )
        rhythm = _mul(rhythm, wobble)
    mix = _silence(total)
    if timbre.tone:
        tones = _concat([_tone(pitch, length, rate, timbre.harmonics) for pitch, length in notes])
        tones = tones.crop((0, 0, total, 1))
        mix = _add(mix, _gain(_normalised(tones, 1.0), timbre.tone))
    if timbre.noise:
        mix = _add(mix, _gain(_noise(total, rng, timbre.darkness), timbre.noise))
    sound = _mul(mix, rhythm)
    if loop and overlap:
        head = _mul(sound.crop((0, 0, overlap, 1)), _curve(lambda t: t, overlap))
        tail = _mul(sound.crop((count, 0, total, 1)), _curve(lambda t: 1 - t, overlap))
        sound = sound.crop((0, 0, count, 1))
        sound.paste(_add(head, tail), (0, 0))
    else:
        sound = _fade(sound, round(0.01 * rate), round(0.05 * rate))
    return _normalised(sound, 0.8)


def _pulses(
    timbre: _Timbre, pulse: float, total: int, rate: int, rng: random.Random
) -> tuple[Image.Image, list[tuple[float, int]]]:
    """The envelope of a train of struck notes, and each note's pitch and length."""
    step = max(2, round(rate / pulse))
    accents = [rng.choice((1.0, 0.55, 0.75, 0.4)) for _ in range(4)]
    accents[0] = 1.0
    melody = [timbre.pitch * rng.choice(_PENTATONIC) for _ in range(8)]
    decay = max(0.05, timbre.decay)
    strike = _curve(
        lambda t: min(1.0, t / 0.02) * math.exp(-4.0 * t / decay) * min(1.0, (1 - t) / 0.05),
        step,
    )
    envelopes = []
    notes = []
    for index in range(total // step + 1):
        envelopes.append(_gain(strike, accents[index % 4]))
        notes.append((melody[index % 8] if timbre.melody else timbre.pitch, step))
    return _concat(envelopes).crop((0, 0, total, 1)), notes


def sound_wav(prompt: str, *, duration: float | None, loop: bool, seed: int) -> bytes:
    """A WAV sound for ``prompt`` (its timbre and rhythm from the prompt), ``duration`` seconds
    (a prompt-chosen length from 2 to 6 s when None); ``loop`` makes its end meet its start.

    44.1 kHz mono, 16-bit, exactly ``round(duration * 44100)`` samples. A prompt naming a
    sound the table knows (rain, wind, bird, bell, drum, engine, piano, ...) gets that kind of
    sound; any other prompt gets one made up from its hash. Without ``loop`` the sound fades
    in and out; with it, its last quarter second is crossfaded into its start.
    """
    seconds = _sound_seconds(prompt, duration)
    return _wav(_sound(prompt, seconds, loop=loop, seed=seed, rate=SOUND_RATE), SOUND_RATE)


def _sound_seconds(prompt: str, duration: float | None) -> float:
    if duration is None:
        return 2.0 + digest("length", normal_words(prompt))[0] % 201 / 50
    if not 0 < duration <= MAX_SOUND_SECONDS:
        raise ValueError(
            f"the duration must be more than 0 and at most {MAX_SOUND_SECONDS:g} seconds, "
            f"not {duration}"
        )
    return float(duration)


# Video


@dataclass(frozen=True)
class _Motion:
    """A slow camera move: how far it zooms in, and which way it drifts (a unit vector)."""

    zoom: float
    drift: tuple[float, float]

    def box(
        self, source: tuple[int, int], frame: tuple[float, float, float, float], progress: float
    ) -> tuple[float, float, float, float]:
        """The part of ``source`` to show at ``progress`` (0..1), starting from ``frame``."""
        left, top, right, bottom = frame
        scale = 1 + (self.zoom - 1) * progress
        width, height = (right - left) / scale, (bottom - top) / scale
        slack_x, slack_y = (right - left - width) / 2, (bottom - top - height) / 2
        centre_x = (left + right) / 2 + self.drift[0] * slack_x
        centre_y = (top + bottom) / 2 + self.drift[1] * slack_y
        x0 = min(max(0.0, centre_x - width / 2), source[0] - width)
        y0 = min(max(0.0, centre_y - height / 2), source[1] - height)
        return x0, y0, x0 + width, y0 + height


_DRIFTS = {
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "up": (0.0, -1.0),
    "down": (0.0, 1.0),
}


def _motion(prompt: str, seed: int) -> _Motion:
    rng = seeded_random("motion", normal_words(prompt), seed)
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    named = [drift for word, drift in _DRIFTS.items() if word in words]
    if named:
        drift = named[0]
    else:
        angle = rng.uniform(0, 2 * math.pi)
        drift = (math.cos(angle), math.sin(angle))
    zoom = 1.25 if words & {"zoom", "closer", "dramatic"} else rng.uniform(1.08, 1.16)
    return _Motion(zoom, drift)


def _even(side: int) -> int:
    if side < 2:
        raise ValueError(f"a video side must be at least 2 pixels, not {side}")
    return side - side % 2


def _frame_count(seconds: float) -> int:
    if not 0 < seconds <= MAX_VIDEO_SECONDS:
        raise ValueError(
            f"a video lasts more than 0 and at most {MAX_VIDEO_SECONDS:g} seconds, not {seconds}"
        )
    return max(1, round(seconds * VIDEO_FPS))


def _eased(index: int, count: int) -> float:
    progress = index / max(1, count - 1)
    return (1 - math.cos(math.pi * progress)) / 2


def _spot(size: tuple[int, int], strength: float) -> Image.Image:
    """A soft round light, as "L", ``strength`` x 255 at its centre."""
    side = max(2, round(0.9 * max(size)))
    spot = ImageOps.invert(Image.radial_gradient("L").resize((side, side)))
    return spot.point([round(strength * 255 * (value / 255) ** 2) for value in range(256)])


def _lit(frame: Image.Image, spot: Image.Image, centre: tuple[float, float]) -> Image.Image:
    """The frame with the light screened over it at ``centre``."""
    light = Image.new("L", frame.size, 0)
    light.paste(spot, (round(centre[0] - spot.width / 2), round(centre[1] - spot.height / 2)))
    return ImageChops.screen(frame, light.convert("RGB"))


def text_video(
    prompt: str,
    *,
    width: int,
    height: int,
    seconds: float,
    audio: bool,
    seed: int,
    quiet_track: bool = False,
) -> bytes:
    """An MP4 (H.264) video for ``prompt``; with ``audio`` an AAC sound track, without it and
    with ``quiet_track`` a quiet one (a room tone, ``QUIET_TRACK_LEVEL``). Raises
    ``VideoUnavailable`` without the extra.

    The frames are two generated pictures (``seed`` and the variation ``seed + 1``) seen
    through a slow camera move, one dissolving into the other, under a drifting light. Odd
    sides are rounded down to even ones (H.264 in yuv420p needs them); 24 frames a second.
    """
    _require_video()
    size = (_even(width), _even(height))
    count = _frame_count(seconds)
    motion = _motion(prompt, seed)
    source = (math.ceil(size[0] * motion.zoom), math.ceil(size[1] * motion.zoom))
    first = generate_image(prompt, width=source[0], height=source[1], seed=seed)
    second = generate_image(prompt, width=source[0], height=source[1], seed=seed + 1)
    whole = (0.0, 0.0, float(source[0]), float(source[1]))
    rng = seeded_random("light", normal_words(prompt), seed)
    start = (rng.uniform(0, size[0]), rng.uniform(0, size[1] / 2))
    end = (rng.uniform(0, size[0]), rng.uniform(0, size[1] / 2))
    spot = _spot(size, 0.25)

    def frames() -> Iterator[Image.Image]:
        for index in range(count):
            progress = _eased(index, count)
            box = motion.box(source, whole, progress)
            frame = Image.blend(
                first.resize(size, Image.Resampling.BILINEAR, box=box),
                second.resize(size, Image.Resampling.BILINEAR, box=box),
                0.8 * progress,
            )
            at = (
                start[0] + (end[0] - start[0]) * progress,
                start[1] + (end[1] - start[1]) * progress,
            )
            yield _lit(frame, spot, at)

    return _encode_mp4(frames(), size, _soundtrack(prompt, count, seed, audio, quiet_track))


def image_video(
    image: Image.Image,
    prompt: str,
    *,
    width: int,
    height: int,
    seconds: float,
    audio: bool,
    seed: int,
    quiet_track: bool = False,
) -> bytes:
    """An MP4 video that starts on ``image`` and moves (a slow zoom and pan the prompt chooses).

    The image is cropped to the video's shape and the camera zooms in while drifting (left,
    right, up or down when the prompt says so), as the picture takes on the grade
    ``edit_with_prompt`` gives it for the prompt. Sizes and rate as ``text_video``.
    """
    _require_video()
    size = (_even(width), _even(height))
    count = _frame_count(seconds)
    motion = _motion(prompt, seed)
    picture = image if image.mode == "RGB" else _on_white(image)
    limit = (size[0] * 2, size[1] * 2)
    if picture.width > limit[0] and picture.height > limit[1]:
        factor = min(picture.width // limit[0], picture.height // limit[1])
        picture = picture.reduce(max(1, factor))
    graded = edit_with_prompt(picture, prompt, seed=seed).convert("RGB")
    frame_box = _cover(picture.size, size)

    def frames() -> Iterator[Image.Image]:
        for index in range(count):
            progress = _eased(index, count)
            box = motion.box(picture.size, frame_box, progress)
            plain = picture.resize(size, Image.Resampling.BILINEAR, box=box)
            toned = graded.resize(size, Image.Resampling.BILINEAR, box=box)
            yield Image.blend(plain, toned, 0.6 * progress)

    return _encode_mp4(frames(), size, _soundtrack(prompt, count, seed, audio, quiet_track))


def _track(prompt: str, frames: int, seed: int) -> Image.Image:
    """The video's sound: ``sound_wav``'s sound for the prompt, as long as the frames last."""
    return _sound(prompt, frames / VIDEO_FPS, loop=False, seed=seed, rate=SOUND_RATE)


QUIET_TRACK_LEVEL = 0.01
"""A quiet track's peak, -40 dBFS: heard only when turned up, but a sound track all the same,
so that a chain can extract audio from any generated video."""


def _soundtrack(
    prompt: str, frames: int, seed: int, audio: bool, quiet: bool
) -> Image.Image | None:
    """The prompt's sound with ``audio``; else a quiet room tone with ``quiet``; else none."""
    if audio:
        return _track(prompt, frames, seed)
    if not quiet:
        return None
    count = round(frames / VIDEO_FPS * SOUND_RATE)
    hum = _noise(count, seeded_random("room tone", normal_words(prompt), seed), darkness=20)
    return _fade(_normalised(hum, QUIET_TRACK_LEVEL), 441, 441)


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert(
        "RGB"
    )


def _cover(source: tuple[int, int], frame: tuple[int, int]) -> tuple[float, float, float, float]:
    """The largest centred part of ``source`` with the frame's shape."""
    scale = min(source[0] / frame[0], source[1] / frame[1])
    width, height = frame[0] * scale, frame[1] * scale
    left, top = (source[0] - width) / 2, (source[1] - height) / 2
    return left, top, left + width, top + height


def _encode_mp4(
    frames: Iterator[Image.Image], size: tuple[int, int], sound: Image.Image | None
) -> bytes:
    """H.264 (yuv420p) at ``VIDEO_FPS``, and the sound as AAC when given, in an MP4."""
    return encode_video(frames, size, sound, fps=VIDEO_FPS, video_format="MP4")


@dataclass(frozen=True)
class VideoFormat:
    """A result format of the video API's ``export.format``: its container, codecs, file
    extension and content type. GIF has no sound."""

    container: str
    video_codec: str
    pixel_format: str
    audio_codec: str | None
    audio_rate: int
    extension: str
    content_type: str


VIDEO_FORMATS: dict[str, VideoFormat] = {
    "MOV": VideoFormat("mov", "libx264", "yuv420p", "aac", SOUND_RATE, "mov", "video/quicktime"),
    "MP4": VideoFormat("mp4", "libx264", "yuv420p", "aac", SOUND_RATE, "mp4", "video/mp4"),
    "WEBM": VideoFormat("webm", "libvpx", "yuv420p", "libopus", 48_000, "webm", "video/webm"),
    "GIF": VideoFormat("gif", "gif", "rgb8", None, SOUND_RATE, "gif", "image/gif"),
}
"""In the video file's order. Opus takes 48 kHz, not 44.1, so WEBM's sound is resampled."""
DEFAULT_VIDEO_FORMAT = "MP4"


def encode_video(
    frames: Iterator[Image.Image],
    size: tuple[int, int],
    sound: Image.Image | None,
    *,
    fps: int,
    video_format: str,
    bitrate_kbps: int | None = None,
) -> bytes:
    """``frames`` (of ``size``, even sides) at ``fps``, and ``sound`` (mono samples at
    ``SOUND_RATE``, an "F" image one pixel high) where the format has sound, in the container
    ``video_format`` names (``VIDEO_FORMATS``). Without ``bitrate_kbps`` H.264 keeps a constant
    quality (CRF 23) and VP8 its encoder's default rate."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    chosen = VIDEO_FORMATS[video_format]
    options = {"preset": "veryfast", "crf": "23"} if chosen.video_codec == "libx264" else {}
    if bitrate_kbps is not None:
        options.pop("crf", None)
    buffer = io.BytesIO()
    # Matroska (WEBM) writes a random segment id unless asked to be bit-exact.
    flags = {"fflags": "+bitexact"} if chosen.container == "webm" else {}
    with av.open(buffer, mode="w", format=chosen.container, options=flags) as container:
        try:
            video = container.add_stream(chosen.video_codec, rate=fps, options=options)
        except ValueError as error:
            raise VideoUnavailable(
                f"this PyAV has no {chosen.video_codec} encoder: {error}"
            ) from error
        video.width, video.height = size
        video.pix_fmt = chosen.pixel_format
        if bitrate_kbps is not None:
            video.bit_rate = bitrate_kbps * 1000
        audio = None
        if sound is not None and chosen.audio_codec is not None:
            audio = container.add_stream(chosen.audio_codec, rate=chosen.audio_rate, layout="mono")
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio is not None and sound is not None:
            mux_sound(container, audio, sound, chosen.audio_rate)
    return buffer.getvalue()


def mux_sound(container: Any, stream: Any, sound: Image.Image, rate: int) -> None:
    """``sound`` (mono samples at ``SOUND_RATE``, an "F" image one pixel high), resampled to
    ``rate``, encoded into the audio ``stream`` of ``container`` as one frame."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    if rate != SOUND_RATE:
        count = max(1, round(sound.width * rate / SOUND_RATE))
        sound = sound.resize((count, 1), Image.Resampling.BILINEAR)
    samples = array.array("f", sound.tobytes())
    track = av.AudioFrame(format="fltp", layout="mono", samples=len(samples))
    data = samples.tobytes()
    plane = track.planes[0]
    plane.update(data + bytes(plane.buffer_size - len(data)))
    track.sample_rate = rate
    track.pts = 0
    container.mux(stream.encode(track))
    container.mux(stream.encode(None))


# Editing videos (the video API)


class UnreadableVideo(ValueError):
    """Bytes that PyAV cannot read as a video with a picture track."""


VIDEO_DEMUXERS = frozenset({"mov", "mp4", "matroska", "webm", "gif"})
"""The containers read as videos (FFmpeg's names): those of ``VIDEO_FORMATS``. FFmpeg reads a
still picture as a one-frame video too; that is refused, as no video."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video's container says of it: its picture's size, length and whether it has sound."""

    width: int
    height: int
    duration_ms: float
    audio: bool


def _opened(data: bytes) -> InputContainer:
    """The video ``data`` holds, opened by PyAV (``UnreadableVideo`` when it is none)."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise UnreadableVideo(f"not a video the sandbox can read ({error})") from None
    if not set(container.format.name.split(",")) & VIDEO_DEMUXERS:
        container.close()
        raise UnreadableVideo("not a video the sandbox can read")
    if not container.streams.video:
        container.close()
        raise UnreadableVideo("the file has no picture track")
    return container


def _duration_ms(container: InputContainer) -> float:
    stream = container.streams.video[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base * 1000)
    if container.duration is not None:
        return float(container.duration) / 1000  # microseconds
    return 0.0


def video_info(data: bytes) -> VideoInfo:
    """The size, length and sound of the video ``data`` holds; ``UnreadableVideo`` if none."""
    _require_video()
    with _opened(data) as container:
        stream = container.streams.video[0]
        return VideoInfo(
            stream.codec_context.width,
            stream.codec_context.height,
            _duration_ms(container),
            bool(container.streams.audio),
        )


def trim(
    data: bytes,
    *,
    start_ms: int,
    end_ms: int,
    video_format: str = DEFAULT_VIDEO_FORMAT,
    fps: int = 30,
    bitrate_kbps: int | None = None,
) -> bytes:
    """The part of the video ``data`` holds from ``start_ms`` up to ``end_ms``, as a video of
    ``video_format`` at ``fps`` frames a second, its sound (mono) kept where it has one.

    Each frame of the result shows the source's frame at its moment (a frame is repeated or
    left out where the rates differ), so the result lasts ``end_ms - start_ms`` to a frame. The
    caller checks that the part lies inside the video (``video_info``); odd sides are rounded
    down to even ones.
    """
    _require_video()
    count = max(1, round((end_ms - start_ms) * fps / 1000))
    moments = [start_ms + index * 1000 / fps for index in range(count)]
    with _opened(data) as container:
        stream = container.streams.video[0]
        size = (_even(stream.codec_context.width), _even(stream.codec_context.height))
        sound = _sound_between(container, start_ms, end_ms)

    def frames() -> Iterator[Image.Image]:
        with _opened(data) as source:
            shown: Image.Image | None = None
            index = 0
            for frame in source.decode(source.streams.video[0]):
                at = (frame.time or 0.0) * 1000
                while index < count and moments[index] < at - 1e-6:
                    yield shown or _picture(frame, size)
                    index += 1
                if index >= count:
                    return
                shown = _picture(frame, size)
            while index < count and shown is not None:
                yield shown
                index += 1

    return encode_video(
        frames(), size, sound, fps=fps, video_format=video_format, bitrate_kbps=bitrate_kbps
    )


def _picture(frame: VideoFrame, size: tuple[int, int]) -> Image.Image:
    picture: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
    return picture if picture.size == size else picture.resize(size, Image.Resampling.BILINEAR)


def _sound_between(container: InputContainer, start_ms: int, end_ms: int) -> Image.Image | None:
    """The video's sound from ``start_ms`` to ``end_ms``, mono at ``SOUND_RATE``; None without
    a sound track."""
    if not container.streams.audio:
        return None
    import av  # noqa: PLC0415 - optional; callers checked it is there

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SOUND_RATE)
    pieces: list[bytes] = []
    first: float | None = None
    for frame in container.decode(container.streams.audio[0]):
        if first is None:
            first = (frame.time or 0.0) * 1000
        pieces += [_samples(piece) for piece in resampler.resample(frame)]
    pieces += [_samples(piece) for piece in resampler.resample(None)]
    data = b"".join(pieces)
    offset = first or 0.0
    low = max(0, round((start_ms - offset) * SOUND_RATE / 1000))
    high = max(low + 1, round((end_ms - offset) * SOUND_RATE / 1000))
    kept = data[low * 4 : high * 4]
    kept += bytes((high - low) * 4 - len(kept))
    return Image.frombytes("F", (high - low, 1), kept)


def _samples(frame: AudioFrame) -> bytes:
    """A packed float32 mono frame's samples, without the plane's padding."""
    return bytes(frame.planes[0])[: frame.samples * 4]


def stand_in_clip(
    picture: Image.Image, *, seconds: float, video_format: str, pitch: float
) -> bytes:
    """A short video of ``picture`` (its size, even sides) with a bar along its bottom that
    grows from nothing to the full width as the clip plays, so that any frame shows its moment;
    with a quiet tone of ``pitch`` Hz where the format has sound. ``VIDEO_FPS`` frames a second.
    """
    _require_video()
    size = (_even(picture.width), _even(picture.height))
    base = picture.convert("RGB").resize(size)
    count = _frame_count(seconds)
    bar = max(2, size[1] // 10)

    def frames() -> Iterator[Image.Image]:
        for index in range(count):
            frame = base.copy()
            filled = round(size[0] * (index + 1) / count)
            frame.paste((255, 255, 255), (0, size[1] - bar, filled, size[1]))
            frame.paste((20, 20, 20), (filled, size[1] - bar, size[0], size[1]))
            yield frame

    samples = round(count / VIDEO_FPS * SOUND_RATE)
    tone = _fade(_gain(_tone(pitch, samples, SOUND_RATE, (1.0, 0.3)), 0.2), 441, 441)
    return encode_video(frames(), size, tone, fps=VIDEO_FPS, video_format=video_format)
