"""The video API's metadata, thumbnails and sound: Get video metadata (read from the container),
Extract and Set video thumbnail, Adjust audio, Extract audio and Transcribe audio, each a parser
of its parameters (422 naming the field) and its work through PyAV.

The sandbox runs no speech recognition: a transcript is an honest stand-in that says so, timed
over the sound the file really has. Where the file is silent the sandbox decides: a thumbnail's
``source`` ``timestamp`` needs ``timestamps``, ``container`` takes none and needs a video that
carries a thumbnail; ``auto`` gives the frames at ``timestamps`` where they are given, else the
video's own thumbnail where it has one, else the first frame. Timestamps are written as FFmpeg
writes durations (``2.5``, ``1500ms``, ``00:01.5``, ``00:00:01.500``). Set thumbnail gives an
MP4 (packets copied from an MP4 or MOV; other videos re-encoded first). Sound is worked on in
mono. The work stays bounded: at most 30 s of video is re-encoded and 60 s of sound extracted (a
longer file is refused; a sound mixed in is cut to the video), and a file to transcribe is
measured, not decoded. An unreachable ``image_url`` or ``audio_url`` (or a ``file_url`` whose
name says sound) gets a made-up picture or sound.

``params`` and ``work`` register this module's parsers and work, so it imports them only when a
call runs.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
from PIL import Image

from . import media, samples
from .errors import ApiError
from .forms import Inputs

if TYPE_CHECKING:
    from av.container import InputContainer

    from .params import ImageSource
    from .work import Outcome, Worker

THUMBNAIL_SOURCES = ("auto", "container", "timestamp")
MAX_TIMESTAMPS = 4
AUDIO_FORMATS = ("mp3", "m4a", "wav", "flac")
TRANSCRIPT_FORMATS = ("TXT", "SRT", "VTT", "SBV")
GRANULARITIES = ("1-word", "2-words", "sentence")
TRANSCRIBE_LANGUAGES = (
    "af", "ar", "am", "az", "be", "bs", "bg", "ca", "zh", "hr", "cs", "da", "nl", "en", "et",
    "fi", "fr", "gl", "de", "el", "he", "hi", "hu", "is", "id", "it", "ja", "kn", "kk", "ko",
    "lv", "lt", "mk", "ms", "mr", "mi", "ne", "no", "fa", "pl", "pt", "ro", "ru", "sr", "sk",
    "sl", "es", "sw", "sv", "tl", "ta", "th", "tr", "uk", "ur", "vi", "cy",
)  # fmt: skip
"""The file's languages, in its order (ISO 639-1)."""
MAX_TRANSCRIBE_BYTES = 25 << 20
"""The file's limit on what Transcribe audio takes: 25 MB."""
MAX_SOUND_SECONDS = media.MAX_SOUND_SECONDS
"""The most sound the sandbox decodes (extracts, mixes, transcribes): 60 s."""
MAX_VIDEO_SECONDS = media.MAX_VIDEO_SECONDS
"""The longest video the sandbox re-encodes (Adjust audio, Set thumbnail of a non-MP4): 30 s,
as it trims at most 30 s."""
MAX_THUMBNAIL_SIDE = 1024
"""A thumbnail set on a video is scaled down to this (the file gives no limit)."""
SOUND_RATE = media.SOUND_RATE
VIDEO_BYTES_PER_PIXEL = 64
"""Memory a re-encoded video's frames in flight take, as ``work`` reserves for a trim."""
THUMBNAIL_FORMAT = "JPG"
STAND_IN_NOTE = (
    "The Picsart sandbox runs no speech recognition: this is a stand-in transcript, not the "
    "words spoken."
)


@dataclass(frozen=True)
class AudioFormat:
    """A sound file the sandbox writes: FFmpeg's container and codec, extension, type."""

    container: str
    codec: str
    extension: str
    content_type: str


AUDIO_OUTPUTS: dict[str, AudioFormat] = {
    "mp3": AudioFormat("mp3", "libmp3lame", "mp3", "audio/mpeg"),
    "m4a": AudioFormat("ipod", "aac", "m4a", "audio/mp4"),
    "wav": AudioFormat("wav", "pcm_s16le", "wav", "audio/wav"),
    "flac": AudioFormat("flac", "flac", "flac", "audio/flac"),
}
TRANSCRIPT_TYPES = {
    "TXT": ("text/plain", "txt"),
    "SRT": ("application/x-subrip", "srt"),
    "VTT": ("text/vtt", "vtt"),
    "SBV": ("text/plain", "sbv"),
}


