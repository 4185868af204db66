"""The work behind the image API's other operations: inputs read and opened, ``effects``,
``editing`` and ``analysis`` called, results stored. ``plan`` checks the parameters first (422
before anything is charged) and prices the call.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from . import analysis, designs, editing, effects, generative, imaging
from .errors import ApiError
from .forms import Inputs
from .genai_work import Outcome, Plan, Studio
from .jobs import (
    OUTPUT_EXTENSIONS,
    UPSCALE_BYTES_PER_INPUT_PIXEL,
    UPSCALE_BYTES_PER_OUTPUT_PIXEL,
    Worker,
)
from .options import PRICES
from .params import ImageSource
from .store import StoredFile
from .tools_params import MAX_ENHANCE_OUTPUT_PIXELS, MAX_UNSCALED_VECTOR_SIDE, ToolJob, parse

TOOLS_INPUT_FORMATS = imaging.UPLOAD_INPUT_FORMATS
"""Whatever upload takes, so that every uploaded id can be worked on."""
# Memory the work takes (bytes per pixel) for the budget in ``limits``: a few working copies of
# the picture, and of the result where it is larger; a design is read as a stream.
WORK_BYTES_PER_PIXEL = 16
DESIGN_BYTES_PER_BYTE = 4

Pictures = dict[str, Image.Image]
_PICTURES: dict[str, Callable[[Image.Image, Pictures, dict[str, Any]], Image.Image]] = {
    "upscale-enhance": lambda image, _, options: effects.enhance_upscale(image, options["factor"]),
    "enhance-face": lambda image, _, options: effects.enhance_face(image),
    "effects": lambda image, _, options: effects.apply_effect(
        image, options["name"], fade=options["fade"]
    ),
    "effects-ai": lambda image, _, options: effects.apply_ai_effect(image, options["name"]),
    "effects-laserengraving": lambda image, _, options: effects.laser_engrave(
        image, options["engrave_color"], options["background_color"]
    ),
    "adjust": lambda image, _, options: effects.adjust(image, **options),
    "selective-blur": lambda image, _, options: effects.selective_blur(
        image, options["segment"], blur=options["blur"]
    ),
    "color-transfer": lambda image, others, _: effects.color_transfer(image, others["reference"]),
    "styletransfer": lambda image, others, options: effects.style_transfer(
        image, others["reference"], level=options["level"]
    ),
    "masks": lambda image, _, options: effects.apply_mask(
        image,
        options["name"],
        blend=options["blend"],
        opacity=options["opacity"],
        hue=options["hue"],
        flip=options["flip"],
    ),
    "background-texture": lambda image, _, options: editing.pattern(image, **options),
    "background-pattern": lambda image, _, options: editing.pattern(image, **options),
    "surfacemap": lambda image, others, _: editing.surface_map(
        image, others["mask"], others["sticker"]
    ),
    "watermark": lambda image, others, options: editing.watermark(
        image, others.get("watermark"), **options
    ),
    "basic-edit": lambda image, _, options: editing.edit(image, **options),
    "smart-crop": lambda image, _, options: editing.smart_crop(
        image,
        options["segment"],
        ratio=options["ratio"],
        width=options["width"],
        height=options["height"],
        margin=options["margin"],
    ),
    "blend": lambda image, others, options: editing.blend(
        image, others["overlay"], mode=options["mode"], opacity=options["opacity"]
    ),
    "zoom": lambda image, _, options: editing.zoom(
        image, options["scale_factor"], anchor_point=options["anchor_point"]
    ),
    "multi-matting": lambda image, _, options: analysis.matting(
        image, options["segmentation_class"]
    ),
}
"""The operations whose result is one picture: the work, given the image, the second pictures
by role and the options."""

_FINDINGS: dict[str, Callable[[Image.Image], Any]] = {
    "tags": analysis.tags,
    "describe": lambda image: {"description": analysis.describe(image)},
    "cars-classify": analysis.classify_car,
    "extract-colors": lambda image: analysis.extract_colors(image, count=5),
}
"""The analyses: what each answers in ``data``."""

_PREVIEWS: dict[str, tuple[str, Callable[[Image.Image, str, dict[str, Any]], Image.Image]]] = {
    "effects-previews": (
        "effect_name",
        lambda image, name, options: effects.apply_effect(image, name, fade=options["fade"]),
    ),
    "masks-previews": (
        "mask_name",
        lambda image, name, options: effects.apply_mask(image, name, **options),
    ),
}
"""The previews: the field that names each one, and the look applied to the thumbnail."""


def plan(operation: str, inputs: Inputs) -> Plan:
    """The image API call ``inputs`` ask of ``operation``, checked (422) and priced."""
    job = parse(operation, inputs)
    return Plan(PRICES[operation], lambda studio: Workshop.of(studio).work(job))


@dataclass(frozen=True)
class Workshop(Studio):
    """A ``Studio`` that also does the image API's other operations."""

    @classmethod
    def of(cls, worker: Worker) -> Workshop:
        return cls(worker.store, worker.reader, worker.max_pixels, worker.memory, worker.image_work)

    def work(self, job: ToolJob) -> Outcome:
        if job.kind == "design2replay":
            return Outcome((self.replay(job),))
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
            return self._work(job, image, others)

    def replay(self, job: ToolJob) -> StoredFile:
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
        return self.store.put(json.dumps(document, indent=2).encode(), "application/json", "json")

    def _work(self, job: ToolJob, image: Image.Image, others: Pictures) -> Outcome:
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
        result = self._generated(lambda: _PICTURES[kind](image, others, options))
        if job.format == "SVG":
            engrave, background = options["engrave_color"], options["background_color"]
            svg = self._generated(lambda: generative.engraving_svg(result, engrave, background))
            return Outcome((self.store.put(svg, "image/svg+xml", "svg"),))
        return Outcome((self._store_picture(result, job.format, job.quality),))

    def _previews(self, job: ToolJob, image: Image.Image) -> Outcome:
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
            preview = self._generated(lambda: look(thumbnail, name, job.options))  # noqa: B023
            files.append(self._store_picture(preview, job.format))
        return Outcome(tuple(files), names=job.names, label=label)

    def _footprint(self, job: ToolJob, width: int, height: int, pixels: int) -> int:
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
            side = int(options["size"] or 0)
            asked = side * side or int(options["width"] or 0) * int(options["height"] or 0)
            output = 2 * max(asked, width * height)  # a rotation's canvas grows
        return (pixels + output) * WORK_BYTES_PER_PIXEL

    def _pixels(self, data: bytes, source: ImageSource) -> int:
        width, height = self._size(data, source)
        return width * height

    def _second(self, data: bytes, source: ImageSource, size: tuple[int, int]) -> Image.Image:
        """A second picture; surface map's mask as greys, the image's size."""
        if source.field in ("mask", "mask_url", "mask_id"):
            return self._mask(data, source, size)
        return self._decode(data, source, TOOLS_INPUT_FORMATS)

    def _store_picture(
        self, image: Image.Image, output_format: str, quality: int = 90
    ) -> StoredFile:
        data, content_type = imaging.encode(image, output_format, quality)
        return self.store.put(data, content_type, OUTPUT_EXTENSIONS[output_format])


def _refuse_too_large(job: ToolJob, width: int, height: int) -> None:
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
