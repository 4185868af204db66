"""Where the component or the sandbox knowingly differs from Picsart's OpenAPI files, and why.

The files are vendored in ``openapi/`` (its README says where each comes from). ``tests/catalogue``
compares every catalogue row, every action's in-schema and the name lists with them: a mismatch
fails unless an entry here names it, and an entry that no longer names a real mismatch fails too,
so that this list stays true. The sandbox's answer checker (``sandbox/conformance.py``) reads the
answer-level entries: which bodies and content types it accepts outside the files, and the
reason it notes for a status or status word the files do not list.

``PRODUCTION_ANSWERS`` lists the answers production gives that the files do not describe, which
the sandbox gives when started with ``--answers production`` (``sandbox/production.py``), each
with the test of Picsart's own client that expects it; the checker accepts them in that mode only.

``NOT_YET_OFFERED`` lists the operations of the files that no catalogue row or poll offers yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .operations import Api

FileApi = Api
"""The API each vendored file describes: the catalogue's ``APIS`` names them all now."""

UNOFFERED_FILES: dict[FileApi, str] = {}
"""The vendored files of APIs the catalogue has no row for yet (``APIS`` names the others)."""

Kind = Literal[
    # An action's fields against its operation's request schema:
    "field not offered",  # a field of the file the action does not offer
    "field added",  # a field the action offers that the file does not have
    "type",  # a type the file's does not convert to
    "enum",  # other values
    "enum order",  # the same values in another order
    "bound",  # another minimum, maximum, length or item count
    "default",  # another default, or none shown
    "deprecated",  # deprecated on one side only
    "required",  # required in the file, not in the action
    # Answers, as the sandbox gives them and the component accepts them:
    "status",  # a status the file does not list for the operation
    "status word",  # a job status word the file does not use
    "error body",  # an error body the file's Error schema does not describe
    "content type",  # an answer's content type the file does not offer
    "answer field",  # a field of an answer the file does not have
    "answer shape",  # an answer's data of another type than the file's
]
FIELD_KINDS: frozenset[Kind] = frozenset(
    (
        "field not offered", "field added", "type", "enum", "enum order", "bound", "default",
        "deprecated", "required",
    )
)  # fmt: skip
Reason = Literal["product spec", "spec decision", "client alias", "production", "sandbox only"]
"""Why we differ: the component's product spec (its public description) says otherwise; the
team decided where sources disagree; Picsart's own clients accept it; production answers so;
only the sandbox answers so."""


@dataclass(frozen=True)
class Difference:
    """One knowing difference. ``api`` ``any`` means every API the catalogue has; ``method``
    and ``path`` (the file's path, such as ``/painting/{inference_id}``) ``*`` mean every one;
    ``subject`` is the field, the status code, the word, the body or the content type (``*``:
    any)."""

    api: Api | Literal["any"]
    method: Literal["GET", "POST", "*"]
    path: str
    kind: Kind
    subject: str
    reason: Reason
    why: str

    def covers(self, api: Api, method: str, path: str, kind: Kind, subject: str) -> bool:
        return (
            self.kind == kind
            and self.api in (api, "any")
            and self.method in (method, "*")
            and self.path in (path, "*")
            and self.subject in (subject, "*")
        )


@dataclass(frozen=True)
class NotOffered:
    """An operation of a vendored file that no catalogue row or poll offers yet."""

    api: FileApi
    method: Literal["GET", "POST"]
    path: str
    why: str


_PREFER = (
    "Deprecated in the file; the Prefer: respond-async header replaces it, and the action's "
    "Execution field sets that header."
)
_REQUIRED = (
    "Required in the file as well, so its default never applies; the form shows none, as the "
    "product spec shows none for Upscale factor."
)
_REPLAY_BY_URL = (
    "A replay goes by its URL (or a template by its id), which Picsart fetches: the component "
    "checks every file it uploads by its bytes, and Picsart's replay format is proprietary and "
    "undocumented, so a replay file cannot be checked before paying."
)
_NO_VIDEO = (
    "The sandbox answers 501 for the operations that make or edit videos when its video extra "
    "(PyAV) is not installed."
)

