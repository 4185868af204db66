"""Regression tests of the third hardening pass (issue 24) for the files actions take in.

- Item 6: a message's attachment gets no more trust than a URL in a field: only the attachment
  store's own files (the object storage's on the platform) are read without the public-address
  rule, so a message cannot make the component fetch a private address.
- Item 10: on the command line a file path in a file field that names no file says so, and
  Make Raw Request's ``files`` take a local path as ``image`` does.
- Item 11: a file a field cannot take, judged by its bytes, is an ``InputError`` (exit 1) in
  ``run``, in a flow and through the executor alike.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner, Result
from requests_toolbelt.multipart.decoder import MultipartDecoder

from picsart_component.cli import main
from picsart_component.lib.client import ClientSettings
from picsart_component.lib.context import Services
from picsart_component.lib.errors import InputError
from picsart_component.lib.retry import RetrySettings
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.manifest import COMPONENT_ROOT
from picsart_component.runtime.messages import Message
from picsart_component.sailor.main import component_services
from picsart_component.sailor.settings import SailorSettings
from picsart_component.sandbox import RunningSandbox, start_sandbox
from tests.e2e import png
from tests.helpers import API_KEY, BASE_URL, FakeTime, make_executor
from tests.hostile import HostileServer, Request, hostile_server, send
from tests.sailor.fake_platform import FakePlatform

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = png((20, 10), "purple")
TEXT = b"# Picsart component\n\nA README, not a picture.\n"


def image_answer(request: Request, connection: socket.socket, server: HostileServer) -> None:
    """What a private server would serve: the secret picture."""
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
        f"Content-Length: {len(SECRET)}\r\nConnection: close\r\n\r\n"
    )
    send(connection, server, head.encode() + SECRET)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(quiet=True) as running:
        yield running


@pytest.fixture
def object_storage() -> Iterator[FakePlatform]:
    """The platform's object storage (Maester), on a loopback address as it is inside a cluster."""
    with FakePlatform() as platform:
        yield platform


def sailor_services(object_storage: FakePlatform) -> Services:
    """The services the sailor builds for the component, with its object storage; one attempt
    with a short connect timeout, so that a download that should never start fails fast."""
    settings = SailorSettings(
        {
            "OBJECT_STORAGE_URI": object_storage.url,
            "OBJECT_STORAGE_TOKEN": object_storage.object_storage_token,
        }
    )
    services, _ = component_services(settings, COMPONENT_ROOT)
    assert isinstance(services, Services)
    services.environ = {}
    services.settings = ClientSettings(connect_timeout=1.0, retry=RetrySettings(max_attempts=1))
    return services


def remove_background(
    executor: Executor, sandbox: RunningSandbox, image: str, attachments: dict[str, Any]
) -> list[Any]:
    msg = Message.model_validate({"body": {"image": image}, "attachments": attachments})
    cfg = {"apiKey": API_KEY, "imageApiBaseUrl": sandbox.base_url}
    return executor.run("removeBackground", msg, cfg).events


# -- item 6: attachments ---------------------------------------------------------------------


@pytest.mark.parametrize("private", ["loopback", "http://169.254.169.254/latest/secret.png"])
def test_an_attachment_url_follows_the_public_address_rule_of_a_field_url(
    object_storage: FakePlatform, sandbox: RunningSandbox, private: str
) -> None:
    executor = Executor(services=sailor_services(object_storage))
    with hostile_server(image_answer) as secret:
        url = secret.url + "secret.png" if private == "loopback" else private
        as_attachment = remove_background(
            executor, sandbox, url, {"secret.png": {"url": url, "content-type": "image/png"}}
        )
        as_field = remove_background(executor, sandbox, url, {})
        assert secret.connections == 0
    ((kind, payload),) = [(event.kind, event.payload) for event in as_attachment]
    assert kind == "error", payload
    assert payload["name"] == "InputError"
    (problem,) = payload["problems"]
    assert problem["path"] == "$.image"
    assert problem["rule"].startswith("cannot be downloaded: ")
    assert "downloads from non-public addresses are refused" in problem["rule"]
    assert [(event.kind, event.payload) for event in as_field] == [(kind, payload)]


