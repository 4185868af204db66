"""The attachment store: the local folder, and Maester against a local object-storage server."""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import responses
from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from picsart_component.lib.errors import StoreError
from picsart_component.lib.settings import ComponentSettings
from picsart_component.lib.store import LocalStore, MaesterStore, store_for
from picsart_component.runtime.messages import Message
from tests.helpers import API_KEY, BASE_URL, FakeTime, make_executor, offline_resolver

TOKEN = "maester-token-123"


@dataclass
class ObjectStorage:
    """A small stand-in for elastic.io's Maester, recording what it receives."""

    objects: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "auth": request.headers.get("Authorization"),
                "chunked": request.headers.get("Transfer-Encoding") == "chunked",
            }
        )
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("unauthorized", status=401)(environ, start_response)
        if request.method == "POST" and request.path == "/objects":
            object_id = str(uuid.uuid4())
            self.objects[object_id] = (request.content_type or "", request.get_data())
            body = {"objectId": object_id, "contentType": request.content_type, "md5": "x"}
            return Response(json.dumps(body), content_type="application/json")(
                environ, start_response
            )
        if request.method == "GET" and request.path.startswith("/objects/"):
            stored = self.objects.get(request.path.rsplit("/", 1)[1])
            if stored is None:
                return Response("missing", status=404)(environ, start_response)
            return Response(stored[1], content_type=stored[0])(environ, start_response)
        return Response("no", status=404)(environ, start_response)


@pytest.fixture
def maester() -> Iterator[tuple[str, ObjectStorage]]:
    storage = ObjectStorage()
    server = make_server("127.0.0.1", 0, storage, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", storage
    finally:
        server.shutdown()


def png(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), color).save(out, "PNG")
    return out.getvalue()


def test_maester_upload_streams_with_the_bearer_token_and_returns_its_url(
    maester: tuple[str, ObjectStorage],
) -> None:
    uri, storage = maester
    store = MaesterStore(uri, TOKEN)
    stored = store.save(iter([b"abc", b"def"]), "image/png")
    (object_id,) = storage.objects
    assert stored.url == f"{uri}/objects/{object_id}?storage_type=maester"
    assert (stored.size, stored.content_type) == (6, "image/png")
    assert storage.objects[object_id] == ("image/png", b"abcdef")
    assert storage.requests[0] == {
        "method": "POST",
        "path": "/objects",
        "auth": f"Bearer {TOKEN}",
        "chunked": True,
    }
    assert store.owns(stored.url)
    with store.read(stored.url) as chunks:
        assert b"".join(chunks) == b"abcdef"
    assert storage.requests[1]["auth"] == f"Bearer {TOKEN}"


def test_maester_with_a_wrong_token_is_a_clear_error(maester: tuple[str, ObjectStorage]) -> None:
    uri, _ = maester
    with pytest.raises(StoreError, match=r"refused the upload \(401\)"):
        MaesterStore(uri, "wrong").save(iter([b"x"]), "image/png")


def test_maester_only_owns_its_own_object_urls(maester: tuple[str, ObjectStorage]) -> None:
    uri, _ = maester
    store = MaesterStore(uri, TOKEN)
    assert store.owns(f"{uri}/objects/abc?storage_type=maester")
    assert not store.owns(f"{uri}/objects/abc")
    assert not store.owns("http://elsewhere:1/objects/abc?storage_type=maester")
    assert TOKEN not in repr(store)


def test_the_platform_variables_choose_maester_else_the_local_folder(tmp_path: Path) -> None:
    chosen = store_for(
        ComponentSettings.from_environ(
            {"ELASTICIO_OBJECT_STORAGE_URI": "http://m:3002", "ELASTICIO_OBJECT_STORAGE_TOKEN": "t"}
        )
    )
    assert isinstance(chosen, MaesterStore)
    local = store_for(
        ComponentSettings.from_environ({"PICSART_ATTACHMENTS_DIR": str(tmp_path / "att")})
    )
    assert isinstance(local, LocalStore)
    assert local.directory == (tmp_path / "att").resolve()
    assert ComponentSettings.from_environ({"XDG_DATA_HOME": "/data"}).attachments_folder == Path(
        "/data/picsart-component/attachments"
    )


def test_local_store_generates_ids_and_refuses_every_other_path(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    first = store.save(iter([b"one"]), "image/png")
    second = store.save(iter([b"two"]), "image/png")
    assert first.url != second.url
    assert first.filename.endswith(".png")
    assert len(first.filename) == 36
    (tmp_path / "secret.txt").write_text("no")
    directory = store.directory.as_uri()
    for url in (
        f"{directory}/../secret.txt",
        f"{directory}/%2e%2e/secret.txt",
        (tmp_path / "secret.txt").as_uri(),
        f"{directory}/notanid.png",
        f"{directory}/{first.filename}/..",
        f"file://otherhost{store.directory}/{first.filename}",
        "http://localhost/" + first.filename,
    ):
        assert not store.owns(url), url
        with pytest.raises(StoreError):
            store.read(url).__enter__()
    with store.read(first.url) as chunks:
        assert b"".join(chunks) == b"one"


def test_a_failed_local_save_leaves_no_partial_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")

    def broken() -> Iterator[bytes]:
        yield b"half"
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        store.save(broken(), "image/png")
    assert list(store.directory.iterdir()) == []


def test_download_result_goes_to_maester_and_the_next_step_reads_it_back(
    maester: tuple[str, ObjectStorage], fake_time: FakeTime
) -> None:
    uri, storage = maester
    executor = make_executor(
        fake_time,
        environ={"ELASTICIO_OBJECT_STORAGE_URI": uri, "ELASTICIO_OBJECT_STORAGE_TOKEN": TOKEN},
        resolver=offline_resolver({"cdn.picsart.io": "151.101.1.1"}),
    )
    result_url = "https://cdn.picsart.io/r/cutout.png"
    with responses.RequestsMock() as api:
        api.add_passthru(uri)
        api.post(
            BASE_URL + "removebg",
            json={"status": "success", "data": {"id": "c1", "url": result_url}},
        )
        api.post(
            BASE_URL + "upscale",
            json={"status": "success", "data": {"id": "u1", "url": result_url}},
        )
        api.get(result_url, body=png("green"), content_type="image/png")
        cfg = {"apiKey": API_KEY, "downloadResult": True}
        first = executor.run("removeBackground", Message(body={"image_id": "x"}), cfg)
        (message,) = first.of_kind("data")
        attachment_url = message.body["attachmentUrl"]
        assert attachment_url.startswith(f"{uri}/objects/")
        assert attachment_url.endswith("?storage_type=maester")
        second = executor.run(
            "upscale",
            Message(body={"image": attachment_url, "upscale_factor": 2}),
            {"apiKey": API_KEY},
        )
        assert second.of_kind("data"), second.events
        upload: Any = api.calls[-1].request.body
        assert api.calls[-1].request.url == BASE_URL + "upscale"
        assert png("green") in (upload.read() if hasattr(upload, "read") else upload)
    assert [r["method"] for r in storage.requests] == ["POST", "GET"]
    assert {r["auth"] for r in storage.requests} == {f"Bearer {TOKEN}"}
