"""Image file formats: what a file's first bytes say it is, and each format's type and extension.

Formats are named as Pillow names them (``JPEG``, ``MPO``); users see the names Picsart uses
(``JPG``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

GENERIC_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class ImageFormat:
    content_type: str
    extension: str
    display_name: str


IMAGE_FORMATS: Mapping[str, ImageFormat] = {
    "JPEG": ImageFormat("image/jpeg", ".jpg", "JPG"),
    "MPO": ImageFormat("image/jpeg", ".jpg", "MPO"),
    "PNG": ImageFormat("image/png", ".png", "PNG"),
    "TIFF": ImageFormat("image/tiff", ".tiff", "TIFF"),
    "WEBP": ImageFormat("image/webp", ".webp", "WEBP"),
    "BMP": ImageFormat("image/bmp", ".bmp", "BMP"),
    "SVG": ImageFormat("image/svg+xml", ".svg", "SVG"),
    "PDF": ImageFormat("application/pdf", ".pdf", "AI (PDF)"),
}
DESIGN_FORMATS = frozenset({"SVG", "PDF"})
"""Vector design files (SVG, and Adobe Illustrator files, which are PDF inside)."""
MEDIA_EXTENSIONS: Mapping[str, str] = {
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "video/mp4": ".mp4",
    "application/json": ".json",
}
"""The other kinds of file Picsart's operations give: audio, video, and a design's replay."""
EXTENSION_BY_CONTENT_TYPE: Mapping[str, str] = {
    **{
        image_format.content_type: image_format.extension for image_format in IMAGE_FORMATS.values()
    },
    **MEDIA_EXTENSIONS,
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
}
CONTENT_TYPE_BY_EXTENSION: Mapping[str, str] = {
    **{
        image_format.extension: image_format.content_type for image_format in IMAGE_FORMATS.values()
    },
    **{extension: content_type for content_type, extension in MEDIA_EXTENSIONS.items()},
}


def sniff_format(head: bytes) -> str | None:
    """The image format named by a file's first bytes (Pillow's names), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM":
        return "BMP"
    if head[4:8] == b"ftyp":
        return "HEIF"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if _looks_like_svg(head):
        return "SVG"
    return None


def _looks_like_svg(head: bytes) -> bool:
    """An SVG starts with ``<svg``, perhaps after an XML declaration, comments or a doctype."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<svg") or (
        text.startswith((b"<?xml", b"<!--", b"<!doctype")) and b"<svg" in text
    )


def sniff_file(path: Path) -> str | None:
    with path.open("rb") as handle:
        return sniff_format(handle.read(SNIFF_BYTES))


SNIFF_BYTES = 1024
"""Enough to see past an SVG's XML declaration and comments to its ``<svg`` element."""


def display_name(image_format: str) -> str:
    known = IMAGE_FORMATS.get(image_format)
    return known.display_name if known else image_format


def display(formats: Iterable[str]) -> str:
    return ", ".join(display_name(f) for f in sorted(formats))


def content_type_of_file(path: Path) -> str:
    """An image's type from its first bytes; any other file's from its name."""
    known = IMAGE_FORMATS.get(sniff_file(path) or "")
    if known is not None:
        return known.content_type
    return mimetypes.guess_type(path.name)[0] or GENERIC_CONTENT_TYPE
