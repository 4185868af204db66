"""A request the GenAI API refuses: the sandbox answers 400, as the GenAI file lists (it lists no
422), and the component reports it as an input error naming Picsart's detail, sent once, free."""

from __future__ import annotations

from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from tests.e2e import SandboxHarness


def test_a_genai_refusal_is_a_400_input_error_sent_once_and_free(harness: SandboxHarness) -> None:
    manifest = load_manifest(COMPONENT_ROOT)
    example = load_module(COMPONENT_ROOT, manifest.action("generateLogo").main).EXAMPLE
    body = {**example, "reference_image_id": "0" * 32}
    (error,) = harness.run("generateLogo", body).of_kind("error")
    assert (error["name"], error["status"]) == ("RequestValidationError", 400)
    assert "reference_image_id '00000000000000000000000000000000' is unknown" in error["message"]
    (call,) = harness.calls("/v1/logo")  # a refusal is never retried
    assert call["status"] == 400
    assert error["correlationId"] == call["correlation_id"]
    assert harness.sandbox.state()["credits"] == 1000
