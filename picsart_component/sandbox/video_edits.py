"""The video API's crop, fit, edit, adjust, effects and watermark: their parsers (in
``params.PARSERS``) and their work (in ``work.WORK``). Each frame of the video is worked on as a
picture by the image operations' own code (``effects.adjust``, ``effects.apply_effect``,
``editing.watermark``) and the result encoded by ``media.encode_video`` at the export's frame
rate, for the video's whole length, with its sound where it has one.

Where the file is silent or loose the sandbox decides:

- sides are rounded down to even numbers (H.264 needs them) and capped at 8000 pixels and the
  sandbox's pixel limit; ``start_y`` counts from the bottom edge, as the file says;
- what a crop or fit shows beyond the video is a blurred mirror of it (the file's "blurry mirror
  effect"), also Fit's background when none is given; a Fit given a width and a height takes
  that shape and leaves its ratio unused; a shorter background video holds its last frame;
- an adjustment out of its range counts as 0, as the file says Picsart does (the volumes are
  refused instead);
- Edit's ``quality`` sets a bitrate (low 0.05, high 0.3 bits a pixel a frame; medium keeps the
  encoder's constant quality) and ``max_size_mb`` caps it; its codecs and colour space are
  checked, but the container chooses the codecs (``media.VIDEO_FORMATS``) and frames stay sRGB;
- the effects the image API also has are its looks, the others the nearest look
  (``EFFECT_LOOKS``); a watermark without an image is the sandbox's own text mark, as on photos.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageFilter, ImageOps

from . import editing, effects, imaging, media, samples
from .errors import ApiError
from .forms import Inputs

if TYPE_CHECKING:
    from av.container import InputContainer

    from .store import StoredFile
    from .work import Outcome, Worker

Look = Callable[[Image.Image], Image.Image]
Frames = Callable[[Image.Image, int], Image.Image]
"""A frame's work: the frame and its index in the result, to the result's frame."""

QUALITIES = ("low", "medium", "high")
QUALITY_BITS_PER_PIXEL = {"low": 0.05, "high": 0.3}
CODECS = (
    "default", "HEVC", "h264", "theora", "vp8", "vp9", "gif", "av1", "cinepak", "ffv1", "MPEG4",
    "vc2",
)  # fmt: skip
AUDIO_CODECS = (
    "default", "aac", "ac3", "opus", "mp3", "ogg_vorbis", "ogg_speex", "wav", "flac", "PCM",
)  # fmt: skip
COLOR_SPACES = ("SRGB", "DisplayP3")
MIN_SIDE = 16
MAX_SIDE = imaging.MAX_CANVAS_SIDE
MAX_BITRATE_KBPS = 10_000
BYTES_PER_PIXEL = 64
"""Memory a frame's pixel takes while a video is decoded, worked on and encoded (as for trim)."""
MIRROR_BLUR = 60
"""How much the blurred mirror is blurred where no ``bg_blur`` says (of 100)."""
IMAGE_FORMATS = imaging.UPLOAD_INPUT_FORMATS


def _look(name: str) -> Look:
    return lambda image: effects.apply_effect(image, name)


def _adjusted(**amounts: int) -> Look:
    return lambda image: effects.adjust(image, **amounts)


def _radial(image: Image.Image, zoom: float) -> Image.Image:
    """Sharp in the middle, blurred towards the edges; zoomed in by ``zoom`` first."""
    if zoom > 1:
        width, height = image.size
        kept = (width / zoom, height / zoom)
        box = ((width - kept[0]) / 2, (height - kept[1]) / 2)
        image = image.resize(image.size, box=(*box, box[0] + kept[0], box[1] + kept[1]))
    blurred = image.filter(ImageFilter.GaussianBlur(max(image.size) / 24))
    centre = Image.radial_gradient("L").resize(image.size)
    return Image.composite(blurred, image, centre)


def _black_and_white(image: Image.Image) -> Image.Image:
    return ImageOps.grayscale(image).convert("RGB")