# Jobs


@dataclass(frozen=True)
class MetadataJob:
    video: ImageSource


@dataclass(frozen=True)
class ThumbnailsJob:
    """``timestamps`` in milliseconds, as given (``labels``)."""

    video: ImageSource
    source: str
    timestamps: tuple[float, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class SetThumbnailJob:
    video: ImageSource
    image: ImageSource


@dataclass(frozen=True)
class AudioAdjustJob:
    """Volumes from 0 to 100 (percent); ``audio`` the sound mixed in, if any."""

    video: ImageSource
    audio: ImageSource | None
    audio_volume: int
    video_volume: int
    format: str
    frame_rate: int
    bitrate: int | None


@dataclass(frozen=True)
class AudioExportJob:
    video: ImageSource
    format: str


@dataclass(frozen=True)
class TranscribeJob:
    file: ImageSource
    language: str
    format: str
    granularity: str


# Parsers


def _metadata(inputs: Inputs) -> MetadataJob:
    from .params import _required_url  # noqa: PLC0415 - params imports this module

    return MetadataJob(_required_url(inputs.values, "video_url"))


def _thumbnails(inputs: Inputs) -> ThumbnailsJob:
    from .params import _required_url, one_of, unprocessable, value_or  # noqa: PLC0415

    values = inputs.values
    video = _required_url(values, "video_url")
    source = value_or(values, "source", one_of(THUMBNAIL_SOURCES), "auto")
    given = values.get("timestamps")
    labels: tuple[str, ...] = ()
    if given is not None:
        if not isinstance(given, list):
            raise unprocessable("timestamps must be a list of up to 4 timestamps.")
        if not 1 <= len(given) <= MAX_TIMESTAMPS:
            raise unprocessable(
                f"timestamps must list from 1 to {MAX_TIMESTAMPS} timestamps, not {len(given)}."
            )
        labels = tuple(given)
    moments = tuple(_timestamp(f"timestamps[{index}]", value) for index, value in enumerate(labels))
    if source == "timestamp" and not moments:
        raise unprocessable("timestamps is required when source is timestamp.")
    if source == "container" and moments:
        raise unprocessable(
            "timestamps cannot be given with source container, which reads the thumbnail the "
            "video carries; use source timestamp or auto."
        )
    return ThumbnailsJob(video, source, moments, labels)


_CLOCK = re.compile(r"(?:([0-9]+):)?([0-9]{1,2}):([0-9]{1,2}(?:\.[0-9]+)?)")
_SECONDS = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(s|ms|us)?")
_UNIT_MS = {None: 1000.0, "s": 1000.0, "ms": 1.0, "us": 0.001}


def _timestamp(name: str, value: Any) -> float:
    """A moment in milliseconds, from FFmpeg's duration syntax (``[HH:]MM:SS[.m]`` or
    ``S[.m][s|ms|us]``); a JSON number is seconds."""
    from .params import unprocessable  # noqa: PLC0415 - params imports this module

    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value) * 1000
    text = value.strip() if isinstance(value, str) else ""
    clock = _CLOCK.fullmatch(text)
    if clock is not None and float(clock.group(3)) < 60 and int(clock.group(2)) < 60:
        hours = int(clock.group(1) or 0)
        return ((hours * 60 + int(clock.group(2))) * 60 + float(clock.group(3))) * 1000
    seconds = _SECONDS.fullmatch(text)
    if seconds is not None:
        return float(seconds.group(1)) * _UNIT_MS[seconds.group(2)]
    raise unprocessable(
        f"{name} {str(value)[:64]!r} is not a timestamp: write seconds (2.5, 1500ms) or a clock "
        "time ([HH:]MM:SS[.mmm], such as 00:00:01.500)."
    )


def _set_thumbnail(inputs: Inputs) -> SetThumbnailJob:
    from .params import _required_url, image_source, unprocessable  # noqa: PLC0415

    video = _required_url(inputs.values, "video_url")
    image = image_source(inputs, "", with_id=False)
    if image is None:
        raise unprocessable("An image is required: give image_url (or image).")
    return SetThumbnailJob(video, image)


