"""Remove background and Upscale with mocked HTTP: form fields, rules, sources, results."""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from PIL import Image
from requests_toolbelt.multipart.decoder import MultipartDecoder

from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.messages import Message
from tests.helpers import API_KEY, BASE_URL, FakeTime, make_executor

REMOVEBG = BASE_URL + "removebg"
UPSCALE = BASE_URL + "upscale"
RESULT_URL = "https://cdn.picsart.io/results/r-1.png"
PUBLIC_HOSTS = {"images.example.com": "93.184.216.34", "cdn.picsart.io": "151.101.1.1"}
PRIVATE_HOSTS = {"intranet.local": "10.0.0.7", "metadata.internal": "169.254.169.254"}
PICSART_HEADERS = {
    "X-Picsart-Correlation-Id": "corr-7",
    "X-Picsart-Credit-Available": "99",
    "X-Picsart-Ratelimit-Limit": "500",
    "X-Picsart-Ratelimit-Available": "498",
    "X-Picsart-Ratelimit-Reset-Time": "42",
}


def resolver(host: str, port: int) -> list[str]:
    hosts = PUBLIC_HOSTS | PRIVATE_HOSTS
    if host in hosts:
        return [hosts[host]]
    raise OSError(f"unknown host {host}")


def png(size: tuple[int, int] = (8, 6), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def executor(fake_time: FakeTime, store: LocalStore, temp_dir: Path) -> Executor:
    return make_executor(fake_time, store=store, resolver=resolver)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for url in (REMOVEBG, UPSCALE):
            mock.post(
                url,
                json={"status": "success", "data": {"id": "r-1", "url": RESULT_URL}},
                headers=PICSART_HEADERS,
            )
        mock.get(RESULT_URL, body=png((16, 12), "blue"), content_type="image/png")
        yield mock


def run(executor: Executor, action: str, body: dict[str, Any], **cfg: Any) -> RunResult:
    return executor.run(action, Message(body=body), {"apiKey": API_KEY, **cfg})


def sent_form(api: responses.RequestsMock, url: str = REMOVEBG) -> dict[str, Any]:
    """The multipart form the one call to ``url`` carried: text values, or (name, type, bytes)."""
    (call,) = [c for c in api.calls if c.request.url == url]
    body: Any = call.request.body
    raw = body.read() if hasattr(body, "read") else body
    form: dict[str, Any] = {}
    for part in MultipartDecoder(raw, call.request.headers["Content-Type"]).parts:
        disposition = part.headers[b"Content-Disposition"].decode()
        name = disposition.split('name="')[1].split('"')[0]
        if "filename=" in disposition:
            filename = disposition.split('filename="')[1].split('"')[0]
            form[name] = (filename, part.headers[b"Content-Type"].decode(), part.content)
        else:
            form[name] = part.text
    return form


def error_of(result: RunResult) -> dict[str, Any]:
    (error,) = result.of_kind("error")
    assert not result.of_kind("data")
    return error  # type: ignore[no-any-return]


FIELD_VALUES = [
    ("output_type", "mask", "mask"),
    ("bg_color", "#82d5fa", "#82d5fa"),
    ("bg_color", "blue", "blue"),
    ("bg_image_url", "https://images.example.com/bg.jpg", "https://images.example.com/bg.jpg"),
    ("bg_image_id", "abc123", "abc123"),
    ("bg_blur", 0, "0"),
    ("bg_blur", 100, "100"),
    ("bg_width", 800, "800"),
    ("bg_height", 600, "600"),
    ("scale", "fill", "fill"),
    ("auto_center", True, "true"),
    ("auto_center", False, "false"),
    ("stroke_size", 12, "12"),
    ("stroke_color", "ff0000", "ff0000"),
    ("stroke_color", "#18d4ff87", "#18d4ff87"),
    ("stroke_opacity", 55, "55"),
    ("shadow", "bottom-left", "bottom-left"),
    ("shadow_opacity", 35, "35"),
    ("shadow_blur", 0, "0"),
    ("format", "WEBP", "WEBP"),
]


@pytest.mark.parametrize(("field", "value", "sent"), FIELD_VALUES)
def test_each_remove_background_field_is_sent_as_picsart_expects(
    executor: Executor, api: responses.RequestsMock, field: str, value: Any, sent: str
) -> None:
    result = run(executor, "removeBackground", {"image_url": "https://x.test/a.png", field: value})
    assert result.of_kind("data"), result.events
    assert sent_form(api) == {"image_url": "https://x.test/a.png", field: sent}


def test_custom_shadow_sends_its_offsets(executor: Executor, api: responses.RequestsMock) -> None:
    body = {"image_id": "img-1", "shadow": "custom", "shadow_offset_x": -100, "shadow_offset_y": 7}
    assert run(executor, "removeBackground", body).of_kind("data")
    assert sent_form(api) == {
        "image_id": "img-1",
        "shadow": "custom",
        "shadow_offset_x": "-100",
        "shadow_offset_y": "7",
    }


def test_only_fields_the_user_set_are_sent_and_defaults_are_left_to_picsart(
    executor: Executor, api: responses.RequestsMock
) -> None:
    run(executor, "upscale", {"image_url": "https://x.test/a.png", "upscale_factor": 4})
    assert sent_form(api, UPSCALE) == {"image_url": "https://x.test/a.png", "upscale_factor": "4"}


@pytest.mark.parametrize("fmt", ["JPG", "PNG", "WEBP"])
def test_upscale_sends_its_format(
    executor: Executor, api: responses.RequestsMock, fmt: str
) -> None:
    run(executor, "upscale", {"image_id": "i", "upscale_factor": 2, "format": fmt})
    assert sent_form(api, UPSCALE)["format"] == fmt


RULE_BREAKS = [
    ({}, [("$.image", "exactly one of image, image_url, image_id is required; none was given")]),
    (
        {"image_url": "https://x.test/a.png", "image_id": "i"},
        [
            (
                "$.image_id",
                "exactly one of image, image_url, image_id may be given; got image_url, image_id",
            ),
            (
                "$.image_url",
                "exactly one of image, image_url, image_id may be given; got image_url, image_id",
            ),
        ],
    ),
    (
        {"image_id": "i", "bg_color": "red", "bg_image_id": "b"},
        [
            (
                "$.bg_color",
                "at most one of bg_image, bg_image_url, bg_image_id, bg_color may be "
                "given; got bg_image_id, bg_color",
            ),
            (
                "$.bg_image_id",
                "at most one of bg_image, bg_image_url, bg_image_id, bg_color may "
                "be given; got bg_image_id, bg_color",
            ),
        ],
    ),
    (
        {"image_id": "i", "bg_color": "82d5fa"},
        [
            (
                "$.bg_color",
                "must be a hex colour (#rgb, #rgba, #rrggbb or #rrggbbaa) or a CSS colour "
                "name such as blue",
            )
        ],
    ),
    (
        {"image_id": "i", "bg_color": "#12345"},
        [
            (
                "$.bg_color",
                "must be a hex colour (#rgb, #rgba, #rrggbb or #rrggbbaa) or a CSS colour "
                "name such as blue",
            )
        ],
    ),
    (
        {"image_id": "i", "stroke_color": "notacolour"},
        [
            (
                "$.stroke_color",
                "must be a hex colour (#rgb, #rgba, #rrggbb or #rrggbbaa, the # "
                "optional) or a CSS colour name such as blue",
            )
        ],
    ),
    (
        {"image_id": "i", "shadow": "custom"},
        [
            ("$.shadow_offset_x", "is required when shadow is custom"),
            ("$.shadow_offset_y", "is required when shadow is custom"),
        ],
    ),
    (
        {"image_id": "i", "shadow": "custom", "shadow_offset_x": 3},
        [("$.shadow_offset_y", "is required when shadow is custom")],
    ),
    ({"image_id": "i", "bg_blur": 101}, [("$.bg_blur", "must be at most 100")]),
    ({"image_id": "i", "bg_blur": -1}, [("$.bg_blur", "must be at least 0")]),
    ({"image_id": "i", "stroke_size": 101}, [("$.stroke_size", "must be at most 100")]),
    ({"image_id": "i", "stroke_opacity": -5}, [("$.stroke_opacity", "must be at least 0")]),
    ({"image_id": "i", "shadow_opacity": 200}, [("$.shadow_opacity", "must be at most 100")]),
    ({"image_id": "i", "shadow_blur": 101}, [("$.shadow_blur", "must be at most 100")]),
    (
        {"image_id": "i", "shadow": "custom", "shadow_offset_x": -101, "shadow_offset_y": 101},
        [
            ("$.shadow_offset_x", "must be at least -100"),
            ("$.shadow_offset_y", "must be at most 100"),
        ],
    ),
    ({"image_id": "i", "bg_width": 0}, [("$.bg_width", "must be at least 1")]),
    ({"image_id": "i", "bg_height": 1.5}, [("$.bg_height", "must be an integer, not a number")]),
    (
        {"image_id": "i", "output_type": "sticker"},
        [("$.output_type", "must be one of: cutout, mask")],
    ),
    ({"image_id": "i", "scale": "stretch"}, [("$.scale", "must be one of: fit, fill")]),
    (
        {"image_id": "i", "shadow": "diagonal"},
        [
            (
                "$.shadow",
                "must be one of: disabled, custom, bottom-right, bottom, bottom-left, left, "
                "right, top-left, top, top-right",
            )
        ],
    ),
    ({"image_id": "i", "format": "GIF"}, [("$.format", "must be one of: JPG, PNG, WEBP")]),
    (
        {"image_id": "i", "auto_center": "yes"},
        [("$.auto_center", "must be a boolean (true or false), not a string")],
    ),
    ({"image_url": "ftp://x.test/a.png"}, [("$.image_url", "must be an http or https URL")]),
    (
        {"image_url": "https://x.test/" + "a" * 2100},
        [("$.image_url", "must be at most 2083 characters long")],
    ),
    ({"image_url": "not a url"}, [("$.image_url", "must be a valid uri")]),
    (
        {"image_id": ""},
        [("$.image_id", "must not be empty")],
    ),
]


@pytest.mark.parametrize(("body", "problems"), RULE_BREAKS)
def test_each_remove_background_rule_gives_its_error_and_nothing_is_sent(
    executor: Executor, api: responses.RequestsMock, body: dict[str, Any], problems: Any
) -> None:
    error = error_of(run(executor, "removeBackground", body))
    assert error["name"] == "InputError"
    found = [(p["path"], p["rule"]) for p in error["problems"]]
    assert sorted(found) == sorted(problems)
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({"image_id": "i"}, [("$.upscale_factor", "is required")]),
        (
            {"image_id": "i", "upscale_factor": 3},
            [("$.upscale_factor", "must be one of: 2, 4, 6, 8")],
        ),
        (
            {"image_id": "i", "upscale_factor": "2"},
            [
                ("$.upscale_factor", "must be an integer, not a string"),
                ("$.upscale_factor", "must be one of: 2, 4, 6, 8"),
            ],
        ),
        (
            {"image_id": "i", "upscale_factor": 2, "format": "gif"},
            [("$.format", "must be one of: JPG, PNG, WEBP")],
        ),
        (
            {"image_id": "i", "upscale_factor": 2, "output_type": "mask"},
            [("$.output_type", "is not a field of this action")],
        ),
    ],
)
def test_each_upscale_rule_gives_its_error_and_nothing_is_sent(
    executor: Executor, api: responses.RequestsMock, body: dict[str, Any], problems: Any
) -> None:
    error = error_of(run(executor, "upscale", body))
    assert sorted((p["path"], p["rule"]) for p in error["problems"]) == sorted(problems)
    assert len(api.calls) == 0


