"""Doing the image work of one call with the ``imaging`` module and storing what comes out."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from PIL import Image

from . import imaging
from .errors import ApiError
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
    and upscale, the calls batches make by the thousand, then take ``turns`` at decoding,
    working and encoding.
    """

    store: FileStore
    reader: SourceReader
    max_pixels: int
    memory: MemoryBudget
    turns: AbstractContextManager[object]

    def remove_background(self, job: RemoveBackgroundJob) -> StoredFile:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        pixels = max(
            width * height, (job.params.bg_width or width) * (job.params.bg_height or height)
        )
        background_data = None
        if job.background is not None:
            background_data = self.reader.read(job.background)
            bg_width, bg_height = self._size(background_data, job.background)
            pixels += bg_width * bg_height
        with (
            self._reserved(pixels * REMOVEBG_BYTES_PER_PIXEL, f"a {width}x{height} cutout"),
            self.turns,
        ):
            image = self._decode(data, job.image, imaging.REMOVEBG_INPUT_FORMATS)
            background = None
            if job.background is not None and background_data is not None:
                background = self._decode(
                    background_data, job.background, imaging.REMOVEBG_INPUT_FORMATS
                )
            result = self._imaging(
                lambda: imaging.remove_background(image, job.params, bg_image=background)
            )
            return self._store_result(result, job.params.format)

    def upscale(self, job: UpscaleJob) -> StoredFile:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        needed = (
            width * height * UPSCALE_BYTES_PER_INPUT_PIXEL
            + width * height * job.factor**2 * UPSCALE_BYTES_PER_OUTPUT_PIXEL
        )
        what = f"upscaling a {width}x{height} image {job.factor} times"
        with self._reserved(needed, what), self.turns:
            image = self._decode(data, job.image, imaging.UPSCALE_INPUT_FORMATS)
            result = self._imaging(lambda: imaging.upscale(image, job.factor))
            return self._store_result(result, job.format)

    def upscale_ultra(self, job: UltraJob) -> StoredFile:
        data = self.reader.read(job.image)
        width, height = self._size(data, job.image)
        self._imaging(lambda: imaging.check_ultra_size(width, height, job.factor))
        needed = (
            width * height * UPSCALE_BYTES_PER_INPUT_PIXEL
            + width * height * job.factor**2 * ULTRA_BYTES_PER_OUTPUT_PIXEL
        )
        what = f"upscaling a {width}x{height} image {job.factor} times"
        with self._reserved(needed, what), self.turns:
            image = self._decode(data, job.image, imaging.UPSCALE_INPUT_FORMATS)
            result = self._imaging(lambda: imaging.upscale_ultra(image, job.factor))
            return self._store_result(result, job.format)

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
        try:
            return imaging.open_image(data, formats, max_pixels=self.max_pixels)
        except (imaging.NotAnImageError, imaging.UnsupportedFormatError) as error:
            accepted = ", ".join(sorted(formats))
            reason = str(error) or "not a supported image"
            raise ApiError(415, f"{source.field}: {reason} (accepted: {accepted}).") from None
        except imaging.ImagingError as error:
            raise ApiError(422, f"{source.field}: {error}") from None

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
            raise ApiError(422, str(error) or "The image cannot be processed.") from None

    def _store_result(self, image: Image.Image, output_format: str) -> StoredFile:
        data, content_type = imaging.encode(image, output_format)
        return self.store.put(data, content_type, OUTPUT_EXTENSIONS[output_format])
