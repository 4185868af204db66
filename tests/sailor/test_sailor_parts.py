"""The sailor's parts that need no broker: headers, errors, the component's folder, service mode,
the start-up errors, bodies in object storage, and the jobs a step's shared snapshot names."""

from __future__ import annotations

import asyncio
import base64
import http.server
import json
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.lib.store import MaesterStore
from picsart_component.runtime.executor import Executor, RunResult
from picsart_component.runtime.manifest import COMPONENT_ROOT
from picsart_component.runtime.messages import Message
from picsart_component.sailor.amqp import Throttle, publish_delay
from picsart_component.sailor.command import PLATFORM_EXTRA_HINT
from picsart_component.sailor.core import (
    BodyTooLargeError,
    ObjectStorage,
    Sailor,
    camel_case,
    error_object,
    protocol_version,
)
from picsart_component.sailor.crypto import DecryptionError, Encryptor
from picsart_component.sailor.main import SailorStartError, component_root, run_sailor
from picsart_component.sailor.service import post_result, service_result
from picsart_component.sailor.settings import (
    REQUIRED_ALWAYS,
    REQUIRED_FOR_MESSAGES,
    SailorSettings,
)
from tests.helpers import API_KEY, FakeTime, make_services
from tests.sailor.amqp_harness import FORGED_PROTOCOL_VERSIONS

RELAY = Path(__file__).parent / "py_components" / "relay"
SERVICE_ENV = {
    "ELASTICIO_API_URI": "http://127.0.0.1:9",
    "ELASTICIO_API_USERNAME": "user",
    "ELASTICIO_API_KEY": "key",
}


pytestmark = pytest.mark.usefixtures("keep_logging")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("TASK_USER_EMAIL", "taskUserEmail"),
        ("FOO", "foo"),
        ("API_KEY2", "apiKey2"),
        ("x_y", "xY"),
        ("alreadyCamel", "alreadyCamel"),
        ("__LEADING__", "leading"),
    ],
)
def test_header_names_from_variables_are_camel_cased_as_lodash_does(
    name: str, expected: str
) -> None:
    assert camel_case(name) == expected


def test_incoming_headers_keep_meta_thread_and_reply_to() -> None:
    found = Sailor.incoming_headers(
        {
            "stepId": "step_1",
            "messageId": "m-1",
            "parentMessageId": "p-1",
            "X-EIO-Meta-Trace-Id": "trace-7",
            "x-eio-meta-Lowered": "yes",
            "other": "dropped",
            "reply_to": "reply-key",
        }
    )
    assert found == {
        "stepId": "step_1",
        "x-eio-meta-trace-id": "trace-7",
        "x-eio-meta-lowered": "yes",
        "threadId": "trace-7",
        "messageId": "m-1",
        "parentMessageId": "p-1",
        "reply_to": "reply-key",
    }


def test_a_message_without_thread_starts_one() -> None:
    first = Sailor.incoming_headers({"messageId": "m"})["threadId"]
    second = Sailor.incoming_headers({"messageId": "m"})["threadId"]
    assert first
    assert second
    assert first != second
    assert Sailor.incoming_headers({"threadId": "t", "x-eio-meta-trace-id": "x"})["threadId"] == "t"


def test_error_events_carry_name_message_and_stack_then_the_components_fields() -> None:
    found = error_object({"name": "InputError", "message": "bad", "problems": [1]})
    assert list(found) == ["name", "message", "stack", "problems"]
    assert found["stack"] == "Not Available"
    assert error_object("text") == {"name": "Error", "message": "text", "stack": "Not Available"}


def test_publish_retries_back_off_as_the_reference_and_stop_at_the_maximum() -> None:
    settings = SailorSettings.from_environ(full_environ())
    delays = [publish_delay(settings, i) for i in (0, 1, 2, 20)]
    assert delays == [0.1, 0.2, 0.4, 300.0]


