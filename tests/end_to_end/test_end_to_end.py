"""The three actions and verifyCredentials against the sandbox over real sockets."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from picsart_component.sandbox import start_sandbox
from tests.e2e import SandboxHarness, png


def stored_image(h: SandboxHarness, url: str) -> Image.Image:
    with h.store.read(url) as chunks:
        return Image.open(io.BytesIO(b"".join(chunks)))


def test_verify_credentials_reads_the_balance(harness: SandboxHarness) -> None:
    assert harness.executor.verify_credentials(harness.cfg) == {"verified": True, "credits": 1000}
    assert harness.validator.count == 1


def test_verify_credentials_reports_a_refused_key() -> None:
    with start_sandbox(quiet=True, api_key="the-right-key") as sandbox:
        from picsart_component.runtime.executor import Executor

        result = Executor().verify_credentials(
            {"apiKey": "a-wrong-key", "imageApiBaseUrl": sandbox.base_url}
        )
    assert result["verified"] is False
    assert result["status"] == 401
    assert result["correlationId"]
    assert result["reason"]


def test_raw_request_get_and_404_both_ways(harness: SandboxHarness) -> None:
    (ok,) = harness.run("makeRawRequest", {"url": "/balance", "method": "GET"}).of_kind("data")
    assert ok.body["responseBody"] == {"credits": 1000}
    assert ok.body["headers"]["X-Picsart-Credit-Available"] == "1000"
    (error,) = harness.run("makeRawRequest", {"url": "nope", "method": "GET"}).of_kind("error")
    assert (error["name"], error["status"]) == ("NotFoundError", 404)
    (data,) = harness.run(
        "makeRawRequest", {"url": "nope", "method": "GET"}, doNotThrow404=True
    ).of_kind("data")
    assert data.body["statusCode"] == 404


def test_raw_request_posts_json(harness: SandboxHarness) -> None:
    uploaded = harness.upload()
    result = harness.run(
        "makeRawRequest",
        {"url": "removebg", "method": "POST", "data": {"image_url": uploaded["url"]}},
    )
    (data,) = result.of_kind("data")
    assert data.body["statusCode"] == 200
    assert data.body["responseBody"]["status"] == "success"


def test_remove_background_from_each_source_mode(harness: SandboxHarness) -> None:
    uploaded = harness.upload()
    stored = harness.store.save(iter([png()]), "image/png")
    sources = {
        "image (http download)": {"image": uploaded["url"]},
        "image (attachment store)": {"image": stored.url},
        "image_url": {"image_url": uploaded["url"]},
        "image_id": {"image_id": uploaded["id"]},
    }
    for mode, body in sources.items():
        (message,) = harness.run("removeBackground", {**body, "format": "PNG"}).of_kind("data")
        assert message.body["status"] == "success", mode
        assert message.body["data"]["url"].startswith(harness.sandbox.root_url), mode
        assert message.headers["X-Picsart-Correlation-Id"]
    log = harness.calls("removebg")
    assert [entry["status"] for entry in log] == [200] * 4
    assert [sorted(entry["fields"]) for entry in log] == [
        ["format"],
        ["format"],
        ["format", "image_url"],
        ["format", "image_id"],
    ]
    assert [[f["field"] for f in entry["files"]] for entry in log] == [["image"], ["image"], [], []]


def test_every_remove_background_option_reaches_the_sandbox(harness: SandboxHarness) -> None:
    uploaded = harness.upload()
    background = harness.upload(png((80, 60), "green"))
    body = {
        "image_id": uploaded["id"],
        "bg_image": background["url"],
        "bg_blur": 20,
        "bg_width": 120,
        "bg_height": 90,
        "scale": "fill",
        "auto_center": True,
        "stroke_size": 4,
        "stroke_color": "ff0000",
        "stroke_opacity": 80,
        "shadow": "custom",
        "shadow_offset_x": 5,
        "shadow_offset_y": -5,
        "shadow_opacity": 40,
        "shadow_blur": 10,
        "format": "WEBP",
    }
    (message,) = harness.run("removeBackground", body, downloadResult=True).of_kind("data")
    image = stored_image(harness, message.body["attachmentUrl"])
    assert (image.format, image.size) == ("WEBP", (120, 90))
    (entry,) = harness.calls("removebg")
    assert entry["fields"]["auto_center"] == "true"
    assert entry["fields"]["shadow_offset_y"] == "-5"


def test_cutout_then_upscale_round_trips_through_the_store(harness: SandboxHarness) -> None:
    uploaded = harness.upload(png((60, 40)))
    (cutout,) = harness.run(
        "removeBackground", {"image_url": uploaded["url"]}, downloadResult=True
    ).of_kind("data")
    cutout_image = stored_image(harness, cutout.body["attachmentUrl"])
    assert (cutout_image.mode, cutout_image.size) == ("RGBA", (60, 40))
    (attachment,) = cutout.attachments.values()
    assert attachment.url == cutout.body["attachmentUrl"]
    assert attachment.content_type == "image/png"
    (upscaled,) = harness.run(
        "upscale",
        {"image": cutout.body["attachmentUrl"], "upscale_factor": 4, "format": "PNG"},
        downloadResult=True,
    ).of_kind("data")
    assert stored_image(harness, upscaled.body["attachmentUrl"]).size == (240, 160)
    assert int(upscaled.headers["X-Picsart-Credit-Available"]) == 998


@pytest.mark.parametrize(
    ("setup", "action", "body_of", "error_class", "status"),
    [
        ("credits=0", "upscale", "image_id", "PaymentRequiredError", 402),
        ("fault=401", "upscale", "image_id", "AuthenticationError", 401),
        ("fault=403", "upscale", "image_id", "AuthenticationError", 403),
        ("fault=406", "upscale", "image_id", "NotAcceptableError", 406),
        ("fault=400", "upscale", "image_id", "RequestValidationError", 400),
        ("max_upload=100", "upscale", "image", "PayloadTooLargeError", 413),
        ("fault=415", "upscale", "image", "UnsupportedMediaTypeError", 415),
        ("unknown id", "upscale", "image_id", "RequestValidationError", 422),
        ("too large output", "upscale", "image_url", "RequestValidationError", 422),
    ],
)
def test_each_error_status_becomes_its_error_class(
    harness: SandboxHarness, setup: str, action: str, body_of: str, error_class: str, status: int
) -> None:
    uploaded = harness.upload(png((700, 50)))
    body: dict[str, object] = {"upscale_factor": 8}
    if body_of == "image_id":
        body["image_id"] = "0" * 32 if setup == "unknown id" else uploaded["id"]
        body["upscale_factor"] = 2
    elif body_of == "image":
        body["image"] = harness.store.save(iter([png((700, 50))]), "image/png").url
        body["upscale_factor"] = 2
    else:
        body["image_url"] = uploaded["url"]
    if setup == "credits=0":
        harness.sandbox.set_credits(0)
    elif setup.startswith("fault="):
        harness.sandbox.set_faults(f"{setup.split('=')[1]}:next=1,path=upscale")
    elif setup.startswith("max_upload="):
        harness.sandbox.reset(max_upload_bytes=100)
    (error,) = harness.run(action, body).of_kind("error")
    assert (error["name"], error["status"]) == (error_class, status)
    assert error["correlationId"] == harness.calls("upscale")[-1]["correlation_id"]
    assert len(harness.calls("upscale")) == 1
    assert harness.sandbox.state()["credits"] in (0, 1000)
