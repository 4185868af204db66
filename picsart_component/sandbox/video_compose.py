"""The video API's compositions: Concatenate videos and images, Video highlights, Make video
CTV-compatible, Upscale video FPS, Remove video background and Upload, each a parser of its
parameters (422 naming the field) and its work through PyAV.

Where the file is silent the sandbox decides. A timeline (concatenation, highlights) is as large
as its first video, or its first image when it has none (at most ``MAX_CANVAS_SIDE`` a side);
every other item is fitted into it, videos whole, images as their ``scale`` says. An item's
``transition`` is how it enters, over the last frame before it (black before the first): it
takes ``TRANSITION_MS``, at most half the item, and adds no length, so a timeline lasts as long
as its items together. The result lasts at most ``media.MAX_VIDEO_SECONDS``. CTV-compatible means
here an MP4 (H.264, AAC) at a constant 30 frames a second, padded to 16:9 at the video's own
height, always with a sound track (silent where the video has none): Picsart's own output is
1920x1080, which the sandbox does not scale to. FPS upscale gives 60 frames a second by frame
interpolation: each new frame blends the two source frames around its moment, weighted by how
near it lies to each (a cross-fade, no motion estimation). Remove background applies the image
API's cutout (``imaging.remove_background``) to every frame, at 30 frames a second, onto the
colour (``#008800`` unless given) or the picture; a transparent colour gives a WEBM whose frames
keep their transparency (VP8 with alpha). Upload keeps a video, sound or image file as sent,
recognised by its first bytes.

``params`` and ``work`` register this module's parsers and work, so it imports them only when a
call runs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageOps

from . import imaging, media, samples
from .errors import ApiError
from .forms import FilePart, Inputs

if TYPE_CHECKING:
    from .params import ImageSource
    from .work import Outcome, Worker

TRANSITIONS = (
    "none", "fade", "zoom_in", "zoom_out", "spin", "fly_in_from_left", "fly_in_from_right",
    "fly_in_from_top", "fly_in_from_bottom", "fly_out_to_left", "fly_out_to_right",
    "fly_out_to_bottom", "fly_out_to_top",
)  # fmt: skip
"""The file's transitions, in its order."""
IMAGE_SCALES = ("fit", "fill")
MAX_ITEMS = 10
MIN_SEGMENTS, MAX_SEGMENTS = 2, 10
DEFAULT_IMAGE_MS = 1000
TRANSITION_MS = 500
MAX_CANVAS_SIDE = 1280
MAX_TIMELINE_MS = round(media.MAX_VIDEO_SECONDS * 1000)
SOUND_RATE = media.SOUND_RATE
CTV_FRAME_RATE = 30
CTV_RATIO = 16 / 9
UPSCALED_FRAME_RATE = 60
CUTOUT_FRAME_RATE = 30
DEFAULT_BACKGROUND = "#008800"
VIDEO_BYTES_PER_PIXEL = 64
CUTOUT_BYTES_PER_PIXEL = 40
END_TOLERANCE_MS = 50
"""How far past a video's stated length a segment may end: containers round it."""
TRANSPARENT_VP8_OPTIONS = {"auto-alt-ref": "0", "deadline": "realtime", "cpu-used": "8"}


@dataclass(frozen=True)
class UploadKind:
    """A file Upload takes: its content type and extension."""

    content_type: str
    extension: str


_ISO_BRANDS = {
    b"qt  ": UploadKind("video/quicktime", "mov"),
    b"M4A ": UploadKind("audio/mp4", "m4a"),
}
_RIFF_KINDS = {
    b"WAVE": UploadKind("audio/wav", "wav"),
    b"AVI ": UploadKind("video/x-msvideo", "avi"),
    b"WEBP": UploadKind("image/webp", "webp"),
}
_MAGIC_KINDS = (
    (b"\x1aE\xdf\xa3", UploadKind("video/webm", "webm")),
    (b"GIF87a", UploadKind("image/gif", "gif")),
    (b"GIF89a", UploadKind("image/gif", "gif")),
    (b"ID3", UploadKind("audio/mpeg", "mp3")),
    (b"OggS", UploadKind("audio/ogg", "ogg")),
    (b"fLaC", UploadKind("audio/flac", "flac")),
    (b"\xff\xd8\xff", UploadKind("image/jpeg", "jpg")),
    (b"\x89PNG\r\n\x1a\n", UploadKind("image/png", "png")),
)
UPLOAD_NAMES = "MP4, MOV, WEBM, AVI, GIF, MP3, M4A, WAV, OGG, FLAC, JPG, PNG or WEBP"


