"""``catalogue.statuses`` against the vendored files: 422 exactly where an operation lists it."""

from __future__ import annotations

from picsart_component.catalogue.operations import OPERATIONS
from picsart_component.catalogue.statuses import LISTS_NO_422, refusal_status
from tests.catalogue.openapi_check import operation_of


def test_the_operations_listing_no_422_are_the_files() -> None:
    listing_none = {row.name for row in OPERATIONS if "422" not in operation_of(row)["responses"]}
    assert listing_none == LISTS_NO_422


def test_each_refusal_status_is_one_its_file_lists() -> None:
    for row in OPERATIONS:
        assert str(refusal_status(row.name)) in operation_of(row)["responses"], row.name
    assert refusal_status("textToImage") == 400
    assert refusal_status("addWatermark") == 400
    assert refusal_status("removeBackground") == 422