EFFECT_LOOKS: dict[str, Look] = {
    **{
        name: _look(name)
        for name in (
            "apr1", "apr2", "apr3", "brnz1", "brnz2", "brnz3", "brnz4", "cyber1", "cyber2",
        )
    },
    "cyber3": _look("urban1"),
    **{name: _look(name) for name in ("icy1", "icy2", "icy3")},
    "icy4": _look("water1"),
    **{name: _look(name) for name in ("mnch1", "mnch2", "mnch3", "noise", "ntrl1", "ntrl2")},
    "ntrl3": _look("nature1"),
    **{
        name: _look(name)
        for name in ("pixelize", "saturation", "sft1", "sft2", "sft3", "sft4", "tl1", "tl2")
    },
    "sharpen": _adjusted(sharpen=70),
    "vignette": _adjusted(vignette=70),
    "Focal Zoom": lambda image: _radial(image, 1.25),
    "Lens Blur": _look("lensblur"),
    "Motion Blur": _look("motionblur"),
    "Radial Blur": lambda image: _radial(image, 1.0),
    "Smart Blur": _look("smartblur"),
    "Blur": _look("blur"),
    "Black And White": _black_and_white,
    "stenciler1": _look("sketch1"),
    "stenciler3": _look("sketch2"),
    "stenciler4": _look("sketch3"),
    "stenciler6": _look("sketcher1"),
    "stenciler7": _look("sketcher2"),
    "DTN1": _look("light1"),
    "DTN2": _look("light5"),
    "DTN3": _look("shadow1"),
    "DTN4": _look("shadow2"),
    "DTN5": _look("dodger"),
}  # fmt: skip
"""The file's 48 effects in its order: the image API's look of the same name where it has one,
else the nearest (a sketch for a stencil, a light or shadow look for the DTN grades)."""
EFFECT_NAMES = tuple(EFFECT_LOOKS)


@dataclass(frozen=True)
class Export:
    """The result's container, frame rate and bitrate; Edit's quality and size target."""

    format: str = media.DEFAULT_VIDEO_FORMAT
    frame_rate: int = 30
    bitrate: int | None = None
    quality: str = "medium"
    max_size_mb: int | None = None


@dataclass(frozen=True)
class Crop:
    width: int | None = None
    height: int | None = None
    start_x: int = 0
    start_y: int = 0


@dataclass(frozen=True)
class Fit:
    ratio: float | None = None
    width: int | None = None
    height: int | None = None
    color: tuple[int, int, int, int] | None = None
    blur: int | None = None
    image: params.ImageSource | None = None
    video: params.ImageSource | None = None


@dataclass(frozen=True)
class Stamp:
    """The watermark: its picture (the sandbox's text mark when None) and how it is placed."""

    source: params.ImageSource | None
    options: dict[str, Any]


@dataclass(frozen=True)
class VideoEditJob:
    """One checked call of crop, fit, edit, adjust, effects or watermark (``kind``); what a kind
    does not use keeps its default."""

    kind: str
    video: params.ImageSource
    export: Export = Export()
    crop: Crop | None = None
    fit: Fit | None = None
    adjustments: dict[str, int] = field(default_factory=dict)
    audio: params.ImageSource | None = None
    audio_volume: int = 100
    video_volume: int = 100
    effect: str | None = None
    stamp: Stamp | None = None


# Parsers