def test_an_attachment_in_the_object_storage_is_still_fetched_with_its_token(
    object_storage: FakePlatform, sandbox: RunningSandbox
) -> None:
    executor = Executor(services=sailor_services(object_storage))
    object_id = object_storage.put_object(SECRET, "image/png")
    url = f"{object_storage.url}/objects/{object_id}?storage_type=maester"
    events = remove_background(executor, sandbox, url, {"photo.png": {"url": url}})
    assert [event.kind for event in events] == ["data"], events
    (read,) = object_storage.requests_to("GET", f"/objects/{object_id}")
    assert read.header("authorization") == f"Bearer {object_storage.object_storage_token}"


def test_the_sailor_fetches_attachments_only_from_its_object_storage(tmp_path: Path) -> None:
    """The same, through a real Python sailor on RabbitMQ: the platform's way in."""
    from tests.sailor.amqp_harness import (
        SailorLauncher,
        connect_broker,
        decode_data,
        decode_error,
        sailor_env,
    )

    broker = connect_broker()
    topology = broker.topology(["step_1"])
    launcher = SailorLauncher(broker, tmp_path / "sailor-logs")
    try:
        with (
            FakePlatform() as platform,
            start_sandbox(quiet=True) as sandbox,
            hostile_server(image_answer) as secret,
        ):
            config = {"apiKey": API_KEY, "imageApiBaseUrl": sandbox.base_url}
            platform.add_step(topology.flow_id, "step_1", config=config)
            env = sailor_env(
                topology,
                "step_1",
                platform,
                function="removeBackground",
                overrides={"PICSART_CONNECT_TIMEOUT": "1", "PICSART_MAX_ATTEMPTS": "1"},
            )
            launcher.python(env).wait_ready()
            secret_url = secret.url + "secret.png"
            topology.send(
                "step_1",
                {"image": secret_url},
                message={"attachments": {"secret.png": {"url": secret_url}}},
            )
            refused = decode_error(topology.receive("step_1", "error", timeout=30))
            object_id = platform.put_object(SECRET, "image/png")
            stored = f"{platform.url}/objects/{object_id}?storage_type=maester"
            topology.send(
                "step_1", {"image": stored}, message={"attachments": {"photo.png": {"url": stored}}}
            )
            fetched = decode_data(topology.receive("step_1", "data", timeout=30))
            assert secret.connections == 0
    finally:
        launcher.stop_all()
        topology.delete()
        broker.close()
    assert refused["error"]["name"] == "InputError"
    assert (
        "$.image: cannot be downloaded: 127.0.0.1 resolves to a loopback address"
        in (refused["error"]["message"])
    )
    assert fetched["body"]["data"]["url"]


# -- items 10 and 11: local paths and the check by bytes ------------------------------------


