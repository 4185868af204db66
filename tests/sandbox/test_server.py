"""The sandbox's endpoints and validation, through werkzeug's test client and over real sockets."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from urllib3 import encode_multipart_formdata
from werkzeug.test import Client, TestResponse

from picsart_component.sandbox import PRICES, RunningSandbox, SandboxState
from tests.sandbox.conftest import MakeClient, StartSandbox
from tests.sandbox.support import HEADERS, KEY, png_bytes

API = "/tools/1.0/"


def post(client: Client, endpoint: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    return client.post(API + endpoint, headers=HEADERS if headers is None else headers, **kw)


def file_part(data: bytes, name: str = "photo.png", kind: str = "image/png") -> Any:
    return (io.BytesIO(data), name, kind)


def local_path(url: str) -> str:
    """A result URL as a path for the test client (its answers name host ``localhost``)."""
    assert url.startswith("http://localhost/")
    return url[len("http://localhost") :]


def result_image(client: Client, response: TestResponse) -> Image.Image:
    download = client.get(local_path(response.get_json()["data"]["url"]))
    assert download.status_code == 200
    return Image.open(io.BytesIO(download.get_data()))


def detail(response: TestResponse) -> str:
    body = response.get_json()
    assert body["code"] == response.status_code
    return str(body["detail"])


# Endpoints


def test_balance_reports_the_credits_and_every_header(client: Client) -> None:
    response = client.get(API + "balance", headers=HEADERS)
    assert response.status_code == 200
    assert response.get_json() == {"credits": 1000}
    assert response.headers["X-Picsart-Credit-Available"] == "1000"
    assert response.headers["X-Picsart-Ratelimit-Limit"] == "500"
    assert response.headers["X-Picsart-Ratelimit-Available"] == "499"
    assert response.content_type == "application/json"


def test_removebg_returns_a_png_cutout_and_charges_its_price(
    client: Client, state: SandboxState, image: bytes
) -> None:
    response = post(client, "removebg", data={"image": file_part(image)})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "success"
    assert body["data"]["url"].endswith(f"/results/{body['data']['id']}.png")
    cutout = result_image(client, response)
    assert cutout.format == "PNG"
    assert cutout.mode == "RGBA"
    assert cutout.size == (48, 36)
    assert state.credits == 1000 - PRICES["removebg"]
    assert response.headers["X-Picsart-Credit-Available"] == str(state.credits)


def test_removebg_honours_format_colour_and_mask(client: Client, image: bytes) -> None:
    on_blue = post(
        client, "removebg", data={"image": file_part(image), "bg_color": "#0000ff", "format": "JPG"}
    )
    assert on_blue.status_code == 200
    picture = result_image(client, on_blue)
    assert picture.format == "JPEG"
    red, green, blue = picture.convert("RGB").getpixel((1, 1))  # type: ignore[misc]
    assert blue > 200
    assert max(red, green) < 60
    mask = post(client, "removebg", data={"image": file_part(image), "output_type": "mask"})
    assert result_image(client, mask).mode in ("L", "LA", "RGBA")


def test_removebg_with_a_background_image_and_every_option(client: Client, image: bytes) -> None:
    response = post(
        client,
        "removebg",
        data={
            "image": file_part(image),
            "bg_image": file_part(png_bytes((30, 30), "green"), "bg.png"),
            "bg_blur": "10",
            "bg_width": "60",
            "bg_height": "40",
            "scale": "fill",
            "auto_center": "true",
            "stroke_size": "2",
            "stroke_color": "red",
            "stroke_opacity": "50",
            "shadow": "custom",
            "shadow_offset_x": "-5",
            "shadow_offset_y": "5",
            "shadow_opacity": "40",
            "shadow_blur": "10",
            "model": "urn:air:picsart:model:picsart:sod@10",
            "format": "WEBP",
            "unknown_field": "ignored",
        },
    )
    assert response.status_code == 200, response.get_data()
    picture = result_image(client, response)
    assert picture.format == "WEBP"
    assert picture.size == (60, 40)


def test_upscale_doubles_the_size_and_defaults_to_jpg(client: Client, image: bytes) -> None:
    response = post(client, "upscale", data={"image": file_part(image), "upscale_factor": "2"})
    assert response.status_code == 200
    picture = result_image(client, response)
    assert picture.format == "JPEG"
    assert picture.size == (96, 72)


def test_upload_keeps_the_file_as_is_for_free_and_its_id_works_later(
    client: Client, state: SandboxState
) -> None:
    original = png_bytes((20, 10), fmt="BMP")
    uploaded = post(client, "upload", data={"image": file_part(original, "a.bmp", "image/bmp")})
    assert uploaded.status_code == 200
    data = uploaded.get_json()["data"]
    download = client.get(local_path(data["url"]))
    assert download.get_data() == original
    assert download.content_type == "image/bmp"
    assert state.credits == 1000
    png_upload = post(client, "upload", data={"image": file_part(png_bytes((20, 10)))})
    scaled = post(
        client,
        "upscale",
        json={"image_id": png_upload.get_json()["data"]["id"], "upscale_factor": 4},
    )
    assert scaled.status_code == 200
    assert result_image(client, scaled).size == (80, 40)


def test_json_and_urlencoded_bodies_take_urls_and_ids(client: Client, image: bytes) -> None:
    first = post(client, "removebg", data={"image": file_part(image)})
    first_data = first.get_json()["data"]
    by_url_form = post(
        client, "upscale", data={"image_url": first_data["url"], "upscale_factor": 2}
    )
    assert by_url_form.status_code == 200
    assert result_image(client, by_url_form).size == (96, 72)
    by_id_json = post(
        client, "removebg", json={"image_id": first_data["id"], "bg_color": "blue", "bg_blur": 3}
    )
    assert by_id_json.status_code == 200
    by_url_upload = post(client, "upload", json={"image_url": first_data["url"]})
    assert by_url_upload.status_code == 200


def test_a_result_url_serves_the_file_with_its_content_type_over_sockets(
    sandbox: RunningSandbox, http: requests.Session, image: bytes
) -> None:
    response = http.post(sandbox.base_url + "removebg", files={"image": ("a.png", image)})
    assert response.status_code == 200
    url = response.json()["data"]["url"]
    assert url.startswith(f"http://127.0.0.1:{sandbox.port}/results/")
    download = http.get(url)
    assert download.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(download.content)).mode == "RGBA"
    again = http.post(sandbox.base_url + "upscale", data={"image_url": url, "upscale_factor": "2"})
    assert again.status_code == 200


class _ImageHandler(BaseHTTPRequestHandler):
    body = png_bytes()

    def do_GET(self) -> None:
        if self.path != "/photo.png":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def image_host() -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ImageHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_image_url_is_fetched_from_a_loopback_host(client: Client, image_host: str) -> None:
    fetched = post(client, "removebg", data={"image_url": f"{image_host}/photo.png"})
    assert fetched.status_code == 200
    missing = post(client, "removebg", data={"image_url": f"{image_host}/missing.png"})
    assert missing.status_code == 422
    assert "HTTP 404" in detail(missing)


def test_image_url_never_leaves_the_machine_in_strict_mode(make_client: MakeClient) -> None:
    client, _ = make_client(stand_ins=False)
    response = post(
        client, "upscale", data={"image_url": "https://example.com/a.png", "upscale_factor": "2"}
    )
    assert response.status_code == 422
    assert "loopback" in detail(response)
    refused = post(client, "removebg", data={"image_url": "http://127.0.0.1:9/a.png"})
    assert refused.status_code == 422
    assert "Could not download image_url" in detail(refused)


def test_an_image_url_off_the_machine_gets_the_same_stand_in_every_time(
    client: Client, state: SandboxState
) -> None:
    body = {"image_url": "https://example.com/mug.jpg", "upscale_factor": "2"}
    first = post(client, "upscale", data=body).get_json()["data"]
    second = post(client, "upscale", data=body).get_json()["data"]
    assert state.snapshot()["stand_ins"] == ["https://example.com/mug.jpg"]
    one = client.get(local_path(first["url"])).data
    two = client.get(local_path(second["url"])).data
    assert one == two
    assert Image.open(io.BytesIO(one)).size == (960, 720)
    other = post(client, "upscale", data={**body, "image_url": "https://example.com/b.png"})
    assert client.get(local_path(other.get_json()["data"]["url"])).data != one


def test_unknown_or_expired_ids_are_unprocessable(make_client: MakeClient, image: bytes) -> None:
    client, _ = make_client(max_stored_files=1)
    first = post(client, "upload", data={"image": file_part(image)}).get_json()["data"]
    post(client, "upload", data={"image": file_part(image)})
    assert client.get(local_path(first["url"])).status_code == 404
    gone = post(client, "removebg", data={"image_id": first["id"]})
    assert gone.status_code == 422
    assert "unknown" in detail(gone)


# Validation


@pytest.mark.parametrize(
    ("endpoint", "fields", "words"),
    [
        ("upscale", {}, "upscale_factor is required"),
        ("upscale", {"upscale_factor": "10"}, "one of 2, 4, 6, 8"),
        ("upscale", {"upscale_factor": "3"}, "one of 2, 4, 6, 8"),
        ("upscale", {"upscale_factor": "10.5"}, "whole number"),
        ("upscale", {"upscale_factor": "abc"}, "whole number"),
        ("upscale", {"upscale_factor": "2", "format": "gif"}, "format must be one of"),
        ("removebg", {"bg_blur": "101"}, "from 0 to 100"),
        ("removebg", {"stroke_opacity": "-1"}, "from 0 to 100"),
        ("removebg", {"shadow_offset_x": "101", "shadow": "custom"}, "from -100 to 100"),
        ("removebg", {"output_type": "sticker"}, "output_type must be one of"),
        ("removebg", {"shadow": "diagonal"}, "shadow must be one of"),
        ("removebg", {"scale": "stretch"}, "scale must be one of"),
        ("removebg", {"model": "urn:other"}, "model must be one of"),
        ("removebg", {"auto_center": "True"}, "true or false"),
        ("removebg", {"auto_center": "1"}, "true or false"),
        ("removebg", {"shadow": "custom", "shadow_offset_x": "5"}, "shadow=custom needs"),
        ("removebg", {"bg_color": "not-a-colour"}, "is not a colour"),
        ("removebg", {"stroke_color": "#12345"}, "is not a colour"),
        ("removebg", {"bg_width": "0"}, "bg_width must be from 1"),
        ("removebg", {"bg_color": "blue", "bg_image_url": "http://127.0.0.1/b.png"}, "only one"),
        ("removebg", {"image_url": "http://127.0.0.1/a.png"}, "only one image source"),
        ("removebg", {"image_id": "abc"}, "only one image source"),
    ],
)
def test_out_of_range_and_conflicting_values_are_422(
    client: Client, image: bytes, endpoint: str, fields: dict[str, str], words: str
) -> None:
    response = post(client, endpoint, data={"image": file_part(image), **fields})
    assert response.status_code == 422
    assert words in detail(response)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({}, "An image is required"),
        ({"image_url": "ftp://127.0.0.1/a.png"}, "absolute http(s) URL"),
        ({"image_url": "not a url"}, "absolute http(s) URL"),
        ({"image_url": "http://127.0.0.1/" + "a" * 2070}, "at most 2083"),
        ({"image": "a text, not a file"}, "must be a file part"),
        ({"image_id": "0" * 32}, "unknown"),
    ],
)
def test_image_sources_are_checked(client: Client, fields: dict[str, str], words: str) -> None:
    response = post(client, "removebg", data=fields)
    assert response.status_code == 422
    assert words in detail(response)


def test_a_repeated_field_is_422(client: Client, image: bytes) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="upscale_factor"\r\n\r\n2\r\n'
        b'--b\r\nContent-Disposition: form-data; name="upscale_factor"\r\n\r\n4\r\n'
        b'--b\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + image + b"\r\n--b--\r\n"
    )
    response = post(client, "upscale", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 422
    assert "more than once: upscale_factor" in detail(response)


def test_json_values_must_have_the_right_types(client: Client, state: SandboxState) -> None:
    for fields in ({"upscale_factor": 2.0}, {"upscale_factor": True}, {"upscale_factor": [2]}):
        response = post(client, "upscale", json={"image_id": "x", **fields})
        assert response.status_code == 422
    image_in_json = post(client, "removebg", json={"image": "data"})
    assert image_in_json.status_code == 422
    assert state.credits == 1000


@pytest.mark.parametrize(
    ("content_type", "body", "words"),
    [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken", "not valid form data"),
        ("multipart/form-data", b"--xyz\r\n\r\n", "Missing boundary"),
        ("application/json", b'{"upscale_factor": ', "not valid JSON"),
        ("application/json", b"[1, 2]", "must be an object"),
        ("application/x-www-form-urlencoded", b"a=\xff\xfe", "not valid form data"),
    ],
)
def test_a_malformed_body_is_400(
    client: Client, content_type: str, body: bytes, words: str
) -> None:
    response = post(client, "upscale", data=body, content_type=content_type)
    assert response.status_code == 400
    assert words in detail(response)


def test_an_unsupported_body_type_is_415(client: Client) -> None:
    response = post(client, "removebg", data=b"hello", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("endpoint", "data", "name", "words"),
    [
        ("removebg", b"this is text", "notes.txt", "not an image"),
        ("upscale", png_bytes(fmt="BMP"), "a.bmp", "BMP images are not accepted"),
        ("removebg", png_bytes(fmt="GIF"), "a.gif", "GIF images are not accepted"),
        ("upload", png_bytes(fmt="GIF"), "a.gif", "GIF images are not accepted"),
        ("upload", b"\x89PNG\r\n\x1a\nbroken", "a.png", "not an image"),
    ],
)
def test_files_that_are_no_image_or_the_wrong_kind_are_415(
    client: Client, state: SandboxState, endpoint: str, data: bytes, name: str, words: str
) -> None:
    fields: dict[str, Any] = {"image": file_part(data, name)}
    if endpoint == "upscale":
        fields["upscale_factor"] = "2"
    response = post(client, endpoint, data=fields)
    assert response.status_code == 415
    assert words in detail(response)
    assert state.credits == 1000


def test_an_upscale_past_4800_pixels_is_422(client: Client) -> None:
    wide = png_bytes((1300, 8))
    response = post(client, "upscale", data={"image": file_part(wide), "upscale_factor": "4"})
    assert response.status_code == 422
    assert "4800" in detail(response)


def test_too_large_bodies_and_images_are_413(make_client: MakeClient, image: bytes) -> None:
    client, state = make_client(max_upload_bytes=2000, max_pixels=1000)
    big = post(client, "removebg", data={"image": file_part(b"x" * 5000)})
    assert big.status_code == 413
    assert "2000 bytes" in detail(big)
    stream = post(
        client,
        "removebg",
        input_stream=io.BytesIO(b"{" + b" " * 5000 + b"}"),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert stream.status_code == 413
    many_pixels = post(client, "removebg", data={"image": file_part(png_bytes((50, 50)))})
    assert many_pixels.status_code == 413
    assert "pixels" in detail(many_pixels)
    assert state.credits == 1000


def test_the_key_is_required(client: Client) -> None:
    missing = client.get(API + "balance", headers={"Accept": "application/json"})
    assert missing.status_code == 401
    assert missing.get_json()["message"] == "Unauthorized"
    blank = client.get(API + "balance", headers={**HEADERS, "X-Picsart-API-Key": "  "})
    assert blank.status_code == 401


def test_a_configured_key_must_match(make_client: MakeClient) -> None:
    client, _ = make_client(api_key=KEY)
    assert client.get(API + "balance", headers=HEADERS).status_code == 200
    wrong = client.get(API + "balance", headers={**HEADERS, "X-Picsart-API-Key": KEY + "x"})
    assert wrong.status_code == 401
    assert "not valid" in detail(wrong)


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        (None, 406),
        ("text/html", 406),
        ("application/json;q=0", 406),
        ("application/json", 200),
        ("*/*", 200),
        ("application/*", 200),
        ("text/html, application/json;q=0.5", 200),
    ],
)
def test_accept_must_allow_json(client: Client, accept: str | None, status: int) -> None:
    headers = {"X-Picsart-API-Key": KEY}
    if accept is not None:
        headers["Accept"] = accept
    assert client.get(API + "balance", headers=headers).status_code == status


def test_credits_run_out_with_402_and_nothing_is_charged(
    make_client: MakeClient, image: bytes
) -> None:
    client, state = make_client(credits=1)
    assert post(client, "removebg", data={"image": file_part(image)}).status_code == 200
    refused = post(client, "removebg", data={"image": file_part(image)})
    assert refused.status_code == 402
    assert "costs 1" in detail(refused)
    assert refused.headers["X-Picsart-Credit-Available"] == "0"
    assert state.credits == 0
    assert client.get(API + "balance", headers=HEADERS).get_json() == {"credits": 0}
    assert post(client, "upload", data={"image": file_part(image)}).status_code == 200


def test_failed_calls_are_never_charged(client: Client, state: SandboxState, image: bytes) -> None:
    post(client, "upscale", data={"image": file_part(image)})
    post(client, "upscale", data={"image": file_part(b"nope"), "upscale_factor": "2"})
    client.get(API + "balance", headers={"X-Picsart-API-Key": KEY})
    assert state.credits == 1000
    assert [entry["charged"] for entry in state.log.entries()] == [0, 0, 0]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/tools/1.0//removebg", 404),
        ("POST", "/tools/1.0/removebg/", 404),
        ("POST", "/tools/1.0/removebackground", 404),
        ("GET", "/tools/2.0/balance", 404),
        ("GET", "/", 404),
        ("GET", "/results/" + "0" * 32 + ".png", 404),
        ("GET", "/results/nothing", 404),
        ("GET", "/tools/1.0/removebg", 405),
        ("POST", "/tools/1.0/balance", 405),
        ("PUT", "/tools/1.0/upload", 405),
        ("POST", "/results/" + "0" * 32 + ".png", 405),
    ],
)
def test_unknown_paths_are_404_and_wrong_methods_405(
    client: Client, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method, headers=HEADERS)
    assert response.status_code == status
    if status == 405:
        assert response.headers["Allow"] in ("GET", "POST")


def test_a_leading_double_slash_is_not_normalised_over_sockets(
    sandbox: RunningSandbox, http: requests.Session
) -> None:
    response = http.get(sandbox.root_url + "/tools/1.0/balance")
    assert response.status_code == 404
    assert "//tools/1.0/balance" in response.json()["detail"]


def test_every_answer_gets_a_fresh_correlation_id(client: Client) -> None:
    ids = {
        client.get(API + "balance", headers=HEADERS).headers["X-Picsart-Correlation-Id"],
        client.get(API + "nothing", headers=HEADERS).headers["X-Picsart-Correlation-Id"],
        client.get(API + "balance").headers["X-Picsart-Correlation-Id"],
        client.get("/results/x.png").headers["X-Picsart-Correlation-Id"],
    }
    assert len(ids) == 4


# Request log and control API


def test_the_request_log_never_holds_the_key(make_client: MakeClient, image: bytes) -> None:
    client, state = make_client(api_key=KEY)
    post(
        client,
        "removebg",
        data={"image": file_part(image), "bg_color": "blue", "note": f"key {KEY} in a field"},
        query_string={"token": KEY},
    )
    entry = state.log.entries()[-1]
    assert entry["headers"]["X-Picsart-API-Key"] == f"****({len(KEY)} chars)"
    assert entry["fields"]["bg_color"] == "blue"
    assert entry["files"] == [
        {"field": "image", "filename": "photo.png", "content_type": "image/png", "size": len(image)}
    ]
    assert entry["status"] == 200
    assert entry["charged"] == 1
    assert entry["method"] == "POST"
    assert entry["path"] == "/tools/1.0/removebg"
    assert entry["correlation_id"]
    assert entry["time"] == pytest.approx(1_800_000_000.0)
    everything = json.dumps(
        [
            client.get("/__sandbox/requests").get_json(),
            client.get("/__sandbox/state").get_json(),
        ]
    )
    assert KEY not in everything
    assert "****(" in everything


def test_control_state_reset_and_credits(client: Client, image: bytes) -> None:
    post(client, "removebg", data={"image": file_part(image)})
    state = client.get("/__sandbox/state").get_json()
    assert state["credits"] == 999
    assert state["counts"]["by_status"] == {"200": 1}
    assert state["counts"]["by_endpoint"] == {"removebg": 1}
    assert state["stored"]["files"] == 1
    assert state["prices"] == dict(PRICES)
    assert state["quota"]["available"] == 499
    reset = client.post("/__sandbox/reset", json={"credits": 5, "quota": 10, "window": 2})
    assert reset.status_code == 200
    fresh = reset.get_json()
    assert fresh["credits"] == 5
    assert fresh["quota"] == {"limit": 10, "available": 10, "reset_at": 1.8e9 + 2, "window": 2}
    assert fresh["stored"]["files"] == 0
    assert fresh["counts"]["requests"] == 0
    assert client.get("/__sandbox/requests").get_json() == {"requests": []}
    assert client.post("/__sandbox/credits", json={"credits": 0}).get_json() == {"credits": 0}
    assert client.get(API + "balance", headers=HEADERS).get_json() == {"credits": 0}
    assert client.get("/__sandbox/requests?limit=1").get_json()["requests"][0]["status"] == 200
    assert client.delete("/__sandbox/requests").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/__sandbox/reset", b"{broken", 400),
        ("POST", "/__sandbox/reset", b"[]", 400),
        ("POST", "/__sandbox/reset", b'{"credits": "many"}', 422),
        ("POST", "/__sandbox/reset", b'{"port": 1}', 422),
        ("POST", "/__sandbox/reset", b'{"reset_time_form": "hours"}', 422),
        ("POST", "/__sandbox/reset", b'{"faults": "boom"}', 422),
        ("POST", "/__sandbox/credits", b'{"credits": -1}', 422),
        ("POST", "/__sandbox/faults", b"{}", 422),
        ("POST", "/__sandbox/faults", b'{"faults": "drop", "mode": "merge"}', 422),
        ("GET", "/__sandbox/requests?limit=x", b"", 422),
        ("GET", "/__sandbox/nothing", b"", 404),
        ("DELETE", "/__sandbox/state", b"", 405),
    ],
)
def test_control_errors(client: Client, method: str, path: str, body: bytes, status: int) -> None:
    response = client.open(path, method=method, data=body, content_type="application/json")
    assert response.status_code == status
    assert response.get_json()["code"] == status


def test_latency_is_added_to_answers(make_client: MakeClient) -> None:
    client, _ = make_client(latency_ms=120)
    started = time.perf_counter()
    client.get(API + "balance", headers=HEADERS)
    assert time.perf_counter() - started >= 0.12
    started = time.perf_counter()
    client.get("/__sandbox/state")
    assert time.perf_counter() - started < 0.1


# Concurrency


def test_twenty_parallel_requests_all_succeed_with_distinct_ids(
    start: StartSandbox, http: requests.Session, image: bytes
) -> None:
    sandbox = start()
    hook = http.hooks["response"]

    def call(number: int) -> requests.Response:
        if number % 2:
            return requests.get(
                sandbox.base_url + "balance", headers=HEADERS, hooks={"response": hook}, timeout=10
            )
        return requests.post(
            sandbox.base_url + "removebg",
            headers=HEADERS,
            files={"image": ("a.png", image)},
            hooks={"response": hook},
            timeout=10,
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(call, range(20)))
    assert [response.status_code for response in responses] == [200] * 20
    ids = {response.headers["X-Picsart-Correlation-Id"] for response in responses}
    assert len(ids) == 20
    assert sandbox.state()["credits"] == 990
    assert len(sandbox.request_log()) == 20


def test_image_work_in_the_serving_process_takes_turns(
    client: Client, state: SandboxState, image: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from picsart_component.sandbox import imaging

    held: list[bool] = []
    for name in ("remove_background", "upscale"):
        real = getattr(imaging, name)

        def watched(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            held.append(state.image_work._turns.locked())
            return real(*args, **kwargs)

        monkeypatch.setattr(imaging, name, watched)
    assert post(client, "removebg", data={"image": file_part(image)}).status_code == 200
    upscaled = post(client, "upscale", data={"image": file_part(image), "upscale_factor": "2"})
    assert upscaled.status_code == 200
    assert held == [True, True]
    assert not state.image_work._turns.locked()


def test_worker_processes_give_the_same_answers_as_the_serving_process(
    start: StartSandbox, image: bytes
) -> None:
    """Remove background and upscale in a worker process: the same files, the same errors, and
    the credits and results kept by the server."""
    in_process, in_workers = start(), start(image_processes=1)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("removebg", {"files": {"image": ("a.png", image)}, "data": {"format": "PNG"}}),
        (
            "removebg",
            {"files": {"image": ("a.png", image), "bg_image": ("b.png", png_bytes((8, 8)))}},
        ),
        ("upscale", {"files": {"image": ("a.png", image)}, "data": {"upscale_factor": "2"}}),
        ("removebg", {"files": {"image": ("a.png", b"not an image")}}),
        ("removebg", {"files": {"image": ("a.png", image), "bg_image": ("b.png", b"nor this")}}),
        ("upscale", {"files": {"image": ("a.gif", _gif())}, "data": {"upscale_factor": "2"}}),
    ]
    answers: list[list[tuple[int, Any]]] = []
    for sandbox in (in_process, in_workers):
        found = []
        for endpoint, fields in calls:
            answer = requests.post(
                sandbox.base_url + endpoint, headers=HEADERS, timeout=30, **fields
            )
            body = answer.json()
            if answer.status_code == 200:
                result = requests.get(body["data"]["url"], timeout=10)
                found.append((200, result.content))
            else:
                found.append((answer.status_code, body["detail"]))
        answers.append(found)
        assert sandbox.state()["credits"] == 997
    assert in_process.app.state.image_work._pool is None
    assert in_workers.app.state.image_work._pool is not None
    assert answers[0] == answers[1]
    assert [status for status, _ in answers[1]] == [200, 200, 200, 415, 415, 415]
    assert answers[1][4][1].startswith("bg_image: ")


def test_a_worker_process_that_dies_costs_one_503_and_nothing_else(
    start: StartSandbox, image: bytes
) -> None:
    sandbox = start(image_processes=1)

    def cutout() -> requests.Response:
        return requests.post(
            sandbox.base_url + "removebg",
            headers=HEADERS,
            files={"image": ("a.png", image)},
            timeout=30,
        )

    assert cutout().status_code == 200
    pool = sandbox.app.state.image_work._pool
    assert isinstance(pool, ProcessPoolExecutor)
    for process in list(pool._processes.values()):
        process.kill()
        process.join(10)
    lost = cutout()
    assert lost.status_code == 503
    assert lost.headers["Retry-After"] == "1"
    assert "image worker process stopped" in lost.json()["detail"]
    assert cutout().status_code == 200
    assert sandbox.state()["credits"] == 998, "the lost call is not charged"


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "GIF")
    return out.getvalue()


# Connections


def _exchange(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:
    connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
    response = connection.getresponse()
    response.read()
    return response


def test_a_connection_is_kept_from_one_request_to_the_next(
    sandbox: RunningSandbox, image: bytes
) -> None:
    """As Picsart's servers do, whatever the app made of the body: read, refused unread, none."""
    address = urlsplit(sandbox.root_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    form, form_type = encode_multipart_formdata({"image": ("a.png", image)})
    exchanges: list[tuple[str, str, bytes, dict[str, str]]] = [
        ("POST", API + "removebg", form, {"Content-Type": form_type}),
        ("POST", API + "removebg", form, {"Content-Type": form_type, "X-Picsart-API-Key": ""}),
        ("POST", API + "upscale", b"not a form", {"Content-Type": "text/plain"}),
        ("GET", API + "balance", b"", {}),
    ]
    try:
        _exchange(connection, "GET", API + "balance")
        kept = connection.sock
        answers = [_exchange(connection, *exchange) for exchange in exchanges]
        assert [answer.status for answer in answers] == [200, 401, 415, 200]
        assert [answer.getheader("Connection") for answer in answers] == [None] * 4
        assert connection.sock is kept
    finally:
        connection.close()
    assert sandbox.state()["credits"] == 999


@pytest.mark.parametrize(
    ("version", "headers"),
    [("HTTP/1.1", {"Connection": "close"}), ("HTTP/1.0", {})],
)
def test_a_client_that_does_not_keep_its_connection_is_told_it_ends(
    sandbox: RunningSandbox, version: str, headers: dict[str, str]
) -> None:
    address = urlsplit(sandbox.root_url)
    with socket.create_connection((address.hostname or "", address.port or 0), timeout=10) as raw:
        lines = [f"GET {API}balance {version}", f"Host: {address.netloc}"]
        lines += [f"{name}: {value}" for name, value in {**HEADERS, **headers}.items()]
        raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.split("\r\n")[0].endswith("200 OK")
    assert "Connection: close" in head.split("\r\n")


def test_a_body_too_large_to_read_ahead_ends_its_connection(sandbox: RunningSandbox) -> None:
    from picsart_component.sandbox.server import KEEP_ALIVE_BODY_LIMIT

    address = urlsplit(sandbox.root_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        body = b"x" * (KEEP_ALIVE_BODY_LIMIT + 1)
        answer = _exchange(
            connection, "POST", API + "upscale", body, {"Content-Type": "text/plain"}
        )
        assert answer.status == 415
        assert answer.getheader("Connection") == "close"
        assert connection.sock is None
        assert _exchange(connection, "GET", API + "balance").status == 200
    finally:
        connection.close()


def test_choices_are_taken_in_any_case_as_picsart_takes_them(client: Client, image: bytes) -> None:
    answer = post(
        client,
        "removebg",
        data={"image": file_part(image), "format": "webp", "output_type": "MASK", "scale": "Fit"},
    )
    assert answer.status_code == 200
    result = client.get(local_path(answer.get_json()["data"]["url"]))
    assert result.headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(result.data)).format == "WEBP"


def test_multipart_text_fields_are_capped_and_files_are_not(client: Client) -> None:
    big_text = "2" * (1024 * 1024 + 1)
    body, content_type = encode_multipart_formdata({"image_id": "x", "upscale_factor": big_text})
    too_long = post(client, "upscale", data=body, content_type=content_type)
    assert too_long.status_code == 413
    assert "text field of the form is larger than 1 MiB" in detail(too_long)
    encoded = post(client, "upscale", data={"image_id": "x", "upscale_factor": big_text})
    assert encoded.status_code == 413
    assert "a field larger than 1 MiB" in detail(encoded)
    big_file = png_bytes() + b"\0" * (1536 * 1024)
    upscaled = post(
        client, "upscale", data={"image": (io.BytesIO(big_file), "a.png"), "upscale_factor": "2"}
    )
    assert upscaled.status_code == 200, detail(upscaled)


def test_an_urlencoded_field_over_the_cap_is_413_without_a_content_length(
    sandbox: RunningSandbox,
) -> None:
    chunks = [b"image_id=x&upscale_factor=", b"2" * (1024 * 1024 + 1)]
    answer = requests.post(
        sandbox.base_url + "upscale",
        headers={**HEADERS, "Content-Type": "application/x-www-form-urlencoded"},
        data=iter(chunks),  # sent chunked, without a Content-Length
        timeout=30,
    )
    assert answer.request.headers.get("Transfer-Encoding") == "chunked"
    assert answer.status_code == 413
    assert "a field larger than 1 MiB" in answer.json()["detail"]


def test_multipart_parts_keep_their_names_values_and_repeats(client: Client) -> None:
    """Sent as requests sends them: a repeated field is refused by name, an empty text value
    counts as not sent, and a file part without a name or bytes is no file."""
    body, content_type = encode_multipart_formdata(
        [
            ("upscale_factor", "2"),
            ("upscale_factor", "4"),
            ("image_url", ""),
            ("image", ("", b"")),
            ("image_id", "nope"),
        ]
    )
    repeated = post(client, "upscale", data=body, content_type=content_type)
    assert repeated.status_code == 422
    assert "more than once: upscale_factor" in detail(repeated)
    body, content_type = encode_multipart_formdata(
        [("upscale_factor", "2"), ("image_url", ""), ("image", ("", b"")), ("image_id", "nope")]
    )
    single = post(client, "upscale", data=body, content_type=content_type)
    assert single.status_code == 422
    assert "'nope' is unknown" in detail(single)


def test_a_multipart_request_compiles_no_pattern_for_its_boundary(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request has a new boundary; compiling patterns for it cost more than the rest of
    the parsing, so the sandbox's multipart reader finds boundaries without any."""
    import re

    compiled: list[object] = []
    real_compile = re.compile

    def counting_compile(pattern: Any, flags: int = 0) -> Any:
        compiled.append(pattern)
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counting_compile)  # werkzeug's multipart parser uses it
    for boundary in ("first-boundary-0001", "second-boundary-0002"):
        body, content_type = encode_multipart_formdata(
            {"image": ("a.png", png_bytes()), "upscale_factor": "2"}, boundary=boundary
        )
        answer = post(client, "upscale", data=body, content_type=content_type)
        assert answer.status_code == 200, detail(answer)
    assert not [pattern for pattern in compiled if "boundary" in str(pattern)]