def _given(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The values set (the file's nullable fields may come as null), named ``prefix`` + name."""
    return {f"{prefix}{name}": value for name, value in values.items() if value is not None}


def _object(values: dict[str, Any], name: str) -> dict[str, Any] | None:
    found = values.get(name)
    if found is None:
        return None
    if not isinstance(found, dict):
        raise params.unprocessable(f"{name} must be an object.")
    return _given(found, f"{name}.")


def _video(values: dict[str, Any]) -> params.ImageSource:
    return params.ImageSource("video_url", "url", text=_required(values, "video_url"))


def _required(values: dict[str, Any], name: str) -> str:
    found = params.optional_value(values, name, params.as_url)
    if found is None:
        raise params.unprocessable(f"{name} is required.")
    return found


def _export(values: dict[str, Any], *, extended: bool = False) -> Export:
    video_format, frame_rate, bitrate = params._export(values)
    if not extended:
        return Export(video_format, frame_rate, bitrate)
    named = _object(values, "export") or {}
    quality = params.value_or(named, "export.quality", params.one_of(QUALITIES), "medium")
    params.optional_value(named, "export.codec", params.one_of(CODECS))
    params.optional_value(named, "export.audio_codec", params.one_of(AUDIO_CODECS))
    params.optional_value(named, "export.color_space", params.one_of(COLOR_SPACES))
    max_size = params.optional_value(named, "export.max_size_mb", params.integer_in(1, None))
    return Export(video_format, frame_rate, bitrate, quality, max_size)


def _crop(named: dict[str, Any], prefix: str = "") -> Crop:
    side = params.integer_in(MIN_SIDE, MAX_SIDE)
    start = params.integer_in(0, MAX_SIDE)
    return Crop(
        params.optional_value(named, f"{prefix}width", side),
        params.optional_value(named, f"{prefix}height", side),
        params.value_or(named, f"{prefix}start_x", start, 0),
        params.value_or(named, f"{prefix}start_y", start, 0),
    )


def _fit(named: dict[str, Any], prefix: str = "") -> Fit:
    side = params.integer_in(MIN_SIDE, MAX_SIDE)
    ratio = params.optional_value(named, f"{prefix}ratio", params.number_in(0.1, 10))
    width = params.optional_value(named, f"{prefix}width", side)
    height = params.optional_value(named, f"{prefix}height", side)
    color = params.optional_value(named, f"{prefix}bg_color", params.as_color)
    blur = params.optional_value(named, f"{prefix}bg_blur", params.integer_in(0, 100))
    image = params.optional_value(named, f"{prefix}bg_image_url", params.as_url)
    video = params.optional_value(named, f"{prefix}bg_video_url", params.as_url)
    backgrounds = [
        f"{prefix}{name}"
        for name, value in (("bg_color", color), ("bg_image_url", image), ("bg_video_url", video))
        if value is not None
    ]
    if len(backgrounds) > 1:
        raise params.unprocessable(
            f"Give only one background (bg_color, bg_image_url or bg_video_url); got "
            f"{' and '.join(backgrounds)}."
        )
    if color is not None and blur is not None:
        raise params.unprocessable(
            f"{prefix}bg_blur cannot be combined with {prefix}bg_color: a colour is not blurred."
        )
    return Fit(
        ratio,
        width,
        height,
        None if color is None else imaging.parse_color(color),
        blur,
        None if image is None else params.ImageSource(f"{prefix}bg_image_url", "url", text=image),
        None if video is None else params.ImageSource(f"{prefix}bg_video_url", "url", text=video),
    )


def parse_crop(inputs: Inputs) -> VideoEditJob:
    values = _given(inputs.values)
    return VideoEditJob("crop", _video(values), _export(values), crop=_crop(values))


def parse_fit(inputs: Inputs) -> VideoEditJob:
    values = _given(inputs.values)
    return VideoEditJob("fit", _video(values), fit=_fit(values))


def parse_edit(inputs: Inputs) -> VideoEditJob:
    values = _given(inputs.values)
    crop = _object(values, "crop")
    fit = _object(values, "fit")
    return VideoEditJob(
        "edit",
        _video(values),
        _export(values, extended=True),
        crop=None if crop is None else _crop(crop, "crop."),
        fit=None if fit is None else _fit(fit, "fit."),
    )


def _adjustment(low: int, high: int) -> Callable[[str, Any], int]:
    """A whole number; out of ``low`` to ``high`` it counts as 0, as the file says."""

    def convert(name: str, value: Any) -> int:
        number = params.as_integer(name, value)
        return number if low <= number <= high else 0

    return convert


def parse_adjust(inputs: Inputs) -> VideoEditJob:
    values = _given(inputs.values)
    adjustments = {
        name: params.value_or(values, name, _adjustment(low, high), 0)
        for name, (low, high) in params.ADJUSTMENTS.items()
    }
    audio = params.optional_value(values, "audio_url", params.as_url)
    volume = params.integer_in(0, 100)
    return VideoEditJob(
        "adjust",
        _video(values),
        _export(values),
        adjustments={name: amount for name, amount in adjustments.items() if amount},
        audio=None if audio is None else params.ImageSource("audio_url", "url", text=audio),
        audio_volume=params.value_or(values, "audio_volume", volume, 100),
        video_volume=params.value_or(values, "video_volume", volume, 100),
    )


def parse_effects(inputs: Inputs) -> VideoEditJob:
    values = _given(inputs.values)
    effect = params._name(values, "effect_name", EFFECT_NAMES, "video effects")
    return VideoEditJob("effects", _video(values), _export(values), effect=effect)


def parse_watermark(inputs: Inputs) -> VideoEditJob:
    values = _given(inputs.values)
    video = _video(values)
    mark = params._source(inputs, "watermark", "watermark_url", None)
    side = params.integer_in(1, MAX_SIDE)
    padding = params.integer_in(0, MAX_SIDE)
    options = {
        "anchor_point": params.optional_value(values, "anchor_point", params._watermark_anchor)
        or "center-middle",
        "width": params.optional_value(values, "watermark_width", side),
        "height": params.optional_value(values, "watermark_height", side),
        "opacity": params.value_or(values, "watermark_opacity", params.integer_in(0, 100), 50),
        "angle": params.value_or(values, "watermark_angle", params.integer_in(0, 360), 0),
        "padding_x": params.value_or(values, "watermark_padding_x", padding, 0),
        "padding_y": params.value_or(values, "watermark_padding_y", padding, 0),
    }
    return VideoEditJob("watermark", video, stamp=Stamp(mark, options))


PARSERS: dict[str, Callable[[Inputs], Any]] = {
    "cropVideo": parse_crop,
    "fitVideo": parse_fit,
    "editVideo": parse_edit,
    "adjustVideo": parse_adjust,
    "applyVideoEffect": parse_effects,
    "addVideoWatermark": parse_watermark,
}


# Work


def edited_video(worker: Worker, job: VideoEditJob) -> Outcome:
    """The video with every frame worked on as ``job`` says, at its export's rate and format."""
    from .work import Outcome  # noqa: PLC0415 - work imports this module

    data, info = worker.video_source(job.video)
    size = (info.width, info.height)
    work: list[Frames] = []
    if job.crop is not None:
        size, cropped = _cropping(job.crop, size)
        work.append(cropped)
    if job.fit is not None:
        size, fitted = _fitting(worker, job.fit, size, info.duration_ms, job.export.frame_rate)
        work.append(fitted)
    if job.adjustments:
        adjust = _adjusted(**job.adjustments)
        work.append(lambda frame, _: adjust(frame))
    if job.effect is not None:
        look = EFFECT_LOOKS[job.effect]
        work.append(lambda frame, _: look(frame))
    size = _even_size(*size)  # what a crop or fit makes is even already; the source may not be
    if job.stamp is not None:
        work.append(_stamping(worker, job.stamp, size))
    _check_size(worker, size)
    pixels = info.width * info.height + size[0] * size[1]
    with worker._reserved(pixels * BYTES_PER_PIXEL, f"a {size[0]}x{size[1]} video"):
        sound = _soundtrack(worker, job, data, info.duration_ms)
        clip = _encoded(data, info.duration_ms, size, work, sound, job.export)
    return Outcome((_stored(worker, clip, job),))


def _stored(worker: Worker, clip: bytes, job: VideoEditJob) -> StoredFile:
    chosen = media.VIDEO_FORMATS[job.export.format]
    return worker.store.put(clip, chosen.content_type, chosen.extension)


def _check_size(worker: Worker, size: tuple[int, int]) -> None:
    width, height = size
    if max(size) > MAX_SIDE or width * height > worker.max_pixels:
        raise ApiError(
            422,
            f"The result would be {width}x{height}; the sandbox makes videos of at most "
            f"{MAX_SIDE} pixels a side and {worker.max_pixels} pixels a frame.",
        )


def _read_picture(worker: Worker, source: params.ImageSource) -> Image.Image:
    """A picture the call names: a file part, or a URL (a stand-in picture when unreachable)."""
    if worker.reader.stands_in(source):
        data = samples.stand_in_image(source.text)[0]
    else:
        data = worker.reader.read(source)
    worker._size(data, source)
    return worker._decode(data, source, IMAGE_FORMATS).convert("RGBA")


def _even_size(width: int, height: int) -> tuple[int, int]:
    return max(2, width - width % 2), max(2, height - height % 2)


def _blurred(image: Image.Image, amount: int) -> Image.Image:
    """Blurred by ``amount`` of 100: at 100 the radius is an eighth of the larger side."""
    if amount <= 0:
        return image
    return image.filter(ImageFilter.GaussianBlur(amount / 100 * max(image.size) / 8))


def _mirror(frame: Image.Image, size: tuple[int, int], blur: int | None) -> Image.Image:
    """The frame mirrored, covering ``size``, blurred: what a crop or fit shows beyond it."""
    cover = ImageOps.fit(ImageOps.mirror(frame), size, Image.Resampling.BILINEAR)
    return _blurred(cover, MIRROR_BLUR if blur is None else blur)


def _cropping(crop: Crop, size: tuple[int, int]) -> tuple[tuple[int, int], Frames]:
    width, height = size
    if crop.start_x >= width or crop.start_y >= height:
        raise ApiError(
            422,
            f"start_x ({crop.start_x}) and start_y ({crop.start_y}) must lie inside the video, "
            f"which is {width}x{height}.",
        )
    wanted = (crop.width or width, crop.height or height)
    left = crop.start_x
    top = height - crop.start_y - wanted[1]
    out = _even_size(*wanted)
    inside = left + wanted[0] <= width and top >= 0

    def cropped(frame: Image.Image, _: int) -> Image.Image:
        if inside:
            return frame.crop((left, top, left + out[0], top + out[1]))
        canvas = _mirror(frame, out, None)
        canvas.paste(frame, (-left, -top))
        return canvas

    return out, cropped


def _fit_size(fit: Fit, size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if fit.width is not None and fit.height is not None:
        return fit.width, fit.height
    if fit.ratio is not None:
        if fit.width is not None:
            return fit.width, round(fit.width / fit.ratio)
        if fit.height is not None:
            return round(fit.height * fit.ratio), fit.height
        if width / height < fit.ratio:
            return round(height * fit.ratio), height
        return width, round(width / fit.ratio)
    return fit.width or width, fit.height or height


def _fitting(
    worker: Worker, fit: Fit, size: tuple[int, int], duration_ms: float, fps: int
) -> tuple[tuple[int, int], Frames]:
    out = _even_size(*_fit_size(fit, size))
    _check_size(worker, out)
    scale = min(out[0] / size[0], out[1] / size[1])
    shown = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
    place = ((out[0] - shown[0]) // 2, (out[1] - shown[1]) // 2)
    blur = fit.blur or 0
    color = fit.color
    if fit.image is not None:
        picture = _read_picture(worker, fit.image).convert("RGB")
        still = _blurred(ImageOps.fit(picture, out, Image.Resampling.BILINEAR), blur)

        def backdrop(frame: Image.Image) -> Image.Image:
            return still.copy()

    elif fit.video is not None:
        data, info = worker.video_source(fit.video)
        moving = _background_frames(data, info.duration_ms, out, blur, duration_ms, fps)

        def backdrop(frame: Image.Image) -> Image.Image:
            return next(moving)

    elif color is not None and color[3] == 255:
        solid = Image.new("RGB", out, color[:3])

        def backdrop(frame: Image.Image) -> Image.Image:
            return solid.copy()

    else:

        def backdrop(frame: Image.Image) -> Image.Image:
            return _mirror(frame, out, fit.blur)

    def fitted(frame: Image.Image, _: int) -> Image.Image:
        canvas = backdrop(frame)
        if color is not None and color[3] < 255:
            tint = Image.new("RGBA", out, color)
            canvas = Image.alpha_composite(canvas.convert("RGBA"), tint).convert("RGB")
        canvas.paste(frame.resize(shown, Image.Resampling.BILINEAR), place)
        return canvas

    return out, fitted


def _background_frames(
    data: bytes,
    length_ms: float,
    size: tuple[int, int],
    blur: int,
    duration_ms: float,
    fps: int,
) -> Iterator[Image.Image]:
    """A background video's frames (``length_ms`` long) at the result's moments, covering
    ``size``; a shorter one holds its last frame."""
    last = max(0.0, length_ms - 1000 / fps)
    for frame in _frames_at(data, [min(moment, last) for moment in _moments(duration_ms, fps)]):
        yield _blurred(ImageOps.fit(frame, size, Image.Resampling.BILINEAR), blur)


def _stamping(worker: Worker, stamp: Stamp, size: tuple[int, int]) -> Frames:
    options = stamp.options
    mark = None
    if stamp.source is not None:
        mark = _read_picture(worker, stamp.source)
        # Shrunk once, not for every frame: it is never shown larger than this.
        largest = max(*size, options["width"] or 0, options["height"] or 0)
        mark.thumbnail((largest, largest))

    def stamped(frame: Image.Image, _: int) -> Image.Image:
        return editing.watermark(frame, mark, **options).convert("RGB")

    return stamped


def _moments(duration_ms: float, fps: int) -> list[float]:
    count = max(1, round(duration_ms * fps / 1000))
    return [index * 1000 / fps for index in range(count)]


def _frames_at(data: bytes, moments: list[float]) -> Iterator[Image.Image]:
    """The video's frame shown at each of ``moments`` (ascending, in ms): a frame is repeated
    or left out where the rates differ."""
    with media._opened(data) as source:
        shown: Image.Image | None = None
        index = 0
        for frame in source.decode(source.streams.video[0]):
            at = (frame.time or 0.0) * 1000
            while index < len(moments) and moments[index] < at - 1e-6:
                yield shown or _rgb(frame.to_image())
                index += 1
            if index >= len(moments):
                return
            shown = _rgb(frame.to_image())
        while index < len(moments) and shown is not None:
            yield shown
            index += 1


def _rgb(picture: Image.Image) -> Image.Image:
    return picture if picture.mode == "RGB" else picture.convert("RGB")


def _encoded(
    data: bytes,
    duration_ms: float,
    size: tuple[int, int],
    work: list[Frames],
    sound: Image.Image | None,
    export: Export,
) -> bytes:
    moments = _moments(duration_ms, export.frame_rate)

    def frames() -> Iterator[Image.Image]:
        for index, source in enumerate(_frames_at(data, moments)):
            frame = source
            for step in work:
                frame = step(frame, index)
            yield frame if frame.size == size else frame.resize(size, Image.Resampling.BILINEAR)

    try:
        return media.encode_video(
            frames(),
            size,
            sound,
            fps=export.frame_rate,
            video_format=export.format,
            bitrate_kbps=_bitrate(export, size, len(moments) / export.frame_rate),
        )
    except media.VideoUnavailable as error:
        raise ApiError(501, str(error)) from None


def _bitrate(export: Export, size: tuple[int, int], seconds: float) -> int | None:
    """The export's bitrate, else its quality's; under what ``max_size_mb`` allows."""
    bitrate = export.bitrate
    if bitrate is None and export.quality in QUALITY_BITS_PER_PIXEL:
        bits = QUALITY_BITS_PER_PIXEL[export.quality] * size[0] * size[1] * export.frame_rate
        bitrate = max(1, round(bits / 1000))
    if export.max_size_mb is not None:
        allowed = max(1, int(export.max_size_mb * 8000 / max(seconds, 0.001)))
        bitrate = min(bitrate or allowed, allowed)
    return None if bitrate is None else min(bitrate, MAX_BITRATE_KBPS)


def _soundtrack(
    worker: Worker, job: VideoEditJob, data: bytes, duration_ms: float
) -> Image.Image | None:
    """The video's sound at Video volume, with Adjust's added sound at Audio volume; None
    when there is neither."""
    with media._opened(data) as container:
        own = media._sound_between(container, 0, round(duration_ms))
    if own is not None and job.video_volume != 100:
        own = media._gain(own, job.video_volume / 100)
    if job.audio is None:
        return own
    added = media._gain(_added_sound(worker, job.audio, duration_ms), job.audio_volume / 100)
    mixed = added if own is None else media._add(own, added.resize(own.size))
    peak = media._peak(mixed)
    return media._normalised(mixed, 1.0) if peak > 1.0 else mixed


def _added_sound(worker: Worker, source: params.ImageSource, duration_ms: float) -> Image.Image:
    """The sound at ``audio_url`` for the video's length (cut, or padded with silence); a
    stand-in sound when the URL cannot be fetched."""
    if worker.reader.stands_in(source):
        data = media.sound_wav(source.text, duration=duration_ms / 1000, loop=False, seed=0)
    else:
        data = worker.reader.read(source)
    import av  # noqa: PLC0415 - optional; the app checked it is there

    try:
        container: InputContainer = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as error:
        raise ApiError(
            415, f"{source.field}: not a sound the sandbox can read ({error})."
        ) from None
    with container:
        sound = media._sound_between(container, 0, round(duration_ms))
    if sound is None:
        raise ApiError(415, f"{source.field}: the file has no sound track.")
    return sound


# params registers PARSERS above, so it is imported once this module's names exist: either
# module may then be imported first.
from . import params  # noqa: E402
