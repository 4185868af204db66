"""What the sandbox serves: the catalogue's operations and polls as it routes them, by path,
method and the body each takes.

The names here are the catalogue's ``target`` names, which fault specs take as ``path=`` and the
request counts use. Every API is served on the one port, each under its ``sandbox_prefix``: the
image tools under ``/tools/1.0/``, the GenAI API under ``/v1/``, and the video and Variable Data
APIs, whose own prefixes are ``/v1/`` too, under ``/video/v1/`` and ``/vd/v1/``. This module is
plain data, so that the CLI can check fault specs without loading werkzeug or Pillow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from picsart_component.catalogue import operations as catalogue

TOOLS_PREFIX = catalogue.APIS["image"].sandbox_prefix
GENAI_PREFIX = catalogue.APIS["genai"].sandbox_prefix
VIDEO_PREFIX = catalogue.APIS["video"].sandbox_prefix
VD_PREFIX = catalogue.APIS["vd"].sandbox_prefix
RESULTS_PREFIX = "/results/"
VIDEO_HOST = catalogue.APIS["video"].host
EMULATED_HOSTS = {api.host: api.sandbox_prefix for api in catalogue.APIS.values()}
"""The Picsart hosts the sandbox stands in for under ``/hosts/<host>/``, and where each is served
here (``sandbox_path`` turns the host's own paths into these)."""
_HOST_PREFIXES = {api.host: api.prefix for api in catalogue.APIS.values()}


def sandbox_path(host: str, path: str) -> str | None:
    """Where the sandbox serves ``https://<host><path>``: the API's own prefix replaced by the
    sandbox's (``video-api.picsart.io`` ``/v1/trim`` is ``/video/v1/trim``); None for a path
    outside the API's prefix (``/hosts/api.picsart.io/v1/...`` is as unknown as it is at
    Picsart)."""
    prefix = _HOST_PREFIXES[host]
    if not path.startswith(prefix):
        return None
    return EMULATED_HOSTS[host] + path[len(prefix) :]


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
    ``lookup`` (one stored file, by the id that ends the path: ``id_in_path``). ``name`` is the
    catalogue's ``target`` (what fault specs and the request counts say), ``key`` its name (what
    the parsers and the work are found by)."""

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
    key: str = ""


def _poll(poll: catalogue.Poll) -> Poll:
    api = catalogue.APIS[poll.api]
    return Poll(
        poll.target, api.sandbox_prefix, poll.prefix, api.job_id_field, poll.data, poll.item_status
    )


def _served(operation: catalogue.Operation) -> Operation:
    """The catalogue's row as the sandbox serves it: the image API takes any encoding of its
    fields, the GenAI and video APIs only the one their files name (415 otherwise)."""
    body = "any"
    if operation.api != "image" and operation.body != "none":
        body = "json" if operation.body == "json" else "form"
    return Operation(
        operation.target,
        catalogue.APIS[operation.api].sandbox_prefix,
        operation.path.removesuffix("{id}"),
        method=operation.method,
        body=body,
        sync=operation.sync,
        asynchronous=operation.asynchronous,
        poll=_poll(operation.poll) if operation.poll and operation.asynchronous else None,
        data=operation.result,
        video=operation.video,
        id_in_path=operation.id_in_path,
        key=operation.name,
    )


POLLS = tuple(_poll(poll) for poll in catalogue.POLLS)
OPERATIONS = tuple(_served(operation) for operation in catalogue.OPERATIONS)


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
VIDEO_TARGETS = tuple(
    [op.name for op in OPERATIONS if op.prefix == VIDEO_PREFIX]
    + [poll.name for poll in POLLS if poll.prefix == VIDEO_PREFIX]
)
VD_TARGETS = tuple(
    [op.name for op in OPERATIONS if op.prefix == VD_PREFIX]
    + [poll.name for poll in POLLS if poll.prefix == VD_PREFIX]
)
POLL_TARGETS = tuple(poll.name for poll in POLLS)
API_TARGETS = frozenset((*TOOLS_TARGETS, *GENAI_TARGETS, *VIDEO_TARGETS, *VD_TARGETS))
GROUPS: dict[str, frozenset[str]] = {
    "api": API_TARGETS,
    "tools": frozenset(TOOLS_TARGETS),
    "genai": frozenset(GENAI_TARGETS),
    "video": frozenset(VIDEO_TARGETS),
    "vd": frozenset(VD_TARGETS),
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
