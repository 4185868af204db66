"""Error bodies in every shape Picsart (or a gateway in front of it) sends, and URL joining."""

from __future__ import annotations

import pytest

from picsart_component.lib.errors import (
    ErrorBody,
    NotFoundError,
    RateLimitError,
    URLError,
    build_status_error,
    parse_error_body,
)
from picsart_component.lib.urls import join_url, normalize_base_url

ERROR_BODIES = [
    (
        b'{"code": 422, "message": "Unprocessable", "detail": "bg_blur out of range"}',
        ErrorBody("422", "Unprocessable", "bg_blur out of range"),
    ),
    (b'{"message": "Payment Required"}', ErrorBody(None, "Payment Required", None)),
    (b'{"detail": "only detail"}', ErrorBody(None, None, "only detail")),
    (
        b'{"fault": {"faultstring": "Rate limit quota violation", '
        b'"detail": {"errorcode": "policies.ratelimit.QuotaViolation"}}}',
        ErrorBody("policies.ratelimit.QuotaViolation", "Rate limit quota violation", None),
    ),
    (
        b'{"code": 400, "message": "Bad", "detail": {"field": "image"}}',
        ErrorBody("400", "Bad", '{"field": "image"}'),
    ),
    (
        b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        ErrorBody(None, "502 Bad Gateway", None),
    ),
    (
        b"<html><body><h1>Service   Unavailable</h1></body></html>",
        ErrorBody(None, "Service Unavailable", None),
    ),
    (b"", ErrorBody()),
    (b"   \n", ErrorBody()),
    (None, ErrorBody()),
    (b"plain text failure", ErrorBody(None, "plain text failure", None)),
    (b'["a", "list"]', ErrorBody(None, '["a", "list"]', None)),
    (b'{"status": "fail", "message"', ErrorBody(None, '{"status": "fail", "message"', None)),
    (b"\xff\xfe\x00bad bytes", ErrorBody(None, "\ufffd\ufffd\x00bad bytes", None)),
]


@pytest.mark.parametrize(("raw", "expected"), ERROR_BODIES)
def test_error_bodies_of_any_shape_are_read_without_crashing(
    raw: bytes | None, expected: ErrorBody
) -> None:
    assert parse_error_body(raw) == expected


def test_a_huge_error_body_is_clipped() -> None:
    parsed = parse_error_body(b'{"message": "' + b"x" * 10_000 + b'"}')
    assert parsed.message is not None
    assert len(parsed.message) == 500


def test_error_str_reads_well_and_names_the_correlation_id() -> None:
    error = build_status_error(
        status=404,
        method="POST",
        url="https://api.picsart.io/tools/1.0//removebg",
        headers={"X-Picsart-Correlation-Id": "abc-123"},
        body=b'{"code": 404, "message": "Not Found", "detail": "No such endpoint"}',
    )
    assert isinstance(error, NotFoundError)
    assert str(error) == (
        "Picsart answered 404 Not Found to POST https://api.picsart.io/tools/1.0//removebg: "
        "Not Found (No such endpoint) [code 404] [correlation id abc-123]"
    )
    assert "abc-123" in repr(error)


def test_an_empty_error_body_falls_back_to_the_reason_phrase() -> None:
    error = build_status_error(status=429, method="GET", url="u", headers={}, body=b"")
    assert isinstance(error, RateLimitError)
    assert error.message == "Too Many Requests"


JOINS = [
    ("https://api.picsart.io/tools/1.0/", "removebg", "https://api.picsart.io/tools/1.0/removebg"),
    ("https://api.picsart.io/tools/1.0/", "/removebg", "https://api.picsart.io/tools/1.0/removebg"),
    ("https://api.picsart.io/tools/1.0", "removebg", "https://api.picsart.io/tools/1.0/removebg"),
    (
        "https://api.picsart.io/tools/1.0//",
        "/removebg/",
        "https://api.picsart.io/tools/1.0/removebg",
    ),
    (
        "https://api.picsart.io/tools/1.0/",
        "upscale/ultra",
        "https://api.picsart.io/tools/1.0/upscale/ultra",
    ),
    (
        "https://api.picsart.io/tools/1.0/",
        "upscale//ultra/",
        "https://api.picsart.io/tools/1.0/upscale/ultra",
    ),
    (
        "https://api.picsart.io/tools/1.0/",
        "image/abc?x=1&y=2",
        "https://api.picsart.io/tools/1.0/image/abc?x=1&y=2",
    ),
    ("http://127.0.0.1:8700", "balance", "http://127.0.0.1:8700/balance"),
    (
        "https://api.picsart.io/tools/1.0/",
        "https://genai-api.picsart.io/v1/text2image",
        "https://genai-api.picsart.io/v1/text2image",
    ),
    ("", "balance", "https://api.picsart.io/tools/1.0/balance"),
]


@pytest.mark.parametrize(("base", "path", "expected"), JOINS)
def test_paths_join_without_losing_the_base_path_or_doubling_slashes(
    base: str, path: str, expected: str
) -> None:
    joined = join_url(base, path)
    assert joined == expected
    assert "//" not in joined.split("://", 1)[1]


@pytest.mark.parametrize(
    "path",
    ["", "  ", "../balance", "a/./b", "//evil.com/x", "javascript:x", "ftp://api.picsart.io/x"],
)
def test_unusable_paths_are_refused(path: str) -> None:
    with pytest.raises(URLError):
        join_url("https://api.picsart.io/tools/1.0/", path)


@pytest.mark.parametrize("base", ["api.picsart.io/tools", "ftp://x/", "https://x/?q=1", "http://"])
def test_unusable_base_urls_are_refused(base: str) -> None:
    with pytest.raises(URLError):
        normalize_base_url(base)