def test_the_throttle_lets_the_limit_pass_then_waits_for_the_interval() -> None:
    async def passes() -> list[float]:
        throttle = Throttle(2, 50)
        started = time.monotonic()
        seen = []
        for _ in range(5):
            await throttle.wait()
            seen.append(time.monotonic() - started)
        return seen

    seen = asyncio.run(passes())
    assert seen[1] < 0.05
    assert seen[2] >= 0.045
    assert seen[4] >= 0.095


def full_environ(**extra: str) -> dict[str, str]:
    names = [*REQUIRED_ALWAYS, *REQUIRED_FOR_MESSAGES]
    environ = {f"ELASTICIO_{name}": name.lower() for name in names}
    environ["ELASTICIO_MESSAGE_CRYPTO_IV"] = "0123456789abcdef"
    environ.update(extra)
    return environ


def test_a_missing_variable_is_one_line_naming_it_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    environ = full_environ()
    del environ["ELASTICIO_STEP_ID"]
    assert run_sailor(environ) == 1
    out = capsys.readouterr().out
    assert "ELASTICIO_STEP_ID is missing" in out
    assert "Traceback" not in out


def test_the_settings_repr_hides_the_secrets() -> None:
    environ = full_environ(
        ELASTICIO_API_KEY="api-CANARY", ELASTICIO_MESSAGE_CRYPTO_PASSWORD="pw-CANARY"
    )
    shown = repr(SailorSettings.from_environ(environ))
    assert "CANARY" not in shown
    assert "****" in shown


def test_the_component_folder_is_the_configured_one_else_the_bundled_one(tmp_path: Path) -> None:
    assert component_root({}, cwd=tmp_path) == COMPONENT_ROOT
    assert component_root({"ELASTICIO_COMPONENT_PATH": str(RELAY)}, cwd=tmp_path) == RELAY
    (tmp_path / "component.json").write_text("{}")
    assert component_root({}, cwd=tmp_path) == tmp_path
    with pytest.raises(SailorStartError, match="Failed to load component"):
        component_root({"ELASTICIO_COMPONENT_PATH": "nowhere"}, cwd=tmp_path)


