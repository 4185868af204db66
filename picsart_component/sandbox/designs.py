"""Reading the design files Design Import takes (SVG, and AI, which is PDF inside) and writing
the document its jobs give.

Picsart's replay format is proprietary and undocumented: the sandbox cannot write one. What it
gives instead is a stand-in of the right kind: a JSON project file (served as
``application/json``, named ``.json``) that describes the imported design from a real reading
of it: its canvas, how many elements of each kind an SVG holds (or how many pages and objects an
AI file holds), and its top-level layers. A client can check that a job ran on the design it
sent, and must not read more into the document than that.

SVGs are parsed with expat, refusing entity declarations (no "billion laughs") and anything
nested deeper than ``MAX_DEPTH``; nothing outside the file is ever fetched.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any

REPLAY_FORMAT = "picsart-sandbox-replay"
REPLAY_VERSION = 1
REPLAY_NOTICE = (
    "Picsart's replay format is proprietary; this is the sandbox's stand-in: a JSON project "
    "describing the design it read."
)
MAX_DEPTH = 256
MAX_LAYERS = 500
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*")
_PDF_VERSION = re.compile(rb"%PDF-([0-9]\.[0-9])")
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_PDF_OBJECT = re.compile(rb"(?<![0-9])[0-9]+\s+[0-9]+\s+obj\b")
_PDF_MEDIA_BOX = re.compile(
    rb"/MediaBox\s*\[\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s*\]"
)


class DesignError(Exception):
    """A file Design Import cannot take; ``status`` is 415 (not a design) or 422 (a broken one).
    The message does not name the field: the caller knows it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


@dataclass
class _SvgReading:
    """What the expat handlers collect while an SVG streams through."""

    root: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    depth: int = 0
    count: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    layers: list[dict[str, Any]] = field(default_factory=list)


def read_design(data: bytes) -> dict[str, Any]:
    """What ``data`` holds, as the replay document's ``design`` part; ``DesignError`` otherwise."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return _read_ai(data)
    return _read_svg(data)


def replay_document(
    design: dict[str, Any], data: bytes, field_name: str, *, stand_in: bool = False
) -> dict[str, Any]:
    """The stand-in replay document for a design read by ``read_design``."""
    return {
        "format": REPLAY_FORMAT,
        "version": REPLAY_VERSION,
        "notice": REPLAY_NOTICE,
        "source": {
            "field": field_name,
            "type": design["type"],
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "stand_in": stand_in,
        },
        **{key: value for key, value in design.items() if key != "type"},
    }


def stand_in_svg(picture: bytes, content_type: str, url: str) -> bytes:
    """A design for a URL the sandbox cannot fetch: its stand-in picture in an SVG frame, with a
    caption, so that the replay of the same URL is always the same."""
    caption = url if len(url) <= 80 else url[:77] + "..."
    escaped = caption.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    encoded = base64.b64encode(picture).decode("ascii")
    return (
        f'<svg xmlns="{_SVG_NAMESPACE}" width="480" height="400" viewBox="0 0 480 400">'
        "<title>Sandbox stand-in design</title>"
        '<rect x="0" y="0" width="480" height="400" fill="#f4f1ea"/>'
        f'<g id="picture"><image x="0" y="0" width="480" height="360" '
        f'href="data:{content_type};base64,{encoded}"/></g>'
        f'<g id="caption"><text x="12" y="388" font-size="14">{escaped}</text></g>'
        "</svg>"
    ).encode()


def _read_svg(data: bytes) -> dict[str, Any]:
    reading = _SvgReading()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entities(*_: Any) -> int:
        raise DesignError(422, "the SVG declares entities, which the sandbox refuses.")

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if reading.root is None:
            if local != "svg":
                raise DesignError(415, f"an XML document of <{local[:40]}>, not an SVG.")
            reading.root = name
            reading.attributes = dict(attributes)
        reading.depth += 1
        if reading.depth > MAX_DEPTH:
            raise DesignError(422, f"the SVG nests deeper than {MAX_DEPTH} elements.")
        reading.count += 1
        reading.kinds[local] = reading.kinds.get(local, 0) + 1
        if reading.depth == 2 and len(reading.layers) < MAX_LAYERS:
            layer: dict[str, Any] = {"index": len(reading.layers), "kind": local}
            if "id" in attributes:
                layer["id"] = attributes["id"][:200]
            reading.layers.append(layer)

    def end(_: str) -> None:
        reading.depth -= 1

    parser.EntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_entities
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        if reading.root is None:
            raise DesignError(415, "neither an SVG nor an AI file (accepted: SVG, AI).") from None
        raise DesignError(422, f"the SVG is not well-formed XML ({error}).") from None
    if reading.root is None:
        raise DesignError(415, "neither an SVG nor an AI file (accepted: SVG, AI).")
    return {
        "type": "SVG",
        "canvas": _svg_canvas(reading.attributes),
        "elements": {"count": reading.count, "by_kind": dict(sorted(reading.kinds.items()))},
        "layers": reading.layers,
    }


def _svg_canvas(attributes: dict[str, str]) -> dict[str, Any]:
    """The drawing's size in pixels: ``width``/``height`` where given in pixels, else the
    ``viewBox``'s; ``None`` where neither says."""
    box: list[float] = []
    try:
        box = [float(part) for part in re.split(r"[\s,]+", attributes.get("viewBox", "").strip())]
    except ValueError:
        box = []
    sizes: list[float | None] = []
    for index, name in enumerate(("width", "height")):
        found = _LENGTH.fullmatch(attributes.get(name, ""))
        if found is not None:
            sizes.append(float(found.group(1)))
        elif len(box) == 4:
            sizes.append(box[2 + index])
        else:
            sizes.append(None)
    return {"width": sizes[0], "height": sizes[1], "unit": "px"}


def _read_ai(data: bytes) -> dict[str, Any]:
    """An AI file (PDF inside): its pages, objects and first page's size, in points."""
    version = _PDF_VERSION.search(data[:1024])
    if b"%%EOF" not in data[-2048:]:
        raise DesignError(422, "the AI (PDF) file is cut short: it has no %%EOF end mark.")
    pages = len(_PDF_PAGE.findall(data))
    box = _PDF_MEDIA_BOX.search(data)
    canvas: dict[str, Any] = {"width": None, "height": None, "unit": "pt"}
    if box is not None:
        left, bottom, right, top = (float(value) for value in box.groups())
        canvas.update(width=abs(right - left), height=abs(top - bottom))
    return {
        "type": "AI",
        "pdf_version": version.group(1).decode() if version else None,
        "canvas": canvas,
        "elements": {"count": len(_PDF_OBJECT.findall(data)), "pages": pages},
        "layers": [{"index": index, "kind": "page"} for index in range(min(pages, MAX_LAYERS))],
    }
