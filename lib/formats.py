"""File formats: what a file's first bytes say it is, whether a field can take it, and each
image format's type and extension.

Formats are named as Pillow names them (``JPEG``, ``MPO``); users see the names Picsart uses
(``JPG``).
"""

from __future__ import annotations

import codecs
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import InputError, Problem

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
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "image/gif": ".gif",
    "video/x-msvideo": ".avi",
    "audio/aac": ".aac",
    "audio/mp4": ".m4a",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "text/plain": ".txt",
    "text/vtt": ".vtt",
    "application/x-subrip": ".srt",
}
"""The other kinds of file Picsart's operations give: audio, video, a design's replay, and a
transcript."""
MEDIA_FORMATS: Mapping[str, ImageFormat] = {
    "MP4": ImageFormat("video/mp4", ".mp4", "MP4"),
    "MOV": ImageFormat("video/quicktime", ".mov", "MOV"),
    "WEBM": ImageFormat("video/webm", ".webm", "WEBM"),
    "AVI": ImageFormat("video/x-msvideo", ".avi", "AVI"),
    "GIF": ImageFormat("image/gif", ".gif", "GIF"),
    "MP3": ImageFormat("audio/mpeg", ".mp3", "MP3"),
    "WAV": ImageFormat("audio/wav", ".wav", "WAV"),
    "AAC": ImageFormat("audio/aac", ".aac", "AAC"),
    "M4A": ImageFormat("audio/mp4", ".m4a", "M4A"),
    "OGG": ImageFormat("audio/ogg", ".ogg", "OGG"),
    "FLAC": ImageFormat("audio/flac", ".flac", "FLAC"),
}
"""The video and audio formats the video API takes and gives, by the name ``sniff_format`` gives."""
EXTENSION_BY_CONTENT_TYPE: Mapping[str, str] = {
    **{
        image_format.content_type: image_format.extension for image_format in IMAGE_FORMATS.values()
    },
    **MEDIA_EXTENSIONS,
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/x-m4a": ".m4a",
    "audio/x-flac": ".flac",
    "audio/mp3": ".mp3",
    "application/ogg": ".ogg",
}
CONTENT_TYPE_BY_EXTENSION: Mapping[str, str] = {
    **{
        image_format.extension: image_format.content_type for image_format in IMAGE_FORMATS.values()
    },
    **{extension: content_type for content_type, extension in MEDIA_EXTENSIONS.items()},
}


def sniff_format(head: bytes) -> str | None:
    """The format named by a file's first bytes (Pillow's names for images), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:4] == b"RIFF":
        return _RIFF_FORMATS.get(head[8:12])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM":
        return "BMP"
    if head[4:8] == b"ftyp":
        return _iso_media_format(head[8:12])
    if head[4:8] in _QUICKTIME_ATOMS:
        return "MOV"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return _mpeg_audio_format(head[1])
    if head.startswith(b"%PDF-"):
        return "PDF"
    if _looks_like_svg(head):
        return "SVG"
    return next((name for magic, name in _MAGIC_NUMBERS if head.startswith(magic)), None)


_RIFF_FORMATS: Mapping[bytes, str] = {b"WEBP": "WEBP", b"WAVE": "WAV", b"AVI ": "AVI"}
_MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"\x1aE\xdf\xa3", "WEBM"),
    (b"ID3", "MP3"),
    (b"fLaC", "FLAC"),
    (b"OggS", "OGG"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "GZIP"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"\x7fELF", "ELF"),
)
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide"})
"""The first atoms of a QuickTime movie written before the ``ftyp`` box existed."""


def _mpeg_audio_format(second: int) -> str | None:
    """A stream of MPEG audio frames by the layer bits after the frame sync: ADTS (AAC) has layer
    0, MP3 layer III (1); a JPEG's second byte never has the sync's three high bits."""
    layer = (second >> 1) & 0b11
    if layer == 0 and second & 0xF0 == 0xF0:
        return "AAC"
    return "MP3" if layer == 1 else None


_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)


def _iso_media_format(brand: bytes) -> str:
    """An ISO media file (an ``ftyp`` box) by its major brand: a HEIF or AVIF picture, a
    QuickTime or MP4 video, or MP4 audio."""
    if brand in _HEIF_BRANDS:
        return "HEIF"
    if brand in (b"avif", b"avis"):
        return "AVIF"
    if brand == b"qt  ":
        return "MOV"
    if brand in (b"M4A ", b"M4B "):
        return "M4A"
    return "MP4"


def _looks_like_svg(head: bytes) -> bool:
    """An SVG starts with ``<svg``, perhaps after an XML declaration, comments or a doctype."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<svg") or (
        text.startswith((b"<?xml", b"<!--", b"<!doctype")) and b"<svg" in text
    )


def sniff_file(path: Path) -> str | None:
    return sniff_format(_head(path))


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


SNIFF_BYTES = 1024
"""Enough to see past an SVG's XML declaration and comments to its ``<svg`` element."""


