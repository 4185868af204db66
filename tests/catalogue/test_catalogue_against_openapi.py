"""The catalogue, the actions' in-schemas and the name lists against Picsart's OpenAPI files.

The files are vendored (``openapi/``), so this runs in every clone. Each row's path, method,
answers (200, 202 or both), body and poll are the file's; each action's fields, types, enums,
bounds, defaults and required fields are its request schema's; the model, effect and mask lists
are the file's enums. Where we differ on purpose, ``catalogue/differences.py`` says so and why:
a mismatch it does not list fails, and so does an entry that no longer names a real mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from picsart_component.catalogue import choices
from picsart_component.catalogue.differences import (
    DIFFERENCES,
    FIELD_KINDS,
    NOT_YET_OFFERED,
    Difference,
    FileApi,
    matching,
)
from picsart_component.catalogue.operations import APIS, OPERATIONS, POLLS, Operation, Poll
from tests.catalogue.openapi_check import (
    CONTENT_TYPES,
    FILES,
    Finding,
    compare_fields,
    content_types,
    document,
    file_path,
    in_schema,
    json_schema,
    operation_of,
    operations_of,
    request_schema,
    resolve,
    responses,
    status_enums,
)
from tests.conftest import OPENAPI_DIR

POSTS = [row for row in OPERATIONS if row.method == "POST"]


def _ids(rows: Sequence[Operation | Poll]) -> list[str]:
    return [row.name if isinstance(row, Operation) else row.target for row in rows]


def unlisted(findings: list[Finding]) -> list[Finding]:
    return [
        finding
        for finding in findings
        if matching(finding.api, finding.method, finding.path, finding.kind, finding.subject)
        is None
    ]


def field_findings(row: Operation) -> list[Finding]:
    _, theirs, required = request_schema(row)
    return compare_fields(row, theirs, required, in_schema(row.name)["properties"])


# The files themselves


def test_the_four_files_are_vendored_and_each_api_has_one() -> None:
    assert sorted(path.name for path in OPENAPI_DIR.glob("*.yml")) == sorted(FILES.values())
    assert len(set(FILES.values())) == len(FILES) == 4
    for api, described in APIS.items():
        (server,) = document(api)["servers"]
        assert server["url"] + "/" == described.base_url, api


# Rows and polls


@pytest.mark.parametrize("row", OPERATIONS, ids=_ids(OPERATIONS))
def test_each_row_is_an_operation_of_its_file(row: Operation) -> None:
    paths = document(row.api)["paths"]
    where = file_path(row.api, row.path)
    assert where in paths, f"{row.name}: {where} is not in {APIS[row.api].openapi_file}"
    assert row.method.lower() in paths[where], f"{row.name}: {row.method} {where}"


@pytest.mark.parametrize("row", OPERATIONS, ids=_ids(OPERATIONS))
def test_each_row_runs_as_its_file_answers(row: Operation) -> None:
    answers = operation_of(row)["responses"]
    offered = ("200" in answers, "202" in answers)
    expected = {"at once": (True, False), "as a job": (False, True), "either": (True, True)}
    assert offered == expected[row.runs], f"{row.name} runs {row.runs!r}; the file: {offered}"


@pytest.mark.parametrize("row", OPERATIONS, ids=_ids(OPERATIONS))
def test_each_row_sends_the_body_its_file_takes(row: Operation) -> None:
    body = operation_of(row).get("requestBody")
    if row.body == "none":
        assert body is None, row.name
        return
    assert body is not None, row.name
    assert list(body["content"]) == [CONTENT_TYPES[row.body]], row.name


@pytest.mark.parametrize("row", OPERATIONS, ids=_ids(OPERATIONS))
def test_a_row_has_a_poll_exactly_when_it_can_run_as_a_job(row: Operation) -> None:
    assert (row.poll is not None) == row.asynchronous, row.name
    if row.poll is not None:
        assert row.poll.api == row.api, row.name
        accepted = json_schema(row.api, responses(row.api, operation_of(row))["202"])
        assert row.job_id_field in accepted["properties"], row.name


@pytest.mark.parametrize("poll", POLLS, ids=_ids(POLLS))
def test_each_poll_is_a_get_path_of_its_file(poll: Poll) -> None:
    paths = document(poll.api)["paths"]
    where = file_path(poll.api, poll.path)
    assert "get" in paths.get(where, {}), f"{poll.target}: GET {where}"
    answers = responses(poll.api, resolve(document(poll.api), paths[where]["get"]))
    assert {"200", "202"} <= set(answers), poll.target
    data = json_schema(poll.api, answers["200"])["properties"]["data"]
    expected = {"list": "array", "object": "object"}[poll.data]
    assert resolve(document(poll.api), data).get("type") == expected, poll.target
    items = resolve(document(poll.api), data.get("items", {})).get("properties", {})
    assert ("status" in items) == poll.item_status, poll.target


def test_every_operation_of_the_four_files_is_offered_or_listed_as_not_yet() -> None:
    offered = {(row.api, row.method, file_path(row.api, row.path)) for row in OPERATIONS}
    offered |= {(poll.api, "GET", file_path(poll.api, poll.path)) for poll in POLLS}
    waiting = {(entry.api, entry.method, entry.path) for entry in NOT_YET_OFFERED}
    assert len(waiting) == len(NOT_YET_OFFERED), "an operation is listed twice"
    assert not offered & waiting, "listed as not yet offered, but the catalogue offers it"
    in_files = {(api, method, path) for api in FILES for method, path, _ in operations_of(api)}
    assert offered | waiting == in_files


# Fields


@pytest.mark.parametrize("row", POSTS, ids=_ids(POSTS))
def test_each_action_takes_the_fields_its_operation_takes(row: Operation) -> None:
    """Names, types, enums, bounds, defaults, deprecation and required fields."""
    assert unlisted(field_findings(row)) == []


def test_chat_messages_take_the_files_message_fields() -> None:
    (chat,) = (row for row in OPERATIONS if row.name == "chatCompletions")
    _, theirs, _ = request_schema(chat)
    items = in_schema("chatCompletions")["properties"]["messages"]["items"]["properties"]
    file_items = resolve(document("genai"), theirs["messages"]["items"])
    assert set(items) == set(file_items["properties"])
    required = set(file_items.get("required", []))
    assert unlisted(compare_fields(chat, file_items["properties"], required, items)) == []


@pytest.mark.parametrize("row", POSTS, ids=_ids(POSTS))
def test_field_texts_are_our_own(row: Operation) -> None:
    """A description copied from the file would tie our help to Picsart's wording."""
    _, theirs, _ = request_schema(row)
    for name, field in in_schema(row.name)["properties"].items():
        spec_text = " ".join(str(theirs.get(name, {}).get("description", "")).split())
        if len(spec_text) > 30:
            assert spec_text not in " ".join(field["description"].split()), f"{row.name}.{name}"


