"""The work behind every operation: inputs read and opened (415 when they are no image or the
wrong kind), ``imaging``, ``effects``, ``editing``, ``analysis``, ``designs``, ``generative`` or
``media`` called, results stored. ``plan`` checks the parameters first (422 before anything is
charged) and prices the call; the worker then does what the operation's name picks in ``WORK``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from PIL import Image, ImageDraw

from picsart_component.catalogue.operations import BY_NAME, BY_TARGET

from . import (
    analysis,
    designs,
    editing,
    effects,
    generative,
    imagework,
    imaging,
    media,
    samples,
    variable_data,
    video_audio,
    video_compose,
    video_edits,
)
from .errors import ApiError
from .forms import Inputs
from .imagework import ImageWork
from .limits import MemoryBudget
from .params import (
    MAX_ENHANCE_OUTPUT_PIXELS,
    MAX_UNSCALED_VECTOR_SIDE,
    ChatJob,
    ImageJob,
    ImageSource,
    LogoJob,
    PaintingJob,
    PictureJob,
    SoundJob,
    SpeechJob,
    TrimJob,
    VideoJob,
    Watermark,
    parse,
)
from .sources import SourceReader
from .store import FileStore, StoredFile

T = TypeVar("T")

OUTPUT_EXTENSIONS = {"JPG": "jpg", "PNG": "png", "WEBP": "webp"}
UPLOAD_EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",
    "PNG": "png",
    "WEBP": "webp",
    "TIFF": "tiff",
    "BMP": "bmp",
    "GIF": "gif",
    "HEIF": "heic",
}
GENAI_INPUT_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "TIFF", "MPO"})
TOOLS_INPUT_FORMATS = imaging.UPLOAD_INPUT_FORMATS
"""Whatever upload takes, so that every uploaded id can be worked on."""
LOGO_SIZE = 1024
CHAT_SIGNATURE = "(Restated by the Picsart sandbox, which runs no language model.)"
VIDEO_EXTRA_MESSAGE = (
    "Making and editing videos needs the sandbox's video extra, which is not installed: "
    'pip install "picsart-component[video]"'
)

# Memory the work takes, measured on the sandbox's own code (bytes per pixel), for the budget in
# ``limits``: remove background keeps several full-size working copies (masks, shadow, stroke,
# canvas); the other image operations a few copies of the picture, and of the result where it is
# larger; generated pictures a few copies each (stored one at a time), a video its frames in
# flight; a design is read as a stream.
REMOVEBG_BYTES_PER_PIXEL = 40
UPSCALE_BYTES_PER_INPUT_PIXEL = 8
UPSCALE_BYTES_PER_OUTPUT_PIXEL = 12
ULTRA_BYTES_PER_OUTPUT_PIXEL = 16  # the sharpened copy as well
DECODE_BYTES_PER_PIXEL = 4
WORK_BYTES_PER_PIXEL = 16
GENERATED_BYTES_PER_PIXEL = 12
VIDEO_BYTES_PER_PIXEL = 64
DESIGN_BYTES_PER_BYTE = 4
TRIM_TOLERANCE_MS = 50
"""How far past a video's stated length a trim's ``end`` may reach: containers round it."""


@dataclass(frozen=True)
class Outcome:
    """What a call produced: stored files (each named in ``names`` under the field ``label``, for
    previews), the text of a chat reply, or the ``findings`` of an analysis."""

    files: tuple[StoredFile, ...] = ()
    text: str = ""
    names: tuple[str, ...] = ()
    label: str = ""
    findings: Any = None


@dataclass(frozen=True)
class Plan:
    """A checked call: what it costs, and the work that produces its outcome."""

    price: int
    run: Callable[[Worker], Outcome]


def plan(operation: str, inputs: Inputs) -> Plan:
    """The call ``inputs`` ask of ``operation`` (the catalogue's name), checked (422) and priced
    (per result made)."""
    job = parse(operation, inputs)
    count = getattr(job, "count", 1)
    price = BY_NAME[operation].price * count
    return Plan(price, lambda worker: WORK[operation](worker, job))


def video_unavailable() -> ApiError:
    return ApiError(501, VIDEO_EXTRA_MESSAGE)


def chat_reply(messages: tuple[tuple[str, str], ...], max_tokens: int) -> str:
    """The last user message restated as a sentence, then a signature; cut to ``max_tokens``
    words (a word a token), so that the user's words come first."""
    asked = " ".join(
        next((text for role, text in reversed(messages) if role == "user"), "").split()
    )
    if not asked:
        asked = "No user message with text was sent"
    sentence = asked[0].upper() + asked[1:]
    if sentence[-1] not in ".!?":
        sentence += "."
    return " ".join(f"{sentence} {CHAT_SIGNATURE}".split()[:max_tokens])


Pictures = dict[str, Image.Image]
_PICTURES: dict[str, Callable[..., Image.Image]] = {
    "upscale-enhance": effects.enhance_upscale,
    "enhance-face": effects.enhance_face,
    "effects": effects.apply_effect,
    "effects-ai": effects.apply_ai_effect,
    "effects-laserengraving": effects.laser_engrave,
    "adjust": effects.adjust,
    "selective-blur": effects.selective_blur,
    "color-transfer": effects.color_transfer,
    "styletransfer": effects.style_transfer,
    "masks": effects.apply_mask,
    "background-texture": editing.pattern,
    "background-pattern": editing.pattern,
    "surfacemap": editing.surface_map,
    "watermark": editing.watermark,
    "basic-edit": editing.edit,
    "smart-crop": editing.smart_crop,
    "blend": editing.blend,
    "zoom": editing.zoom,
    "multi-matting": analysis.matting,
}
"""The image operations whose result is one picture: the work, called with the image, the
second pictures in the order the job names them, and the job's options as keywords."""

_FINDINGS: dict[str, Callable[[Image.Image], Any]] = {
    "tags": analysis.tags,
    "describe": lambda image: {"description": analysis.describe(image)},
    "cars-classify": analysis.classify_car,
    "extract-colors": lambda image: analysis.extract_colors(image, count=5),
}
"""The analyses: what each answers in ``data``."""

_PREVIEWS: dict[str, tuple[str, Callable[..., Image.Image]]] = {
    "effects-previews": ("effect_name", effects.apply_effect),
    "masks-previews": ("mask_name", effects.apply_mask),
}
"""The previews: the field that names each one, and the look applied to the thumbnail (with
the name and the job's options)."""


@dataclass(frozen=True)
class Worker:
    """Opens the inputs (415 when they are no image or the wrong kind), works, stores the result.

    Before decoding anything it reserves the memory the work will take from ``memory``: 413 for
    more than one request may have, 503 while other requests hold the rest. Remove background
    and upscale, the calls batches make by the thousand, then decode, work and encode through
    ``image_work``: taking turns in this process, or in worker processes.
    """

    store: FileStore
    reader: SourceReader
    max_pixels: int
    memory: MemoryBudget
    image_work: ImageWork

    # The image API's first operations

    def remove_background(self, job: ImageJob) -> Outcome:
        params: imaging.RemoveBackgroundParams = job.options["params"]
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        pixels = max(width * height, (params.bg_width or width) * (params.bg_height or height))
        background_data = None
        sources = {"image": job.image}
        background = job.sources.get("background")
        if background is not None:
            background_data = self.reader.read(background)
            bg_width, bg_height = self._size(background_data, background)
            pixels += bg_width * bg_height
            sources["background"] = background
        with self._reserved(pixels * REMOVEBG_BYTES_PER_PIXEL, f"a {width}x{height} cutout"):
            outcome = self._in_image_work(
                imagework.cutout, data, background_data, params, self.max_pixels
            )
        return self._stored(outcome, sources, imaging.REMOVEBG_INPUT_FORMATS, job.format)

    def enlarged(self, job: ImageJob) -> Outcome:
        """Upscale, or Ultra Upscale (``kind`` "ultra")."""
        ultra, factor = job.kind == "ultra", int(job.options["factor"])
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        if ultra:
            self._generated(lambda: imaging.check_ultra_size(width, height, factor))
        per_output_pixel = ULTRA_BYTES_PER_OUTPUT_PIXEL if ultra else UPSCALE_BYTES_PER_OUTPUT_PIXEL
        needed = (
            width * height * UPSCALE_BYTES_PER_INPUT_PIXEL
            + width * height * factor**2 * per_output_pixel
        )
        what = f"upscaling a {width}x{height} image {factor} times"
        with self._reserved(needed, what):
            outcome = self._in_image_work(
                imagework.enlarged, data, factor, ultra, job.format, self.max_pixels
            )
        return self._stored(
            outcome, {"image": job.image}, imaging.UPSCALE_INPUT_FORMATS, job.format
        )

    def upload(self, job: ImageJob) -> Outcome:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        with self._reserved(width * height * DECODE_BYTES_PER_PIXEL, f"a {width}x{height} image"):
            self._decode(data, job.image, imaging.UPLOAD_INPUT_FORMATS)
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format or ""
        content_type = Image.MIME.get(found, "application/octet-stream")
        if found == "MPO":
            content_type = "image/jpeg"
        return Outcome((self.store.put(data, content_type, UPLOAD_EXTENSIONS.get(found, "bin")),))

    # The image API's other operations

    def edited(self, job: ImageJob) -> Outcome:
        """An effect, edit, composition, analysis, preview or vectorization of the image."""
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        extras = {role: self.reader.read(source) for role, source in job.sources.items()}
        pixels = width * height + sum(
            self._pixels(extras[role], source) for role, source in job.sources.items()
        )
        _refuse_too_large(job, width, height)
        needed = self._footprint(job, width, height, pixels)
        with self._reserved(needed, f"a {width}x{height} image"):
            image = self._decode(data, job.image, TOOLS_INPUT_FORMATS)
            others = {
                role: self._second(extras[role], source, image.size)
                for role, source in job.sources.items()
            }
            return self._edit(job, image, others)

    def replay(self, job: ImageJob) -> Outcome:
        """Reads the design (a stand-in SVG for a URL the sandbox cannot fetch) and stores the
        replay document that describes it."""
        data = self.reader.read(job.image)
        stand_in = self.reader.stands_in(job.image)
        if stand_in:
            data = designs.stand_in_svg(data, _content_type(data), job.image.text)
        with self._reserved(len(data) * DESIGN_BYTES_PER_BYTE, "reading a design"):
            try:
                design = designs.read_design(data)
            except designs.DesignError as error:
                raise ApiError(error.status, f"{job.image.field}: {error}") from None
        document = designs.replay_document(design, data, job.image.field, stand_in=stand_in)
        document_data = json.dumps(document, indent=2).encode()
        return Outcome((self.store.put(document_data, "application/json", "json"),))

    def _edit(self, job: ImageJob, image: Image.Image, others: Pictures) -> Outcome:
        kind, options = job.kind, job.options
        if kind in _FINDINGS:
            return Outcome(findings=self._generated(lambda: _FINDINGS[kind](image)))
        if kind in _PREVIEWS:
            return self._previews(job, image)
        if kind == "vectorizer":
            downscale_to = options["downscale_to"]
            if downscale_to == -1:
                downscale_to = max(image.size) + 1
            svg = self._generated(lambda: editing.vectorize(image, downscale_to=downscale_to))
            return Outcome((self.store.put(svg, "image/svg+xml", "svg"),))
        result = self._generated(lambda: _PICTURES[kind](image, *others.values(), **options))
        if job.format == "SVG":
            engrave, background = options["engrave_color"], options["background_color"]
            return Outcome((self._engraving_svg(result, engrave, background),))
        return Outcome((self._store_picture(result, job.format, job.quality),))

    def _previews(self, job: ImageJob, image: Image.Image) -> Outcome:
        """One small picture per name: the look applied to a thumbnail of the image (effects:
        ``preview_size`` wide; masks: ``preview_size`` on the longer side)."""
        label, look = _PREVIEWS[job.kind]
        width, height = image.size
        if job.kind == "effects-previews":
            scale = job.preview_size / width
        else:
            scale = job.preview_size / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if image.mode not in ("RGB", "RGBA"):
            transparent = "A" in image.getbands() or "transparency" in image.info
            image = image.convert("RGBA" if transparent else "RGB")
        thumbnail = image.resize(size, Image.Resampling.LANCZOS)
        files = []
        for name in job.names:
            preview = self._generated(lambda: look(thumbnail, name, **job.options))  # noqa: B023
            files.append(self._store_picture(preview, job.format))
        return Outcome(tuple(files), names=job.names, label=label)

    def _footprint(self, job: ImageJob, width: int, height: int, pixels: int) -> int:
        """The memory the work needs, in bytes."""
        options = job.options
        if job.kind == "upscale-enhance":
            factor = int(options["factor"])
            output = width * height * factor * factor
            return pixels * UPSCALE_BYTES_PER_INPUT_PIXEL + output * UPSCALE_BYTES_PER_OUTPUT_PIXEL
        output = 0
        if job.kind.startswith("background-"):
            output = int(options["width"]) * int(options["height"])
        elif job.kind == "basic-edit":
            # Edit never enlarges: a size, width or height beyond the image's is the image's.
            output = 2 * width * height  # a rotation's canvas grows
        return (pixels + output) * WORK_BYTES_PER_PIXEL

    def _pixels(self, data: bytes, source: ImageSource) -> int:
        width, height = self._size(data, source)
        return width * height

    def _second(self, data: bytes, source: ImageSource, size: tuple[int, int]) -> Image.Image:
        """A second picture; surface map's mask as greys, the image's size."""
        if source.field in ("mask", "mask_url", "mask_id"):
            return self._mask(data, source, size)
        return self._decode(data, source, TOOLS_INPUT_FORMATS)

    # GenAI

    def chat(self, job: ChatJob) -> Outcome:
        return Outcome(text=chat_reply(job.messages, job.max_tokens))

    def audio(self, job: SpeechJob | SoundJob) -> Outcome:
        if isinstance(job, SpeechJob):
            text, language, voice = job.text, job.language, job.voice
            wav = self._generated(lambda: media.speech_wav(text, language=language, voice=voice))
        else:
            prompt, duration, loop = job.prompt, job.duration, job.loop
            wav = self._generated(
                lambda: media.sound_wav(prompt, duration=duration, loop=loop, seed=0)
            )
        return Outcome((self.store.put(wav, "audio/wav", "wav"),))

    def pictures(self, job: PictureJob) -> Outcome:
        pixels = job.width * job.height
        what = f"pictures of {job.width}x{job.height}"
        stored: list[StoredFile] = []
        with self._reserved(pixels * GENERATED_BYTES_PER_PIXEL, what):
            for seed in range(job.count):
                stored.append(self._picture(job, seed))
        return Outcome(tuple(stored))

    def _picture(self, job: PictureJob, seed: int) -> StoredFile:
        prompt, width, height = job.prompt, job.width, job.height
        if job.kind == "text2image":
            image = self._generated(
                lambda: generative.generate_image(prompt, width=width, height=height, seed=seed)
            )
        elif job.kind == "text2sticker":
            image = self._generated(
                lambda: generative.generate_sticker(prompt, width=width, height=height, seed=seed)
            )
        else:
            engrave, background = job.engrave_color, job.background_color
            image = self._generated(
                lambda: generative.laser_engraving(
                    prompt,
                    width=width,
                    height=height,
                    seed=seed,
                    engrave_color=engrave,
                    background_color=background,
                )
            )
            if job.format == "SVG":
                return self._engraving_svg(image, engrave, background)
        return self._store_picture(image, job.format)

    def logos(self, job: LogoJob) -> Outcome:
        reference = self._open_optional(job.reference)
        stored: list[StoredFile] = []
        pixels = LOGO_SIZE * LOGO_SIZE
        with self._reserved(pixels * GENERATED_BYTES_PER_PIXEL, "logos"):
            for seed in range(job.count):
                stored.append(self._store_picture(self._logo(job, reference, seed), "PNG"))
        return Outcome(tuple(stored))

    def _logo(self, job: LogoJob, reference: Image.Image | None, seed: int) -> Image.Image:
        return self._generated(
            lambda: generative.generate_logo(
                job.brand_name,
                job.business_description,
                color_tone=job.color_tone,
                logo_description=job.logo_description,
                reference=reference,
                size=LOGO_SIZE,
                seed=seed,
            )
        )

    def painting(self, job: PaintingJob) -> Outcome:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        if job.kind == "expand" and (job.width < width or job.height < height):
            raise ApiError(
                422,
                f"width and height must be at least the image's size, {width}x{height}; "
                f"got {job.width}x{job.height}.",
            )
        mask_data = self.reader.read(job.mask) if job.mask is not None else None
        out_width, out_height = width, height
        if job.kind == "expand":
            out_width, out_height = job.width, job.height
        elif job.kind == "bleed":
            out_width, out_height = width + 2 * job.bleed_size, height + 2 * job.bleed_size
        needed = (width * height + out_width * out_height) * GENERATED_BYTES_PER_PIXEL
        with self._reserved(needed, f"painting on a {width}x{height} image"):
            image = self._decode(data, job.image, GENAI_INPUT_FORMATS)
            mask = None
            if job.mask is not None and mask_data is not None:
                mask = self._mask(mask_data, job.mask, image.size)
            elif job.kind in ("inpaint", "outpaint") and not _has_transparency(image):
                raise ApiError(
                    422,
                    "Give a mask (mask_image, mask_image_url or mask_image_id), or an image whose "
                    "transparent area is to be painted; this image has no transparent pixels.",
                )
            return Outcome(
                tuple(
                    self._store_picture(self._paint(job, image, mask, seed), job.format)
                    for seed in range(job.count)
                )
            )

    def _paint(
        self, job: PaintingJob, image: Image.Image, mask: Image.Image | None, seed: int
    ) -> Image.Image:
        kind, prompt = job.kind, job.prompt
        if kind == "edit":
            edited = self._generated(lambda: generative.edit_with_prompt(image, prompt, seed=seed))
            return self._watermarked(edited, job.watermark) if job.watermark else edited
        if kind in ("inpaint", "outpaint"):
            outside = kind == "outpaint"
            return self._generated(
                lambda: generative.inpaint(image, mask, prompt, seed=seed, outside=outside)
            )
        if kind == "remove-object":
            assert mask is not None
            return self._generated(lambda: generative.remove_object(image, mask))
        if kind == "replace-background":
            return self._generated(lambda: generative.replace_background(image, prompt, seed=seed))
        if kind == "expand":
            return self._generated(
                lambda: generative.expand(
                    image,
                    width=job.width,
                    height=job.height,
                    direction=job.direction,
                    prompt=prompt,
                    seed=seed,
                )
            )
        return self._generated(
            lambda: generative.bleed(image, job.bleed_size, prompt=prompt or None)
        )

    def video(self, job: VideoJob) -> Outcome:
        pixels = job.width * job.height
        with self._reserved(pixels * VIDEO_BYTES_PER_PIXEL, f"a {job.width}x{job.height} video"):
            first = self._open_optional(job.image)
            make: Callable[..., bytes] = media.text_video
            if first is not None:
                make = functools.partial(media.image_video, first)
            try:
                clip = make(
                    job.prompt,
                    width=job.width,
                    height=job.height,
                    seconds=job.seconds,
                    audio=job.audio,
                    seed=0,
                    quiet_track=True,
                )
            except media.VideoUnavailable:
                raise video_unavailable() from None
        return Outcome((self.store.put(clip, "video/mp4", "mp4"),))

    def video_source(
        self, source: ImageSource, *, lasting_ms: float = 0.0
    ) -> tuple[bytes, media.VideoInfo]:
        """The video at ``source`` and what its container says: 501 without the video extra,
        415 when it is no video the sandbox reads, 413 when its frames pass the pixel limit. A
        made-up clip (for a URL the sandbox cannot fetch) has no length of its own: it lasts at
        least ``lasting_ms``, up to the longest video the sandbox makes."""
        data = self.reader.read(source)
        try:
            info = media.video_info(data)
            longer = info.duration_ms < lasting_ms <= media.MAX_VIDEO_SECONDS * 1000
            if longer and self.reader.stands_in(source):
                data, _ = samples.stand_in_video(source.text, seconds=math.ceil(lasting_ms / 1000))
                info = media.video_info(data)
        except media.VideoUnavailable:
            raise video_unavailable() from None
        except media.UnreadableVideo as error:
            accepted = ", ".join(media.VIDEO_FORMATS)
            raise ApiError(415, f"{source.field}: {error} (accepted: {accepted}).") from None
        pixels = info.width * info.height
        if pixels > self.max_pixels:
            raise ApiError(
                413,
                f"{source.field}: the video is {info.width}x{info.height}, {pixels} pixels a "
                f"frame; at most {self.max_pixels} are accepted.",
            )
        return data, info

    def trim(self, job: TrimJob) -> Outcome:
        """Trim video: the part from ``start`` to ``end``, which must lie inside the video."""
        data, info = self.video_source(job.video, lasting_ms=job.end)
        if job.end > info.duration_ms + TRIM_TOLERANCE_MS:
            raise ApiError(
                422,
                f"end ({job.end}) is past the end of the video, which lasts "
                f"{info.duration_ms:.0f} ms.",
            )
        pixels = info.width * info.height
        size = f"a {info.width}x{info.height} video"
        with self._reserved(pixels * VIDEO_BYTES_PER_PIXEL, size):
            clip = media.trim(
                data,
                start_ms=job.start,
                end_ms=job.end,
                video_format=job.format,
                fps=job.frame_rate,
                bitrate_kbps=job.bitrate,
            )
        chosen = media.VIDEO_FORMATS[job.format]
        return Outcome((self.store.put(clip, chosen.content_type, chosen.extension),))

    def _open_optional(self, source: ImageSource | None) -> Image.Image | None:
        if source is None:
            return None
        data = self.reader.read(source)
        width, height = self._size(data, source)
        with self._reserved(width * height * DECODE_BYTES_PER_PIXEL, f"a {width}x{height} image"):
            return self._decode(data, source, GENAI_INPUT_FORMATS)

    def _mask(self, data: bytes, source: ImageSource, size: tuple[int, int]) -> Image.Image:
        """The mask as greys (white: the area to paint); its size must be the image's."""
        mask = self._decode(data, source, GENAI_INPUT_FORMATS)
        if mask.size != size:
            raise ApiError(
                422,
                f"{source.field} is {mask.size[0]}x{mask.size[1]}; it must be the image's size, "
                f"{size[0]}x{size[1]}.",
            )
        if mask.mode in ("RGBA", "LA", "PA", "P"):
            mask = mask.convert("RGBA")
            black = Image.new("RGBA", mask.size, (0, 0, 0, 255))
            mask = Image.alpha_composite(black, mask)
        return mask.convert("L")

    def _watermarked(self, image: Image.Image, mark: Watermark) -> Image.Image:
        """The image with the watermark on it: the one at ``url``, or a label of the sandbox's."""
        stamp = _default_stamp()
        if mark.url:
            found = self._open_optional(ImageSource("watermark_url", "url", text=mark.url))
            stamp = found.convert("RGBA") if found is not None else stamp
        width = mark.width or max(1, image.width // 5)
        height = mark.height or max(1, round(stamp.height * width / stamp.width))
        stamp = stamp.resize((width, height))
        if mark.angle:
            stamp = stamp.rotate(mark.angle, expand=True)
        alpha = stamp.getchannel("A").point(lambda level: level * mark.opacity // 100)
        stamp.putalpha(alpha)
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        for place in _stamp_places(image.size, stamp.size, mark):
            layer.paste(stamp, place)
        marked = Image.alpha_composite(image.convert("RGBA"), layer)
        return marked if image.mode == "RGBA" else marked.convert("RGB")

    # Shared steps

    def _in_image_work(
        self, work: Callable[..., imagework.Outcome], *args: object
    ) -> imagework.Outcome:
        try:
            return self.image_work.run(work, *args)
        except imagework.WorkerLost:
            raise ApiError(
                503,
                "The sandbox's image worker process stopped before it answered; try again.",
                headers={"Retry-After": "1"},
            ) from None

    def _stored(
        self,
        outcome: imagework.Outcome,
        sources: dict[str, ImageSource],
        formats: frozenset[str],
        output_format: str,
    ) -> Outcome:
        """Stores the work's result, or raises what its failure means for the caller."""
        if isinstance(outcome, imagework.Failure):
            if outcome.input == "work":
                raise ApiError(422, outcome.reason or "The image cannot be processed.")
            field = sources[outcome.input].field
            raise _unreadable(field, formats, outcome.unsupported, outcome.reason)
        extension = OUTPUT_EXTENSIONS[output_format]
        return Outcome((self.store.put(outcome.data, outcome.content_type, extension),))

    @contextlib.contextmanager
    def _reserved(self, nbytes: int, what: str) -> Iterator[None]:
        refusal = self.memory.try_reserve(nbytes)
        if refusal == "request":
            raise ApiError(
                413,
                f"Processing {what} needs about {nbytes >> 20} MB of memory, more than the "
                f"{self.memory.per_request_bytes >> 20} MB this sandbox gives one request.",
            )
        if refusal == "busy":
            raise ApiError(
                503,
                "The sandbox is busy with other large images; try again in a moment.",
                headers={"Retry-After": "1"},
            )
        try:
            yield
        finally:
            self.memory.release(nbytes)

    def _decode(self, data: bytes, source: ImageSource, formats: frozenset[str]) -> Image.Image:
        image = imagework.opened(data, "image", formats, self.max_pixels)
        if isinstance(image, imagework.Failure):
            raise _unreadable(source.field, formats, image.unsupported, image.reason)
        return image

    def _size(self, data: bytes, source: ImageSource) -> tuple[int, int]:
        """Width and height from the header, before decoding; 413 for more pixels than allowed.

        ``open_image`` refuses these too, but as "not an image" (415); too large is what it is.
        A file that is no image gives (0, 0): decoding it says what is wrong.
        """
        try:
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
        except Image.DecompressionBombError:
            raise ApiError(
                413,
                f"{source.field}: the image declares more than "
                f"{2 * (Image.MAX_IMAGE_PIXELS or 0)} pixels, far more than the "
                f"{self.max_pixels} accepted; refused as a likely decompression bomb.",
            ) from None
        except Exception:  # open_image says what is wrong with it
            return 0, 0
        if width * height > self.max_pixels:
            raise ApiError(
                413,
                f"{source.field}: the image is {width}x{height}, {width * height} pixels; "
                f"at most {self.max_pixels} are accepted.",
            )
        return width, height

    def _generated(self, work: Callable[[], T]) -> T:
        """Runs the work; what it refuses (``ImagingError``, ``ValueError``) is 422."""
        try:
            return work()
        except (imaging.ImagingError, ValueError) as error:
            raise ApiError(422, str(error) or "The input cannot be processed.") from None

    def _store_picture(
        self, image: Image.Image, output_format: str, quality: int = 90
    ) -> StoredFile:
        data, content_type = imaging.encode(image, output_format, quality)
        return self.store.put(data, content_type, OUTPUT_EXTENSIONS[output_format])

    def _engraving_svg(
        self,
        image: Image.Image,
        engrave: tuple[int, int, int, int],
        background: tuple[int, int, int, int],
    ) -> StoredFile:
        svg = self._generated(lambda: generative.engraving_svg(image, engrave, background))
        return self.store.put(svg, "image/svg+xml", "svg")


WORK: dict[str, Callable[[Worker, Any], Outcome]] = {
    "removeBackground": Worker.remove_background,
    "upscale": Worker.enlarged,
    "ultraUpscale": Worker.enlarged,
    "uploadImage": Worker.upload,
    **dict.fromkeys(
        [BY_TARGET[kind].name for kind in (*_PICTURES, *_FINDINGS, *_PREVIEWS, "vectorizer")],
        Worker.edited,
    ),
    "designToReplay": Worker.replay,
    "chatCompletions": Worker.chat,
    **dict.fromkeys(["textToImage", "textToSticker", "laserEngraving"], Worker.pictures),
    "generateLogo": Worker.logos,
    **dict.fromkeys(
        [
            "editImage",
            "inpaint",
            "outpaint",
            "removeObject",
            "smartBackground",
            "expandImage",
            "generateBleed",
        ],
        Worker.painting,
    ),
    **dict.fromkeys(["textToVideo", "imageToVideo"], Worker.video),
    **dict.fromkeys(["textToSpeech", "textToSound"], Worker.audio),
    "trimVideo": Worker.trim,
    # issue 28, group A (crop, fit, edit, adjust, effects, watermark)
    **dict.fromkeys(video_edits.PARSERS, video_edits.edited_video),
    # issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
    **video_compose.WORK,
    # issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
    **video_audio.WORK,
    # issue 28, group D (the Variable Data API)
    "exportReplay": variable_data.export_replay,
    "describeReplayVariables": variable_data.describe,
    "exportVariableDataContent": variable_data.export_content,
}
"""Every operation with a body, by name: the work its checked job gets."""


def _refuse_too_large(job: ImageJob, width: int, height: int) -> None:
    """422, from the image's header, for what the file says an operation cannot take: an Ultra
    Enhance past 64 Mpx, a vectorization without downscaling of 4000 pixels a side or more."""
    if job.kind == "upscale-enhance":
        factor = int(job.options["factor"])
        output = width * height * factor * factor
        if output > MAX_ENHANCE_OUTPUT_PIXELS:
            raise ApiError(
                422,
                f"upscale_factor {factor} would make the {width}x{height} image "
                f"{width * factor}x{height * factor}, {output} pixels; Ultra Enhance gives at "
                f"most {MAX_ENHANCE_OUTPUT_PIXELS} (64 Mpx). Use a smaller factor.",
            )
    unscaled = job.kind == "vectorizer" and job.options["downscale_to"] == -1
    if unscaled and max(width, height) >= MAX_UNSCALED_VECTOR_SIDE:
        raise ApiError(
            422,
            f"downscale_to -1 takes images under {MAX_UNSCALED_VECTOR_SIDE} pixels a side; "
            f"this one is {width}x{height}. Let it be downscaled instead.",
        )


def _content_type(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            return Image.MIME.get(probe.format or "", "image/png")
    except Exception:  # a stand-in is always a picture; this is only a label
        return "image/png"


def _unreadable(field: str, formats: frozenset[str], unsupported: bool, reason: str) -> ApiError:
    """415 for a file that is no image or the wrong kind, 422 for one that cannot be read."""
    if unsupported:
        accepted = ", ".join(sorted(formats))
        return ApiError(
            415, f"{field}: {reason or 'not a supported image'} (accepted: {accepted})."
        )
    return ApiError(422, f"{field}: {reason}")


def _has_transparency(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return False
    extrema = image.convert("RGBA").getchannel("A").getextrema()
    return isinstance(extrema[0], int | float) and extrema[0] < 255


def _default_stamp() -> Image.Image:
    stamp = Image.new("RGBA", (120, 28), (0, 0, 0, 140))
    ImageDraw.Draw(stamp).text((8, 8), "AI generated", fill=(255, 255, 255, 255))
    return stamp


def _stamp_places(
    size: tuple[int, int], stamp: tuple[int, int], mark: Watermark
) -> Iterator[tuple[int, int]]:
    """Where the stamp goes: at its anchor point, inside the padding, or tiled (``pattern``)."""
    if mark.anchor == "pattern":
        width, height = size
        stamp_width, stamp_height = stamp
        step_x = stamp_width + max(mark.padding_x, stamp_width // 2)
        step_y = stamp_height + max(mark.padding_y, stamp_height // 2)
        for y in range(0, height, step_y):
            for x in range(0, width, step_x):
                yield x, y
        return
    yield editing.anchored(stamp, size, mark.anchor, (mark.padding_x, mark.padding_y))
