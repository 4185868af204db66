"""The catalogue's rows hold together: one name per operation, spelt one way from the row to the
action's module, every job with its poll, and the component and the sandbox reading the same
rows (the check against Picsart's files is in ``test_catalogue_against_openapi.py``)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from picsart_component.catalogue.operations import APIS, BY_NAME, OPERATIONS, POLLS
from picsart_component.lib.jobs import JOB_OPERATIONS
from picsart_component.lib.jobs import OPERATIONS as COMPONENT_OPERATIONS
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest
from picsart_component.sandbox import operations as served
from picsart_component.sandbox.options import PRICES

MANIFEST = load_manifest(COMPONENT_ROOT)
LOOKUPS = {
    "imageBalance": "accountBalance",
    "genaiBalance": "accountBalance",
    "videoBalance": "accountBalance",
    "vdBalance": "accountBalance",
}
"""Rows that no action of their own runs: the action that does."""
LIST_KINDS = {"listAiEffects": "listEffects"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def duplicates(values: list[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]


def test_each_name_target_and_route_is_used_once() -> None:
    assert duplicates([op.name for op in OPERATIONS]) == []
    assert duplicates([op.target for op in OPERATIONS] + [poll.target for poll in POLLS]) == []
    assert duplicates([f"{op.api} {op.method} {op.path}" for op in OPERATIONS]) == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_the_action_that_runs_a_row_has_its_name_in_every_spelling(operation: object) -> None:
    name = getattr(operation, "name", "")
    action = LOOKUPS.get(name) or LIST_KINDS.get(name) or name
    assert action in MANIFEST.actions, f"{name}: no action {action!r} in component.json"
    main = MANIFEST.action(action).main
    assert main == f"./actions/{snake(action)}.py"
    assert (COMPONENT_ROOT / main).is_file()


def test_jobs_have_polls_and_every_poll_serves_a_job() -> None:
    for op in OPERATIONS:
        assert (op.poll is not None) or not op.asynchronous, op.name
        if op.poll is not None:
            assert op.poll.api == op.api, op.name
            assert op.poll.path.endswith("{id}"), op.name
    used = {op.poll.target for op in OPERATIONS if op.poll is not None and op.asynchronous}
    assert used == {poll.target for poll in POLLS}
    assert set(JOB_OPERATIONS) == {op.name for op in OPERATIONS if op.asynchronous}


def test_the_component_and_the_sandbox_read_the_same_rows() -> None:
    assert COMPONENT_OPERATIONS is BY_NAME
    assert set(PRICES) == {op.target for op in OPERATIONS}
    for op in OPERATIONS:
        prefix = APIS[op.api].sandbox_prefix
        path = prefix + op.path.replace("{id}", "some-id")
        match = served.find(path, method=op.method)
        assert match is not None, op.name
        assert match.target == op.target
        assert op.method in match.allowed
    for poll in POLLS:
        match = served.find(APIS[poll.api].sandbox_prefix + poll.path.format(id="some-id"))
        assert match is not None
        assert match.target == poll.target


def test_every_action_that_calls_picsart_is_a_row_or_runs_rows() -> None:
    runs_rows = set(BY_NAME) | set(LOOKUPS.values()) | set(LIST_KINDS.values())
    not_one_operation = {"getJobResult", "makeRawRequest"}
    assert set(MANIFEST.actions) - runs_rows == not_one_operation