def test_an_ineffective_combination_is_sent_with_a_warning(
    executor: Executor, api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"image_id": "i", "output_type": "mask", "stroke_size": 5, "auto_center": True}
    with caplog.at_level(logging.WARNING):
        assert run(executor, "removeBackground", body).of_kind("data")
    assert sent_form(api)["stroke_size"] == "5"
    assert any(
        "stroke_size, auto_center only work(s) with output_type cutout" in r.getMessage()
        for r in caplog.records
    )


def test_output_shape_headers_and_no_attachment_without_download(
    executor: Executor, api: responses.RequestsMock
) -> None:
    (message,) = run(executor, "removeBackground", {"image_id": "i"}).of_kind("data")
    assert message.body == {"status": "success", "data": {"id": "r-1", "url": RESULT_URL}}
    assert message.headers == PICSART_HEADERS
    assert message.attachments == {}


def test_image_is_downloaded_and_sent_as_a_file_part(
    executor: Executor, api: responses.RequestsMock, temp_dir: Path
) -> None:
    photo = png((20, 10))
    api.get("https://images.example.com/shop/mug%20photo.png", body=photo)
    body = {"image": "https://images.example.com/shop/mug%20photo.png"}
    assert run(executor, "removeBackground", body).of_kind("data")
    assert sent_form(api)["image"] == ("mug-photo.png", "image/png", photo)
    assert list(temp_dir.iterdir()) == [], "the temporary copy is removed"