def _audio_adjust(inputs: Inputs) -> AudioAdjustJob:
    from .params import (  # noqa: PLC0415 - params imports this module
        _export,
        _required_url,
        as_url,
        integer_in,
        optional_value,
        value_or,
    )

    values = inputs.values
    video = _required_url(values, "video_url")
    url = optional_value(values, "audio_url", as_url)
    audio = None
    if url is not None:
        from .params import ImageSource  # noqa: PLC0415

        audio = ImageSource("audio_url", "url", text=url)
    audio_volume = value_or(values, "audio_volume", integer_in(0, 100), 100)
    video_volume = value_or(values, "video_volume", integer_in(0, 100), 100)
    video_format, frame_rate, bitrate = _export(values)
    return AudioAdjustJob(
        video, audio, audio_volume, video_volume, video_format, frame_rate, bitrate
    )


def _audio_export(inputs: Inputs) -> AudioExportJob:
    from .params import _required_url, one_of, value_or  # noqa: PLC0415

    values = inputs.values
    video = _required_url(values, "video_url")
    return AudioExportJob(video, value_or(values, "format", one_of(AUDIO_FORMATS), "mp3"))


def _transcribe(inputs: Inputs) -> TranscribeJob:
    from .params import _required_url, one_of, value_or  # noqa: PLC0415

    values = inputs.values
    file = _required_url(values, "file_url")
    language = value_or(values, "language", one_of(TRANSCRIBE_LANGUAGES), "en")
    transcript_format = value_or(values, "format", one_of(TRANSCRIPT_FORMATS), "TXT")
    granularity = value_or(values, "granularity", one_of(GRANULARITIES), "sentence")
    return TranscribeJob(file, language, transcript_format, granularity)


PARSERS: dict[str, Callable[[Inputs], Any]] = {
    "videoMetadata": _metadata,
    "extractVideoThumbnail": _thumbnails,
    "setVideoThumbnail": _set_thumbnail,
    "adjustAudio": _audio_adjust,
    "extractAudio": _audio_export,
    "transcribeAudio": _transcribe,
}


# Reading


