"""The Variable Data API: export a replay, describe its variables, export content with them
filled from CSV rows, each from a replay this sandbox's Design to replay made.

Picsart's replay format is proprietary, so the sandbox's replays are stand-ins (``designs.py``:
a JSON document of the design it read), and a replay from Picsart cannot be read here: a
template the sandbox did not make (any other file, or a URL it cannot fetch) is refused with
that reason. A stand-in replay's variables are its design's top-level ``<text>``, ``<image>``
and ``<g>`` layers that have an id: an ``<image>``, or a group whose id names a picture
(picture, image, photo, logo), takes an image (a URL); the others a text. Named shapes stay
shapes. The replay document keeps the design's canvas and layers, not its drawing, so rendering
draws the canvas with one band per layer, each variable's value in its band (a placeholder
``{tag}`` where none is given): a schematic of the design, with the data filled in. PDF, PNG and
JPG are that picture; MP4 a one-second clip of it (the video extra); REPLAY the replay document
with its ``variables`` filled.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageOps

from . import designs, imaging, media, params
from .forms import Inputs
from .store import StoredFile

if TYPE_CHECKING:
    from .params import ImageSource
    from .work import Outcome, Worker

REPLAY_FORMATS = ("PDF",)
CONTENT_FORMATS = ("PDF", "PNG", "JPG", "MP4", "REPLAY")
DEFAULT_FORMAT = "PDF"
MAX_ROWS = 50
"""The file: "Only the first 50 data rows will be processed"."""
MAX_SIDE = 512
"""The longest side the sandbox renders a replay at, whatever its canvas says."""
DEFAULT_CANVAS = (480, 400)
MAX_BANDS = 12
VARIABLE_KINDS = frozenset({"text", "image", "g"})
UNDRAWN_KINDS = frozenset({"title", "desc", "metadata", "defs", "style", "script"})
"""SVG elements that draw nothing: no band of their own."""
PICTURE_WORDS = ("picture", "image", "photo", "logo")
CLIP_SECONDS = 1.0
DECODE_BYTES_PER_PIXEL = 8
"""The picture decoded, and its thumbnail's working copy."""
BACKGROUND = (244, 241, 234)
STAND_INS = (
    "the sandbox's replays are stand-ins (Picsart's replay format is proprietary), so it can "
    "only read the replays its own Design to replay made; give the URL or id of such a result"
)


@dataclass(frozen=True)
class ReplayJob:
    """Export replay (``export``) or Describe (``describe``): the replay and the format."""

    kind: str
    template: ImageSource
    format: str = DEFAULT_FORMAT


@dataclass(frozen=True)
class ContentJob:
    """Export variable data content: the replay, the rows (CSV text, or a file to read), the
    mapping of columns to variables, and the format of each row's file."""

    template: ImageSource
    data: str | None
    data_source: ImageSource | None
    mapping: tuple[tuple[str, str], ...]
    format: str


@dataclass(frozen=True)
class Variable:
    tag: str
    type: str
    layer: int


# Parameters


def parse_export_replay(inputs: Inputs) -> ReplayJob:
    source = _required(_one_source(inputs, "file", "file_url", None), "replay", "file or file_url")
    chosen = params.value_or(inputs.values, "format", params.one_of(REPLAY_FORMATS), DEFAULT_FORMAT)
    return ReplayJob("export", source, chosen)


def parse_describe(inputs: Inputs) -> ReplayJob:
    return ReplayJob("describe", _template(inputs))


def parse_export_content(inputs: Inputs) -> ContentJob:
    template = _template(inputs)
    data = params.optional_value(inputs.values, "data", params.as_text)
    data_source = _one_source(inputs, "data_file", "data_file_url", None)
    if (data is None) == (data_source is None):
        raise params.unprocessable("Give exactly one of data, data_file and data_file_url (CSV).")
    mapping = _mapping(params.optional_value(inputs.values, "mapping", params.as_text))
    chosen = params.value_or(
        inputs.values, "format", params.one_of(CONTENT_FORMATS), DEFAULT_FORMAT
    )
    return ContentJob(template, data, data_source, mapping, chosen)


def _template(inputs: Inputs) -> ImageSource:
    found = _one_source(inputs, "template", "template_url", "template_id")
    return _required(found, "template", "template, template_url or template_id")


def _required(found: ImageSource | None, what: str, names: str) -> ImageSource:
    if found is None:
        raise params.unprocessable(f"A {what} is required: give one of {names}.")
    return found


def _one_source(
    inputs: Inputs, file_field: str, url_field: str, id_field: str | None
) -> ImageSource | None:
    """At most one of a file part, a URL and (where the file has one) an id."""
    found: list[ImageSource] = []
    if file_field in inputs.values:
        raise params.unprocessable(
            f"{file_field} must be a file part; to pass a link use {url_field}."
        )
    part = inputs.files.get(file_field)
    if part is not None:
        found.append(params.ImageSource(file_field, "file", part=part))
    url = params.optional_value(inputs.values, url_field, params.as_url)
    if url is not None:
        found.append(params.ImageSource(url_field, "url", text=url))
    if id_field is not None:
        given = params.optional_value(inputs.values, id_field, params.as_text)
        if given is not None:
            found.append(params.ImageSource(id_field, "id", text=given))
    if len(found) > 1:
        names = " and ".join(source.field for source in found)
        raise params.unprocessable(f"Give only one of {file_field}, {url_field}; got {names}.")
    return found[0] if found else None