# The name lists

NAME_LISTS: list[tuple[str, str, tuple[str, ...], str | None]] = [
    ("chatCompletions", "model", choices.CHAT_MODELS, choices.CHAT_DEFAULT),
    ("textToImage", "model", choices.TEXT_TO_IMAGE_MODELS, choices.TEXT_TO_IMAGE_DEFAULT),
    ("textToSticker", "model", choices.TEXT_TO_STICKER_MODELS, choices.TEXT_TO_STICKER_DEFAULT),
    ("laserEngraving", "model", choices.LASER_ENGRAVING_MODELS, choices.LASER_ENGRAVING_DEFAULT),
    ("generateLogo", "model", choices.LOGO_MODELS, choices.LOGO_DEFAULT),
    ("editImage", "model", choices.IMAGE_TO_IMAGE_MODELS, choices.IMAGE_TO_IMAGE_DEFAULT),
    ("textToVideo", "model", choices.TEXT_TO_VIDEO_MODELS, choices.TEXT_TO_VIDEO_DEFAULT),
    ("imageToVideo", "model", choices.IMAGE_TO_VIDEO_MODELS, choices.IMAGE_TO_VIDEO_DEFAULT),
    ("textToSpeech", "model", choices.TEXT_TO_SPEECH_MODELS, choices.TEXT_TO_SPEECH_DEFAULT),
    ("textToSound", "model", choices.TEXT_TO_SOUND_MODELS, choices.TEXT_TO_SOUND_DEFAULT),
    ("classifyCar", "model", choices.CAR_MODELS, choices.CAR_MODELS_DEFAULT),
    ("applyEffect", "effect_name", choices.EFFECT_NAMES, None),
    ("effectPreviews", "effect_names", choices.EFFECT_NAMES, None),
    ("applyAiEffect", "effect_name", choices.AI_EFFECT_NAMES, None),
    ("applyMask", "mask", choices.MASK_NAMES, None),
    ("maskPreviews", "mask", choices.MASK_NAMES, None),
    ("applyMask", "blend", choices.MASK_BLENDS, None),
    ("applyMask", "mask_flip", choices.MASK_FLIPS, None),
    ("styleTransfer", "level", choices.STYLE_LEVELS, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "field", "names", "default"),
    NAME_LISTS,
    ids=[f"{action}.{field}" for action, field, _, _ in NAME_LISTS],
)
def test_each_name_list_is_its_files_enum(
    action: str, field: str, names: tuple[str, ...], default: str | None
) -> None:
    (row,) = (row for row in OPERATIONS if row.name == action)
    _, theirs, _ = request_schema(row)
    spec = theirs[field]
    values = resolve(document(row.api), spec.get("items", spec))
    assert names == tuple(values["enum"])
    if default is not None:
        assert default == spec["default"]


