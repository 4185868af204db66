"""The designer's gates: token and cookie, Host, Origin, content type, headers, the key, roots."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client

from picsart_component.flow_designer.session import ApiKey, Credentials
from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.designer.conftest import BASE, ORIGIN, Designer, make_designer

CANARY = "pk-DESIGNER-CANARY-51c9-do-not-leak"


def bare_client(designer: Designer) -> Client:
    """A client of the same app that holds no cookie."""
    return Client(designer.app)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/state", "application/json"),
        ("/api/palette", "application/json"),
        ("/", "text/html"),
        ("/static/app.js", "text/html"),
        ("/api/media/anything", "application/json"),
    ],
)
def test_a_request_without_token_or_cookie_gets_401(
    shared_designer: Designer, path: str, kind: str
) -> None:
    answer = bare_client(shared_designer).get(path, base_url=BASE)
    assert answer.status_code == 401
    assert answer.mimetype == kind
    if kind == "application/json":
        assert "not signed in" in answer.get_json()["error"]


def test_a_wrong_token_gets_401_and_no_cookie(shared_designer: Designer) -> None:
    answer = bare_client(shared_designer).get("/?token=guessed", base_url=BASE)
    assert answer.status_code == 401
    assert "Set-Cookie" not in answer.headers


def test_the_token_is_exchanged_for_a_strict_http_only_cookie(shared_designer: Designer) -> None:
    client = bare_client(shared_designer)
    answer = client.get(f"/?token={shared_designer.session.token}", base_url=BASE)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"picsart_designer={shared_designer.session.cookie_secret};")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/" in cookie
    assert shared_designer.session.token not in cookie
    assert client.get("/api/state", base_url=BASE).status_code == 200


def test_the_token_header_signs_a_request_in(shared_designer: Designer) -> None:
    answer = bare_client(shared_designer).get(
        "/api/state", base_url=BASE, headers={"X-Designer-Token": shared_designer.session.token}
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8123", 200),
        ("localhost:8123", 200),
        ("[::1]:8123", 200),
        ("evil.example:8123", 403),
        ("evil.example", 403),
        ("127.0.0.1:9999", 403),
        ("127.0.0.1.nip.io:8123", 403),
    ],
)
def test_only_this_servers_loopback_host_is_answered(
    shared_designer: Designer, host: str, status: int
) -> None:
    # A cookie belongs to the host name it was set for, so the token header signs in here.
    headers = {"Host": host, "X-Designer-Token": shared_designer.session.token}
    answer = shared_designer.client.get("/api/state", base_url=BASE, headers=headers)
    assert answer.status_code == status
    if status == 403:
        assert "Host" in answer.get_json()["error"]


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (None, 403),
        ("http://evil.example", 403),
        ("http://127.0.0.1:9999", 403),
        ("null", 403),
        ("http://localhost:8123", 200),
        (BASE, 200),
    ],
)
def test_a_post_needs_this_designers_origin(
    shared_designer: Designer, origin: str | None, status: int
) -> None:
    headers = {} if origin is None else {"Origin": origin}
    answer = shared_designer.client.post(
        "/api/check",
        base_url=BASE,
        json={"action": "removeBackground", "body": {}},
        headers=headers,
    )
    assert answer.status_code == status
    if status == 403:
        assert answer.get_json()["error"].startswith("Origin:")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_a_post_needs_a_json_body(shared_designer: Designer, content_type: str | None) -> None:
    headers = dict(ORIGIN)
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = shared_designer.client.post(
        "/api/check", base_url=BASE, data='{"action": "upscale"}', headers=headers
    )
    assert answer.status_code == 415
    assert answer.get_json()["error"].startswith("Content-Type:")


def test_every_answer_forbids_caching_framing_and_other_sites(shared_designer: Designer) -> None:
    for answer in (
        shared_designer.get("/api/state"),
        shared_designer.get("/api/nothing-here"),
        bare_client(shared_designer).get("/api/state", base_url=BASE),
        shared_designer.post("/api/check", {"action": "nope"}),
    ):
        assert answer.headers["Cache-Control"] == "no-store"
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "connect-src 'self'" in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("route", "payload", "field"),
    [
        ("/api/flow/open", {"path": "/etc/passwd"}, "path"),
        ("/api/flow/open", {"path": "../outside.yaml"}, "path"),
        ("/api/flow/save", {"path": "/tmp/elsewhere.yaml", "steps": []}, "path"),
        ("/api/item-sample", {"path": "/etc"}, "path"),
        ("/api/flow/open", {"path": "link/flow.yaml"}, "path"),
        ("/api/batch", {"flowPath": "/etc/hosts", "input": "items.csv"}, "flowPath"),
    ],
)
def test_files_outside_the_roots_are_refused(
    designer: Designer, route: str, payload: dict[str, object], field: str
) -> None:
    (designer.root / "link").symlink_to(designer.root.parent.parent)
    answer = designer.post(route, payload)
    assert answer.status_code == 403
    assert answer.get_json()["error"].startswith(f"{field}:")


def test_listing_a_folder_outside_the_roots_is_refused(designer: Designer) -> None:
    assert designer.get("/api/files", query_string={"dir": "/"}).status_code == 403
    listed = designer.get("/api/files")
    assert listed.status_code == 200
    assert listed.get_json()["dir"] == str(designer.root.resolve())


def test_a_local_file_outside_the_roots_is_not_attached(designer: Designer) -> None:
    outside = designer.root.parent / "photo.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    answer = designer.post(
        "/api/steps/run", {"action": "removeBackground", "body": {"image": str(outside)}}
    )
    assert answer.status_code == 403
    assert answer.get_json()["error"].startswith("body.image:")


def test_the_key_holder_hides_the_key() -> None:
    key = ApiKey(CANARY)
    assert CANARY not in repr(key)
    assert CANARY not in str(key)
    assert CANARY not in repr(Credentials(key))
    with pytest.raises(TypeError):
        key.__reduce__()


@pytest.fixture
def local_api() -> Iterator[RunningSandbox]:
    """A sandbox that stands for Picsart and takes only the canary key."""
    with start_sandbox(quiet=True, api_key=CANARY, credits=500) as running:
        yield running


def test_a_key_set_through_the_form_is_in_no_answer_and_no_log(
    designer_env: Path, local_api: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = make_designer(designer_env)
    try:
        answers = [
            made.post(
                "/api/credentials",
                {
                    "apiKey": CANARY,
                    "imageApiBaseUrl": local_api.base_url,
                    "genaiApiBaseUrl": local_api.genai_base_url,
                    "videoApiBaseUrl": local_api.video_base_url,
                    "vdApiBaseUrl": local_api.vd_base_url,
                },
            )
        ]
        assert answers[0].get_json()["configured"] is True
        assert answers[0].get_json()["source"] == "form"
        answers.append(made.get("/api/state"))
        assert answers[-1].get_json()["mode"] == "live"
        answers.append(made.post("/api/credentials/verify"))
        assert answers[-1].get_json() == {"verified": True, "reason": None, "sandbox": False}
        body = {"image_url": "https://example.com/a.jpg"}
        refused = made.post("/api/steps/run", {"action": "removeBackground", "body": {}})
        answers.append(refused)
        assert [event["kind"] for event in refused.get_json()["events"]] == ["error"]
        assert len(local_api.request_log()) == 1  # only verify's balance: nothing asked or sent
        asked = made.post("/api/steps/run", {"action": "removeBackground", "body": body})
        answers.append(asked)
        confirmation = asked.get_json()["needsConfirmation"]
        assert confirmation["balance"] == 500
        assert confirmation["estimate"] == 1
        assert "estimate" in confirmation["estimateNote"]
        assert local_api.request_log()[-1]["path"].endswith("/balance")
        ran = made.post(
            "/api/steps/run", {"action": "removeBackground", "body": body, "confirmed": True}
        )
        answers.append(ran)
        assert ran.get_json()["credits"] == {"estimate": 1, "spent": 1, "balance": 499}
        media = ran.get_json()["media"][0]["url"]
        answers.append(made.get(media))
        assert answers[-1].status_code == 200
        answers.append(made.get("/api/events"))
        answers.append(made.post("/api/actions/applyEffect/meta", {"cfg": {}}))
        answers.append(made.post("/api/steps/run", {"action": "upscale", "cfg": {"apiKey": "x"}}))
        assert answers[-1].status_code == 400
        fixture = made.root / "fixture.json"
        answers.append(
            made.post(
                "/api/steps/fixture",
                {"action": "removeBackground", "body": body, "name": "cut", "path": "fixture.json"},
            )
        )
        written = fixture.read_text()
        assert "{{PICSART_API_KEY}}" in written
        for answer in answers:
            assert CANARY.encode() not in answer.get_data()
            assert CANARY not in json.dumps(dict(answer.headers))
        assert CANARY not in written
        assert CANARY not in caplog.text
        assert all(CANARY not in path.read_text() for path in _text_files(made.root))
        assert made.session.credentials.key is not None
        assert CANARY not in repr(made.session.credentials)
    finally:
        made.app.close()


def _text_files(root: Path) -> list[Path]:
    return [Path(folder) / name for folder, _, names in os.walk(root) for name in names]