# Jobs


@dataclass(frozen=True)
class ConcatItem:
    """One entry of ``items``: a video (its sound at ``volume`` percent) or an image shown for
    ``duration_ms`` (``scale`` fit or fill), and how it enters."""

    label: str
    source: ImageSource
    image: bool
    volume: int
    scale: str
    duration_ms: int
    transition: str


@dataclass(frozen=True)
class ConcatJob:
    items: tuple[ConcatItem, ...]
    bg_audio: ImageSource | None
    bg_audio_repeat: bool
    bg_audio_volume: int
    format: str
    frame_rate: int
    bitrate: int | None


@dataclass(frozen=True)
class Segment:
    label: str
    start: int
    end: int
    transition: str


@dataclass(frozen=True)
class HighlightsJob:
    video: ImageSource
    segments: tuple[Segment, ...]
    format: str
    frame_rate: int
    bitrate: int | None


@dataclass(frozen=True)
class VideoJob:
    """CTV encoding or FPS upscale: the video alone."""

    video: ImageSource


@dataclass(frozen=True)
class BackgroundJob:
    """Remove video background: onto ``color`` (a colour ``parse_color`` reads) or the picture
    at ``background``."""

    video: ImageSource
    color: str | None
    background: ImageSource | None


@dataclass(frozen=True)
class UploadJob:
    file: FilePart


# Parsers


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """The values without the nulls the file allows for its optional fields."""
    return {name: value for name, value in values.items() if value is not None}


def _objects(values: dict[str, Any], name: str, low: int, high: int) -> list[dict[str, Any]]:
    """The list of objects under ``name``, from ``low`` to ``high`` of them, each with its
    fields named ``name[index].field`` and its nulls left out."""
    from .params import unprocessable  # noqa: PLC0415 - params imports this module

    found = values.get(name)
    if found is None:
        raise unprocessable(f"{name} is required: a list of {low} to {high} objects.")
    if not isinstance(found, list):
        raise unprocessable(f"{name} must be a list of objects.")
    if not low <= len(found) <= high:
        raise unprocessable(f"{name} has {len(found)} entries; give from {low} to {high}.")
    named = []
    for index, entry in enumerate(found):
        if not isinstance(entry, dict):
            raise unprocessable(f"{name}[{index}] must be an object.")
        named.append({f"{name}[{index}].{key}": value for key, value in _present(entry).items()})
    return named


def _concat(inputs: Inputs) -> ConcatJob:
    from .params import (  # noqa: PLC0415 - params imports this module
        ImageSource,
        _export,
        as_boolean,
        as_url,
        integer_in,
        one_of,
        optional_value,
        unprocessable,
        value_or,
    )

    values = _present(inputs.values)
    items = []
    for index, fields in enumerate(_objects(values, "items", 1, MAX_ITEMS)):
        label = f"items[{index}]"
        video = optional_value(fields, f"{label}.video_url", as_url)
        image = optional_value(fields, f"{label}.image_url", as_url)
        if (video is None) == (image is None):
            raise unprocessable(f"{label}: give exactly one of video_url and image_url.")
        field = f"{label}.video_url" if image is None else f"{label}.image_url"
        items.append(
            ConcatItem(
                label,
                ImageSource(field, "url", text=video or image or ""),
                image is not None,
                value_or(fields, f"{label}.volume", integer_in(0, 100), 100),
                value_or(fields, f"{label}.scale", one_of(IMAGE_SCALES), "fit"),
                value_or(fields, f"{label}.duration", integer_in(1, None), DEFAULT_IMAGE_MS),
                value_or(fields, f"{label}.transition", one_of(TRANSITIONS), "none"),
            )
        )
    stills = sum(item.duration_ms for item in items if item.image)
    if stills > MAX_TIMELINE_MS:
        raise unprocessable(
            f"the images' durations add up to {stills} ms; the sandbox makes at most "
            f"{MAX_TIMELINE_MS} ms of video."
        )
    audio = optional_value(values, "bg_audio_url", as_url)
    video_format, frame_rate, bitrate = _export(values)
    return ConcatJob(
        tuple(items),
        ImageSource("bg_audio_url", "url", text=audio) if audio is not None else None,
        value_or(values, "bg_audio_repeat", as_boolean, True),
        value_or(values, "bg_audio_volume", integer_in(0, 100), 100),
        video_format,
        frame_rate,
        bitrate,
    )


