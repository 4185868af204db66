"""Property-based fuzzing of every action's input, with strategies derived from its in-schema.

What must hold, for every action (see ``tests/component/fuzz_strategies.py`` for how bodies
are made):

- A valid body has no input problems, and the action's model reads it back unchanged.
- A valid image body sends exactly the fields the user set, encoded as Picsart expects
  (``true``/``false``, plain decimal integers, strings as given), with the ``image``/``bg_image``
  files uploaded byte for byte; a valid raw request goes to the joined URL with its method and
  JSON data.
- An invalid body (one to three rules broken) and a body that is no object at all give exactly one
  ``error`` event naming the broken fields (``$`` for a non-object), never raise, and send nothing:
  no request reaches ``responses`` and no socket is connected.

Every example runs offline: Picsart is mocked with ``responses``, images come from a temporary
local store, DNS is a stub and ``socket.connect`` raises.
"""

from __future__ import annotations

import io
import json
import re
import socket
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pydantic import BaseModel
from requests_toolbelt.multipart.decoder import MultipartDecoder

from picsart_component.lib.errors import Problem
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from picsart_component.runtime.messages import Event, Message
from tests.component.fuzz_strategies import (
    KNOWLEDGE,
    MODEL_RULES,
    ODD_TEXT,
    Rules,
    Schema,
    action_keys,
    class_key,
    http_urls,
    in_schema,
    invalid_bodies,
    mutations,
    not_in_enum,
    not_objects,
    out_of_range,
    rules_for,
    types_of,
    valid_bodies,
    values,
)
from tests.helpers import API_KEY, BASE_URL, FakeTime, make_services

settings.register_profile(
    "picsart-fuzz",
    deadline=None,
    print_blob=True,
    # The conftest's autouse fixture only resets shared throttles, which no example here fills;
    # 100 000-character strings can make a draw slow on a busy machine.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile("picsart-fuzz")
"""Used as the parent of each test's settings, not loaded, so other test modules keep theirs."""

ACTIONS = action_keys()
IMAGE_ENDPOINTS = {"removeBackground": BASE_URL + "removebg", "upscale": BASE_URL + "upscale"}
PICSART_ANSWER = {"status": "success", "data": {"id": "r", "url": "https://cdn.picsart.io/r.png"}}
CFG = {"apiKey": API_KEY}
IMAGE_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
}


SPEC_ACTIONS = ("makeRawRequest", "removeBackground", "upscale")


def budget(action: str, examples: int) -> int:
    """The spec's own three actions get every example; the other 49, which share their fields
    and rules through lib (and are checked against the OpenAPI files elsewhere), a sixth of them,
    so that the suite stays within its time."""
    return examples if action in SPEC_ACTIONS else examples // 6


@cache
def schema_of(action: str) -> Schema:
    return in_schema(action)


@cache
def input_model(action: str) -> type[BaseModel]:
    module = load_module(COMPONENT_ROOT, load_manifest(COMPONENT_ROOT).action(action).main)
    model: type[BaseModel] = module.Input
    return model


def rules_of(action: str) -> Rules:
    return rules_for(action, input_model(action))


@dataclass(frozen=True)
class World:
    """One offline executor and the files of its store, shared by every example of the module."""

    executor: Executor
    stored: dict[str, tuple[str, bytes]]
    """Store URL -> (content type, bytes) of each image saved in the local store."""
    temp_dir: Path