def test_downloads_ask_the_server_to_close_their_connection(
    executor: Executor, api: responses.RequestsMock
) -> None:
    """Each download has a session of its own that nobody closes; a kept-alive connection would
    hold a socket (and a slot on the server) until the garbage collector came by."""
    photo_url = "https://images.example.com/a.png"
    api.get(photo_url, body=png())
    result = run(executor, "removeBackground", {"image": photo_url}, downloadResult=True)
    assert result.of_kind("data"), result.events
    downloads = [call.request for call in api.calls if call.request.method == "GET"]
    assert [request.url for request in downloads] == [photo_url, RESULT_URL]
    assert [request.headers.get("Connection") for request in downloads] == ["close", "close"]
    posts = [call.request for call in api.calls if call.request.method == "POST"]
    assert posts
    assert all(request.headers.get("Connection") != "close" for request in posts)


def test_bg_image_is_downloaded_too(executor: Executor, api: responses.RequestsMock) -> None:
    api.get("https://images.example.com/a.png", body=png())
    api.get("https://images.example.com/bg.webp", body=_webp())
    body = {
        "image": "https://images.example.com/a.png",
        "bg_image": "https://images.example.com/bg.webp",
    }
    assert run(executor, "removeBackground", body).of_kind("data")
    form = sent_form(api)
    assert form["bg_image"][:2] == ("bg.webp", "image/webp")
    assert form["image"][1] == "image/png"