def _mapping(text: str | None) -> tuple[tuple[str, str], ...]:
    """``column:variable`` pairs (``=`` also separates; a bare name maps to itself)."""
    if text is None:
        return ()
    pairs = []
    for entry in text.split(","):
        if not entry.strip():
            continue
        column, _, variable = entry.replace("=", ":").partition(":")
        column, variable = column.strip(), (variable.strip() or column.strip())
        if not column or not variable:
            raise params.unprocessable(f"mapping: {entry.strip()!r} is not column:variable.")
        pairs.append((column, variable))
    return tuple(pairs)


# Work


def export_replay(worker: Worker, job: ReplayJob) -> Outcome:
    document = _replay(worker, job.template)
    picture = render(document, {}, _picture_reader(worker))
    return _outcome((_encoded(worker, picture, document, {}, job.format),))


def describe(worker: Worker, job: ReplayJob) -> Outcome:
    document = _replay(worker, job.template)
    tags = [{"type": item.type, "tag": item.tag} for item in variables(document)]
    return _outcome((), findings={"tags": tags, "aminated": False})


def export_content(worker: Worker, job: ContentJob) -> Outcome:
    document = _replay(worker, job.template)
    if job.format == "MP4" and not media.video_available():
        from .work import video_unavailable  # noqa: PLC0415 - work imports this module

        raise video_unavailable()
    text = job.data
    if text is None:
        assert job.data_source is not None
        text = _decoded(_data_file(worker, job.data_source), job.data_source.field)
    rows = csv_rows(text, job.data_source.field if job.data_source else "data")
    known = {item.tag for item in variables(document)}
    mapping = job.mapping or tuple((column, column) for column in rows[0] if column in known)
    unknown = sorted({variable for _, variable in mapping} - known)
    if unknown:
        raise params.unprocessable(
            f"mapping names {', '.join(unknown)}, which the replay has no variable for "
            f"(it has: {', '.join(sorted(known)) or 'none'})."
        )
    read = _picture_reader(worker)
    files = []
    for row in rows:
        values = {variable: row.get(column, "") for column, variable in mapping}
        picture = render(document, values, read)
        files.append(_encoded(worker, picture, document, values, job.format))
    return _outcome(tuple(files))


def variables(document: dict[str, Any]) -> list[Variable]:
    """The stand-in replay's variables: its named top-level layers."""
    found = []
    for index, layer in enumerate(_layers(document)):
        tag, kind = layer.get("id"), layer.get("kind")
        if isinstance(tag, str) and tag and kind in VARIABLE_KINDS:
            picture = kind == "image" or any(word in tag.lower() for word in PICTURE_WORDS)
            found.append(Variable(tag, "image" if picture else "text", index))
    return found


def render(
    document: dict[str, Any], values: dict[str, str], read: Callable[[str, str], Image.Image]
) -> Image.Image:
    """The replay's canvas with one band per layer that draws (at most ``MAX_BANDS``), each
    variable's value drawn in its band: a text written, a picture fitted."""
    size = _canvas(document)
    picture = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(picture)
    drawn = [
        (index, layer)
        for index, layer in enumerate(_layers(document))
        if layer.get("kind") not in UNDRAWN_KINDS
    ][:MAX_BANDS] or [(-1, {"kind": "canvas"})]
    by_layer = {item.layer: item for item in variables(document)}
    band = size[1] / len(drawn)
    for place, (index, layer) in enumerate(drawn):
        box = (4, round(place * band) + 2, size[0] - 4, round((place + 1) * band) - 2)
        variable = by_layer.get(index)
        draw.rectangle(box, outline=(120, 120, 120), fill=(228, 224, 214))
        if variable is None:
            label = str(layer.get("kind", "layer"))[:40]
            draw.text((box[0] + 4, box[1] + 2), label, fill=(90, 90, 90))
            continue
        value = values.get(variable.tag, "")
        if variable.type == "image" and value:
            fitted = ImageOps.contain(
                read(value, variable.tag), (box[2] - box[0] - 4, max(1, box[3] - box[1] - 4))
            )
            picture.paste(fitted.convert("RGB"), (box[0] + 2, box[1] + 2))
        else:
            draw.text((box[0] + 4, box[1] + 2), value or "{" + variable.tag + "}", fill=(0, 0, 0))
    return picture