def invoke(*args: str, env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def events_of(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str | None]:
    return {
        "PICSART_API_KEY": API_KEY,
        "PICSART_BASE_URL": None,
        "PICSART_ATTACHMENTS_DIR": str(tmp_path / "store"),
        "PICSART_MAX_ATTEMPTS": "1",
    }


@pytest.mark.parametrize(
    ("action", "body", "field", "missing"),
    [
        ("removeBackground", {"image": "nosuchfile.png"}, "$.image", "nosuchfile.png"),
        (
            "makeRawRequest",
            {"url": "removebg", "method": "POST", "files": {"image": "photos/gone.png"}},
            "$.files.image",
            "photos/gone.png",
        ),
    ],
)
@responses.activate
def test_a_missing_local_file_says_no_such_file_and_names_attach(
    cli_env: dict[str, str | None], action: str, body: dict[str, Any], field: str, missing: str
) -> None:
    result = invoke("run", action, "--body", json.dumps(body), env=cli_env)
    assert result.exit_code == 1, result.output
    (event,) = events_of(result)
    assert event["event"] == "error"
    assert event["error"]["name"] == "InputError"
    (problem,) = event["error"]["problems"]
    assert problem["path"] == field
    assert problem["rule"].startswith(f"no such file: {missing}; ")
    assert "picsart-flow attach FILE" in problem["rule"]
    assert len(responses.calls) == 0


@responses.activate
def test_make_raw_request_files_take_a_local_path_as_image_does(
    cli_env: dict[str, str | None], tmp_path: Path
) -> None:
    photo = tmp_path / "mug.png"
    photo.write_bytes(SECRET)
    responses.post(BASE_URL + "removebg", json={"status": "success", "data": {"url": "u"}})
    body = {"url": "removebg", "method": "POST", "files": {"image": str(photo)}}
    result = invoke("run", "makeRawRequest", "--body", json.dumps(body), env=cli_env)
    assert result.exit_code == 0, result.output
    assert f"attached {photo} as file://" in result.stderr
    (call,) = responses.calls
    sent = call.request.body
    assert isinstance(sent, bytes)
    parts = MultipartDecoder(sent, call.request.headers["Content-Type"]).parts
    assert [part.content for part in parts] == [SECRET]


def test_a_file_that_is_not_an_image_is_named_alike_by_run_a_flow_and_the_executor(
    cli_env: dict[str, str | None], tmp_path: Path, fake_time: FakeTime
) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    readme = folder / "README.md"
    readme.write_bytes(TEXT)
    expected = [{"path": "$.image", "rule": "is not an image: the file is text"}]

    ran = invoke(
        "run", "removeBackground", "--body", json.dumps({"image": str(readme)}), env=cli_env
    )
    assert ran.exit_code == 1, ran.output
    (event,) = events_of(ran)
    assert event["error"]["name"] == "InputError"
    assert event["error"]["problems"] == expected
    assert not (tmp_path / "store").exists(), "nothing is attached for a refused file"

    out = tmp_path / "results.jsonl"
    flow = REPO_ROOT / "examples" / "cutout-then-upscale.yaml"
    sandboxed = {**cli_env, "PICSART_API_KEY": None}
    flowed = invoke(
        "flow", "run", str(flow), "--input", str(folder), "--out", str(out), env=sandboxed
    )
    # A folder's file that the first step cannot take is left out, with the same words.
    assert flowed.exit_code == 1, flowed.output
    assert "README.md (is not an image: the file is text)" in flowed.stderr
    assert f"{folder} has no items" in flowed.stderr
    assert not out.exists()

    store = LocalStore(tmp_path / "executor-store")
    stored = store.save_file(readme)
    executor = make_executor(fake_time, store=store)
    result = executor.run("removeBackground", Message(body={"image": stored.url}), {"apiKey": "k"})
    (error,) = result.of_kind("error")
    assert error["name"] == "InputError"
    assert error["problems"] == expected


MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41"


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (TEXT, "is not an image: the file is text"),
        (
            b"<!DOCTYPE html><html><body>Sign in</body></html>",
            "is not an image: the file is an HTML page",
        ),
        (b"", "is not an image: the file is empty"),
        (
            b"PK\x03\x04" + b"\x00" * 40,
            "is not an image: the file is a ZIP archive (as Office documents are)",
        ),
        (MP4_HEAD, "is not an image: the file is an MP4 video"),
        (b"ID3\x04\x00" + b"\x00" * 20, "is not an image: the file is an MP3 audio file"),
        (
            bytes(range(256)),
            "is not an image: its contents match no file format the component knows",
        ),
    ],
)
def test_the_check_by_bytes_says_what_the_file_is(
    tmp_path: Path, content: bytes, rule: str
) -> None:
    from picsart_component.lib.formats import IMAGE, checked_format

    path = tmp_path / "input"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        checked_format(path, "$.image", IMAGE)
    assert [(p.path, p.rule) for p in raised.value.problems] == [("$.image", rule)]


def test_the_check_by_bytes_serves_a_video_field_too(tmp_path: Path) -> None:
    from picsart_component.lib.formats import IMAGE, VIDEO, checked_format

    video = tmp_path / "clip"
    video.write_bytes(MP4_HEAD)
    picture = tmp_path / "still"
    picture.write_bytes(SECRET)
    assert checked_format(video, "$.video", VIDEO) == "MP4"
    assert checked_format(picture, "$.image", IMAGE) == "PNG"
    with pytest.raises(InputError) as raised:
        checked_format(picture, "$.video", VIDEO)
    assert str(raised.value.problems[0]) == "$.video: is not a video: the file is a PNG image"