def _webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, "WEBP")
    return out.getvalue()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            404,
            "the source image could not be fetched from https://images.example.com/gone.png: "
            "the server answered 404 Not Found",
        ),
        (
            403,
            "the source image could not be fetched from https://images.example.com/gone.png: "
            "the server answered 403",
        ),
        (
            500,
            "the source image could not be fetched from https://images.example.com/gone.png: "
            "the server answered 500",
        ),
    ],
)
def test_a_source_that_cannot_be_fetched_says_so_and_from_where(
    executor: Executor, api: responses.RequestsMock, status: int, expected: str
) -> None:
    api.get("https://images.example.com/gone.png", status=status)
    error = error_of(
        run(
            executor,
            "upscale",
            {"image": "https://images.example.com/gone.png", "upscale_factor": 2},
        )
    )
    assert error["name"] == "SourceImageError"
    assert expected in error["message"]
    source_calls = [c for c in api.calls if "gone.png" in str(c.request.url)]
    assert len(source_calls) == (5 if status == 500 else 1)
    assert not [c for c in api.calls if c.request.url == UPSCALE]


def test_a_download_is_retried_after_a_connection_error(
    executor: Executor, api: responses.RequestsMock
) -> None:
    api.get("https://images.example.com/a.png", body=requests.ConnectionError("reset"))
    api.get("https://images.example.com/a.png", body=png())
    assert run(
        executor, "upscale", {"image": "https://images.example.com/a.png", "upscale_factor": 2}
    ).of_kind("data")


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (
            b"GIF89a" + b"\x00" * 20,
            "is in GIF format; this action accepts JPG, MPO, PNG, TIFF, WEBP",
        ),
        (
            b"%PDF-1.7 not an image",
            "is in AI (PDF) format; this action accepts JPG, MPO, PNG, TIFF, WEBP",
        ),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "is in SVG format; this action accepts JPG, MPO, PNG, TIFF, WEBP",
        ),
        (b"just some text", "is not an image: the file is text"),
        (b"", "is not an image: the file is empty"),
        (b"\x00\x00\x00\x18ftypmp42", "is not an image: the file is an MP4 video"),
        (
            b"\x00\x01\x02\xfe",
            "is not an image: its contents match no file format the component knows",
        ),
    ],
)
def test_a_source_that_is_not_a_supported_image_is_refused(
    executor: Executor, api: responses.RequestsMock, content: bytes, rule: str
) -> None:
    api.get("https://images.example.com/file", body=content)
    error = error_of(
        run(executor, "removeBackground", {"image": "https://images.example.com/file"})
    )
    assert error["problems"] == [{"path": "$.image", "rule": rule}]
    assert not [c for c in api.calls if c.request.url == REMOVEBG]