def _image(image_format: str) -> bytes:
    """An 8x6 image: small enough for any upscale factor."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "orange").save(out, image_format)
    return out.getvalue()


def _no_dns(host: str, port: int) -> list[str]:
    raise OSError(f"no DNS in the fuzz tests ({host})")


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError("the fuzz tests must not open a real connection")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("fuzz")
    store = LocalStore(root / "store")
    stored: dict[str, tuple[str, bytes]] = {}
    for image_format, content_type in IMAGE_FORMATS.items():
        content = _image(image_format)
        stored[store.save([content], content_type).url] = (content_type, content)
    temp_dir = root / "tmp"
    temp_dir.mkdir()
    fake_time = FakeTime()
    services = make_services(fake_time, store=store, resolver=_no_dns)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket.socket, "connect_ex", _refuse)
        patch.setattr(tempfile, "tempdir", str(temp_dir))
        yield World(Executor(services=services), stored, temp_dir)


def run_offline(executor: Executor, action: str, body: Any) -> tuple[list[Event], int]:
    """Run with Picsart mocked but nothing registered: the events and how many requests tried."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        result = executor.run(action, Message.model_construct(body=body), CFG)
        return result.events, len(mock.calls)


def one_input_error(events: list[Event]) -> list[dict[str, str]]:
    assert [event.kind for event in events] == ["error"], events
    payload = events[0].payload
    assert payload["name"] == "InputError", payload
    problems: list[dict[str, str]] = payload["problems"]
    assert problems, payload
    assert all(problem["path"].startswith("$") and problem["rule"] for problem in problems)
    return problems


def names_a_field(path: str, fields: set[str]) -> bool:
    return any(
        path == f"$.{name}" or path.startswith((f"$.{name}.", f"$.{name}[")) for name in fields
    )


# ---------------------------------------------------------------------------------------------
# The strategies themselves


def test_the_knowledge_layer_names_only_fields_of_the_schemas() -> None:
    assert set(KNOWLEDGE) <= set(ACTIONS)
    for action in ACTIONS:
        assert rules_of(action).fields() <= set(schema_of(action)["properties"]), action


def own_rules(model: type[BaseModel]) -> list[type]:
    """The classes of ``model`` that check cross-field rules and are not ``lib``'s inputs."""
    return [
        cls
        for cls in model.__mro__
        if "cross_field_problems" in cls.__dict__ and class_key(cls) not in MODEL_RULES
    ]


def test_an_action_has_a_row_of_knowledge_exactly_when_its_model_adds_rules() -> None:
    with_rules = {action for action in ACTIONS if own_rules(input_model(action))}
    assert set(KNOWLEDGE) == with_rules
    # Upscale is built on lib's image input alone: a copy of it needs no row.
    assert "upscale" not in KNOWLEDGE
    assert rules_of("upscale") == Rules(
        exactly_one=(("image", "image_url", "image_id"),),
        http_only=("image_url",),
        downloads=("image",),
    )


def test_a_model_with_rules_of_its_own_and_no_row_is_named_with_the_remedy() -> None:
    class Input(input_model("upscale")):  # type: ignore[misc]
        @classmethod
        def cross_field_problems(cls, body: Mapping[str, Any]) -> list[Problem]:
            return []

    with pytest.raises(LookupError, match="write them as a row of KNOWLEDGE"):
        rules_for("copiedUpscale", Input)


def test_a_const_is_the_one_valid_value_and_its_breakers_draw_others() -> None:
    const = {"type": "integer", "const": 2, "required": True}
    schema = {"type": "object", "properties": {"factor": const}, "additionalProperties": False}
    others = not_in_enum(const)
    assert others is not None

    @settings(FUZZ, max_examples=30, database=None)
    @given(values(const), valid_bodies(schema, Rules()), others)
    def check(value: int, body: dict[str, Any], other: Any) -> None:
        assert value == 2
        assert body == {"factor": 2}
        assert other != 2

    check()


def test_a_field_added_to_a_schema_is_fuzzed_without_touching_the_tests() -> None:
    schema = dict(schema_of("upscale"))
    added = {"type": "integer", "minimum": 1, "maximum": 3, "required": True}
    schema["properties"] = {**schema["properties"], "sharpness": added}
    rules = rules_of("upscale")
    before = mutations(schema_of("upscale"), rules, {}, set())
    after = mutations(schema, rules, {"sharpness": 2}, set())
    added_ways = {kind: len(after[kind]) - len(before.get(kind, [])) for kind in after}
    assert {kind: n for kind, n in added_ways.items() if n} == {
        "wrong type": 1,
        "null": 1,
        "out of range": 1,
        "required": 1,
    }

    outside_range = out_of_range(added)
    assert outside_range is not None

    @settings(FUZZ, max_examples=20, database=None)
    @given(valid_bodies(schema, rules), outside_range)
    def check(body: dict[str, Any], outside: int) -> None:
        assert body["sharpness"] in (1, 2, 3)
        assert outside not in (1, 2, 3)

    check()