def _highlights(inputs: Inputs) -> HighlightsJob:
    from .params import (  # noqa: PLC0415 - params imports this module
        _export,
        _required_url,
        _required_value,
        integer_in,
        one_of,
        unprocessable,
        value_or,
    )

    values = inputs.values
    video = _required_url(values, "video_url")
    segments = []
    for index, fields in enumerate(_objects(values, "trim_segments", MIN_SEGMENTS, MAX_SEGMENTS)):
        label = f"trim_segments[{index}]"
        start = _required_value(fields, f"{label}.start", integer_in(0, None))
        end = _required_value(fields, f"{label}.end", integer_in(1, None))
        if end <= start:
            raise unprocessable(f"{label}.end ({end}) must be greater than its start ({start}).")
        transition = value_or(fields, f"{label}.transition", one_of(TRANSITIONS), "none")
        segments.append(Segment(label, start, end, transition))
    total = sum(segment.end - segment.start for segment in segments)
    if total > MAX_TIMELINE_MS:
        raise unprocessable(
            f"the segments add up to {total} ms; the sandbox makes at most {MAX_TIMELINE_MS} ms "
            "of video."
        )
    video_format, frame_rate, bitrate = _export(values)
    return HighlightsJob(video, tuple(segments), video_format, frame_rate, bitrate)


def _video_only(inputs: Inputs) -> VideoJob:
    from .params import _required_url  # noqa: PLC0415 - params imports this module

    return VideoJob(_required_url(inputs.values, "video_url"))


def _remove_background(inputs: Inputs) -> BackgroundJob:
    from .params import (  # noqa: PLC0415 - params imports this module
        ImageSource,
        _required_url,
        as_color,
        as_url,
        optional_value,
        unprocessable,
    )

    values = _present(inputs.values)
    video = _required_url(values, "video_url")
    color = optional_value(values, "bg_color", as_color)
    picture = optional_value(values, "bg_image_url", as_url)
    if color is not None and picture is not None:
        raise unprocessable("Give only one background: bg_color or bg_image_url.")
    if picture is not None:
        return BackgroundJob(video, None, ImageSource("bg_image_url", "url", text=picture))
    return BackgroundJob(video, color or DEFAULT_BACKGROUND, None)


def _upload(inputs: Inputs) -> UploadJob:
    from .params import unprocessable  # noqa: PLC0415 - params imports this module

    if "file" in inputs.values:
        raise unprocessable("file must be a file part in multipart/form-data, not a text field.")
    part = inputs.files.get("file")
    if part is None:
        raise unprocessable("file is required: the video, sound or image to upload.")
    return UploadJob(part)


PARSERS: dict[str, Callable[[Inputs], Any]] = {
    "concatVideos": _concat,
    "videoHighlights": _highlights,
    "makeVideoCtvCompatible": _video_only,
    "upscaleVideoFps": _video_only,
    "removeVideoBackground": _remove_background,
    "uploadVideo": _upload,
}


# Frames and sound