def test_upscale_refuses_mpo_which_remove_background_takes(
    executor: Executor, api: responses.RequestsMock
) -> None:
    api.get("https://images.example.com/t.tiff", body=_tiff())
    assert run(
        executor, "upscale", {"image": "https://images.example.com/t.tiff", "upscale_factor": 2}
    ).of_kind("data")
    assert sent_form(api, UPSCALE)["image"][:2] == ("t.tiff", "image/tiff")


def _tiff() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "TIFF")
    return out.getvalue()


def test_a_source_over_the_size_limit_is_refused_while_streaming(
    fake_time: FakeTime, store: LocalStore, temp_dir: Path, api: responses.RequestsMock
) -> None:
    executor = make_executor(
        fake_time, store=store, environ={"PICSART_MAX_IMAGE_MB": "0.001"}, resolver=resolver
    )
    api.get(
        "https://images.example.com/big.png",
        body=png((200, 200)) + b"\x00" * 4096,
        auto_calculate_content_length=False,
    )
    error = error_of(
        run(executor, "removeBackground", {"image": "https://images.example.com/big.png"})
    )
    assert error["problems"][0]["path"] == "$.image"
    assert "larger than the limit of 0.000999451 MB" in error["problems"][0]["rule"]
    assert list(temp_dir.iterdir()) == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///tmp/../etc/hosts",
        "ftp://images.example.com/a.png",
        "gopher://images.example.com/a",
    ],
)
def test_only_http_and_store_urls_are_accepted_for_image(
    executor: Executor, api: responses.RequestsMock, url: str
) -> None:
    error = error_of(run(executor, "removeBackground", {"image": url}))
    assert error["problems"] == [
        {"path": "$.image", "rule": "must be an http(s) URL or a URL of the attachment store"}
    ]
    assert len(api.calls) == 0


@pytest.mark.parametrize("host", ["intranet.local", "metadata.internal"])
def test_a_private_source_host_is_refused_unless_allowed(
    executor: Executor, api: responses.RequestsMock, host: str
) -> None:
    url = f"http://{host}/a.png"
    api.get(url, body=png())
    error = error_of(run(executor, "removeBackground", {"image": url}))
    assert "downloads from non-public addresses are refused" in error["problems"][0]["rule"]
    assert len(api.calls) == 0
    allowed = run(executor, "removeBackground", {"image": url}, allowHosts=f"other, {host}")
    assert allowed.of_kind("data")


@pytest.mark.parametrize("host", ["intranet.local", "metadata.internal"])
def test_an_attachment_of_the_incoming_message_gets_no_more_trust_than_a_field_url(
    executor: Executor, api: responses.RequestsMock, host: str
) -> None:
    url = f"http://{host}/steward/a.png"
    api.get(url, body=png())
    msg = Message(body={"image": url}, attachments={"a.png": {"url": url}})
    error = error_of(executor.run("removeBackground", msg, {"apiKey": API_KEY}))
    assert (
        error["problems"] == error_of(run(executor, "removeBackground", {"image": url}))["problems"]
    )
    assert "downloads from non-public addresses are refused" in error["problems"][0]["rule"]
    assert len(api.calls) == 0


