"""The sandbox's two tables by operation name: every operation that takes a body has one parser
of its inputs (``params.PARSERS``) and one piece of work (``work.WORK``), and nothing else has
either, so that a catalogue row without them fails here rather than as a 500."""

from __future__ import annotations

from picsart_component.sandbox import params, work
from picsart_component.sandbox.operations import OPERATIONS


def test_every_operation_with_a_body_has_one_parser_and_one_work() -> None:
    with_body = {operation.key for operation in OPERATIONS if operation.method == "POST"}
    assert set(params.PARSERS) == with_body
    assert set(work.WORK) == with_body
