"""Mappings: what a JSONata body reads, what it gives, and how a failing one ends an item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from picsart_component.flows.evaluation import InProcessEvaluator
from picsart_component.flows.mapping import MappingError, StepBody, root_names
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import invoke, results, write_items


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ('{"image_url": input.url, "format": "PNG"}', {"input"}),
        ("cutout.data.url", {"cutout"}),
        ("$.cutout.data.url", {"cutout"}),
        ('$$.cutout[0].data.url & "?x"', {"cutout"}),
        ('input.url ? "a" : $lowercase(big.data.url)', {"input", "big"}),
        ("($x := input; $x.url)", {"input"}),
        ("input.items[price > 3].url", {"input"}),
        ("$map(input.urls, function($u) { {'image_url': $u, 'x': other} })", {"input"}),
        ('{"x": input.items.{ "n": name }}', {"input"}),
        ("input.items{name: price}", {"input"}),
        ("input[url = other].x", {"input"}),
        ("$string(typo)", {"typo"}),
        ('"fixed"', set()),
    ],
)
def test_root_names_are_the_names_read_from_the_document(expression: str, names: set[str]) -> None:
    assert root_names(expression) == names


def evaluate(expression: str, document: dict[str, Any]) -> dict[str, Any]:
    return StepBody(expression=expression).evaluate(document, InProcessEvaluator())


def test_a_body_reads_the_item_and_earlier_outputs() -> None:
    document = {"input": {"url": "https://x.test/a.png"}, "cutout": {"data": {"url": "u"}}}
    body = '{"image_url": cutout.data.url, "source": input.url, "n": 2}'
    assert evaluate(body, document) == {
        "image_url": "u",
        "source": "https://x.test/a.png",
        "n": 2,
    }


def test_an_undefined_value_leaves_its_field_out() -> None:
    """So one body serves items with different fields (a folder's image, a CSV's url)."""
    body = '{"image": input.image, "image_url": input.url}'
    assert evaluate(body, {"input": {"url": "u"}}) == {"image_url": "u"}
    assert evaluate(body, {"input": {"image": "i"}}) == {"image": "i"}


def test_numbers_that_are_whole_become_integers() -> None:
    """JSONata has one number type; the actions' schemas tell integers apart."""
    body = '{"upscale_factor": $number(input.factor) * 2, "ratio": input.ratio}'
    result = evaluate(body, {"input": {"factor": "1", "ratio": 0.5}})
    assert result == {"upscale_factor": 2, "ratio": 0.5}
    assert type(result["upscale_factor"]) is int


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("input.url", "the body expression gave a string; it must give a JSON object"),
        ("[1, 2]", "the body expression gave an array; it must give a JSON object"),
        ("input.missing", "the body expression gave nothing (undefined)"),
        ('$error("no url")', "the body expression failed: no url"),
        ('"a" + 1', "the body expression failed: The left side of the + operator"),
    ],
)
def test_a_body_that_cannot_be_an_input_is_a_mapping_error(expression: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        evaluate(expression, {"input": {"url": "u"}})
    assert str(caught.value).startswith(message)


def test_a_fixed_body_is_a_fresh_copy_each_time() -> None:
    body = StepBody(fixed={"url": "balance", "method": "GET", "data": {"a": [1]}})
    first = body.evaluate({"input": {}}, InProcessEvaluator())
    first["data"]["a"].append(2)
    assert body.evaluate({"input": {}}, InProcessEvaluator()) == {
        "url": "balance",
        "method": "GET",
        "data": {"a": [1]},
    }


def test_a_mapping_failure_ends_the_item_at_its_step_without_a_call(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str
) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "- id: cutout\n"
        "  action: removeBackground\n"
        "  body: '{\"image_url\": input.url}'\n"
        "- id: large\n"
        "  action: upscale\n"
        '  body: \'{"image_url": cutout.data.url, "upscale_factor": $number(input.factor)}\'\n'
        "- id: never\n"
        "  action: upscale\n"
        "  body: 'input.url'\n",
        encoding="utf-8",
    )
    items = tmp_path / "items.jsonl"
    write_items(items, photo_url, 1)
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    assert result.exit_code == 1
    (line,) = results(out)
    assert line["status"] == "failed"
    assert list(line["steps"]) == ["cutout"]
    assert line["error"]["step"] == "large"
    assert line["error"]["name"] == "InputError"
    assert "$.upscale_factor" in line["error"]["message"]
    paid = [e["path"] for e in sandbox.request_log() if e["path"] != "/tools/1.0/balance"]
    assert paid == ["/tools/1.0/removebg"]

    flow.write_text(
        flow.read_text(encoding="utf-8").replace("$number(input.factor)", "2"), encoding="utf-8"
    )
    out.unlink()
    (out.parent / (out.name + ".journal")).unlink()
    result = invoke("run", str(flow), "--input", str(items), "--out", str(out))
    (line,) = results(out)
    assert line["error"]["step"] == "never"
    assert line["error"]["name"] == "MappingError"
    assert line["error"]["message"].startswith("the body expression gave a string")
    assert list(line["steps"]) == ["cutout", "large"]