@dataclass(frozen=True)
class Piece:
    """A stretch of a timeline: part of a video (``start_ms`` to ``end_ms`` of it, its sound at
    ``volume`` percent) or a still picture for that long, and the transition it enters with."""

    video: bytes | None
    picture: Image.Image | None
    start_ms: float
    end_ms: float
    transition: str = "none"
    volume: int = 100
    scale: str = "fit"

    @property
    def length_ms(self) -> float:
        return self.end_ms - self.start_ms


def placed(picture: Image.Image, size: tuple[int, int], scale: str = "fit") -> Image.Image:
    """The picture on a black canvas of ``size``: all of it showing (``fit``) or covering it,
    centred and cropped (``fill``)."""
    rgb = picture if picture.mode == "RGB" else _on_black(picture)
    if rgb.size == size:
        return rgb
    if scale == "fill":
        return ImageOps.fit(rgb, size, Image.Resampling.BILINEAR)
    return ImageOps.pad(rgb, size, Image.Resampling.BILINEAR, color=(0, 0, 0))


def _on_black(picture: Image.Image) -> Image.Image:
    rgba = picture.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (0, 0, 0, 255)), rgba).convert("RGB")


def frames_at(
    data: bytes, moments: Sequence[float], size: tuple[int, int], scale: str = "fit"
) -> Iterator[Image.Image]:
    """The video's frame shown at each moment (milliseconds), placed on ``size``: exactly one
    picture a moment; past the last frame the last one stays (black for a video with none)."""
    shown: Image.Image | None = None
    index = 0
    with media._opened(data) as source:
        for frame in source.decode(source.streams.video[0]):
            at = (frame.time or 0.0) * 1000
            current = placed(frame.to_image(), size, scale)
            while index < len(moments) and moments[index] < at - 1e-6:
                yield shown or current
                index += 1
            if index >= len(moments):
                return
            shown = current
    last = shown or Image.new("RGB", size)
    for _ in range(index, len(moments)):
        yield last


def frame_counts(lengths_ms: Sequence[float], fps: int) -> list[int]:
    """How many frames each stretch gets, so that together they last as long as the stretches
    do, to a frame (at least one each)."""
    counts, elapsed, made = [], 0.0, 0
    for length in lengths_ms:
        elapsed += length
        count = max(1, round(elapsed * fps / 1000) - made)
        counts.append(count)
        made += count
    return counts