# The list of differences stays true


def _file_apis(entry: Difference) -> list[FileApi]:
    return list(APIS) if entry.api == "any" else [entry.api]


def _lists_status(entry: Difference) -> bool:
    """Whether a file lists the entry's status for an operation the entry covers."""
    return any(
        entry.subject in operation["responses"]
        for api in _file_apis(entry)
        for method, path, operation in operations_of(api)
        if entry.method in (method, "*") and entry.path in (path, "*")
    )


def _still_true(entry: Difference, findings: list[Finding]) -> bool:
    if entry.kind in FIELD_KINDS:
        return any(
            entry.covers(found.api, found.method, found.path, found.kind, found.subject)
            for found in findings
        )
    if entry.kind == "status":
        covered = [
            path
            for api in _file_apis(entry)
            for method, path, _ in operations_of(api)
            if entry.method in (method, "*") and entry.path in (path, "*")
        ]
        return bool(covered) and not _lists_status(entry)
    if entry.kind == "status word":
        return all(entry.subject not in status_enums(api) for api in _file_apis(entry))
    if entry.kind == "content type":
        return all(entry.subject not in content_types(api) for api in _file_apis(entry))
    assert entry.kind == "error body", entry
    errors = [document(api)["components"]["schemas"]["Error"] for api in _file_apis(entry)]
    return all(
        entry.subject not in error["properties"] and "detail" in error["required"]
        for error in errors
    )


def test_every_listed_difference_is_still_a_difference() -> None:
    findings = [found for row in POSTS for found in field_findings(row)]
    stale = [entry for entry in DIFFERENCES if not _still_true(entry, findings)]
    assert stale == [], "these differences are no longer true: remove them"
    assert len(set(DIFFERENCES)) == len(DIFFERENCES), "an entry is listed twice"


# The check itself catches what it is for


def _mutated(row: Operation, name: str, change: dict[str, Any] | None) -> list[Finding]:
    """The unlisted findings once the action's field ``name`` is changed (``None``: removed)."""
    _, theirs, required = request_schema(row)
    ours = {key: dict(value) for key, value in in_schema(row.name)["properties"].items()}
    if change is None:
        del ours[name]
    else:
        ours.setdefault(name, {}).update(change)
    return unlisted(compare_fields(row, theirs, required, ours))


def test_the_field_check_fails_on_each_kind_of_mismatch() -> None:
    (upscale,) = (row for row in OPERATIONS if row.name == "upscale")
    (zoom,) = (row for row in OPERATIONS if row.name == "zoomImage")
    (text,) = (row for row in OPERATIONS if row.name == "textToImage")
    cases: list[tuple[Operation, str, dict[str, Any] | None, str]] = [
        (upscale, "upscale_factor", {"enum": [2, 4, 6, 8, 16]}, "enum"),
        (upscale, "upscale_factor", {"enum": [4, 2, 6, 8]}, "enum order"),
        (upscale, "upscale_factor", {"required": False}, "required"),
        (upscale, "upscale_factor", {"type": "string"}, "type"),
        (upscale, "image", {"format": None}, "type"),
        (upscale, "format", {"default": "PNG"}, "default"),
        (upscale, "image_id", {"deprecated": False}, "deprecated"),
        (zoom, "scale_factor", {"maximum": 100}, "bound"),
        (text, "count", {"minimum": 0}, "bound"),
        (upscale, "format", None, "field not offered"),
        (upscale, "sharpen", {"type": "boolean"}, "field added"),
    ]
    for row, name, change, kind in cases:
        found = _mutated(row, name, change)
        assert [(f.kind, f.subject) for f in found] == [(kind, name)], (name, change)


def test_an_unlisted_difference_fails_and_a_listed_one_passes() -> None:
    listed = Finding("image", "POST", "/removebg", "field not offered", "model", "")
    assert unlisted([listed]) == []
    other = Finding("image", "POST", "/upscale", "field not offered", "model", "")
    assert unlisted([other]) == [other]
    findings = [found for row in POSTS for found in field_findings(row)]
    (model,) = (
        entry for entry in DIFFERENCES if entry.path == "/removebg" and entry.subject == "model"
    )
    assert _still_true(model, findings)
    gone = Difference("image", "POST", "/upscale", "enum", "format", "product spec", "")
    assert not _still_true(gone, findings)
    status = Difference("image", "POST", "/removebg", "status", "422", "production", "")
    assert not _still_true(status, [])
    word = Difference("any", "*", "*", "status word", "processing", "client alias", "")
    assert not _still_true(word, [])