@pytest.mark.parametrize("arguments", [["sailor"], ["sailor", "service", "verifyCredentials"]])
def test_a_platform_image_without_the_extra_is_told_which_to_install(
    monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    monkeypatch.setitem(sys.modules, "aio_pika", None)  # import aio_pika raises ImportError
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1
    assert "pip install 'picsart-component[platform]'" in result.stderr
    assert PLATFORM_EXTRA_HINT in result.stderr


# Service mode ------------------------------------------------------------------------------


def service(method: str, root: Path = RELAY, /, **environ: str) -> dict[str, Any]:
    return service_result(method, {**SERVICE_ENV, **environ}, root)


def test_get_meta_model_and_select_model_call_the_actions_methods() -> None:
    found = service("getMetaModel", ELASTICIO_CFG="{}", ELASTICIO_ACTION_OR_TRIGGER="hooks")
    assert found["status"] == "success"
    assert found["data"]["out"]["properties"] == {"n": {}}
    found = service(
        "selectModel",
        ELASTICIO_CFG="{}",
        ELASTICIO_ACTION_OR_TRIGGER="hooks",
        ELASTICIO_GET_MODEL_METHOD="listThings",
    )
    assert found == {"status": "success", "data": {"a": "Thing A", "b": "Thing B"}}


@pytest.mark.parametrize(
    ("method", "environ", "message"),
    [
        ("launch", {"ELASTICIO_CFG": "{}"}, 'Unknown service method "launch"'),
        ("verifyCredentials", {}, "ELASTICIO_CFG is not provided"),
        ("verifyCredentials", {"ELASTICIO_CFG": "{nope"}, "Unable to parse CFG"),
        ("getMetaModel", {"ELASTICIO_CFG": "{}"}, "ELASTICIO_ACTION_OR_TRIGGER is not provided"),
        (
            "selectModel",
            {"ELASTICIO_CFG": "{}", "ELASTICIO_ACTION_OR_TRIGGER": "hooks"},
            "ELASTICIO_GET_MODEL_METHOD is not provided",
        ),
        (
            "selectModel",
            {
                "ELASTICIO_CFG": "{}",
                "ELASTICIO_ACTION_OR_TRIGGER": "hooks",
                "ELASTICIO_GET_MODEL_METHOD": "nothing",
            },
            'Method "nothing" is not found in "hooks" action or trigger',
        ),
    ],
)
def test_service_errors_are_posted_as_the_reference_words_them(
    method: str, environ: dict[str, str], message: str
) -> None:
    assert service(method, **environ) == {"status": "error", "data": {"message": message}}


def test_a_component_without_verify_credentials_accepts_them_as_the_reference() -> None:
    assert service("verifyCredentials", ELASTICIO_CFG="{}") == {
        "status": "success",
        "data": {"verified": True},
    }


@responses.activate
def test_verify_credentials_of_this_component_reads_the_balance() -> None:
    responses.get("https://api.picsart.io/tools/1.0/balance", json={"credits": 42}, status=200)
    found = service(
        "verifyCredentials", COMPONENT_ROOT, ELASTICIO_CFG=json.dumps({"apiKey": "k" * 20})
    )
    assert found["status"] == "success"
    assert found["data"]["verified"] is True
    assert responses.calls[0].request.headers["X-Picsart-API-Key"] == "k" * 20


@responses.activate
def test_the_result_is_posted_with_the_urls_credentials_as_basic_auth() -> None:
    responses.post("http://127.0.0.1:7/result?x=1", json={})
    status = post_result("http://us%40er:p%3Ass@127.0.0.1:7/result?x=1", {"status": "success"})
    assert status == 200
    request = responses.calls[0].request
    assert request.url == "http://127.0.0.1:7/result?x=1"
    expected = base64.b64encode(b"us@er:p:ss").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert json.loads(request.body or b"{}") == {"status": "success"}


@pytest.mark.parametrize(
    ("header", "version"),
    [(None, 1), ("", 1), (0, 1), (1, 1), (2, 2), ("2", 2), (" 2 ", 2), (2.0, 2), (255, 255)],
)
def test_protocol_versions_are_read_as_the_reference_reads_them(header: Any, version: int) -> None:
    assert protocol_version({"protocolVersion": header}) == version


@pytest.mark.parametrize(
    "header",
    [
        *FORGED_PROTOCOL_VERSIONS,
        # and what cannot travel over AMQP, or not as a header
        float("inf"),
        float("nan"),
        Decimal("Infinity"),
        Decimal("sNaN"),
        Decimal("1.5"),
        10**400,
        "9" * 5000,
        b"2",
        [2],
        {"v": 2},
    ],
)
def test_any_other_protocol_version_is_a_decryption_error_that_shows_it_briefly(
    header: Any,
) -> None:
    with pytest.raises(DecryptionError) as raised:
        protocol_version({"protocolVersion": header})
    message = str(raised.value)
    assert message.startswith("the protocolVersion header is ")
    assert len(message) < 160


class StreamedObject(http.server.BaseHTTPRequestHandler):
    """``GET /objects/{id}``: ``total`` bytes in 64 KiB pieces, counting in ``sent`` what got
    out before the client hung up; ``finished`` is set when it stops sending. A subclass per
    test holds its own counts."""

    total = 64 << 20
    sent: int
    finished: threading.Event

    def do_GET(self) -> None:
        cls = type(self)
        self.send_response(200)
        self.send_header("Content-Length", str(cls.total))
        self.end_headers()
        piece = bytes(64 << 10)
        try:
            while cls.sent < cls.total:
                self.wfile.write(piece)
                cls.sent += len(piece)
        except OSError:
            pass
        finally:
            cls.finished.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def test_a_body_in_object_storage_is_read_no_further_than_its_limit() -> None:
    class Handler(StreamedObject):
        sent = 0
        finished = threading.Event()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = MaesterStore(f"http://127.0.0.1:{server.server_port}", "token")
        storage = ObjectStorage(
            store, Encryptor("password", "iv=any16_symbols"), max_body_bytes=1 << 20
        )
        with pytest.raises(BodyTooLargeError) as raised:
            storage.fetch("object-1")
        assert str(raised.value) == (
            f"it is larger than {1 << 20} bytes, the limit "
            "ELASTICIO_OBJECT_STORAGE_BODY_SIZE_LIMIT sets"
        )
        assert Handler.finished.wait(10), "the server still sends"
        assert Handler.sent < Handler.total // 4
    finally:
        server.shutdown()
        server.server_close()


GENAI = "https://genai-api.picsart.io/v1/"


def text_to_image(fake_time: FakeTime, message_id: str, snapshot: dict[str, Any]) -> RunResult:
    """``textToImage`` on one message with the step's ``snapshot``, against mocked HTTP."""
    return Executor(services=make_services(fake_time)).run(
        "textToImage",
        Message(id=message_id, body={"prompt": "a red mug"}),
        {"apiKey": API_KEY},
        snapshot,
    )


def mock_job(job_id: str) -> None:
    responses.post(GENAI + "text2image", json={"inference_id": job_id}, status=202)
    responses.get(
        GENAI + f"text2image/inferences/{job_id}",
        json={"status": "success", "data": [{"id": "r", "url": "https://cdn.example.com/r.png"}]},
    )


@responses.activate
def test_a_message_collects_its_job_though_another_message_started_one_since(
    fake_time: FakeTime,
) -> None:
    """The step's one snapshot names the latest job in ``job`` and the earlier ones by message
    in ``jobs``: message A, back after B started a job, collects its own and pays nothing."""
    mock_job("job-b")
    accepted_at = fake_time.now
    first = text_to_image(
        fake_time,
        "message-b",
        {"job": {"operation": "textToImage", "id": "job-a", "messageId": "message-a"}},
    )
    (snapshot,) = [event.payload for event in first.events if event.kind == "snapshot"]
    assert snapshot == {
        "job": {
            "operation": "textToImage",
            "id": "job-b",
            "acceptedAt": accepted_at,
            "messageId": "message-b",
        },
        "jobs": {"message-a": {"operation": "textToImage", "id": "job-a"}},
    }
    responses.get(
        GENAI + "text2image/inferences/job-a",
        json={"status": "success", "data": [{"id": "r", "url": "https://cdn.example.com/a.png"}]},
    )
    calls = len(responses.calls)
    back = text_to_image(fake_time, "message-a", snapshot)
    (data,) = [event.payload for event in back.events if event.kind == "data"]
    assert data.body["jobId"] == "job-a"
    assert [call.request.method for call in responses.calls[calls:]] == ["GET"]
    assert not [event for event in back.events if event.kind == "snapshot"]


@responses.activate
def test_a_snapshot_names_the_newest_jobs_younger_than_a_day_and_a_first_job_alone(
    fake_time: FakeTime,
) -> None:
    mock_job("job-new")
    now = fake_time.now
    earlier = {
        f"message-{n}": {"operation": "textToImage", "id": f"job-{n}", "acceptedAt": now - n}
        for n in range(150, 0, -1)
    }
    earlier["stale"] = {"operation": "textToImage", "id": "old", "acceptedAt": now - 86401}
    earlier["broken"] = {"operation": "noSuchOperation", "id": "x"}
    # The message's own earlier job, of another operation: not collected, and replaced.
    earlier["message-new"] = {"operation": "textToSound", "id": "mine-before"}
    result = text_to_image(fake_time, "message-new", {"jobs": earlier})
    (snapshot,) = [event.payload for event in result.events if event.kind == "snapshot"]
    assert snapshot["job"]["messageId"] == "message-new"
    assert list(snapshot["jobs"]) == [f"message-{n}" for n in range(99, 0, -1)]

    mock_job("job-first")
    first = text_to_image(fake_time, "message-first", {})
    (alone,) = [event.payload for event in first.events if event.kind == "snapshot"]
    assert list(alone) == ["job"]
