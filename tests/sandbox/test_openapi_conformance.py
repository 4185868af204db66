"""The sandbox against Picsart's OpenAPI file, and the checker that every other test relies on.

Without the team's spec folder these tests skip (saying why); the rest of the suite still runs
its spec-free checks on every answer.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from picsart_component.sandbox import params
from picsart_component.sandbox.conformance import (
    ConformanceChecker,
    ConformanceError,
    check_picsart_answer,
)
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, KEY, png_bytes

HEADER_VALUES = {
    "X-Picsart-Correlation-Id": "0b6c1c40-3bd1-4c1f-9a4e-6f1a2b3c4d5e",
    "X-Picsart-Ratelimit-Limit": "500",
    "X-Picsart-Ratelimit-Available": "499",
    "X-Picsart-Ratelimit-Reset-Time": "1800000060000",
    "X-Picsart-Credit-Available": "10",
    "Content-Type": "application/json",
}
GOOD_RESULT = {"status": "success", "data": {"id": "a" * 32, "url": "http://127.0.0.1/r.png"}}


@pytest.fixture
def checker(spec_path: Path, conformance: ConformanceChecker | None) -> ConformanceChecker:
    assert conformance is not None
    return conformance


@pytest.fixture
def document(checker: ConformanceChecker) -> dict[str, Any]:
    return checker.document


def test_the_spec_lists_every_operation_the_sandbox_serves(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert {"post"} <= set(paths["/removebg"])
    assert {"post"} <= set(paths["/upscale"])
    assert {"post"} <= set(paths["/upload"])
    assert {"get"} <= set(paths["/balance"])
    assert document["components"]["securitySchemes"]["apiKey"]["name"] == "X-Picsart-API-Key"


def test_the_sandbox_enums_and_limits_match_the_spec(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    removebg = schemas["RemoveBackgroundParameters"]["properties"]
    assert tuple(removebg["output_type"]["enum"]) == tuple(reversed(params.OUTPUT_TYPES))
    assert tuple(removebg["scale"]["enum"]) == params.SCALES
    assert tuple(removebg["shadow"]["enum"]) == params.SHADOWS
    assert tuple(removebg["format"]["enum"]) == params.FORMATS
    assert tuple(removebg["model"]["enum"]) == params.MODELS
    assert removebg["format"]["default"] == "PNG"
    upscale = schemas["UpscaleParameters"]
    assert upscale["required"] == ["upscale_factor"]
    assert tuple(upscale["properties"]["upscale_factor"]["enum"]) == params.UPSCALE_FACTORS
    assert upscale["properties"]["format"]["default"] == "JPG"
    assert schemas["ImageParameters"]["properties"]["image_url"]["maxLength"] == (
        params.MAX_URL_LENGTH
    )
    ranges = {
        name: (spec["minimum"], spec["maximum"])
        for name, spec in removebg.items()
        if "minimum" in spec
    }
    assert ranges == {
        "bg_blur": (0, 100),
        "stroke_size": (0, 100),
        "stroke_opacity": (0, 100),
        "shadow_opacity": (0, 100),
        "shadow_blur": (0, 100),
        "shadow_offset_x": (-100, 100),
        "shadow_offset_y": (-100, 100),
    }


def test_the_checker_rejects_answers_that_break_the_spec(checker: ConformanceChecker) -> None:
    def check(path: str, status: int, body: Any, **headers: str) -> None:
        checker.check(
            "GET" if path.endswith("balance") else "POST",
            path,
            status,
            {**HEADER_VALUES, **headers},
            json.dumps(body).encode(),
        )

    check("/tools/1.0/balance", 200, {"credits": 3})
    check("/tools/1.0/removebg", 200, GOOD_RESULT)
    broken: list[tuple[str, int, Any, dict[str, str]]] = [
        ("/tools/1.0/balance", 200, {"credits": "3"}, {}),
        ("/tools/1.0/removebg", 200, {"status": "success", "data": {"url": "no uri"}}, {}),
        ("/tools/1.0/removebg", 422, {"code": 422, "message": "x"}, {}),
        (
            "/tools/1.0/balance",
            401,
            {"code": 401, "detail": "x"},
            {"X-Picsart-Ratelimit-Available": "many"},
        ),
        ("/tools/1.0/balance", 406, {"code": 406, "message": "x"}, {}),
    ]
    for path, status, body, headers in broken:
        with pytest.raises(ConformanceError):
            check(path, status, body, **headers)


def test_the_spec_free_checks_catch_missing_or_odd_headers() -> None:
    def check(status: int, body: Any, headers: dict[str, str]) -> None:
        check_picsart_answer(
            "POST", "/tools/1.0/upscale", status, headers, json.dumps(body).encode()
        )

    check(200, GOOD_RESULT, HEADER_VALUES)
    cases: list[tuple[int, Any, dict[str, str]]] = [
        (200, GOOD_RESULT, {k: v for k, v in HEADER_VALUES.items() if "Credit" not in k}),
        (200, GOOD_RESULT, {**HEADER_VALUES, "X-Picsart-Correlation-Id": "corr-1"}),
        (200, GOOD_RESULT, {**HEADER_VALUES, "X-Picsart-Ratelimit-Limit": "1.5"}),
        (200, {"status": "success", "data": {"id": "short", "url": "http://x/"}}, HEADER_VALUES),
        (422, {"code": 400, "message": "m", "detail": "d"}, HEADER_VALUES),
        (422, {"code": 422, "message": "m"}, HEADER_VALUES),
        (200, GOOD_RESULT, {**HEADER_VALUES, "Content-Type": "text/plain"}),
    ]
    for status, body, headers in cases:
        with pytest.raises(ConformanceError):
            check(status, body, headers)


def test_every_kind_of_answer_validates_and_deviations_are_recorded(
    checker: ConformanceChecker, make_client: MakeClient
) -> None:
    client, _ = make_client(quota=30, faults="502:next=1,path=upscale;504:next=1,path=upload")
    before = checker.checked
    image = png_bytes()

    def send(endpoint: str, **kw: Any) -> int:
        return int(client.post("/tools/1.0/" + endpoint, headers=HEADERS, **kw).status_code)

    statuses = [
        send("upscale", data={"image": (io.BytesIO(image), "a.png"), "upscale_factor": "2"}),
        send("upload", data={"image": (io.BytesIO(image), "a.png")}),
        send("removebg", data={"image": (io.BytesIO(image), "a.png")}),
        send("upscale", data={"image": (io.BytesIO(image), "a.png"), "upscale_factor": "2"}),
        send("upload", data={"image": (io.BytesIO(image), "a.png")}),
        send("removebg", data={"image": (io.BytesIO(b"text"), "a.txt")}),
        send("removebg", data=b"{", content_type="application/json"),
        send("removebg", data={}),
        int(client.get("/tools/1.0/balance", headers={"X-Picsart-API-Key": KEY}).status_code),
        int(client.get("/tools/1.0/balance", headers=HEADERS).status_code),
        int(client.get("/tools/1.0/removebg", headers=HEADERS).status_code),
        int(client.get("/tools/1.0/missing", headers=HEADERS).status_code),
    ]
    assert statuses == [502, 504, 200, 200, 200, 415, 400, 422, 406, 200, 405, 404]
    assert checker.checked - before == len(statuses)
    assert any(note.startswith("406 is not described") for note in checker.deviations)
    assert any(note.startswith("502 is not described") for note in checker.deviations)


def test_a_gateway_429_and_an_html_page_are_noted_not_failed(
    checker: ConformanceChecker, client: Client
) -> None:
    client.post("/__sandbox/faults", json={"faults": "429:next=1;html:next=1,headers=true"})
    assert client.get("/tools/1.0/balance", headers=HEADERS).status_code == 429
    assert client.get("/tools/1.0/balance", headers=HEADERS).status_code == 502
    notes = " | ".join(checker.deviations)
    assert "gateway 'fault' body" in notes
    assert "HTML page" in notes