def test_an_attachment_in_the_store_is_read_from_the_store(
    executor: Executor, api: responses.RequestsMock, store: LocalStore
) -> None:
    url = store.save([png()], "image/png").url
    msg = Message(body={"image": url}, attachments={"a.png": {"url": url}})
    assert executor.run("removeBackground", msg, {"apiKey": API_KEY}).of_kind("data")


def test_download_result_stores_the_file_and_reports_it(
    executor: Executor, api: responses.RequestsMock, store: LocalStore
) -> None:
    result = run(executor, "removeBackground", {"image_id": "i"}, downloadResult=True)
    (message,) = result.of_kind("data")
    attachment_url = message.body["attachmentUrl"]
    path = store.path_of(attachment_url)
    assert path is not None
    assert path.read_bytes() == png((16, 12), "blue")
    ((name, attachment),) = message.attachments.items()
    assert name == path.name
    assert attachment.model_dump(by_alias=True, exclude_none=True) == {
        "url": attachment_url,
        "size": path.stat().st_size,
        "content-type": "image/png",
    }
    assert message.body["data"] == {"id": "r-1", "url": RESULT_URL}


def test_cutout_then_upscale_round_trips_through_the_store(
    executor: Executor, api: responses.RequestsMock
) -> None:
    first = run(executor, "removeBackground", {"image_id": "i"}, downloadResult=True)
    attachment_url = first.of_kind("data")[0].body["attachmentUrl"]
    second = run(executor, "upscale", {"image": attachment_url, "upscale_factor": 2})
    assert second.of_kind("data"), second.events
    filename, content_type, content = sent_form(api, UPSCALE)["image"]
    assert (content_type, content) == ("image/png", png((16, 12), "blue"))
    assert filename.endswith(".png")


def test_a_failed_result_download_is_retried_but_the_paid_call_is_not(
    executor: Executor, api: responses.RequestsMock, store: LocalStore
) -> None:
    api.replace(responses.GET, RESULT_URL, status=503)
    result = run(executor, "upscale", {"image_id": "i", "upscale_factor": 2}, downloadResult=True)
    error = error_of(result)
    assert error["name"] == "ResultDownloadError"
    assert RESULT_URL in error["message"]
    assert len([c for c in api.calls if c.request.url == UPSCALE]) == 1
    assert len([c for c in api.calls if c.request.url == RESULT_URL]) == 5
    assert not store.directory.exists() or not list(store.directory.iterdir())


def test_a_result_cut_off_mid_download_is_fetched_again(
    executor: Executor, api: responses.RequestsMock, store: LocalStore
) -> None:
    api.replace(responses.GET, RESULT_URL, body=requests.exceptions.ChunkedEncodingError("cut"))
    api.add(responses.GET, RESULT_URL, body=png((16, 12), "blue"))
    result = run(executor, "upscale", {"image_id": "i", "upscale_factor": 2}, downloadResult=True)
    (message,) = result.of_kind("data")
    assert store.path_of(message.body["attachmentUrl"]) is not None
    assert len(list(store.directory.iterdir())) == 1


def _source(api: responses.RequestsMock, size: tuple[int, int]) -> str:
    url = f"https://images.example.com/{size[0]}x{size[1]}.png"
    api.get(url, body=png(size))
    return url


def test_upscale_refuses_an_output_over_4800_naming_factor_and_largest_input(
    executor: Executor, api: responses.RequestsMock
) -> None:
    error = error_of(
        run(executor, "upscale", {"image": _source(api, (1300, 100)), "upscale_factor": 4})
    )
    assert error["problems"] == [
        {
            "path": "$.upscale_factor",
            "rule": "upscaling a 1300x100 image by 4 would give 5200x400, over the 4800x4800 "
            "limit; with factor 4 the largest input is 1200x1200",
        }
    ]
    assert not [c for c in api.calls if c.request.url == UPSCALE]