def timeline(pieces: Sequence[Piece], size: tuple[int, int], fps: int) -> Iterator[Image.Image]:
    """Every frame of the pieces one after another, each entering with its transition over the
    frame before it (black before the first)."""
    before = Image.new("RGB", size)
    for piece, count in zip(pieces, frame_counts([p.length_ms for p in pieces], fps), strict=True):
        lead = 0
        if piece.transition != "none":
            lead = min(count // 2, round(TRANSITION_MS * fps / 1000))
        last = before
        for index, frame in enumerate(_piece_frames(piece, size, fps, count)):
            last = frame
            if index < lead:
                yield transition(piece.transition, before, frame, (index + 1) / (lead + 1))
            else:
                yield frame
        before = last


def _piece_frames(
    piece: Piece, size: tuple[int, int], fps: int, count: int
) -> Iterator[Image.Image]:
    if piece.picture is not None:
        still = placed(piece.picture, size, piece.scale)
        for _ in range(count):
            yield still
        return
    assert piece.video is not None
    moments = [piece.start_ms + index * 1000 / fps for index in range(count)]
    yield from frames_at(piece.video, moments, size)


def transition(kind: str, before: Image.Image, after: Image.Image, progress: float) -> Image.Image:
    """The frame ``progress`` (0 to 1) of the way through ``kind`` from ``before`` to ``after``."""
    eased = progress * progress * (3 - 2 * progress)
    width, height = after.size
    if kind == "fade":
        return Image.blend(before, after, eased)
    if kind in ("zoom_in", "spin"):
        scale = max(eased, 1 / max(width, height))
        moving = after.resize((max(1, round(width * scale)), max(1, round(height * scale))))
        mask = Image.new("L", moving.size, 255)
        if kind == "spin":
            angle = 360 * (1 - eased)
            moving = moving.rotate(angle, expand=True)
            mask = mask.rotate(angle, expand=True)
        frame = before.copy()
        frame.paste(moving, ((width - moving.width) // 2, (height - moving.height) // 2), mask)
        return frame
    if kind == "zoom_out":
        scale = max(1 - eased, 1 / max(width, height))
        shrinking = before.resize((max(1, round(width * scale)), max(1, round(height * scale))))
        frame = after.copy()
        frame.paste(shrinking, ((width - shrinking.width) // 2, (height - shrinking.height) // 2))
        return frame
    direction = kind.rsplit("_", 1)[1]
    step_x = {"left": -1, "right": 1}.get(direction, 0)
    step_y = {"top": -1, "bottom": 1}.get(direction, 0)
    if kind.startswith("fly_in"):
        frame, moving, share = before.copy(), after, 1 - eased
    else:
        frame, moving, share = after.copy(), before, eased
    frame.paste(moving, (round(step_x * width * share), round(step_y * height * share)))
    return frame


def sound_of(data: bytes, start_ms: float = 0.0, end_ms: float | None = None) -> np.ndarray | None:
    """The file's sound from ``start_ms`` to ``end_ms`` (its end when None), mono float32
    samples at ``SOUND_RATE``, padded with silence to the length asked; None without sound."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SOUND_RATE)
        pieces: list[np.ndarray] = []
        first: float | None = None
        for frame in container.decode(container.streams.audio[0]):
            if first is None:
                first = (frame.time or 0.0) * 1000
            pieces += [_samples(piece) for piece in resampler.resample(frame)]
        pieces += [_samples(piece) for piece in resampler.resample(None)]
    track = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    offset = first or 0.0
    low = max(0, round((start_ms - offset) * SOUND_RATE / 1000))
    high = len(track) if end_ms is None else round((end_ms - offset) * SOUND_RATE / 1000)
    return fitted(track[low:high], max(0, high - low))


def _samples(frame: Any) -> np.ndarray:
    return np.frombuffer(bytes(frame.planes[0])[: frame.samples * 4], dtype=np.float32)


def fitted(samples: np.ndarray, count: int) -> np.ndarray:
    """``count`` samples: these, cut or followed by silence."""
    if len(samples) >= count:
        return samples[:count]
    return np.concatenate([samples, np.zeros(count - len(samples), np.float32)])


def timeline_sound(
    pieces: Sequence[Piece], fps: int, extra: np.ndarray | None = None, repeat: bool = True
) -> Image.Image | None:
    """The pieces' sound, each as long as its frames last (silence for a picture or a silent
    video), with ``extra`` (the background sound) over it, repeated or once; None when there is
    no sound at all."""
    counts = frame_counts([piece.length_ms for piece in pieces], fps)
    bounds = np.cumsum([0, *counts]) * SOUND_RATE // fps
    total = int(bounds[-1])
    mix = np.zeros(total, np.float32)
    heard = False
    for piece, low, high in zip(pieces, bounds[:-1], bounds[1:], strict=True):
        if piece.video is None or piece.volume == 0:
            continue
        found = sound_of(piece.video, piece.start_ms, piece.end_ms)
        if found is not None:
            heard = True
            mix[low:high] += fitted(found, int(high - low)) * (piece.volume / 100)
    if extra is not None and len(extra):
        heard = True
        laid = np.tile(extra, total // len(extra) + 1) if repeat else extra
        mix += fitted(laid, total)
    return as_signal(mix) if heard else None


def as_signal(samples: np.ndarray) -> Image.Image:
    """Samples as ``media.encode_video`` takes a sound: an "F" image one pixel high."""
    clipped = np.clip(samples, -1.0, 1.0).astype(np.float32)
    return Image.frombytes("F", (max(1, len(clipped)), 1), clipped.tobytes() or bytes(4))


def ctv_size(width: int, height: int) -> tuple[int, int]:
    """A 16:9 frame that holds the video at its own height (or width, for a wider video)."""
    if width / height > CTV_RATIO:
        return _even(width), _even(round(width / CTV_RATIO))
    return _even(round(height * CTV_RATIO)), _even(height)


def _even(side: int) -> int:
    return max(2, side - side % 2)


def interpolated(data: bytes, fps: int, duration_ms: float) -> Iterator[Image.Image]:
    """The video at ``fps``: each frame blends the two source frames around its moment, the
    nearer one weighing more; a moment on a source frame shows that frame."""
    count = max(1, round(duration_ms * fps / 1000))
    moments = iter([index * 1000 / fps for index in range(count)])
    moment: float | None = next(moments)
    earlier: tuple[float, Image.Image] | None = None
    with media._opened(data) as source:
        for frame in source.decode(source.streams.video[0]):
            later = ((frame.time or 0.0) * 1000, frame.to_image().convert("RGB"))
            while moment is not None and moment <= later[0]:
                if earlier is None or later[0] <= earlier[0]:
                    yield later[1]
                else:
                    weight = (moment - earlier[0]) / (later[0] - earlier[0])
                    yield Image.blend(earlier[1], later[1], weight)
                moment = next(moments, None)
            if moment is None:
                return
            earlier = later
    while moment is not None and earlier is not None:
        yield earlier[1]
        moment = next(moments, None)


def cut_out(frame: Image.Image, color: str | None, backdrop: Image.Image | None) -> Image.Image:
    """One frame with its background removed as the image API removes it, onto ``color`` or
    ``backdrop`` (the frame's size)."""
    params = imaging.RemoveBackgroundParams(bg_color=color)
    return imaging.remove_background(frame, params, bg_image=backdrop)


def encode_transparent_webm(
    frames: Iterator[Image.Image], size: tuple[int, int], sound: Image.Image | None, fps: int
) -> bytes:
    """RGBA frames as VP8 with alpha in a WEBM (Opus sound where given)."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    chosen = media.VIDEO_FORMATS["WEBM"]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm", options={"fflags": "+bitexact"}) as container:
        # VP8 keeps an alpha plane only without its alternate reference frames; on frames this
        # small, one thread in real-time mode encodes many times faster than its defaults.
        video = container.add_stream("libvpx", rate=fps, options=TRANSPARENT_VP8_OPTIONS)
        video.thread_count = 1
        video.width, video.height = size
        video.pix_fmt = "yuva420p"
        audio = None
        if sound is not None and chosen.audio_codec is not None:
            audio = container.add_stream(chosen.audio_codec, rate=chosen.audio_rate, layout="mono")
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_image(image.convert("RGBA"))  # type: ignore[no-untyped-call]
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio is not None and sound is not None:
            media.mux_sound(container, audio, sound, chosen.audio_rate)
    return buffer.getvalue()


def upload_kind(data: bytes) -> UploadKind | None:
    """What a file Upload takes is, by its first bytes; None for anything else."""
    head = data[:16]
    if head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12], UploadKind("video/mp4", "mp4"))
    if head[:4] == b"RIFF":
        return _RIFF_KINDS.get(head[8:12])
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2:
        return UploadKind("audio/mpeg", "mp3")
    return next((kind for magic, kind in _MAGIC_KINDS if head.startswith(magic)), None)


# Work


def _outcome(stored: Any) -> Outcome:
    from .work import Outcome  # noqa: PLC0415 - work imports this module

    return Outcome((stored,))


def _guarded(work: Callable[[], bytes]) -> bytes:
    """Runs PyAV work: without the extra 501, a file PyAV cannot read 415."""
    import av  # noqa: PLC0415 - optional; callers checked it is there

    try:
        return work()
    except media.VideoUnavailable:
        from .work import video_unavailable  # noqa: PLC0415 - work imports this module

        raise video_unavailable() from None
    except (media.UnreadableVideo, av.error.FFmpegError) as error:
        raise ApiError(415, f"the sandbox cannot read this file ({error}).") from None


def _picture(worker: Worker, source: ImageSource) -> Image.Image:
    """The image at ``source``; a URL the sandbox cannot fetch gives a made-up photo."""
    from .work import TOOLS_INPUT_FORMATS  # noqa: PLC0415 - work imports this module

    data = worker.reader.read(source)
    if worker.reader.stands_in(source):
        data = samples.stand_in_image(source.text)[0]
    width, height = worker._size(data, source)
    with worker._reserved(width * height * 8, f"a {width}x{height} image"):
        return worker._decode(data, source, TOOLS_INPUT_FORMATS)


def _sound_file(worker: Worker, source: ImageSource) -> np.ndarray:
    """The sound of the file at ``source`` (422 for a file without one)."""
    data = worker.reader.read(source)
    import av  # noqa: PLC0415 - optional; callers checked it is there

    try:
        found = sound_of(data)
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise ApiError(
            415, f"{source.field}: the sandbox cannot read this file ({error})."
        ) from None
    if found is None or not len(found):
        raise ApiError(422, f"{source.field}: the file has no sound.")
    return found


def _checked_length(total_ms: float) -> None:
    if total_ms > MAX_TIMELINE_MS + END_TOLERANCE_MS:
        raise ApiError(
            422,
            f"the result would last {total_ms:.0f} ms; the sandbox makes at most "
            f"{MAX_TIMELINE_MS} ms of video.",
        )


def _store_video(worker: Worker, clip: bytes, video_format: str) -> Outcome:
    chosen = media.VIDEO_FORMATS[video_format]
    return _outcome(worker.store.put(clip, chosen.content_type, chosen.extension))


def concat(worker: Worker, job: ConcatJob) -> Outcome:
    """The items one after another, each entering with its transition, on the first one's
    size; their sounds in turn and the background sound over them."""
    pieces: list[Piece] = []
    sizes: list[tuple[int, int]] = []
    for item in job.items:
        if item.image:
            picture = _picture(worker, item.source)
            sizes.append(picture.size)
            pieces.append(
                Piece(None, picture, 0, item.duration_ms, item.transition, scale=item.scale)
            )
        else:
            data, info = worker.video_source(item.source)
            sizes.append((info.width, info.height))
            pieces.append(
                Piece(data, None, 0, info.duration_ms, item.transition, volume=item.volume)
            )
    videos = [size for size, item in zip(sizes, job.items, strict=True) if not item.image]
    width, height = (videos or sizes)[0]
    shrink = min(1.0, MAX_CANVAS_SIDE / max(width, height))
    size = (_even(round(width * shrink)), _even(round(height * shrink)))
    _checked_length(sum(piece.length_ms for piece in pieces))
    extra = _sound_file(worker, job.bg_audio) if job.bg_audio is not None else None
    if extra is not None:
        extra = extra * (job.bg_audio_volume / 100)
    return _timeline_result(worker, pieces, size, job, extra, job.bg_audio_repeat)


def highlights(worker: Worker, job: HighlightsJob) -> Outcome:
    """The segments of the video one after another, each entering with its transition."""
    latest = max(segment.end for segment in job.segments)
    data, info = worker.video_source(job.video, lasting_ms=latest)
    for segment in job.segments:
        if segment.end > info.duration_ms + END_TOLERANCE_MS:
            raise ApiError(
                422,
                f"{segment.label}.end ({segment.end}) is past the end of the video, which lasts "
                f"{info.duration_ms:.0f} ms.",
            )
    pieces = [
        Piece(data, None, segment.start, segment.end, segment.transition)
        for segment in job.segments
    ]
    size = (_even(info.width), _even(info.height))
    return _timeline_result(worker, pieces, size, job)


def _timeline_result(
    worker: Worker,
    pieces: Sequence[Piece],
    size: tuple[int, int],
    job: ConcatJob | HighlightsJob,
    extra: np.ndarray | None = None,
    repeat: bool = True,
) -> Outcome:
    fps = job.frame_rate
    with worker._reserved(
        size[0] * size[1] * VIDEO_BYTES_PER_PIXEL, f"a {size[0]}x{size[1]} video"
    ):
        clip = _guarded(
            lambda: media.encode_video(
                timeline(pieces, size, fps),
                size,
                timeline_sound(pieces, fps, extra, repeat),
                fps=fps,
                video_format=job.format,
                bitrate_kbps=job.bitrate,
            )
        )
    return _store_video(worker, clip, job.format)


def make_ctv_compatible(worker: Worker, job: VideoJob) -> Outcome:
    """An MP4 at a constant 30 frames a second, padded to 16:9, with a sound track."""
    data, info = worker.video_source(job.video)
    size = ctv_size(info.width, info.height)
    piece = Piece(data, None, 0, info.duration_ms)
    fps = CTV_FRAME_RATE
    with worker._reserved(
        size[0] * size[1] * VIDEO_BYTES_PER_PIXEL, f"a {size[0]}x{size[1]} video"
    ):

        def encoded() -> bytes:
            silence = np.zeros(frame_counts([info.duration_ms], fps)[0] * SOUND_RATE // fps)
            sound = timeline_sound([piece], fps) or as_signal(silence)
            frames = timeline([piece], size, fps)
            return media.encode_video(frames, size, sound, fps=fps, video_format="MP4")

        clip = _guarded(encoded)
    return _store_video(worker, clip, "MP4")


def upscale_fps(worker: Worker, job: VideoJob) -> Outcome:
    """The video at 60 frames a second, the new frames blended from their neighbours."""
    data, info = worker.video_source(job.video)
    size = (_even(info.width), _even(info.height))
    fps = UPSCALED_FRAME_RATE
    with worker._reserved(
        size[0] * size[1] * VIDEO_BYTES_PER_PIXEL, f"a {size[0]}x{size[1]} video"
    ):

        def encoded() -> bytes:
            frames = (placed(frame, size) for frame in interpolated(data, fps, info.duration_ms))
            sound = timeline_sound([Piece(data, None, 0, info.duration_ms)], fps)
            return media.encode_video(frames, size, sound, fps=fps, video_format="MP4")

        clip = _guarded(encoded)
    return _store_video(worker, clip, "MP4")


def remove_background(worker: Worker, job: BackgroundJob) -> Outcome:
    """Every frame cut out as the image API cuts out a photo, onto the colour or the picture;
    a colour with transparency gives a WEBM that keeps it."""
    data, info = worker.video_source(job.video)
    size = (_even(info.width), _even(info.height))
    backdrop = None
    if job.background is not None:
        backdrop = placed(_picture(worker, job.background), size, "fill")
    transparent = job.color is not None and imaging.parse_color(job.color)[3] < 255
    piece = Piece(data, None, 0, info.duration_ms)
    fps = CUTOUT_FRAME_RATE
    pixels = size[0] * size[1]
    with worker._reserved(pixels * CUTOUT_BYTES_PER_PIXEL, f"a {size[0]}x{size[1]} video"):

        def encoded() -> bytes:
            frames = (cut_out(frame, job.color, backdrop) for frame in timeline([piece], size, fps))
            sound = timeline_sound([piece], fps)
            if transparent:
                return encode_transparent_webm(frames, size, sound, fps)
            rgb = (frame.convert("RGB") for frame in frames)
            return media.encode_video(rgb, size, sound, fps=fps, video_format="MP4")

        clip = _guarded(encoded)
    return _store_video(worker, clip, "WEBM" if transparent else "MP4")


def upload(worker: Worker, job: UploadJob) -> Outcome:
    """The file as sent, stored under the type its first bytes say (415 for no video, sound or
    image)."""
    kind = upload_kind(job.file.data)
    if kind is None:
        raise ApiError(
            415, f"file: not a video, sound or image file the video API takes ({UPLOAD_NAMES})."
        )
    return _outcome(worker.store.put(job.file.data, kind.content_type, kind.extension))


WORK: dict[str, Callable[[Worker, Any], Outcome]] = {
    "concatVideos": concat,
    "videoHighlights": highlights,
    "makeVideoCtvCompatible": make_ctv_compatible,
    "upscaleVideoFps": upscale_fps,
    "removeVideoBackground": remove_background,
    "uploadVideo": upload,
}
