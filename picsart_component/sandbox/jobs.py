"""Doing the image work of one call with the ``imaging`` module and storing what comes out."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from . import imaging
from .errors import ApiError
from .params import ImageSource, RemoveBackgroundJob, UploadJob, UpscaleJob
from .sources import SourceReader
from .store import FileStore, StoredFile

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


@dataclass(frozen=True)
class Worker:
    """Opens the inputs (415 when they are no image or the wrong kind), works, stores the result."""

    store: FileStore
    reader: SourceReader
    max_pixels: int

    def remove_background(self, job: RemoveBackgroundJob) -> StoredFile:
        image = self._open(job.image, imaging.REMOVEBG_INPUT_FORMATS)
        background = None
        if job.background is not None:
            background = self._open(job.background, imaging.REMOVEBG_INPUT_FORMATS)
        result = self._imaging(
            lambda: imaging.remove_background(image, job.params, bg_image=background)
        )
        return self._store_result(result, job.params.format)

    def upscale(self, job: UpscaleJob) -> StoredFile:
        image = self._open(job.image, imaging.UPSCALE_INPUT_FORMATS)
        result = self._imaging(lambda: imaging.upscale(image, job.factor))
        return self._store_result(result, job.format)

    def upload(self, job: UploadJob) -> StoredFile:
        data = self.reader.read(job.image)
        self._decode(data, job.image, imaging.UPLOAD_INPUT_FORMATS)
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format or ""
        content_type = Image.MIME.get(found, "application/octet-stream")
        if found == "MPO":
            content_type = "image/jpeg"
        return self.store.put(data, content_type, UPLOAD_EXTENSIONS.get(found, "bin"))

    def _open(self, source: ImageSource, formats: frozenset[str]) -> Image.Image:
        return self._decode(self.reader.read(source), source, formats)

    def _decode(self, data: bytes, source: ImageSource, formats: frozenset[str]) -> Image.Image:
        self._check_pixels(data, source)
        try:
            return imaging.open_image(data, formats, max_pixels=self.max_pixels)
        except (imaging.NotAnImageError, imaging.UnsupportedFormatError) as error:
            accepted = ", ".join(sorted(formats))
            reason = str(error) or "not a supported image"
            raise ApiError(415, f"{source.field}: {reason} (accepted: {accepted}).") from None
        except imaging.ImagingError as error:
            raise ApiError(422, f"{source.field}: {error}") from None

    def _check_pixels(self, data: bytes, source: ImageSource) -> None:
        """413 for an image with more pixels than allowed, read from its header before decoding.

        ``open_image`` refuses these too, but as "not an image" (415); too large is what it is.
        """
        try:
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
        except Image.DecompressionBombError:
            width = height = self.max_pixels
            width += 1
        except Exception:  # open_image says what is wrong with it
            return
        if width * height > self.max_pixels:
            raise ApiError(
                413,
                f"{source.field}: the image has {width * height} pixels; "
                f"at most {self.max_pixels} are accepted.",
            )

    def _imaging(self, work: Callable[[], Image.Image]) -> Image.Image:
        try:
            return work()
        except imaging.ImagingError as error:
            raise ApiError(422, str(error) or "The image cannot be processed.") from None

    def _store_result(self, image: Image.Image, output_format: str) -> StoredFile:
        data, content_type = imaging.encode(image, output_format)
        return self.store.put(data, content_type, OUTPUT_EXTENSIONS[output_format])