def _replay(worker: Worker, source: ImageSource) -> dict[str, Any]:
    """The stand-in replay document ``source`` holds; 422 for anything the sandbox did not make."""
    if worker.reader.stands_in(source):
        raise params.unprocessable(
            f"{source.field}: the sandbox cannot read a replay from {source.text[:200]!r}: "
            + STAND_INS
            + "."
        )
    data = worker.reader.read(source)
    try:
        document = json.loads(data)
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("format") != designs.REPLAY_FORMAT:
        raise params.unprocessable(
            f"{source.field}: not a replay of this sandbox's: " + STAND_INS + "."
        )
    return document


def _layers(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The replay's layers; anything else in their place (a document written by hand) is an
    unnamed layer."""
    layers = document.get("layers")
    if not isinstance(layers, list):
        return []
    return [layer if isinstance(layer, dict) else {} for layer in layers]


def _canvas(document: dict[str, Any]) -> tuple[int, int]:
    """The rendered size: the canvas's, at most ``MAX_SIDE`` a side (``DEFAULT_CANVAS`` where
    the replay states none)."""
    canvas = document.get("canvas")
    given = (canvas.get("width"), canvas.get("height")) if isinstance(canvas, dict) else ()
    sides: tuple[float, ...] = tuple(
        float(side)
        for side in given
        if isinstance(side, int | float) and math.isfinite(side) and side >= 1
    )
    width, height = sides if len(sides) == 2 else DEFAULT_CANVAS
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(16, round(width * scale)), max(16, round(height * scale))


def _picture_reader(worker: Worker) -> Callable[[str, str], Image.Image]:
    """Reads an image variable's URL (a stand-in where the sandbox cannot fetch it), with the
    worker's checks: its size from the header (413 past the pixel limit), the memory its
    decoding takes, and a picture it can open (415 otherwise)."""

    def read(url: str, tag: str) -> Image.Image:
        source = params.ImageSource(tag, "url", text=params.as_url(f"the value of {tag}", url))
        data = worker.reader.read(source)
        width, height = worker._size(data, source)
        with worker._reserved(width * height * DECODE_BYTES_PER_PIXEL, f"a {width}x{height} image"):
            picture = worker._decode(data, source, imaging.UPLOAD_INPUT_FORMATS)
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            fitted: Image.Image = picture.convert("RGB")
            return fitted

    return read


def _data_file(worker: Worker, source: ImageSource) -> bytes:
    """The CSV file's bytes; 422 for a URL the sandbox cannot fetch (a stand-in is a picture)."""
    if worker.reader.stands_in(source):
        raise params.unprocessable(
            f"{source.field}: the sandbox never goes online, so it cannot fetch "
            f"{source.text[:200]!r}; give the rows as data, or a URL on a loopback host."
        )
    return worker.reader.read(source)


def _decoded(data: bytes, field: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise params.unprocessable(f"{field}: the CSV is not UTF-8 text.") from None


def csv_rows(text: str, field: str) -> list[dict[str, str]]:
    """The data rows (the first ``MAX_ROWS``) by column; 422 without a header and a row."""
    reader = csv.DictReader(io.StringIO(text))
    rows: list[dict[str, str]] = []
    try:
        if not reader.fieldnames or not any(name.strip() for name in reader.fieldnames):
            raise params.unprocessable(f"{field}: the CSV has no header line of column names.")
        for row in reader:
            if len(rows) == MAX_ROWS:
                break
            rows.append({key.strip(): (value or "").strip() for key, value in row.items() if key})
    except csv.Error as error:
        raise params.unprocessable(f"{field}: the CSV cannot be read ({error}).") from None
    if not rows:
        raise params.unprocessable(f"{field}: the CSV has a header but no data row.")
    return rows


def _encoded(
    worker: Worker,
    picture: Image.Image,
    document: dict[str, Any],
    values: dict[str, str],
    chosen: str,
) -> StoredFile:
    store = worker.store
    if chosen in ("PNG", "JPG"):
        data, content_type = imaging.encode(picture, chosen)
        return store.put(data, content_type, chosen.lower())
    if chosen == "PDF":
        buffer = io.BytesIO()
        picture.save(buffer, "PDF", resolution=72.0)
        return store.put(buffer.getvalue(), "application/pdf", "pdf")
    if chosen == "MP4":
        size = (picture.width // 2 * 2, picture.height // 2 * 2)
        frame = picture.resize(size)
        count = round(CLIP_SECONDS * media.VIDEO_FPS)
        clip = media.encode_video(
            iter([frame] * count), size, None, fps=media.VIDEO_FPS, video_format="MP4"
        )
        return store.put(clip, "video/mp4", "mp4")
    filled = {**document, "variables": values}
    return store.put(json.dumps(filled, indent=2).encode(), "application/json", "json")


def _outcome(files: tuple[StoredFile, ...], findings: Any = None) -> Outcome:
    from .work import Outcome  # noqa: PLC0415 - work imports this module

    return Outcome(files, findings=findings)


PARSERS: dict[str, Callable[[Inputs], Any]] = {
    "exportReplay": parse_export_replay,
    "describeReplayVariables": parse_describe,
    "exportVariableDataContent": parse_export_content,
}
"""This module's parsers, by the catalogue's name, which ``params.PARSERS`` takes in."""