Diff = Difference
DIFFERENCES: tuple[Difference, ...] = (
    # Fields of the component's actions
    Diff("genai", "POST", "/painting/edit", "field not offered", "mode", "spec decision", _PREFER),
    Diff("genai", "POST", "/painting/inpaint", "field not offered", "mode", "spec decision",
         _PREFER),
    Diff("genai", "POST", "/painting/outpaint", "field not offered", "mode", "spec decision",
         _PREFER),
    Diff("genai", "POST", "/painting/replace-background", "field not offered", "mode",
         "spec decision", _PREFER),
    Diff("genai", "POST", "/painting/expand", "field not offered", "mode", "spec decision",
         _PREFER),
    Diff("genai", "POST", "/painting/remove-object", "field not offered", "mode",
         "spec decision", _PREFER),
    Diff("image", "POST", "/upscale/ultra", "field not offered", "mode", "spec decision",
         _PREFER),
    Diff("image", "POST", "/removebg", "field not offered", "model", "product spec",
         "The product spec lists Remove background's fields, and the segmentation model is not "
         "one of them: Picsart chooses it."),
    Diff("image", "POST", "/removebg", "enum order", "output_type", "product spec",
         "The product spec names cutout, the default, first; the file lists mask first."),
    Diff("image", "POST", "/removebg", "default", "stroke_color", "product spec",
         "The file gives FFFFFF; the product spec gives Stroke color no default, so none is "
         "shown and none is sent."),
    Diff("any", "POST", "*", "default", "model", "spec decision",
         "A model's default is named in the field's description only and never sent: the "
         "request leaves the choice to Picsart, so that a newer default reaches users without "
         "a release."),
    Diff("image", "POST", "/upscale", "default", "upscale_factor", "product spec", _REQUIRED),
    Diff("image", "POST", "/zoom", "default", "scale_factor", "spec decision", _REQUIRED),
    Diff("genai", "POST", "/painting/bleed", "default", "bleed_size", "spec decision", _REQUIRED),
    Diff("video", "POST", "/trim", "default", "start", "spec decision", _REQUIRED),
    Diff("video", "POST", "/trim", "default", "end", "spec decision", _REQUIRED),
    Diff("video", "POST", "/edit", "default", "export", "spec decision",
         "The file's default export object ends four of its values with a comma (quality "
         "'medium,', codec 'default,', audio_codec 'default,', frame_rate '30,'), a slip of "
         "its YAML; the action shows the values themselves (medium, default, default, 30)."),
    Diff("video", "POST", "/metadata/thumbnail", "field not offered", "image", "spec decision",
         "The request is JSON, which cannot carry a file's bytes; the action takes the picture "
         "by Image URL (a local file goes in through the attachment store or Upload image)."),
    Diff("video", "POST", "/audio/transcribe", "enum", "language", "spec decision",
         "The file lists Norwegian as a bare no, which a YAML 1.1 reader takes for false; the "
         "action offers the language code no, as the file's own description names it."),
    Diff("video", "POST", "/concat", "type", "items", "spec decision",
         "The file writes each item as an allOf of its video, image and transition fields, "
         "with no type of its own; every one of them is an object, so the action types the "
         "items as objects."),
    # Answers
    Diff("any", "*", "*", "error body", "fault", "production",
         "A 429 from an older gateway carries a fault object instead of code, message and "
         "detail, so it lacks the text the file's Error schema requires."),
    Diff("any", "*", "*", "content type", "text/html", "production",
         "A proxy in front of Picsart can answer an error with an HTML page; the files offer "
         "JSON only."),
    Diff("any", "*", "*", "status word", "ACCEPTED", "client alias",
         "Picsart's Python SDK reports a job it accepted as ACCEPTED."),
    Diff("any", "*", "*", "status word", "FINISHED", "client alias",
         "Picsart's Python SDK reports a finished job as FINISHED."),
    Diff("any", "*", "*", "status word", "completed", "client alias",
         "Picsart's n8n node takes completed (as success) for a finished job."),
    Diff("any", "*", "*", "status word", "failed", "client alias",
         "Picsart's n8n node takes failed (as error) for a failed job."),
    Diff("any", "*", "*", "status", "406", "production",
         "Picsart's troubleshooting guide: 406 when a request's Accept header does not take "
         "application/json. The files list no 406."),
    Diff("any", "*", "*", "status", "502", "production",
         "Picsart's gateway answers 502 when the service behind it fails."),
    Diff("any", "*", "*", "status", "504", "production",
         "Picsart's gateway answers 504 when the service behind it is too slow."),
    Diff("genai", "POST", "/text2video", "status", "501", "sandbox only", _NO_VIDEO),
    Diff("genai", "POST", "/image2video", "status", "501", "sandbox only", _NO_VIDEO),
    Diff("video", "POST", "*", "status", "501", "sandbox only", _NO_VIDEO),
    Diff("vd", "POST", "/export/variable-data-content", "status", "501", "sandbox only",
         "The sandbox answers 501 for an MP4 export when its video extra (PyAV) is not "
         "installed; the other formats need no extra."),
    Diff("vd", "POST", "/export/replay", "field not offered", "file", "spec decision",
         _REPLAY_BY_URL),
    Diff("vd", "POST", "/variable-data-content/describe", "field not offered", "template",
         "spec decision", _REPLAY_BY_URL),
    Diff("vd", "POST", "/export/variable-data-content", "field not offered", "template",
         "spec decision", _REPLAY_BY_URL),
    Diff("vd", "POST", "/export/variable-data-content", "field not offered", "data_file",
         "spec decision",
         "The rows go as CSV text in Data, or as a CSV file by its URL in Data file URL, which "
         "Picsart fetches: the same rows, without a second way to upload them."),
)  # fmt: skip
del Diff

