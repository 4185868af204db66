"""What the sandbox serves: each operation and poll, its path, method, body and answer shapes.

The names here are what fault specs take as ``path=`` and what the request counts use. Both APIs
are served: the image tools under ``/tools/1.0/`` and the GenAI API under ``/v1/``. This module
is plain data, so that the CLI can check fault specs without loading werkzeug or Pillow.

An image API operation is named after its path, ``/`` becoming ``-`` (``/effects/ai`` is
``effects-ai``), with three exceptions: the first ones kept their short names (``ultra``), the
lists that share a path with an operation end in ``-list`` (``GET /effects`` is
``effects-list``), and ``/edit`` is ``basic-edit``, because ``edit`` is GenAI's
``/painting/edit``. ``GET /image/{transaction_id}`` is ``image``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOOLS_PREFIX = "/tools/1.0/"
GENAI_PREFIX = "/v1/"
RESULTS_PREFIX = "/results/"
TOOLS_HOST = "api.picsart.io"
GENAI_HOST = "genai-api.picsart.io"
EMULATED_HOSTS = {TOOLS_HOST: TOOLS_PREFIX, GENAI_HOST: GENAI_PREFIX}
"""The Picsart hosts the sandbox stands in for under ``/hosts/<host>/``, and the one prefix each
may reach there (``/hosts/api.picsart.io/v1/...`` is as unknown as it is at Picsart)."""


@dataclass(frozen=True)
class Poll:
    """Where jobs are polled: ``<prefix><path><id>``; ``data`` is how a finished job's results
    are given (``list``, or ``object`` for one result); ``item_status`` adds each item's status."""

    name: str
    prefix: str
    path: str
    id_field: str
    data: str
    item_status: bool = False


@dataclass(frozen=True)
class Operation:
    """One call. ``body`` is ``json``, ``form`` (multipart or URL-encoded) or ``any``; ``data`` is
    the shape of a synchronous 200's ``data``: ``object`` (one result), ``list`` (results),
    ``previews`` (results, each named), ``text``, ``credits`` (no ``data``: the balance),
    ``names`` (``[{name}]``), ``analysis`` (an object of findings), ``colors`` (colour codes) or
    ``lookup`` (one stored file, by the id that ends the path: ``id_in_path``)."""

    name: str
    prefix: str
    path: str
    method: str = "POST"
    body: str = "any"
    sync: bool = True
    asynchronous: bool = False
    poll: Poll | None = None
    data: str = "object"
    video: bool = False
    id_in_path: bool = False


_TEXT2IMAGE = Poll(
    "poll-text2image", GENAI_PREFIX, "text2image/inferences/", "inference_id", "list", True
)
_TEXT2STICKER = Poll(
    "poll-text2sticker", GENAI_PREFIX, "text2sticker/inferences/", "inference_id", "list", True
)
_LOGO = Poll("poll-logo", GENAI_PREFIX, "logo/inferences/", "inference_id", "list", True)
_PAINTING = Poll("poll-painting", GENAI_PREFIX, "painting/", "inference_id", "list")
_VIDEO = Poll("poll-video", GENAI_PREFIX, "video/", "inference_id", "object")
_AUDIO = Poll("poll-audio", GENAI_PREFIX, "audio/", "inference_id", "object")
_ULTRA = Poll("poll-ultra", TOOLS_PREFIX, "upscale/ultra/", "transaction_id", "object")
_DESIGN2REPLAY = Poll(
    "poll-design2replay", TOOLS_PREFIX, "design2replay/", "transaction_id", "object"
)
POLLS = (_TEXT2IMAGE, _TEXT2STICKER, _LOGO, _PAINTING, _VIDEO, _AUDIO, _ULTRA, _DESIGN2REPLAY)


def _job(name: str, path: str, body: str, poll: Poll, *, video: bool = False) -> Operation:
    """A GenAI operation that only runs as a job: 202, then polls."""
    return Operation(
        name, GENAI_PREFIX, path, body=body, sync=False, asynchronous=True, poll=poll, video=video
    )


def _painting(name: str, data: str = "list") -> Operation:
    """A painting operation: 200 with its results, or a job when ``Prefer`` asks for one."""
    return Operation(
        name,
        GENAI_PREFIX,
        f"painting/{name}",
        body="form",
        asynchronous=True,
        poll=_PAINTING,
        data=data,
    )


def _tool(
    name: str, path: str | None = None, *, method: str = "POST", data: str = "object"
) -> Operation:
    """An image API operation answered at once (200); ``path`` defaults to ``name``."""
    return Operation(name, TOOLS_PREFIX, path or name, method=method, data=data)


