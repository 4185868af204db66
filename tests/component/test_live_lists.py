"""The names Picsart lists (effects, AI effects) for the designer's dynamic metadata: live through
the one client, the catalogue's list with its reason when the call fails, one call an hour per
key and base URL, and the key in no cache key or message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from picsart_component.catalogue.choices import AI_EFFECT_NAMES, EFFECT_NAMES
from picsart_component.catalogue.operations import Api
from picsart_component.lib.client import ClientSettings
from picsart_component.lib.context import PicsartContext, Services
from picsart_component.lib.live_lists import (
    LIST_PATHS,
    LIVE_LISTS,
    MAX_AGE_SECONDS,
    NAMES_SOURCE_KEYWORD,
    ListName,
    LiveLists,
    cache_key,
    names_source,
)
from picsart_component.lib.ratelimit import Throttle
from picsart_component.pytest_plugin import PicsartSandbox
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.manifest import COMPONENT_ROOT
from picsart_component.runtime.messages import Message
from tests.catalogue.openapi_check import operations_of

BASE = "https://api.picsart.io/tools/1.0/"
OTHER_BASE = "https://api.picsart.io/tools/2.0/"
KEY = "live-lists-key-CANARY-0123456789"
LIVE = ["sketch1", "brandnew"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def fresh_lists() -> Iterator[None]:
    LIVE_LISTS.forget()
    yield
    LIVE_LISTS.forget()


def services(**changes: Any) -> Services:
    return Services(
        throttle=Throttle(1000, clock=lambda: 0.0, sleep=lambda seconds: None),
        sleep=lambda seconds: None,
        environ={},
        **changes,
    )


def context(
    key: str = KEY, base: str = BASE, found: Services | None = None, **cfg: Any
) -> PicsartContext:
    config = {"apiKey": key, "imageApiBaseUrl": base, **cfg}
    return PicsartContext(
        "applyEffect", Message(), config, lambda kind, payload: None, services=found or services()
    )


def listing(names: list[str]) -> dict[str, Any]:
    return {"status": "success", "data": [{"name": name} for name in names]}


@pytest.mark.parametrize(
    ("which", "static"), [("effects", EFFECT_NAMES), ("aiEffects", AI_EFFECT_NAMES)]
)
@responses.activate
def test_the_live_list_is_what_picsart_lists(which: ListName, static: tuple[str, ...]) -> None:
    responses.get(BASE + LIST_PATHS[which], json=listing(LIVE))
    found = LiveLists().names(which, context())
    assert (found.names, found.source, found.reason) == (tuple(LIVE), "live", None)
    assert found.names != static
    (call,) = responses.calls
    assert call.request.headers["X-Picsart-API-Key"] == KEY


FAILURES: list[tuple[str, dict[str, Any], str]] = [
    ("500", {"status": 500, "json": {"message": f"broken for {KEY}"}}, "Picsart answered 500"),
    ("401", {"status": 401, "json": {"message": "bad key"}}, "Picsart answered 401"),
    (
        "timeout",
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        "failed: no response within the timeout",
    ),
    (
        "bad JSON",
        {"status": 200, "body": "{not json", "content_type": "application/json"},
        "the answer is not a list of names",
    ),
    ("not names", {"status": 200, "json": {"data": [{"title": 1}]}}, "not a list of names"),
    ("empty", {"status": 200, "json": {"data": []}}, "not a list of names"),
]


@pytest.mark.parametrize(
    ("answer", "reason"), [case[1:] for case in FAILURES], ids=[case[0] for case in FAILURES]
)
@responses.activate
def test_a_failed_call_falls_back_to_the_catalogue_with_its_reason(
    answer: dict[str, Any], reason: str
) -> None:
    responses.get(BASE + "effects", **answer)
    found = LiveLists().names("effects", context())
    assert (found.names, found.source) == (EFFECT_NAMES, "static")
    assert found.reason is not None
    assert reason in found.reason
    assert "GET effects" in found.reason
    assert KEY not in found.reason
    assert len(responses.calls) == 1, "one attempt: the designer does not wait on retries"


@responses.activate
def test_a_failure_is_not_kept_so_the_next_call_asks_again() -> None:
    responses.get(BASE + "effects", status=503, json={})
    lists = LiveLists(clock=FakeClock())
    assert lists.names("effects", context()).source == "static"
    responses.replace(responses.GET, BASE + "effects", json=listing(LIVE))
    assert lists.names("effects", context()).source == "live"
    assert len(responses.calls) == 2


@responses.activate
def test_one_call_an_hour_per_key() -> None:
    responses.get(BASE + "effects", json=listing(LIVE))
    clock = FakeClock()
    lists = LiveLists(clock=clock)
    for seconds in (0, 1, MAX_AGE_SECONDS - 1):
        clock.now = 1_000.0 + seconds
        assert lists.names("effects", context()).names == tuple(LIVE)
    assert len(responses.calls) == 1
    clock.now = 1_000.0 + MAX_AGE_SECONDS
    assert lists.names("effects", context()).source == "live"
    assert len(responses.calls) == 2


@responses.activate
def test_another_key_base_url_or_list_is_another_entry() -> None:
    responses.get(BASE + "effects", json=listing(LIVE))
    responses.get(BASE + "effects/ai", json=listing(["cartoon1"]))
    responses.get(OTHER_BASE + "effects", json=listing(["other"]))
    lists = LiveLists(clock=FakeClock())
    asked: list[tuple[ListName, PicsartContext]] = [
        ("effects", context()),
        ("effects", context(key="another-key-0123456789")),
        ("effects", context(base=OTHER_BASE)),
        ("aiEffects", context()),
    ]
    found = [lists.names(which, ctx).names for which, ctx in asked]
    assert found == [tuple(LIVE), tuple(LIVE), ("other",), ("cartoon1",)]
    assert len(responses.calls) == 4
    for which, ctx in asked:
        lists.names(which, ctx)
    assert len(responses.calls) == 4, "each is kept"
    assert len(lists.cached_keys()) == 4


@responses.activate
def test_the_key_is_in_no_cache_key() -> None:
    responses.get(BASE + "effects", json=listing(LIVE))
    lists = LiveLists()
    lists.names("effects", context())
    ((which, hashed),) = lists.cached_keys()
    assert which == "effects"
    assert hashed == cache_key(KEY, BASE)
    assert KEY not in hashed
    assert len(hashed) == 64


@pytest.mark.parametrize(
    ("cfg", "reason"),
    [
        ({"apiKey": ""}, "no API key is configured"),
        ({}, "no API key is configured"),
        ({"apiKey": KEY, "imageApiBaseUrl": "ftp://example.com/"}, "Invalid credentials"),
    ],
)
def test_without_usable_credentials_the_catalogue_stands_in(
    cfg: dict[str, Any], reason: str
) -> None:
    ctx = PicsartContext("applyEffect", Message(), cfg, lambda kind, payload: None)
    found = LiveLists().names("effects", ctx)
    assert (found.names, found.source) == (EFFECT_NAMES, "static")
    assert found.reason is not None
    assert found.reason.startswith(reason)
    assert KEY not in found.reason


def schema_file(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((COMPONENT_ROOT / "schemas" / name).read_text())
    return loaded


ACTIONS = [
    ("applyEffect", "effects", "effect_name", False),
    ("applyAiEffect", "effects/ai", "effect_name", False),
    ("effectPreviews", "effects", "effect_names", True),
]


@pytest.mark.parametrize(("action", "path", "field", "is_list"), ACTIONS)
@responses.activate
def test_get_meta_model_is_the_schema_files_with_the_live_enum(
    action: str, path: str, field: str, is_list: bool
) -> None:
    responses.get(BASE + path, json=listing(LIVE))
    cfg = {"apiKey": KEY, "imageApiBaseUrl": BASE}
    meta = Executor(services=services()).call_module_method(action, "getMetaModel", cfg)
    assert names_source(meta) == ("live", None)
    assert meta["out"] == schema_file(f"{action}.out.json")
    expected = schema_file(f"{action}.in.json")
    prop = expected["properties"][field]
    (prop["items"] if is_list else prop)["enum"] = LIVE
    (prop["items"] if is_list else prop)[NAMES_SOURCE_KEYWORD] = {"source": "live", "reason": None}
    assert meta["in"] == expected
    assert set(meta) == {"in", "out"}
    # Still an in-metadata field the mapping fills, not a config field.
    manifest = json.loads((COMPONENT_ROOT / "component.json").read_text())
    entry = manifest["actions"][action]
    assert entry["dynamicMetadata"] is True
    assert field not in entry["fields"]


def test_only_the_actions_that_take_listed_names_have_dynamic_metadata() -> None:
    manifest = json.loads((COMPONENT_ROOT / "component.json").read_text())
    dynamic = sorted(
        name for name, entry in manifest["actions"].items() if "dynamicMetadata" in entry
    )
    assert dynamic == sorted(action for action, *_ in ACTIONS)


@responses.activate
def test_get_meta_model_falls_back_and_says_why() -> None:
    responses.get(BASE + "effects", status=500, json={"message": "down"})
    cfg = {"apiKey": KEY, "imageApiBaseUrl": BASE}
    meta = Executor(services=services()).call_module_method("applyEffect", "getMetaModel", cfg)
    assert names_source(meta) == ("static", "Picsart answered 500 to GET effects")
    effect_name = meta["in"]["properties"]["effect_name"]
    assert effect_name.pop(NAMES_SOURCE_KEYWORD) == {
        "source": "static",
        "reason": "Picsart answered 500 to GET effects",
    }
    assert meta["in"] == schema_file("applyEffect.in.json")
    assert KEY not in json.dumps(meta)


def sandbox_services(sandbox: PicsartSandbox) -> Services:
    return services(route=sandbox.route, settings=ClientSettings(read_timeout=5))


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("500:path=effects-list", "Picsart answered 500 to GET effects"),
        ("html:status=502,headers=true,path=effects-list", "Picsart answered 502 to GET effects"),
        ("drop:path=effects-list", "GET effects failed: connection"),
        ("truncate:path=effects-list", "GET effects failed"),
    ],
)
def test_a_fault_on_the_sandboxs_list_brings_the_fallback(
    picsart_sandbox: PicsartSandbox, fault: str, reason: str
) -> None:
    executor = Executor(services=sandbox_services(picsart_sandbox))
    cfg = picsart_sandbox.cfg()
    meta = executor.call_module_method("applyEffect", "getMetaModel", cfg)
    assert names_source(meta) == ("live", None)
    assert meta["in"]["properties"]["effect_name"]["enum"] == list(EFFECT_NAMES)
    LIVE_LISTS.forget()
    picsart_sandbox.set_faults(fault)
    meta = executor.call_module_method("applyEffect", "getMetaModel", cfg)
    source, why = names_source(meta)
    assert source == "static"
    assert why is not None
    assert why.startswith(reason), why
    assert picsart_sandbox.api_key not in why
    # The AI effects' list is another path: the fault does not reach it.
    ai = executor.call_module_method("applyAiEffect", "getMetaModel", cfg)
    assert (names_source(ai)[0], ai["in"]["properties"]["effect_name"]["enum"]) == (
        "live",
        list(AI_EFFECT_NAMES),
    )


def test_the_lists_are_every_name_list_picsarts_files_offer() -> None:
    """The vendored OpenAPI files list names at GET /effects and /effects/ai only (no model list
    has an endpoint); a new list in a file fails here until the component offers it."""
    name_lists = set()
    apis: tuple[Api, ...] = ("image", "genai", "video")
    for api in apis:
        for method, path, _operation in operations_of(api):
            if method == "GET" and "{" not in path and path != "/balance":
                name_lists.add((api, path))
    assert name_lists == {("image", "/" + path) for path in LIST_PATHS.values()}
