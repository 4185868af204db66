"""Testing your own use of the component against the Picsart sandbox, not Picsart: copy this file.

With ``pip install "picsart-component[test]"`` pytest finds the ``picsart_sandbox`` fixture by
itself (without installing, add ``-p picsart_component.pytest_plugin``). Each test gets a fresh
sandbox on loopback; nothing leaves the machine and no credits are spent.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from picsart_component.lib.context import Services
from picsart_component.pytest_plugin import PicsartSandbox
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.messages import Message


def photo() -> bytes:
    """A small PNG: an orange square on white."""
    image = Image.new("RGB", (64, 48), "white")
    image.paste(Image.new("RGB", (32, 24), "orange"), (16, 12))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def remove_background(sandbox: PicsartSandbox, body: dict[str, object]) -> RunResult:
    """What your code does: run the component's Remove background action."""
    services = Services(
        environ=sandbox.environ(),  # the sandbox's PICSART_* variables, not your shell's
        route=sandbox.route,  # any other host is answered by the sandbox's stand-ins
        sleep=lambda seconds: None,  # retries wait no time
    )
    executor = Executor(services=services)
    return executor.run("removeBackground", Message(body=body), sandbox.cfg())


def test_remove_background_gives_a_cutout(picsart_sandbox: PicsartSandbox) -> None:
    uploaded = picsart_sandbox.upload(photo())

    result = remove_background(picsart_sandbox, {"image_url": uploaded["url"], "format": "PNG"})

    (message,) = result.of_kind("data")
    assert message.body["status"] == "success"
    assert message.body["data"]["url"].startswith(picsart_sandbox.root_url)
    (call,) = picsart_sandbox.request_log("removebg")
    assert call["status"] == 200
    assert call["fields"]["image_url"] == uploaded["url"]
    assert picsart_sandbox.credits == result.credits_left


@pytest.mark.picsart_sandbox(faults="503:next=1,path=removebg")
def test_a_503_is_retried(picsart_sandbox: PicsartSandbox) -> None:
    uploaded = picsart_sandbox.upload(photo())

    result = remove_background(picsart_sandbox, {"image_id": uploaded["id"]})

    assert result.ok
    assert [call["status"] for call in picsart_sandbox.request_log("removebg")] == [503, 200]


@pytest.mark.picsart_sandbox(credits=0)
def test_no_credits_fails_the_run(picsart_sandbox: PicsartSandbox) -> None:
    uploaded = picsart_sandbox.upload(photo())

    result = remove_background(picsart_sandbox, {"image_id": uploaded["id"]})

    assert result.failure is not None
    assert [call["status"] for call in picsart_sandbox.request_log("removebg")] == [402]
