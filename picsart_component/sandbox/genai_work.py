"""The work behind each GenAI operation: inputs opened, ``generative``/``media`` called, results
stored. ``plan`` checks the parameters first (422 before anything is charged) and prices the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from PIL import Image, ImageDraw

from . import generative, imaging, media
from .errors import ApiError
from .forms import Inputs
from .genai_params import (
    ChatJob,
    GenAIJob,
    LogoJob,
    PaintingJob,
    PictureJob,
    SoundJob,
    SpeechJob,
    VideoJob,
    Watermark,
    parse,
)
from .jobs import Worker
from .options import PRICES
from .params import ImageSource
from .store import StoredFile

T = TypeVar("T")

GENAI_INPUT_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "TIFF", "MPO"})
LOGO_SIZE = 1024
# Memory the work takes (bytes per pixel), for the budget in ``limits``: a few working copies of
# each picture (results are stored one at a time), and a video's frames in flight.
GENERATED_BYTES_PER_PIXEL = 12
VIDEO_BYTES_PER_PIXEL = 64
CHAT_SIGNATURE = "(Restated by the Picsart sandbox, which runs no language model.)"
VIDEO_EXTRA_MESSAGE = (
    "Video generation needs the sandbox's video extra, which is not installed: "
    'pip install "picsart-component[video]"'
)


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
    run: Callable[[Studio], Outcome]


def plan(operation: str, inputs: Inputs) -> Plan:
    """The GenAI call ``inputs`` ask of ``operation``, checked (422) and priced."""
    job = parse(operation, inputs)
    count = getattr(job, "count", 1)
    return Plan(PRICES[operation] * count, lambda studio: studio.run(job))


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


@dataclass(frozen=True)
class Studio(Worker):
    """A ``Worker`` that also does the GenAI operations' work."""

    def run(self, job: GenAIJob) -> Outcome:
        if isinstance(job, ChatJob):
            return Outcome(text=chat_reply(job.messages, job.max_tokens))
        if isinstance(job, PictureJob):
            return Outcome(tuple(self.pictures(job)))
        if isinstance(job, LogoJob):
            return Outcome(tuple(self.logos(job)))
        if isinstance(job, PaintingJob):
            return Outcome(tuple(self.painting(job)))
        if isinstance(job, VideoJob):
            return Outcome((self.video(job),))
        return Outcome((self.audio(job),))

    def audio(self, job: SpeechJob | SoundJob) -> StoredFile:
        if isinstance(job, SpeechJob):
            text, language, voice = job.text, job.language, job.voice
            wav = self._generated(lambda: media.speech_wav(text, language=language, voice=voice))
        else:
            prompt, duration, loop = job.prompt, job.duration, job.loop
            wav = self._generated(
                lambda: media.sound_wav(prompt, duration=duration, loop=loop, seed=0)
            )
        return self.store.put(wav, "audio/wav", "wav")

    def pictures(self, job: PictureJob) -> list[StoredFile]:
        pixels = job.width * job.height
        what = f"pictures of {job.width}x{job.height}"
        stored: list[StoredFile] = []
        with self._reserved(pixels * GENERATED_BYTES_PER_PIXEL, what):
            for seed in range(job.count):
                stored.append(self._picture(job, seed))
        return stored

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
                svg = self._generated(lambda: generative.engraving_svg(image, engrave, background))
                return self.store.put(svg, "image/svg+xml", "svg")
        return self._store_result(image, job.format)

    def logos(self, job: LogoJob) -> list[StoredFile]:
        reference = self._open_optional(job.reference)
        stored: list[StoredFile] = []
        pixels = LOGO_SIZE * LOGO_SIZE
        with self._reserved(pixels * GENERATED_BYTES_PER_PIXEL, "logos"):
            for seed in range(job.count):
                stored.append(self._store_result(self._logo(job, reference, seed), "PNG"))
        return stored

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

    def painting(self, job: PaintingJob) -> list[StoredFile]:
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
            return [
                self._store_result(self._paint(job, image, mask, seed), job.format)
                for seed in range(job.count)
            ]

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

    def video(self, job: VideoJob) -> StoredFile:
        pixels = job.width * job.height
        with self._reserved(pixels * VIDEO_BYTES_PER_PIXEL, f"a {job.width}x{job.height} video"):
            first = self._open_optional(job.image)
            try:
                if first is not None:
                    clip = media.image_video(
                        first,
                        job.prompt,
                        width=job.width,
                        height=job.height,
                        seconds=job.seconds,
                        audio=job.audio,
                        seed=0,
                    )
                else:
                    clip = media.text_video(
                        job.prompt,
                        width=job.width,
                        height=job.height,
                        seconds=job.seconds,
                        audio=job.audio,
                        seed=0,
                    )
            except media.VideoUnavailable:
                raise video_unavailable() from None
        return self.store.put(clip, "video/mp4", "mp4")

    def _open_optional(self, source: ImageSource | None) -> Image.Image | None:
        if source is None:
            return None
        data = self.reader.read(source)
        width, height = self._size(data, source)
        with self._reserved(width * height * 4, f"a {width}x{height} image"):
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

    def _generated(self, work: Callable[[], T]) -> T:
        """Runs generative or media work; what they refuse (``ValueError``) is 422."""
        try:
            return work()
        except (imaging.ImagingError, ValueError) as error:
            raise ApiError(422, str(error) or "The input cannot be processed.") from None


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
    width, height = size
    stamp_width, stamp_height = stamp
    if mark.anchor == "pattern":
        step_x = stamp_width + max(mark.padding_x, stamp_width // 2)
        step_y = stamp_height + max(mark.padding_y, stamp_height // 2)
        for y in range(0, height, step_y):
            for x in range(0, width, step_x):
                yield x, y
        return
    across, down = mark.anchor.split("-")
    x = {
        "left": mark.padding_x,
        "center": (width - stamp_width) // 2,
        "right": width - stamp_width - mark.padding_x,
    }[across]
    y = {
        "top": mark.padding_y,
        "middle": (height - stamp_height) // 2,
        "bottom": height - stamp_height - mark.padding_y,
    }[down]
    yield x, y