# ---------------------------------------------------------------------------------------------
# Valid bodies


def check_valid_bodies(
    executor: Executor, action: str, schema: Schema, model: type[BaseModel], examples: int
) -> None:
    """Valid bodies of ``action`` have no problems, and its model reads each back unchanged."""
    rules = rules_for(action, model)

    @settings(FUZZ, max_examples=examples)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        body = data.draw(valid_bodies(schema, rules), label="body")
        assert executor.input_problems(action, body, CFG) == []
        dumped = model.model_validate(body).model_dump(mode="json", exclude_unset=True)
        # JSON text tells True from 1 and 1 from 1.0, which == does not.
        assert json.dumps(dumped, sort_keys=True) == json.dumps(body, sort_keys=True)

    check()


@pytest.mark.parametrize("action", ACTIONS)
def test_a_valid_body_has_no_problems_and_the_model_reads_it_unchanged(
    world: World, action: str
) -> None:
    check_valid_bodies(
        world.executor, action, schema_of(action), input_model(action), budget(action, 150)
    )


def form_text(value: Any) -> str:
    """A value as Picsart expects it in a form field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    assert isinstance(value, int | str), value
    return str(value)


def sent_parts(call: Any) -> list[tuple[str, Any]]:
    """The multipart form of a call, in order: text values, or (content type, bytes) of files."""
    body: Any = call.request.body
    raw = body.read() if hasattr(body, "read") else body
    parts: list[tuple[str, Any]] = []
    for part in MultipartDecoder(raw, call.request.headers["Content-Type"]).parts:
        disposition = part.headers[b"Content-Disposition"].decode()
        name = disposition.split('name="')[1].split('"')[0]
        if "filename=" in disposition:
            parts.append((name, (part.headers[b"Content-Type"].decode(), part.content)))
        else:
            parts.append((name, part.text))
    return parts


@pytest.mark.parametrize("action", sorted(IMAGE_ENDPOINTS))
@settings(FUZZ, max_examples=120)
@given(data=st.data())
def test_a_valid_image_body_sends_exactly_the_fields_set_encoded_as_picsart_expects(
    world: World, action: str, data: st.DataObject
) -> None:
    schema, rules = schema_of(action), rules_of(action)
    stored = st.sampled_from(sorted(world.stored))
    body = data.draw(valid_bodies(schema, rules, stored), label="body")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(IMAGE_ENDPOINTS[action], json=PICSART_ANSWER)
        result = world.executor.run(action, Message(body=body), CFG)
        assert [event.kind for event in result.events] == ["data"], result.events
        (call,) = mock.calls
        parts = sent_parts(call)
    names = [name for name, _ in parts]
    assert len(names) == len(set(names)), f"a field sent twice: {names}"
    expected = {
        name: world.stored[value] if name in rules.downloads else form_text(value)
        for name, value in body.items()
    }
    assert dict(parts) == expected
    for name, value in parts:
        if "integer" in types_of(schema["properties"][name]):
            assert re.fullmatch(r"-?[0-9]+", value), (name, value)
    assert list(world.temp_dir.iterdir()) == [], "temporary copies are removed"


def joined(url: str) -> str:
    """Where a path goes, by the README: onto the base URL, its stray slashes dropped."""
    if url.startswith("https://"):
        return url
    path, separator, query = url.partition("?")
    segments = [segment for segment in path.split("/") if segment]
    return BASE_URL + "/".join(segments) + separator + query


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_a_valid_raw_request_goes_to_the_joined_url_with_its_method_and_data(
    world: World, data: st.DataObject
) -> None:
    body = data.draw(valid_bodies(schema_of("makeRawRequest"), rules_of("makeRawRequest")))
    with responses.RequestsMock() as mock:
        mock.add(body["method"], re.compile(r".*"), json={"ok": True})
        result: RunResult = world.executor.run("makeRawRequest", Message(body=body), CFG)
        assert [event.kind for event in result.events] == ["data"], result.events
        (call,) = mock.calls
    assert call.request.method == body["method"]
    assert call.request.url == joined(body["url"])
    for name, value in body.get("headers", {}).items():
        assert call.request.headers[name] == value
    if body["method"] == "POST" and "data" in body:
        assert call.request.headers["Content-Type"] == "application/json"
        assert isinstance(call.request.body, bytes)
        assert json.loads(call.request.body) == body["data"]
    elif body["method"] == "POST" and body.get("form"):
        assert dict(sent_parts(call)) == {k: form_text(v) for k, v in body["form"].items()}
    else:
        assert not call.request.body


URL_TEXT = st.one_of(
    st.text(min_size=1),
    st.sampled_from([text for text in ODD_TEXT if text]),
    st.from_regex(r"([a-z]{1,6}:)?/{0,3}[][a-z0-9.:@%?#/-]{1,24}", fullmatch=True),
    http_urls(),
)
"""Any text the schema lets through ``url``, URL-like text with brackets and ports made likely."""


@settings(FUZZ, max_examples=150)
@given(url=URL_TEXT)
def test_any_url_text_is_sent_only_to_picsart_or_refused_naming_the_url(
    world: World, url: str
) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add("GET", re.compile(r".*"), json={})
        body = {"url": url, "method": "GET"}
        events = world.executor.run("makeRawRequest", Message(body=body), CFG).events
        hosts = [urlsplit(str(call.request.url)) for call in mock.calls]
    if [event.kind for event in events] == ["data"]:
        ((scheme, host, *_),) = hosts
        assert scheme == "https"
        assert host == "api.picsart.io" or host.endswith(".picsart.io"), host
    else:
        assert {problem["path"] for problem in one_input_error(events)} == {"$.url"}
        assert hosts == []


# ---------------------------------------------------------------------------------------------
# Invalid bodies


def check_invalid_bodies(
    executor: Executor, action: str, schema: Schema, model: type[BaseModel], examples: int
) -> None:
    """An invalid body of ``action`` gives one error naming each broken field, and sends
    nothing."""
    rules = rules_for(action, model)

    @settings(FUZZ, max_examples=examples)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        body, breakages = data.draw(invalid_bodies(schema, rules), label="body")
        events, requests_tried = run_offline(executor, action, body)
        paths = {problem["path"] for problem in one_input_error(events)}
        fields = set(body) | set(schema["properties"])
        assert all(names_a_field(path, fields) for path in paths), paths
        # A value no JSON can hold is reported alone; otherwise every breakage is named.
        for breakage in [b for b in breakages if b.alone] or breakages:
            assert paths & {f"$.{name}" for name in breakage.fields}, (breakage, paths)
        assert requests_tried == 0

    check()


@pytest.mark.parametrize("action", ACTIONS)
def test_an_invalid_body_gives_one_error_naming_each_broken_field_and_sends_nothing(
    world: World, action: str
) -> None:
    check_invalid_bodies(
        world.executor, action, schema_of(action), input_model(action), budget(action, 200)
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_a_body_that_is_not_an_object_gives_one_error_at_the_root_and_sends_nothing(
    world: World, action: str
) -> None:
    @settings(FUZZ, max_examples=budget(action, 80))
    @given(body=not_objects())
    def check(body: Any) -> None:
        events, requests_tried = run_offline(world.executor, action, body)
        assert {problem["path"] for problem in one_input_error(events)} == {"$"}
        assert requests_tried == 0

    check()
