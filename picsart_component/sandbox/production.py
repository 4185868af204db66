"""How production answers where the OpenAPI files say otherwise: ``--answers production``.

Picsart's SDKs' own tests, run against production, expect these shapes, which the files' enums
and schemas do not describe (and the SDKs disagree among themselves: production has changed over
time). A sandbox started with ``answers="production"`` gives them, so that code written against
production can be tested; by default it answers with the files' shapes. This module is the one
table of them; ``catalogue/differences.py`` lists each (``PRODUCTION_ANSWERS``) with its evidence,
which the conformance checker accepts in production mode only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

ANSWERS = ("file", "production")
"""The sandbox's answer modes: the OpenAPI files' shapes (the default), or production's."""


ACCEPTED_WORDS: Mapping[str, str] = MappingProxyType(
    {"poll-text2image": "ACCEPTED", "poll-ultra": "queued"}
)
"""The status word of the 202 that accepts a job, by the target of its poll (its pending polls
keep the file's ``processing``)."""
DONE_WORDS: Mapping[str, str] = MappingProxyType({"poll-text2image": "FINISHED"})
"""The status word of a finished job's poll, by the poll's target."""
PENDING_DATA_POLLS = frozenset({"poll-painting"})
"""The polls (by target) of the jobs whose 202 and pending polls carry ``data: []``: painting."""
REPLY_WORDS: Mapping[str, str] = MappingProxyType({"chatCompletions": "DONE"})
"""The status word of a synchronous reply, by the catalogue's operation name."""
PREVIEW_NAMES: Mapping[str, str] = MappingProxyType({"maskPreviews": "mask"})
"""The field naming what each preview shows, instead of the file's (``mask_name``), by the
catalogue's operation name."""
SINGLE_PREVIEW_AS_OBJECT = frozenset({"maskPreviews"})
"""Previews whose ``data`` is the one preview's object (without its name), not a list, when one
is asked for."""


@dataclass(frozen=True)
class JobShape:
    """What a job says in the sandbox's answer mode: the word of its 202 and of its finished
    poll (None: the file's), and whether its 202 and pending polls carry ``data: []``."""

    accepted_word: str | None = None
    done_word: str | None = None
    pending_data: bool = False


FILE_JOB_SHAPE = JobShape()


def job_shape(answers: str, poll: str) -> JobShape:
    """What a job polled at ``poll`` (its target) says."""
    if answers != "production":
        return FILE_JOB_SHAPE
    return JobShape(ACCEPTED_WORDS.get(poll), DONE_WORDS.get(poll), poll in PENDING_DATA_POLLS)


def reply_word(answers: str, operation: str) -> str:
    """The status word of a synchronous 200."""
    return REPLY_WORDS.get(operation, "success") if answers == "production" else "success"


def preview_name(answers: str, operation: str, label: str) -> str:
    """The field naming each preview: ``label`` (the file's), or production's."""
    return PREVIEW_NAMES.get(operation, label) if answers == "production" else label


def previews_data(answers: str, operation: str, items: list[dict[str, object]]) -> object:
    """The ``data`` of previews: the list, or production's one object for a single preview."""
    if answers == "production" and operation in SINGLE_PREVIEW_AS_OBJECT and len(items) == 1:
        return {key: value for key, value in items[0].items() if key in ("id", "url")}
    return items
