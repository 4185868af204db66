"""Audio and video results of the GenAI emulation: real WAV and MP4 files that players read,
as long as asked, and made from the prompt."""

from __future__ import annotations

import array
import io
import itertools
import sys
import wave
from dataclasses import dataclass

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from picsart_component.sandbox.media import (
    MAX_SOUND_SECONDS,
    SOUND_RATE,
    SPEECH_RATE,
    VIDEO_FPS,
    VideoUnavailable,
    image_video,
    sound_wav,
    speech_wav,
    text_video,
    video_available,
)
from picsart_component.sandbox.samples import sample_image


@dataclass(frozen=True)
class Audio:
    rate: int
    samples: array.array[int]

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def crossings_per_second(self) -> float:
        """Sign changes a second (ignoring tiny ones): higher for higher, brighter sounds."""
        values = self.samples
        crossings = sum(
            1
            for first, second in itertools.pairwise(values)
            if (first < 0) != (second < 0) and abs(first - second) > 200
        )
        return crossings / self.seconds


def read_wav(data: bytes) -> Audio:
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        samples = array.array("h", wav.readframes(wav.getnframes()))
        rate = wav.getframerate()
    if sys.byteorder == "big":
        samples.byteswap()
    return Audio(rate, samples)


# Speech


@pytest.mark.parametrize("language", ["en", "fr", "en-US", "FR"])
def test_speech_is_a_playable_wav(language: str) -> None:
    audio = read_wav(speech_wav("Hello world.", language=language, voice=None))
    assert audio.rate == SPEECH_RATE
    assert 0.5 < audio.seconds < 3
    assert max(map(abs, audio.samples)) > 10_000


def test_speech_length_follows_the_text() -> None:
    texts = [
        "",
        "Hi.",
        "Hello there, friend.",
        "Hello there, friend. This sentence is a good deal longer than the others!",
    ]
    lengths = [read_wav(speech_wav(text, language="en", voice=None)).seconds for text in texts]
    assert lengths == sorted(lengths)
    assert len(set(lengths)) == len(lengths)
    assert lengths[-1] > 3 * lengths[1]


def test_speech_pauses_at_punctuation() -> None:
    run_on = read_wav(speech_wav("one two three four", language="en", voice=None))
    paused = read_wav(speech_wav("one, two. three; four", language="en", voice=None))
    assert paused.seconds > run_on.seconds + 0.5


def test_speech_counts_words_of_any_script() -> None:
    short = read_wav(speech_wav("東京", language="en", voice=None))
    longer = read_wav(speech_wav("東京は大きい都市です", language="en", voice=None))
    assert longer.seconds > short.seconds


def test_speech_voice_shifts_the_pitch_and_is_deterministic() -> None:
    text = "Hello there, how are you today?"
    high = speech_wav(text, language="en", voice="female")
    low = speech_wav(text, language="en", voice="male")
    assert read_wav(high).crossings_per_second() > 1.3 * read_wav(low).crossings_per_second()
    assert high == speech_wav(text, language="en", voice="female")
    assert speech_wav(text, language="en", voice="Alice") != speech_wav(
        text, language="en", voice="Bob"
    )


def test_speech_refuses_other_languages() -> None:
    with pytest.raises(ValueError, match="language"):
        speech_wav("Guten Tag", language="de", voice=None)


# Sounds


@pytest.mark.parametrize(("duration", "loop"), [(0.5, False), (1.0, True), (2.25, False)])
def test_sound_lasts_exactly_the_duration(duration: float, loop: bool) -> None:
    audio = read_wav(sound_wav("rain on a tin roof", duration=duration, loop=loop, seed=1))
    assert audio.rate == SOUND_RATE
    assert len(audio.samples) == round(duration * SOUND_RATE)


@pytest.mark.parametrize("prompt", ["wind", "a bell", "zorblat"])
def test_sound_without_a_duration_lasts_two_to_six_seconds(prompt: str) -> None:
    seconds = read_wav(sound_wav(prompt, duration=None, loop=False, seed=1)).seconds
    assert 2.0 <= seconds <= 6.0
    assert seconds == read_wav(sound_wav(prompt, duration=None, loop=False, seed=9)).seconds


@pytest.mark.parametrize(
    ("bright", "dark"),
    [("birds chirping", "distant thunder"), ("rain", "wind"), ("church bell", "drum beat")],
)
def test_sound_timbre_follows_the_prompt(bright: str, dark: str) -> None:
    high = read_wav(sound_wav(bright, duration=1.0, loop=False, seed=1))
    low = read_wav(sound_wav(dark, duration=1.0, loop=False, seed=1))
    assert high.crossings_per_second() > 3 * low.crossings_per_second()


def test_sound_is_deterministic_and_the_seed_varies_it() -> None:
    first = sound_wav("a small melody on a piano", duration=1.0, loop=False, seed=1)
    assert first == sound_wav("a small melody on a piano", duration=1.0, loop=False, seed=1)
    assert first != sound_wav("a small melody on a piano", duration=1.0, loop=False, seed=2)