def _opened(data: bytes) -> InputContainer:
    """Any media file PyAV reads (a video, or for Transcribe a sound file)."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    try:
        return av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise ApiError(415, f"not a video or sound file the sandbox can read ({error})") from None


def _stream_seconds(stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _is_thumbnail(stream: Any) -> bool:
    import av  # noqa: PLC0415

    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def probe(data: bytes) -> dict[str, Any]:
    """What the container says of the video ``data`` holds, as the file's metadata answer
    names it (None where the file has no such stream)."""
    with _opened(data) as container:
        pictures = [stream for stream in container.streams.video if not _is_thumbnail(stream)]
        thumbnails = [stream for stream in container.streams.video if _is_thumbnail(stream)]
        sounds = list(container.streams.audio)
        found: dict[str, Any] = {
            "video_streams": len(container.streams.video),
            "audio_streams": len(sounds),
            "bit_rate": container.bit_rate or None,
            "size": len(data),
            "duration": container.duration / 1_000_000 if container.duration else None,
            "format_name": container.format.name,
        }
        video = pictures[0] if pictures else None
        found.update(
            {
                "video_codec_name": video.codec_context.name if video else None,
                "video_width": video.codec_context.width if video else None,
                "video_height": video.codec_context.height if video else None,
                "video_duration": _stream_seconds(video) if video else None,
                "video_bit_rate": (video.bit_rate or None) if video else None,
                "video_pix_fmt": video.codec_context.pix_fmt if video else None,
                "video_fps": round(video.average_rate) if video and video.average_rate else None,
            }
        )
        sound = sounds[0] if sounds else None
        found.update(
            {
                "audio_codec_name": sound.codec_context.name if sound else None,
                "audio_sample_rate": sound.codec_context.sample_rate if sound else None,
                "audio_channels": sound.codec_context.channels if sound else None,
                "audio_channel_layout": sound.codec_context.layout.name if sound else None,
                "audio_duration": _stream_seconds(sound) if sound else None,
                "audio_bit_rate": (sound.bit_rate or None) if sound else None,
            }
        )
        thumbnail = thumbnails[0] if thumbnails else None
        found.update(
            {
                "thumbnail_codec_name": thumbnail.codec_context.name if thumbnail else None,
                "thumbnail_width": thumbnail.codec_context.width if thumbnail else None,
                "thumbnail_height": thumbnail.codec_context.height if thumbnail else None,
                "thumbnail_pix_fmt": thumbnail.codec_context.pix_fmt if thumbnail else None,
            }
        )
    return found


def carried_thumbnail(data: bytes) -> Image.Image | None:
    """The picture the video carries as its thumbnail (an attached picture), if any."""
    with _opened(data) as container:
        for stream in container.streams.video:
            if _is_thumbnail(stream):
                for frame in container.decode(stream):
                    picture: Image.Image = frame.to_image()
                    return picture.convert("RGB")
    return None


def frames_at(data: bytes, moments_ms: tuple[float, ...]) -> list[Image.Image]:
    """The picture shown at each moment (the last frame for a moment past the end)."""
    wanted = sorted(range(len(moments_ms)), key=lambda index: moments_ms[index])
    found: dict[int, Image.Image] = {}
    with _opened(data) as container:
        stream = next(s for s in container.streams.video if not _is_thumbnail(s))
        shown: Image.Image | None = None
        position = 0
        for frame in container.decode(stream):
            at = (frame.time or 0.0) * 1000
            while (
                position < len(wanted) and shown is not None and moments_ms[wanted[position]] < at
            ):
                found[wanted[position]] = shown
                position += 1
            if position >= len(wanted):
                break
            shown = frame.to_image().convert("RGB")
        while position < len(wanted) and shown is not None:
            found[wanted[position]] = shown
            position += 1
    return [found[index] for index in range(len(moments_ms))]


def mono_sound(
    data: bytes, max_seconds: float = MAX_SOUND_SECONDS
) -> np.ndarray[Any, np.dtype[np.float32]] | None:
    """The file's first sound track, mono float samples at ``SOUND_RATE``, its first
    ``max_seconds`` at most (what a container claims is not trusted); None without one."""
    import av  # noqa: PLC0415

    limit = round(max_seconds * SOUND_RATE) * 4
    with _opened(data) as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SOUND_RATE)
        pieces: list[bytes] = []
        size = 0
        for frame in container.decode(container.streams.audio[0]):
            pieces += [_samples(piece) for piece in resampler.resample(frame)]
            size = sum(map(len, pieces))
            if size >= limit:
                break
        if size < limit:
            pieces += [_samples(piece) for piece in resampler.resample(None)]
    sound: np.ndarray[Any, np.dtype[np.float32]] = np.frombuffer(
        b"".join(pieces)[:limit], dtype=np.float32
    ).copy()
    return sound


def _samples(frame: Any) -> bytes:
    return bytes(frame.planes[0])[: frame.samples * 4]


def encode_sound(sound: np.ndarray[Any, np.dtype[np.float32]], audio_format: str) -> bytes:
    """Mono samples at ``SOUND_RATE`` as a file of ``audio_format`` (``AUDIO_OUTPUTS``)."""
    import av  # noqa: PLC0415

    chosen = AUDIO_OUTPUTS[audio_format]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=chosen.container) as container:
        stream = container.add_stream(chosen.codec, rate=SOUND_RATE, layout="mono")
        codec_format = stream.codec_context.codec.audio_formats[0].name
        frame = av.AudioFrame(format="flt", layout="mono", samples=max(1, len(sound)))
        data = np.clip(sound, -1.0, 1.0).astype(np.float32).tobytes()
        plane = frame.planes[0]
        plane.update(data + bytes(plane.buffer_size - len(data)))
        frame.sample_rate = SOUND_RATE
        resampler = av.AudioResampler(format=codec_format, layout="mono", rate=SOUND_RATE)
        frame_size = stream.codec_context.frame_size or 0
        pts = 0
        for piece in [*resampler.resample(frame), *resampler.resample(None)]:
            for part in _split(piece, frame_size):
                part.pts = pts
                pts += part.samples
                container.mux(stream.encode(part))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def _split(frame: Any, size: int) -> Iterator[Any]:
    """A frame in pieces of ``size`` samples, for encoders with a fixed frame size (MP3, AAC)."""
    if size <= 0 or frame.samples <= size:
        yield frame
        return
    import av  # noqa: PLC0415

    fifo = av.AudioFifo()
    fifo.write(frame)
    while fifo.samples >= size:
        yield fifo.read(size)
    if fifo.samples:
        yield fifo.read()


# Work


def _outcome(*files: Any, findings: Any = None) -> Outcome:
    from .work import Outcome  # noqa: PLC0415 - work imports this module

    return Outcome(tuple(files), findings=findings)


def _guarded(work: Callable[[], Any]) -> Any:
    """Runs PyAV work: without the extra 501, what PyAV cannot read 415."""
    import av  # noqa: PLC0415

    try:
        return work()
    except media.VideoUnavailable:
        from .work import video_unavailable  # noqa: PLC0415

        raise video_unavailable() from None
    except av.error.FFmpegError as error:
        raise ApiError(415, f"the sandbox cannot read this file ({error}).") from None
    except ValueError as error:  # what media refuses to make (a side under 2 pixels)
        raise ApiError(422, str(error) or "the file cannot be processed.") from None


def metadata(worker: Worker, job: MetadataJob) -> Outcome:
    data, _ = worker.video_source(job.video)
    return _outcome(findings=_guarded(lambda: probe(data)))


def thumbnails(worker: Worker, job: ThumbnailsJob) -> Outcome:
    """Up to four JPG pictures: the frames at the timestamps, or the carried thumbnail."""
    latest = max(job.timestamps, default=0.0)
    data, _ = worker.video_source(job.video, lasting_ms=latest + 500)
    frames_asked = job.source == "timestamp" or bool(job.timestamps)
    carried = None if frames_asked else _guarded(lambda: carried_thumbnail(data))
    if carried is not None:
        pictures = [carried]
    elif job.source == "container":
        raise ApiError(
            422,
            "video_url: the video carries no thumbnail of its own; use source auto or timestamp "
            "to take frames.",
        )
    else:
        duration = media.video_info(data).duration_ms
        for label, moment in zip(job.labels, job.timestamps, strict=True):
            if moment > duration + 50:
                raise ApiError(
                    422,
                    f"timestamps: {label!r} is past the end of the video, which lasts "
                    f"{duration:.0f} ms.",
                )
        pictures = _guarded(lambda: frames_at(data, job.timestamps or (0.0,)))
    return _outcome(*(worker._store_picture(picture, THUMBNAIL_FORMAT) for picture in pictures))


def set_thumbnail(worker: Worker, job: SetThumbnailJob) -> Outcome:
    """The video as an MP4 carrying the image as its thumbnail (an attached JPEG picture)."""
    data, _ = worker.video_source(job.video)
    from .work import TOOLS_INPUT_FORMATS  # noqa: PLC0415

    if worker.reader.stands_in(job.image):
        picture_data = samples.stand_in_image(job.image.text)[0]
    else:
        picture_data = worker.reader.read(job.image)
    width, height = worker._size(picture_data, job.image)
    with worker._reserved(width * height * 8, f"a {width}x{height} image"):
        picture = worker._decode(picture_data, job.image, TOOLS_INPUT_FORMATS).convert("RGB")
    picture.thumbnail((MAX_THUMBNAIL_SIDE, MAX_THUMBNAIL_SIDE))
    info = media.video_info(data)
    with worker._reserved(info.width * info.height * VIDEO_BYTES_PER_PIXEL, _size(info)):
        video = _guarded(lambda: with_thumbnail(data, picture))
    return _outcome(worker.store.put(video, "video/mp4", "mp4"))


def with_thumbnail(data: bytes, picture: Image.Image) -> bytes:
    """The video as an MP4 whose thumbnail is ``picture``: an MP4 or MOV has its packets copied
    (a thumbnail it carried is replaced), any other video is re-encoded to MP4 first."""
    import av  # noqa: PLC0415

    with _opened(data) as probe_container:
        names = set(probe_container.format.name.split(","))
        codecs = {stream.codec_context.name for stream in probe_container.streams}
    if not names & {"mov", "mp4"} or not codecs <= {"h264", "aac", "mjpeg", "png"}:
        info = media.video_info(data)
        _refuse_longer_than(info.duration_ms, MAX_VIDEO_SECONDS, "re-encodes", "video_url")
        data = media.trim(data, start_ms=0, end_ms=max(1, round(info.duration_ms)))
    buffer = io.BytesIO()
    with _opened(data) as source, av.open(buffer, mode="w", format="mp4") as out:
        kept = [stream for stream in source.streams if not _is_thumbnail(stream)]
        copies = {stream.index: out.add_stream_from_template(stream) for stream in kept}
        cover = out.add_stream("mjpeg")
        cover.width, cover.height = (picture.width // 2 * 2 or 2), (picture.height // 2 * 2 or 2)
        cover.pix_fmt = "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
        for packet in source.demux(kept):
            if packet.dts is None:
                continue
            packet.stream = copies[packet.stream.index]
            out.mux(packet)
        sized = picture.resize((cover.width, cover.height))
        frame = av.VideoFrame.from_image(sized).reformat(  # type: ignore[no-untyped-call]
            format="yuvj420p"
        )
        for packet in [*cover.encode(frame), *cover.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


def adjust_audio(worker: Worker, job: AudioAdjustJob) -> Outcome:
    """The video re-encoded by its export settings, its own sound at ``video_volume`` percent
    and the sound at ``audio_url`` (repeated to the video's length) at ``audio_volume``."""
    data, _ = worker.video_source(job.video)
    info = media.video_info(data)
    _refuse_longer_than(info.duration_ms, MAX_VIDEO_SECONDS, "re-encodes", "video_url")
    added = None
    if job.audio is not None:
        if worker.reader.stands_in(job.audio):
            added = _stand_in_sound(job.audio.text, info.duration_ms / 1000)
        else:
            added = worker.reader.read(job.audio)
    with worker._reserved(info.width * info.height * VIDEO_BYTES_PER_PIXEL, _size(info)):
        clip = _guarded(lambda: remixed(data, added, job))
    chosen = media.VIDEO_FORMATS[job.format]
    return _outcome(worker.store.put(clip, chosen.content_type, chosen.extension))


def remixed(data: bytes, added: bytes | None, job: AudioAdjustJob) -> bytes:
    info = media.video_info(data)
    count = max(1, round(info.duration_ms * SOUND_RATE / 1000))
    seconds = count / SOUND_RATE
    own = mono_sound(data, seconds)
    mix = np.zeros(count, dtype=np.float32)
    if own is not None:
        mix[: min(count, len(own))] += own[:count] * (job.video_volume / 100)
    if added is not None:
        extra = mono_sound(added, seconds)
        if extra is None or not len(extra):
            raise ApiError(422, "audio_url: the file has no sound track.")
        repeats = math.ceil(count / len(extra))
        mix += np.tile(extra, repeats)[:count] * (job.audio_volume / 100)
    has_sound = own is not None or added is not None
    sound = Image.frombytes("F", (count, 1), np.clip(mix, -1, 1).tobytes()) if has_sound else None
    frames = _frames(data, job.frame_rate, info.duration_ms)
    size = (info.width - info.width % 2, info.height - info.height % 2)
    return media.encode_video(
        frames,
        size,
        sound,
        fps=job.frame_rate,
        video_format=job.format,
        bitrate_kbps=job.bitrate,
    )


def _frames(data: bytes, fps: int, duration_ms: float) -> Iterator[Image.Image]:
    """The video's pictures at ``fps`` frames a second (repeated or left out to match)."""
    count = max(1, round(duration_ms * fps / 1000))
    moments = tuple(index * 1000 / fps for index in range(count))
    info = media.video_info(data)
    size = (info.width - info.width % 2, info.height - info.height % 2)
    for picture in frames_at(data, moments):
        yield picture if picture.size == size else picture.resize(size)


def extract_audio(worker: Worker, job: AudioExportJob) -> Outcome:
    data, _ = worker.video_source(job.video)
    stated = _guarded(lambda: sound_seconds(data)) or 0.0
    _refuse_longer_than(stated * 1000, MAX_SOUND_SECONDS, "extracts", "video_url")
    sound = _guarded(lambda: mono_sound(data))
    if sound is None or not len(sound):
        raise ApiError(422, "video_url: the video has no sound track to extract.")
    chosen = AUDIO_OUTPUTS[job.format]
    audio = _guarded(lambda: encode_sound(sound, job.format))
    return _outcome(worker.store.put(audio, chosen.content_type, chosen.extension))


def transcribe(worker: Worker, job: TranscribeJob) -> Outcome:
    """A stand-in transcript in the asked format, timed over the file's sound."""
    if worker.reader.stands_in(job.file) and _suffix(job.file.text) in STAND_IN_SOUND_SUFFIXES:
        data = _stand_in_sound(job.file.text, samples.STAND_IN_CLIP_SECONDS)
    else:
        data = worker.reader.read(job.file)
    if len(data) > MAX_TRANSCRIBE_BYTES:
        raise ApiError(413, f"file_url: the file is larger than {MAX_TRANSCRIBE_BYTES >> 20} MB.")
    seconds = _guarded(lambda: sound_seconds(data))
    if not seconds:
        raise ApiError(422, "file_url: the file has no sound to transcribe.")
    text = transcript(seconds, job.language, job.format, job.granularity)
    content_type, extension = TRANSCRIPT_TYPES[job.format]
    return _outcome(worker.store.put(text.encode(), content_type, extension))


def _refuse_longer_than(duration_ms: float, most: float, work: str, field: str) -> None:
    if duration_ms > most * 1000:
        raise ApiError(
            422,
            f"{field}: the file lasts {duration_ms / 1000:.1f} s; the sandbox {work} at most "
            f"{most:g} s.",
        )


def _size(info: media.VideoInfo) -> str:
    return f"a {info.width}x{info.height} video"


STAND_IN_SOUND_SUFFIXES = frozenset({".mp3", ".m4a", ".wav", ".flac", ".ogg", ".aac"})
"""A ``file_url`` the sandbox cannot fetch whose name says sound gets a made-up sound, not a
clip."""


def _suffix(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


def _stand_in_sound(url: str, seconds: float) -> bytes:
    """A made-up sound for a URL the sandbox cannot fetch: the same URL, the same sound (a WAV
    that loops), ``seconds`` long."""
    return media.sound_wav(
        url, duration=max(0.1, min(seconds, MAX_SOUND_SECONDS)), loop=True, seed=0
    )


def sound_seconds(data: bytes) -> float | None:
    """How long the file's first sound track lasts, as its container says (decoded, at most
    ``MAX_SOUND_SECONDS``, where it says nothing); None without sound."""
    with _opened(data) as container:
        if not container.streams.audio:
            return None
        stated = _stream_seconds(container.streams.audio[0])
        if stated is None and container.duration:
            stated = container.duration / 1_000_000
    if stated:
        return stated
    sound = mono_sound(data)
    return len(sound) / SOUND_RATE if sound is not None else None


def transcript(seconds: float, language: str, transcript_format: str, granularity: str) -> str:
    """The stand-in: a sentence saying no recognition ran, spread over the sound's length in
    cues of one word, two words or the whole sentence (subtitle formats)."""
    sentence = f"{STAND_IN_NOTE} Language asked: {language}; sound: {seconds:.1f} seconds."
    if transcript_format == "TXT":
        return sentence + "\n"
    words = sentence.split()
    size = {"1-word": 1, "2-words": 2}.get(granularity, len(words))
    cues = [" ".join(words[index : index + size]) for index in range(0, len(words), size)]
    step = max(seconds, 0.001) / len(cues)
    lines = ["WEBVTT", ""] if transcript_format == "VTT" else []
    for number, cue in enumerate(cues, 1):
        start, end = (number - 1) * step, number * step
        if transcript_format == "SRT":
            lines += [str(number), f"{_clock(start, ',')} --> {_clock(end, ',')}", cue, ""]
        elif transcript_format == "VTT":
            lines += [f"{_clock(start, '.')} --> {_clock(end, '.')}", cue, ""]
        else:
            lines += [f"{_clock(start, '.', hours=1)},{_clock(end, '.', hours=1)}", cue, ""]
    return "\n".join(lines)


def _clock(seconds: float, mark: str, hours: int = 2) -> str:
    millis = round(seconds * 1000)
    hour, rest = divmod(millis, 3_600_000)
    minute, rest = divmod(rest, 60_000)
    second, milli = divmod(rest, 1000)
    return f"{hour:0{hours}d}:{minute:02d}:{second:02d}{mark}{milli:03d}"


WORK: dict[str, Callable[[Worker, Any], Outcome]] = {
    "videoMetadata": metadata,
    "extractVideoThumbnail": thumbnails,
    "setVideoThumbnail": set_thumbnail,
    "adjustAudio": adjust_audio,
    "extractAudio": extract_audio,
    "transcribeAudio": transcribe,
}
