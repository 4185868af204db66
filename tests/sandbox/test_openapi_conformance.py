"""The sandbox against Picsart's OpenAPI files, and the checker that every other test relies on:
every operation of both files is served, its enums and ranges are the file's, and its answers,
successes and failures, validate.

The files are vendored in ``openapi/``; the checker reads ``catalogue/differences.py`` for the
answers it accepts outside them.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from werkzeug.test import Client

from picsart_component.catalogue import choices, differences
from picsart_component.sandbox import (
    analysis,
    editing,
    media,
    operations,
    params,
)
from picsart_component.sandbox.conformance import (
    ConformanceChecker,
    ConformanceError,
    check_picsart_answer,
)
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import (
    HEADERS,
    KEY,
    TOOLS_CALLS,
    FakeClock,
    job_id,
    png_bytes,
    poll_path,
    send,
    send_tool,
)

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
def checker(conformance: ConformanceChecker) -> ConformanceChecker:
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


def test_the_checker_accepts_a_gateway_body_or_html_only_while_the_list_names_them(
    checker: ConformanceChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = {**HEADER_VALUES, "Content-Type": "text/html"}
    fault = {"fault": {"faultstring": "Rate limit quota violation", "detail": {"errorcode": "x"}}}

    def check() -> None:
        checker.check("GET", "/tools/1.0/balance", 502, html, b"<html>Bad gateway</html>")
        checker.check("GET", "/v1/balance", 429, HEADER_VALUES, json.dumps(fault).encode())

    check()
    answer_kinds = ("content type", "error body")
    kept = tuple(entry for entry in differences.DIFFERENCES if entry.kind not in answer_kinds)
    monkeypatch.setattr(differences, "DIFFERENCES", kept)
    with pytest.raises(ConformanceError, match="HTML page"):
        checker.check("GET", "/tools/1.0/balance", 502, html, b"<html>Bad gateway</html>")
    with pytest.raises(ConformanceError):
        checker.check("GET", "/v1/balance", 429, HEADER_VALUES, json.dumps(fault).encode())


def test_each_note_says_whether_the_list_names_the_difference(checker: ConformanceChecker) -> None:
    def error(status: int) -> bytes:
        return json.dumps({"code": status, "message": "m", "detail": "d"}).encode()

    checker.check("POST", "/v1/text2image", 422, HEADER_VALUES, error(422))
    checker.check("POST", "/v1/text2image", 502, HEADER_VALUES, error(502))
    checker.check("POST", "/tools/1.0/removebg", 418, HEADER_VALUES, error(418))
    checker.check("POST", "/v1/text2video", 501, HEADER_VALUES, error(501))
    checker.check("POST", "/v1/text2image", 501, HEADER_VALUES, error(501))
    accepted = {"status": "ACCEPTED", "inference_id": "x"}
    checker.check("GET", "/v1/audio/x", 202, HEADER_VALUES, json.dumps(accepted).encode())
    accepted = {"status": "QUEUED", "inference_id": "x"}
    checker.check("GET", "/v1/audio/x", 202, HEADER_VALUES, json.dumps(accepted).encode())
    notes = set(checker.deviations)
    unlisted = " (not in differences.py)"
    assert "422 is not listed for POST /v1/text2image" + unlisted in notes
    assert "502 is not described anywhere in the OpenAPI file (listed: production)" in notes
    assert "418 is not described anywhere in the OpenAPI file" + unlisted in notes
    assert "501 is not described anywhere in the OpenAPI file (listed: sandbox only)" in notes
    assert "501 is not described anywhere in the OpenAPI file" + unlisted in notes
    used = "which the OpenAPI file does not use"
    assert f"status word 'ACCEPTED', {used} (listed: client alias)" in notes
    assert f"status word 'QUEUED', {used}" + unlisted in notes


# The GenAI file and Ultra Upscale


@pytest.fixture
def genai(checker: ConformanceChecker) -> dict[str, Any]:
    assert checker.genai_document is not None
    return checker.genai_document


def test_the_sandbox_serves_every_operation_of_the_genai_file(genai: dict[str, Any]) -> None:
    served = {
        (op.method.lower(), "/" + op.path)
        for op in operations.OPERATIONS
        if op.prefix == operations.GENAI_PREFIX
    }
    served |= {
        ("get", f"/{poll.path}{{inference_id}}")
        for poll in operations.POLLS
        if poll.prefix == operations.GENAI_PREFIX
    }
    listed = {(method, path) for path, item in genai["paths"].items() for method in item}
    assert served == listed
    for op in operations.OPERATIONS:
        if op.prefix != operations.GENAI_PREFIX or op.method != "POST":
            continue
        answers = genai["paths"]["/" + op.path]["post"]["responses"]
        assert ("200" in answers, "202" in answers) == (op.sync, op.asynchronous), op.name
        body = next(iter(genai["paths"]["/" + op.path]["post"]["requestBody"]["content"]))
        assert body == {"json": "application/json", "form": "multipart/form-data"}[op.body]


def test_the_genai_enums_and_ranges_match_the_file(
    genai: dict[str, Any], document: dict[str, Any]
) -> None:
    schemas = genai["components"]["schemas"]

    def enum(schema: str, field: str = "model") -> tuple[Any, ...]:
        return tuple(schemas[schema]["properties"][field]["enum"])

    assert enum("Text2TextModels") == choices.CHAT_MODELS
    assert enum("Text2ImageModels") == enum("Text2StickerModels") == choices.TEXT_TO_IMAGE_MODELS
    assert enum("LogoModels") == choices.TEXT_TO_IMAGE_MODELS
    assert enum("LaserEngravingModels") == choices.LASER_ENGRAVING_MODELS
    assert enum("Image2ImageModels") == choices.IMAGE_TO_IMAGE_MODELS
    assert enum("Text2VideoModels") == choices.TEXT_TO_VIDEO_MODELS
    assert enum("Image2VideoModels") == choices.IMAGE_TO_VIDEO_MODELS
    assert enum("Text2SpeechModels") == choices.TEXT_TO_SPEECH_MODELS
    assert enum("Text2SoundModels") == choices.TEXT_TO_SOUND_MODELS
    assert enum("LogoParameters", "color_tone") == params.COLOR_TONES
    assert enum("ExpandParameters", "direction") == params.DIRECTIONS
    assert enum("WatermarkParameters", "watermark_anchor_point") == editing.WATERMARK_ANCHORS
    assert enum("Text2VideoParameters", "quality") == params.QUALITIES
    assert enum("Text2SpeechParameters", "language") == params.LANGUAGES
    assert enum("LaserEngravingParameters", "format") == params.ENGRAVING_FORMATS
    assert enum("EditWithPromptParameters", "mode") == params.PAINTING_MODES
    assert enum("ExpandParameters", "mode") == params.MODES

    def span(schema: str, field: str) -> tuple[Any, Any]:
        found = schemas[schema]["properties"][field]
        return found.get("minimum"), found.get("maximum")

    side = (params.MIN_PICTURE_SIDE, params.MAX_PICTURE_SIDE)
    assert span("Text2ImageParameters", "width") == span("Text2VideoParameters", "height") == side
    assert span("Text2ImageParameters", "count") == span("LogoParameters", "count") == (1, 10)
    assert span("ExpandParameters", "count") == (1, 2)
    assert span("ExpandParameters", "width") == (None, params.MAX_CANVAS_SIDE)
    assert span("BleedParameters", "bleed_size") == (1, 75)
    assert span("Text2SoundParameters", "duration") == (0.5, 22)
    assert span("Text2VideoParameters", "length") == (1, 20)
    assert span("WatermarkParameters", "watermark_angle") == (0, 360)
    assert schemas["BleedParameters"]["required"] == ["bleed_size"]
    assert schemas["LogoParameters"]["required"] == ["brand_name", "business_description"]
    ultra = document["components"]["schemas"]["UpscaleUltraParameters"]["properties"]
    assert tuple(ultra["upscale_factor"]["enum"]) == params.ULTRA_FACTORS
    assert tuple(ultra["image_type"]["enum"]) == params.IMAGE_TYPES
    assert tuple(ultra["product_type"]["enum"]) == params.IMAGE_TYPES
    assert tuple(ultra["mode"]["enum"]) == params.MODES


def test_the_checker_rejects_genai_answers_that_break_the_file(
    checker: ConformanceChecker,
) -> None:
    item = {"id": "a" * 32, "url": "http://127.0.0.1/r.png"}

    def check(method: str, path: str, status: int, body: Any) -> None:
        checker.check(method, path, status, HEADER_VALUES, json.dumps(body).encode())

    check("POST", "/v1/text2text/chat/completions", 200, {"status": "success", "data": "hi"})
    check("GET", "/v1/painting/x", 200, {"status": "success", "data": [item]})
    check("GET", "/v1/video/x", 200, {"status": "success", "data": item})
    check("GET", "/v1/audio/x", 202, {"status": "ACCEPTED", "inference_id": "x"})
    check("GET", "/tools/1.0/upscale/ultra/x", 200, {"status": "success", "data": item})
    broken: list[tuple[str, str, int, Any]] = [
        ("POST", "/v1/text2text/chat/completions", 200, {"status": "success", "data": 3}),
        ("GET", "/v1/painting/x", 200, {"status": "success", "data": item}),
        ("GET", "/v1/video/x", 200, {"status": "success", "data": [item]}),
        ("GET", "/v1/balance", 200, {"credits": "many"}),
        ("POST", "/v1/text2image", 202, {"status": "processing", "inference_id": 7}),
        ("GET", "/tools/1.0/upscale/ultra/x", 200, {"status": "success", "data": [item]}),
    ]
    for method, path, status, body in broken:
        with pytest.raises(ConformanceError):
            check(method, path, status, body)
    assert any("status word 'ACCEPTED'" in note for note in checker.deviations)


def test_every_genai_answer_validates_and_deviations_are_recorded(
    checker: ConformanceChecker,
    make_client: MakeClient,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, _ = make_client()
    before = checker.checked
    sync_ops = ("edit", "inpaint", "outpaint", "remove-object", "replace-background", "expand")
    statuses: list[int] = []
    pending: list[tuple[str, str]] = []
    for name in (*sync_ops, "bleed", "chat", "ultra"):
        statuses.append(send(client, name).status_code)
    client.post("/__sandbox/reset", json={"job_seconds": 1})
    for name in (*sync_ops, "ultra", "text2image", "text2sticker", "laserengraving", "logo"):
        accepted = send(client, name, prefer="respond-async")
        statuses.append(accepted.status_code)
        pending.append((name, job_id(accepted)))
    statuses += [
        client.get(poll_path(name, found), headers=HEADERS).status_code for name, found in pending
    ]
    clock.advance(1)
    statuses += [
        client.get(poll_path(name, found), headers=HEADERS).status_code for name, found in pending
    ]
    client.post(
        "/__sandbox/faults", json={"faults": "job-fail;job-word:word=ACCEPTED,phase=pending"}
    )
    for name in ("edit", "ultra"):
        accepted = send(client, name, prefer="respond-async")
        statuses.append(accepted.status_code)
        failed = job_id(accepted)
        statuses.append(client.get(poll_path(name, failed), headers=HEADERS).status_code)
        clock.advance(1)
        statuses.append(client.get(poll_path(name, failed), headers=HEADERS).status_code)
    monkeypatch.setattr(media, "video_available", lambda: False)
    statuses += [
        send(client, "text2video").status_code,
        send(client, "text2image", count=0).status_code,
        send(client, "ultra", upscale_factor="1").status_code,
        client.get("/v1/video/nothing", headers=HEADERS).status_code,
        client.get("/v1/balance", headers=HEADERS).status_code,
    ]
    assert statuses == [200] * 9 + [202] * 11 + [202] * 11 + [200] * 11 + [202, 202, 200] * 2 + [
        501,
        400,
        422,
        404,
        200,
    ]
    assert checker.checked - before == len(statuses)
    notes = " | ".join(checker.deviations)
    assert "501 is not described anywhere" in notes
    assert "status word 'ACCEPTED'" in notes


# The rest of the image tools file


def test_the_sandbox_serves_every_operation_of_the_image_tools_file(
    document: dict[str, Any],
) -> None:
    tools = operations.TOOLS_PREFIX
    served = {
        (op.method.lower(), "/" + op.path + ("{transaction_id}" if op.id_in_path else ""))
        for op in operations.OPERATIONS
        if op.prefix == tools
    }
    served |= {
        ("get", f"/{poll.path}{{transaction_id}}")
        for poll in operations.POLLS
        if poll.prefix == tools
    }
    listed = {(method, path) for path, item in document["paths"].items() for method in item}
    assert served == listed
    for op in operations.OPERATIONS:
        if op.prefix != tools or op.method != "POST":
            continue
        answers = document["paths"]["/" + op.path]["post"]["responses"]
        assert ("200" in answers, "202" in answers) == (op.sync, op.asynchronous), op.name
    assert set(operations.TOOLS_TARGETS) <= set(operations.GROUPS["tools"])
    assert {"poll-ultra", "poll-design2replay"} <= operations.GROUPS["polls"]


def test_the_image_tools_enums_and_ranges_match_the_file(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def enum(schema: str, field: str) -> tuple[Any, ...]:
        found = schemas[schema]["properties"][field]
        return tuple(found.get("items", found)["enum"])

    def span(schema: str, field: str) -> tuple[Any, Any]:
        found = schemas[schema]["properties"][field]
        return found.get("minimum"), found.get("maximum")

    assert enum("EffectsParameters", "effect_name") == choices.EFFECT_NAMES
    assert enum("EffectsPreviewsParameters", "effect_names") == choices.EFFECT_NAMES
    assert enum("AIEffectsParameters", "effect_name") == choices.AI_EFFECT_NAMES
    assert enum("MasksParameters", "mask") == enum("MasksPreviewParameters", "mask")
    assert enum("MasksParameters", "mask") == choices.MASK_NAMES
    assert enum("MasksParameters", "blend") == choices.MASK_BLENDS
    assert enum("MasksParameters", "mask_flip") == choices.MASK_FLIPS
    assert enum("StyleTransferParameters", "level") == choices.STYLE_LEVELS
    assert enum("OverlayParameters", "blend_mode") == editing.BLEND_MODES
    assert enum("WatermarkParameters", "anchor_point") == editing.WATERMARK_ANCHORS
    assert enum("ZoomParameters", "anchor_point") == editing.ZOOM_ANCHORS
    assert enum("EditParameters", "crop_anchor") == editing.CROP_ANCHORS
    assert enum("EditParameters", "mode") == editing.EDIT_MODES
    assert enum("EditParameters", "flip") == editing.FLIPS
    assert enum("SmartCropParameters", "ratio") == editing.RATIOS
    assert enum("TextureParameters", "pattern") == editing.PATTERNS
    assert enum("MultiMattingSegmentationParameters", "segmentation_class") == (
        analysis.SEGMENTATION_CLASSES
    )
    assert enum("CarClassificationModels", "model") == choices.CAR_MODELS
    assert enum("UpscaleEnhanceParameters", "upscale_factor") == params.ENHANCE_FACTORS
    assert enum("LaserEngravingEffectParameters", "format") == params.ENGRAVING_FORMATS
    assert enum("MasksParameters", "format") == params.FORMATS
    car = document["components"]["responses"]["200CarClassification"]
    car_data = car["content"]["application/json"]["schema"]["properties"]["data"]
    assert tuple(car_data["properties"]["class"]["enum"]) == analysis.CAR_VIEWS
    adjust = {
        name: (spec["minimum"], spec["maximum"])
        for name, spec in schemas["AdjustParameters"]["properties"].items()
        if "minimum" in spec
    }
    assert adjust == params.ADJUSTMENTS
    assert span("EffectsParameters", "fade") == (0, 100)
    assert span("EffectsPreviewsParameters", "preview_size") == params.PREVIEW_SIZES
    assert span("SelectiveBlurParameters", "blur") == (1, 100)
    assert schemas["SelectiveBlurParameters"]["properties"]["segment"]["maxLength"] == (
        params.MAX_SEGMENT_LENGTH
    )
    assert span("MasksParameters", "hue") == (-180, 180)
    assert span("TextureParameters", "width") == (None, params.MAX_CANVAS_SIDE)
    assert span("TextureParameters", "scale") == (0.5, 10)
    assert span("EditParameters", "rotate") == (-180, 180)
    assert span("EditParameters", "perspective_horizontal") == (-45, 45)
    assert span("EditParameters", "quality") == (10, 100)
    assert span("SmartCropParameters", "margin") == (0, 100)
    assert span("ZoomParameters", "scale_factor") == (1, 75)
    assert span("OverlayParameters", "opacity") == (0, 100)
    assert span("WatermarkParameters", "watermark_angle") == (0, 360)
    for schema, required in [
        ("EffectsParameters", ["effect_name"]),
        ("EffectsPreviewsParameters", ["effect_names"]),
        ("AIEffectsParameters", ["effect_name"]),
        ("SelectiveBlurParameters", ["segment"]),
        ("SmartCropParameters", ["segment"]),
        ("ZoomParameters", ["scale_factor"]),
        ("MasksParameters", ["mask"]),
        ("MasksPreviewParameters", ["mask"]),
        ("MultiMattingSegmentationParameters", ["segmentation_class"]),
    ]:
        assert schemas[schema]["required"] == required, schema


def test_every_image_tools_answer_validates_and_deviations_are_recorded(
    checker: ConformanceChecker, make_client: MakeClient, clock: FakeClock
) -> None:
    client, _ = make_client(job_seconds=1)
    before = checker.checked
    statuses: list[int] = []
    jobs: list[str] = []
    lookups = 0
    for name in TOOLS_CALLS:
        answer = send_tool(client, name)
        statuses.append(answer.status_code)
        if name == "design2replay":
            jobs.append(answer.get_json()["transaction_id"])
        elif "id" in answer.get_json()["data"]:
            found = answer.get_json()["data"]["id"]
            statuses.append(client.get(f"/tools/1.0/image/{found}", headers=HEADERS).status_code)
            lookups += 1
        statuses.append(send_tool(client, name, drop=("image", "file")).status_code)
    statuses += [
        client.get("/tools/1.0/effects", headers=HEADERS).status_code,
        client.get("/tools/1.0/effects/ai", headers=HEADERS).status_code,
        client.delete("/tools/1.0/effects/ai", headers=HEADERS).status_code,
        client.get("/tools/1.0/image/nothing", headers=HEADERS).status_code,
        client.get(f"/tools/1.0/design2replay/{jobs[0]}", headers=HEADERS).status_code,
        send_tool(client, "effects", image=b"text").status_code,
        send_tool(client, "design2replay", file=b"text").status_code,
    ]
    clock.advance(1)
    statuses.append(client.get(f"/tools/1.0/design2replay/{jobs[0]}", headers=HEADERS).status_code)
    calls = len(TOOLS_CALLS)
    assert lookups == calls - 7  # all but design import, the 4 analyses and the 2 previews
    assert sorted(statuses) == sorted(
        [200] * (calls - 1 + lookups + 3)
        + [202] * 2
        + [404, 405]
        + [415] * 2
        + [422] * (calls - 1)
        + [400]  # /watermark: its file lists no 422
    )
    assert checker.checked - before == len(statuses)