def steps(audio: Audio) -> list[int]:
    values = audio.samples
    return sorted(abs(first - second) for first, second in itertools.pairwise(values))


@pytest.mark.parametrize("prompt", ["engine hum", "wind", "rain", "zorblat", "drum beat"])
def test_a_loop_ends_where_it_starts(prompt: str) -> None:
    audio = read_wav(sound_wav(prompt, duration=1.0, loop=True, seed=1))
    wrap = abs(audio.samples[-1] - audio.samples[0])
    assert wrap <= steps(audio)[int(len(audio.samples) * 0.99)]


@pytest.mark.parametrize("prompt", ["engine hum", "wind", "zorblat"])
def test_a_loop_is_not_faded_but_a_one_shot_is(prompt: str) -> None:
    looped = read_wav(sound_wav(prompt, duration=1.0, loop=True, seed=1))
    once = read_wav(sound_wav(prompt, duration=1.0, loop=False, seed=1))
    ends = [*looped.samples[:200], *looped.samples[-200:]]
    assert max(map(abs, ends)) > 1000
    assert abs(once.samples[0]) < 100
    assert abs(once.samples[-1]) < 100


@pytest.mark.parametrize("duration", [0.0, -1.0, MAX_SOUND_SECONDS + 1])
def test_sound_refuses_impossible_durations(duration: float) -> None:
    with pytest.raises(ValueError, match="duration"):
        sound_wav("rain", duration=duration, loop=False, seed=1)


# Video


@dataclass(frozen=True)
class Video:
    frames: list[Image.Image]
    seconds: float
    codec: str
    pixel_format: str
    audio_streams: int


def decode(data: bytes) -> Video:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        pixel_format = stream.codec_context.pix_fmt or ""
        audio_streams = len(container.streams.audio)
        assert container.duration is not None
        seconds = container.duration / av.time_base
        frames = [frame.to_image() for frame in container.decode(video=0)]
    return Video(frames, seconds, codec, pixel_format, audio_streams)


def difference(first: Image.Image, second: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(first, second)).mean)


def test_video_is_available_here() -> None:
    assert video_available()


@pytest.mark.parametrize(
    ("size", "seconds", "audio", "frame_size"),
    [((96, 64), 1.0, False, (96, 64)), ((65, 47), 0.5, True, (64, 46))],
)
def test_text_video_is_an_h264_mp4_of_the_asked_size_and_length(
    size: tuple[int, int], seconds: float, audio: bool, frame_size: tuple[int, int]
) -> None:
    video = decode(
        text_video(
            "a sunset over the sea",
            width=size[0],
            height=size[1],
            seconds=seconds,
            audio=audio,
            seed=1,
        )
    )
    assert video.codec == "h264"
    assert video.pixel_format == "yuv420p"
    assert {frame.size for frame in video.frames} == {frame_size}
    assert len(video.frames) == round(seconds * VIDEO_FPS)
    assert video.seconds == pytest.approx(seconds, abs=0.1)
    assert video.audio_streams == (1 if audio else 0)


def test_text_video_moves_and_follows_the_prompt() -> None:
    sunset = decode(
        text_video("a red sunset", width=64, height=64, seconds=0.5, audio=False, seed=1)
    )
    ocean = decode(
        text_video("a calm blue ocean", width=64, height=64, seconds=0.5, audio=False, seed=1)
    )
    assert difference(sunset.frames[0], sunset.frames[-1]) > 3
    assert difference(sunset.frames[0], ocean.frames[0]) > 30


def test_image_video_starts_on_the_image_and_moves() -> None:
    photo = sample_image("portrait", (160, 120))
    video = decode(
        image_video(photo, "pan left", width=96, height=72, seconds=0.5, audio=True, seed=1)
    )
    assert {frame.size for frame in video.frames} == {(96, 72)}
    assert video.audio_streams == 1
    expected = photo.resize((96, 72), Image.Resampling.BILINEAR)
    assert difference(video.frames[0], expected) < 8
    assert difference(video.frames[-1], expected) > difference(video.frames[0], expected) + 3


@pytest.mark.parametrize(
    ("size", "seconds", "message"),
    [((64, 64), 0.0, "seconds"), ((64, 64), 1000.0, "seconds"), ((1, 64), 1.0, "pixels")],
)
def test_video_refuses_impossible_requests(
    size: tuple[int, int], seconds: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        text_video("x", width=size[0], height=size[1], seconds=seconds, audio=False, seed=1)


def test_without_the_extra_video_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    assert not video_available()
    with pytest.raises(VideoUnavailable, match=r"picsart-component\[video\]"):
        text_video("x", width=64, height=64, seconds=1.0, audio=False, seed=1)
    with pytest.raises(VideoUnavailable, match=r"picsart-component\[video\]"):
        image_video(
            Image.new("RGB", (8, 8)), "x", width=64, height=64, seconds=1.0, audio=False, seed=1
        )