@pytest.mark.parametrize(("size", "factor"), [((1200, 1200), 4), ((600, 600), 8), ((2400, 10), 2)])
def test_upscale_at_the_limit_is_sent(
    executor: Executor, api: responses.RequestsMock, size: tuple[int, int], factor: int
) -> None:
    assert run(
        executor, "upscale", {"image": _source(api, size), "upscale_factor": factor}
    ).of_kind("data")


def test_upscale_warns_above_the_recommended_input(
    executor: Executor, api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        run(executor, "upscale", {"image": _source(api, (1100, 900)), "upscale_factor": 4})
    assert "above the recommended 1024x1024 for factor 4" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        run(executor, "upscale", {"image": _source(api, (1000, 900)), "upscale_factor": 4})
    assert "recommended" not in caplog.text


def test_temporary_files_are_removed_when_the_api_fails(
    executor: Executor, api: responses.RequestsMock, temp_dir: Path
) -> None:
    api.replace(responses.POST, REMOVEBG, status=422, json={"detail": "bad"})
    api.get("https://images.example.com/a.png", body=png())
    error_of(run(executor, "removeBackground", {"image": "https://images.example.com/a.png"}))
    assert list(temp_dir.iterdir()) == []


# Regressions found by tests/component/test_fuzz.py.


@pytest.mark.parametrize(
    "body",
    [
        {"image_url": "http://["},
        {"image_id": "i", "bg_image_url": "http://[::1"},
    ],
)
def test_a_url_that_cannot_be_parsed_is_an_input_error_not_an_exception(
    executor: Executor, api: responses.RequestsMock, body: dict[str, Any]
) -> None:
    (field,) = [key for key in body if key.endswith("_url")]
    error = error_of(run(executor, "removeBackground", body))
    assert {"path": f"$.{field}", "rule": "must be an http or https URL"} in error["problems"]
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    "url",
    ["https:", "https:///a.png", "http:/x.test/a.png", "http://:80/a.png", "http://x.test:99999/a"],
)
def test_an_http_url_without_a_usable_host_is_refused_before_sending(
    executor: Executor, api: responses.RequestsMock, url: str
) -> None:
    error = error_of(run(executor, "upscale", {"image_url": url, "upscale_factor": 2}))
    assert error["problems"] == [{"path": "$.image_url", "rule": "must be an http or https URL"}]
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("removeBackground", {"image_id": "i", "bg_blur": 10**5000}, "bg_blur"),
        ("removeBackground", {"image_id": "i", "bg_width": 10**5000}, "bg_width"),
        ("upscale", {"image_id": "i", "upscale_factor": -(10**5000)}, "upscale_factor"),
    ],
    ids=["bg_blur", "bg_width", "upscale_factor"],  # pytest cannot print these numbers
)
def test_a_number_too_large_to_print_is_an_input_error_not_an_exception(
    executor: Executor, api: responses.RequestsMock, action: str, body: dict[str, Any], field: str
) -> None:
    error = error_of(run(executor, action, body))
    assert error["problems"] == [{"path": f"$.{field}", "rule": "is too large a number"}]
    assert len(api.calls) == 0


def test_text_with_an_unpaired_surrogate_is_an_input_error_naming_the_field(
    executor: Executor, api: responses.RequestsMock
) -> None:
    error = error_of(run(executor, "removeBackground", {"image_id": "id-\ud800"}))
    assert error["problems"] == [
        {
            "path": "$.image_id",
            "rule": "must be valid Unicode text (it contains an unpaired surrogate)",
        }
    ]
    assert len(api.calls) == 0


@pytest.mark.parametrize("value", [" #fff", "blue ", "#fff\n"])
def test_a_colour_with_surrounding_space_is_refused_not_sent(
    executor: Executor, api: responses.RequestsMock, value: str
) -> None:
    error = error_of(run(executor, "removeBackground", {"image_id": "i", "bg_color": value}))
    assert [p["path"] for p in error["problems"]] == ["$.bg_color"]
    assert len(api.calls) == 0