NOT_YET_OFFERED: tuple[NotOffered, ...] = ()


_PYTHON_SDK = "Picsart's Python SDK (picsart-creative-apis-python-sdk), whose e2e test "
_PAINTING_DATA = (
    _PYTHON_SDK + "tests/e2e/test_painting.py asserts data == [] in the 202 of a painting job "
    "(mode=async); the file's 202 has no data."
)
PRODUCTION_ANSWERS: tuple[Difference, ...] = (
    Difference(
        "genai",
        "POST",
        "/text2image",
        "status word",
        "ACCEPTED",
        "production",
        _PYTHON_SDK + "tests/e2e/test_text2image.py asserts status ACCEPTED in the 202.",
    ),
    Difference(
        "genai",
        "GET",
        "/text2image/inferences/{inference_id}",
        "status word",
        "FINISHED",
        "production",
        _PYTHON_SDK + "tests/e2e/test_text2image.py polls until status FINISHED.",
    ),
    Difference(
        "genai",
        "POST",
        "/text2text/chat/completions",
        "status word",
        "DONE",
        "production",
        _PYTHON_SDK + "tests/e2e/test_text2text.py asserts status DONE in the reply.",
    ),
    Difference(
        "image",
        "POST",
        "/upscale/ultra",
        "status word",
        "queued",
        "production",
        _PYTHON_SDK + "tests/e2e/test_ultra_upscale.py asserts status queued in the 202 "
        "(mode=async), then polls while processing.",
    ),
    *(
        Difference("genai", "POST", path, "answer field", "data", "production", _PAINTING_DATA)
        for path in (
            "/painting/edit",
            "/painting/inpaint",
            "/painting/outpaint",
            "/painting/replace-background",
            "/painting/expand",
            "/painting/remove-object",
        )
    ),
    Difference(
        "genai",
        "GET",
        "/painting/{inference_id}",
        "answer field",
        "data",
        "production",
        _PAINTING_DATA + " Its pending polls carry it too (issue 26's report; the test reads "
        "only the 202).",
    ),
    Difference(
        "image",
        "POST",
        "/masks/previews",
        "answer field",
        "mask",
        "production",
        _PYTHON_SDK + "tests/e2e/test_masks_previews.py reads each preview's name as mask; the "
        "file names it mask_name.",
    ),
    Difference(
        "image",
        "POST",
        "/masks/previews",
        "answer shape",
        "object",
        "production",
        _PYTHON_SDK + "tests/e2e/test_masks_previews.py notes that the API does not return the "
        "mask name when one mask is asked for: data is that one preview, not a list.",
    ),
)


def production_answer(
    api: Api, method: str, path: str, kind: Kind, subject: str
) -> Difference | None:
    """The entry of ``PRODUCTION_ANSWERS`` that names this, if one does."""
    return next(
        (entry for entry in PRODUCTION_ANSWERS if entry.covers(api, method, path, kind, subject)),
        None,
    )


def matching(api: Api, method: str, path: str, kind: Kind, subject: str) -> Difference | None:
    """The entry that names this difference, if one does."""
    return next(
        (entry for entry in DIFFERENCES if entry.covers(api, method, path, kind, subject)), None
    )