OPERATIONS = (
    _tool("removebg"),
    _tool("upscale"),
    _tool("upload"),
    _tool("balance", method="GET", data="credits"),
    Operation("ultra", TOOLS_PREFIX, "upscale/ultra", asynchronous=True, poll=_ULTRA),
    _tool("upscale-enhance", "upscale/enhance"),
    _tool("enhance-face", "enhance/face"),
    _tool("effects-list", "effects", method="GET", data="names"),
    _tool("effects"),
    _tool("effects-previews", "effects/previews", data="previews"),
    _tool("effects-laserengraving", "effects/laserengraving"),
    _tool("effects-ai-list", "effects/ai", method="GET", data="names"),
    _tool("effects-ai", "effects/ai"),
    _tool("adjust"),
    _tool("selective-blur"),
    _tool("color-transfer"),
    _tool("styletransfer"),
    _tool("masks"),
    _tool("masks-previews", "masks/previews", data="previews"),
    _tool("background-texture", "background/texture"),
    _tool("background-pattern", "background/pattern"),
    _tool("vectorizer"),
    Operation(
        "design2replay",
        TOOLS_PREFIX,
        "design2replay",
        sync=False,
        asynchronous=True,
        poll=_DESIGN2REPLAY,
    ),
    _tool("surfacemap"),
    _tool("watermark"),
    Operation("image", TOOLS_PREFIX, "image/", method="GET", data="lookup", id_in_path=True),
    _tool("basic-edit", "edit"),
    _tool("smart-crop"),
    _tool("blend"),
    _tool("zoom"),
    _tool("multi-matting"),
    _tool("tags", data="analysis"),
    _tool("describe", data="analysis"),
    _tool("cars-classify", "cars/classify", data="analysis"),
    _tool("extract-colors", data="colors"),
    Operation("chat", GENAI_PREFIX, "text2text/chat/completions", body="json", data="text"),
    _job("text2image", "text2image", "json", _TEXT2IMAGE),
    _job("text2sticker", "text2sticker", "json", _TEXT2STICKER),
    _job("laserengraving", "text2sticker/laserengraving", "json", _TEXT2STICKER),
    _job("logo", "logo", "form", _LOGO),
    _painting("edit"),
    _painting("inpaint"),
    _painting("outpaint"),
    _painting("remove-object", data="object"),
    _painting("replace-background"),
    _painting("expand"),
    Operation("bleed", GENAI_PREFIX, "painting/bleed", body="form"),
    _job("text2video", "text2video", "json", _VIDEO, video=True),
    _job("image2video", "image2video", "form", _VIDEO, video=True),
    _job("text2speech", "text2speech", "json", _AUDIO),
    _job("text2sound", "text2sound", "json", _AUDIO),
    Operation("genai-balance", GENAI_PREFIX, "balance", method="GET", data="credits"),
)
BY_NAME = {operation.name: operation for operation in OPERATIONS}


def _routes() -> dict[str, tuple[Operation, ...]]:
    """Each fixed path and the operations at it, one per method."""
    routes: dict[str, tuple[Operation, ...]] = {}
    for operation in OPERATIONS:
        if not operation.id_in_path:
            key = operation.prefix + operation.path
            routes[key] = (*routes.get(key, ()), operation)
    return routes


BY_PATH = _routes()
WITH_ID = tuple(operation for operation in OPERATIONS if operation.id_in_path)

TOOLS_TARGETS = tuple(
    [op.name for op in OPERATIONS if op.prefix == TOOLS_PREFIX]
    + [poll.name for poll in POLLS if poll.prefix == TOOLS_PREFIX]
)
GENAI_TARGETS = tuple(
    [op.name for op in OPERATIONS if op.prefix == GENAI_PREFIX]
    + [poll.name for poll in POLLS if poll.prefix == GENAI_PREFIX]
)
POLL_TARGETS = tuple(poll.name for poll in POLLS)
API_TARGETS = frozenset((*TOOLS_TARGETS, *GENAI_TARGETS))
GROUPS: dict[str, frozenset[str]] = {
    "api": API_TARGETS,
    "tools": frozenset(TOOLS_TARGETS),
    "genai": frozenset(GENAI_TARGETS),
    "polls": frozenset(POLL_TARGETS),
}
"""Fault targets that stand for several: every API call, each API's calls, every poll."""
TARGETS = (*GROUPS, *(op.name for op in OPERATIONS), *POLL_TARGETS, "results")

_ID = re.compile(r"[^/]+")


@dataclass(frozen=True)
class Match:
    """What a path names: an operation, a poll of one job, or a result file. ``allowed`` is every
    method the path takes (``/effects`` lists with GET and applies with POST)."""

    target: str
    method: str
    operation: Operation | None = None
    poll: Poll | None = None
    job_id: str = ""
    allowed: tuple[str, ...] = ()


def find(path: str, host: str | None = None, method: str | None = None) -> Match | None:
    """The operation, poll or result file at ``path``; ``host`` is the Picsart host a client in
    sandbox mode addressed (through ``/hosts/<host>/``), which limits the prefixes it reaches.
    Where a path takes several methods, ``method`` picks the operation (the first otherwise)."""
    if path.startswith(RESULTS_PREFIX):
        return Match("results", "GET", allowed=("GET",))
    if host is not None and not path.startswith(EMULATED_HOSTS[host]):
        return None
    found = BY_PATH.get(path)
    if found is not None:
        allowed = tuple(operation.method for operation in found)
        operation = next((op for op in found if op.method == method), found[0])
        return Match(operation.name, operation.method, operation=operation, allowed=allowed)
    for operation in WITH_ID:
        start = operation.prefix + operation.path
        if path.startswith(start) and _ID.fullmatch(path[len(start) :]):
            return Match(
                operation.name,
                operation.method,
                operation=operation,
                job_id=path[len(start) :],
                allowed=(operation.method,),
            )
    for poll in POLLS:
        start = poll.prefix + poll.path
        if path.startswith(start) and _ID.fullmatch(path[len(start) :]):
            return Match(poll.name, "GET", poll=poll, job_id=path[len(start) :], allowed=("GET",))
    return None
