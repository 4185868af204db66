"""Doing the image work of one call with the ``imaging`` module and storing what comes out."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from PIL import Image

from . import imagework, imaging
from .errors import ApiError
from .imagework import ImageWork
from .limits import MemoryBudget
from .params import ImageSource, RemoveBackgroundJob, UltraJob, UploadJob, UpscaleJob
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


# Memory the image work takes, measured on the sandbox's own code (bytes per pixel): remove
# background keeps several full-size working copies (masks, shadow, stroke, canvas).
REMOVEBG_BYTES_PER_PIXEL = 40
UPSCALE_BYTES_PER_INPUT_PIXEL = 8
UPSCALE_BYTES_PER_OUTPUT_PIXEL = 12
ULTRA_BYTES_PER_OUTPUT_PIXEL = 16  # the sharpened copy as well
DECODE_BYTES_PER_PIXEL = 4


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

    def remove_background(self, job: RemoveBackgroundJob) -> StoredFile:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        pixels = max(
            width * height, (job.params.bg_width or width) * (job.params.bg_height or height)
        )
        background_data = None
        sources = {"image": job.image}
        if job.background is not None:
            background_data = self.reader.read(job.background)
            bg_width, bg_height = self._size(background_data, job.background)
            pixels += bg_width * bg_height
            sources["background"] = job.background
        with self._reserved(pixels * REMOVEBG_BYTES_PER_PIXEL, f"a {width}x{height} cutout"):
            outcome = self._in_image_work(
                imagework.cutout, data, background_data, job.params, self.max_pixels
            )
        return self._stored(outcome, sources, imaging.REMOVEBG_INPUT_FORMATS, job.params.format)

    def upscale(self, job: UpscaleJob) -> StoredFile:
        return self._enlarged(job, ultra=False)

    def upscale_ultra(self, job: UltraJob) -> StoredFile:
        return self._enlarged(job, ultra=True)

    def _enlarged(self, job: UpscaleJob | UltraJob, *, ultra: bool) -> StoredFile:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        if ultra:
            self._imaging(lambda: imaging.check_ultra_size(width, height, job.factor))
        per_output_pixel = ULTRA_BYTES_PER_OUTPUT_PIXEL if ultra else UPSCALE_BYTES_PER_OUTPUT_PIXEL
        needed = (
            width * height * UPSCALE_BYTES_PER_INPUT_PIXEL
            + width * height * job.factor**2 * per_output_pixel
        )
        what = f"upscaling a {width}x{height} image {job.factor} times"
        with self._reserved(needed, what):
            outcome = self._in_image_work(
                imagework.enlarged, data, job.factor, ultra, job.format, self.max_pixels
            )
        return self._stored(
            outcome, {"image": job.image}, imaging.UPSCALE_INPUT_FORMATS, job.format
        )

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
    ) -> StoredFile:
        """Stores the work's result, or raises what its failure means for the caller."""
        if isinstance(outcome, imagework.Failure):
            if outcome.input == "work":
                raise _unworkable(outcome.reason)
            field = sources[outcome.input].field
            raise _unreadable(field, formats, outcome.unsupported, outcome.reason)
        return self._put_encoded(outcome.data, outcome.content_type, output_format)

    def upload(self, job: UploadJob) -> StoredFile:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        with self._reserved(width * height * DECODE_BYTES_PER_PIXEL, f"a {width}x{height} image"):
            self._decode(data, job.image, imaging.UPLOAD_INPUT_FORMATS)
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format or ""
        content_type = Image.MIME.get(found, "application/octet-stream")
        if found == "MPO":
            content_type = "image/jpeg"
        return self.store.put(data, content_type, UPLOAD_EXTENSIONS.get(found, "bin"))

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

    def _imaging(self, work: Callable[[], T]) -> T:
        try:
            return work()
        except imaging.ImagingError as error:
            raise _unworkable(str(error)) from None

    def _store_result(self, image: Image.Image, output_format: str) -> StoredFile:
        return self._put_encoded(*imaging.encode(image, output_format), output_format)

    def _put_encoded(self, data: bytes, content_type: str, output_format: str) -> StoredFile:
        return self.store.put(data, content_type, OUTPUT_EXTENSIONS[output_format])


def _unworkable(reason: str) -> ApiError:
    return ApiError(422, reason or "The image cannot be processed.")


def _unreadable(field: str, formats: frozenset[str], unsupported: bool, reason: str) -> ApiError:
    """415 for a file that is no image or the wrong kind, 422 for one that cannot be read."""
    if unsupported:
        accepted = ", ".join(sorted(formats))
        return ApiError(
            415, f"{field}: {reason or 'not a supported image'} (accepted: {accepted})."
        )
    return ApiError(422, f"{field}: {reason}")
