"""``service getMetaModel``: the platform's dynamic metadata for the actions that take the names
Picsart lists, through the sailor's service path (in-process with ``responses``, and as the
platform runs it, a process posting to the fake platform against the sandbox), and the service
calls of ours and of the reference Node.js sailor side by side on twin components."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from picsart_component.catalogue.choices import EFFECT_NAMES
from picsart_component.lib.live_lists import LIVE_LISTS, names_source
from picsart_component.pytest_plugin import PicsartSandbox
from picsart_component.runtime.manifest import COMPONENT_ROOT
from picsart_component.sailor.service import service_result
from tests.helpers import FakeTime, make_services
from tests.sailor.amqp_harness import PY_RELAY, run_node_service, run_python_service, service_env
from tests.sailor.fake_platform import FakePlatform

pytestmark = pytest.mark.usefixtures("keep_logging")

BASE = "https://api.picsart.io/tools/1.0/"
KEY = "meta-model-key-CANARY-0123456789"
SERVICE_ENV = {
    "ELASTICIO_API_URI": "http://127.0.0.1:9",
    "ELASTICIO_API_USERNAME": "user",
    "ELASTICIO_API_KEY": "key",
}
LIVE = ["sketch1", "brandnew"]


@pytest.fixture(autouse=True)
def fresh_lists() -> Iterator[None]:
    LIVE_LISTS.forget()
    yield
    LIVE_LISTS.forget()


def get_meta_model(action: str, cfg: dict[str, Any]) -> dict[str, Any]:
    environ = {
        **SERVICE_ENV,
        "ELASTICIO_CFG": json.dumps(cfg),
        "ELASTICIO_ACTION_OR_TRIGGER": action,
    }
    return service_result("getMetaModel", environ, COMPONENT_ROOT, make_services(FakeTime()))


@pytest.mark.parametrize(
    ("action", "path", "field"),
    [
        ("applyEffect", "effects", "effect_name"),
        ("applyAiEffect", "effects/ai", "effect_name"),
        ("effectPreviews", "effects", "effect_names"),
    ],
)
@responses.activate
def test_get_meta_model_answers_the_in_schema_with_the_live_names(
    action: str, path: str, field: str
) -> None:
    responses.get(BASE + path, json={"data": [{"name": name} for name in LIVE]})
    found = get_meta_model(action, {"apiKey": KEY})
    assert found["status"] == "success"
    data = found["data"]
    prop = data["in"]["properties"][field]
    assert (prop.get("items") or prop)["enum"] == LIVE
    assert data["out"]["type"] == "object"
    assert names_source(data) == ("live", None)
    assert responses.calls[0].request.headers["X-Picsart-API-Key"] == KEY


@responses.activate
def test_get_meta_model_falls_back_to_the_catalogue_and_still_succeeds() -> None:
    responses.get(BASE + "effects", status=500, json={"message": f"down for {KEY}"})
    found = get_meta_model("applyEffect", {"apiKey": KEY})
    assert found["status"] == "success"
    assert found["data"]["in"]["properties"]["effect_name"]["enum"] == list(EFFECT_NAMES)
    assert names_source(found["data"]) == ("static", "Picsart answered 500 to GET effects")
    assert KEY not in json.dumps(found)


def test_an_action_without_dynamic_metadata_is_refused_in_the_references_words() -> None:
    assert get_meta_model("upscale", {"apiKey": KEY}) == {
        "status": "error",
        "data": {"message": 'Method "getMetaModel" is not found in "upscale" action or trigger'},
    }


@pytest.mark.parametrize(
    ("faults", "source"),
    [(None, "live"), ("500:path=effects-list", "static"), ("drop:path=effects-list", "static")],
)
def test_the_sailors_process_posts_the_meta_model_from_the_sandbox(
    picsart_sandbox: PicsartSandbox,
    fake_platform: FakePlatform,
    faults: str | None,
    source: str,
) -> None:
    if faults:
        picsart_sandbox.set_faults(faults)
    env = service_env(
        fake_platform,
        cfg=picsart_sandbox.cfg(),
        component_path=str(COMPONENT_ROOT),
        action_or_trigger="applyEffect",
    )
    done = run_python_service("getMetaModel", env)
    assert done.returncode == 0, done.stderr
    ((result),) = fake_platform.results
    assert result["status"] == "success"
    assert names_source(result["data"])[0] == source
    assert result["data"]["in"]["properties"]["effect_name"]["enum"] == list(EFFECT_NAMES)
    assert (names_source(result["data"])[1] is None) == (source == "live")
    assert len(picsart_sandbox.request_log("effects")) == 1
    assert picsart_sandbox.api_key not in done.stdout + done.stderr


NODE_HOOKS = """'use strict';
exports.process = async function process(msg) { return msg; };
exports.getMetaModel = async function getMetaModel(cfg) {
    return { in: { type: 'object' }, out: { type: 'object', properties: { n: {} } } };
};
exports.listThings = async function listThings(cfg) { return { a: 'Thing A', b: 'Thing B' }; };
"""


@pytest.fixture
def node_hooks_component(tmp_path: Path) -> Path:
    """The Node twin of the Python relay's ``hooks`` action, for service calls."""
    root = tmp_path / "node-hooks"
    (root / "lib" / "actions").mkdir(parents=True)
    (root / "lib" / "actions" / "hooks.js").write_text(NODE_HOOKS, encoding="utf-8")
    (root / "package.json").write_text('{"name": "node-hooks", "version": "1.0.0"}')
    manifest = {
        "title": "Hooks (test component)",
        "description": "The Node twin of the Python relay's hooks action.",
        "actions": {"hooks": {"title": "Hooks", "main": "./lib/actions/hooks.js"}},
    }
    (root / "component.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("method", "model_method"),
    [("getMetaModel", None), ("selectModel", "listThings"), ("selectModel", "nothing")],
)
def test_our_service_calls_post_what_the_references_post(
    node_sailor: Path,
    fake_platform: FakePlatform,
    node_hooks_component: Path,
    method: str,
    model_method: str | None,
) -> None:
    posted = []
    for run, component in (
        (run_node_service, node_hooks_component),
        (run_python_service, PY_RELAY),
    ):
        env = service_env(
            fake_platform,
            cfg={"apiKey": "whatever"},
            component_path="",
            action_or_trigger="hooks",
            get_model_method=model_method,
        )
        done = run(method, env, component)
        assert done.returncode == 0, done.stderr
        posted.append(fake_platform.results.pop())
    node, ours = posted
    assert ours == node
    if model_method == "nothing":
        assert (
            node["data"]["message"] == 'Method "nothing" is not found in "hooks" action or trigger'
        )
    else:
        assert node["status"] == "success"