@dataclass(frozen=True)
class FileKind:
    """What a field takes, judged by a file's bytes: its name in an error, and its formats."""

    noun: str
    formats: frozenset[str]


IMAGE = FileKind("an image", frozenset({*IMAGE_FORMATS, "GIF", "HEIF", "AVIF"}))
VIDEO = FileKind("a video", frozenset({"MP4", "MOV", "WEBM", "AVI", "GIF"}))
AUDIO = FileKind("an audio file", frozenset({"MP3", "WAV", "AAC", "M4A", "OGG", "FLAC"}))
MEDIA = FileKind("a video or audio file", VIDEO.formats | AUDIO.formats)
"""Videos and sounds, as the video API takes them."""
UPLOADABLE = FileKind("a video, audio or image file", MEDIA.formats | {"JPEG", "PNG", "WEBP"})
"""What the video API's Upload files takes: "videos, audios or images"."""


def kind_accepting(accepted: frozenset[str]) -> FileKind:
    """What a file field takes, from the formats its action accepts: a video or sound where it
    accepts one (with pictures too, the video API's Upload files), else an image."""
    if not accepted & (MEDIA.formats - IMAGE.formats):
        return IMAGE
    return UPLOADABLE if accepted & {"JPEG", "PNG", "WEBP"} else MEDIA


_DESCRIPTIONS: Mapping[str, str] = {
    "AVIF": "an AVIF image",
    "MPO": "an MPO image",
    "SVG": "an SVG image",
    "PDF": "a PDF document",
    "MP4": "an MP4 video",
    "MOV": "a QuickTime (MOV) video",
    "WEBM": "a WebM or Matroska video",
    "AVI": "an AVI video",
    "M4A": "an M4A audio file",
    "AAC": "an AAC audio file",
    "MP3": "an MP3 audio file",
    "WAV": "a WAV audio file",
    "FLAC": "a FLAC audio file",
    "OGG": "an Ogg audio or video file",
    "ZIP": "a ZIP archive (as Office documents are)",
    "GZIP": "a gzip archive",
    "7Z": "a 7-Zip archive",
    "RAR": "a RAR archive",
    "ELF": "a program (an ELF executable)",
}


def checked_format(
    path: Path, field: str, kind: FileKind = IMAGE, accepted: frozenset[str] | None = None
) -> str:
    """The format of the file at ``path``, judged by its bytes, when it is of ``kind`` and one
    of ``accepted`` (any of the kind when None); otherwise an ``InputError`` that names
    ``field`` and says what the bytes are. Every check of a file a field takes is this one."""
    head = _head(path)
    file_format = sniff_format(head)
    if file_format == "JPEG":
        file_format = _jpeg_or_mpo(path)
    if file_format is None or file_format not in kind.formats:
        raise InputError([Problem(field, f"is not {kind.noun}: {_what(head, file_format)}")])
    if accepted is not None and file_format not in accepted:
        shown = display_name(file_format)
        raise InputError(
            [Problem(field, f"is in {shown} format; this action accepts {display(accepted)}")]
        )
    return file_format


def _what(head: bytes, file_format: str | None) -> str:
    """What a file is, in words, from its first bytes and the format they name."""
    if not head:
        return "the file is empty"
    if file_format is not None:
        described = _DESCRIPTIONS.get(file_format, f"a {display_name(file_format)} image")
        return f"the file is {described}"
    if _is_text(head):
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if start.startswith((b"<!doctype html", b"<html")):
            return "the file is an HTML page"
        return "the file is text"
    return "its contents match no file format the component knows"


def _is_text(head: bytes) -> bool:
    """UTF-8 text (the last character may be cut off) of printable characters and spacing."""
    if b"\x00" in head:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\n\r\f\v\ufeff" for c in text)


def _jpeg_or_mpo(path: Path) -> str:
    """A multi-picture JPEG (MPO) starts like any JPEG; Pillow tells them apart from the header."""
    try:
        with Image.open(path) as image:
            return "MPO" if image.format == "MPO" else "JPEG"
    except Exception:
        return "JPEG"


def display_name(image_format: str) -> str:
    known = IMAGE_FORMATS.get(image_format)
    return known.display_name if known else image_format


def format_info(file_format: str) -> ImageFormat | None:
    """The content type and extension of an image, video or audio format ``sniff_format`` names."""
    return IMAGE_FORMATS.get(file_format) or MEDIA_FORMATS.get(file_format)


def display(formats: Iterable[str]) -> str:
    return ", ".join(display_name(f) for f in sorted(formats))


def content_type_of_file(path: Path) -> str:
    """An image's, a video's or an audio file's type from its first bytes; any other file's from
    its name."""
    known = format_info(sniff_file(path) or "")
    if known is not None:
        return known.content_type
    return mimetypes.guess_type(path.name)[0] or GENERIC_CONTENT_TYPE
