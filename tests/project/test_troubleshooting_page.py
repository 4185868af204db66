"""docs/troubleshooting.md covers every error class, and its checked examples are the real words.

Every ``ComponentError`` subclass in the package needs a ``## ClassName`` section, so a new error
class without documentation fails here. Every example marked ``Example:`` (a fenced ``text``
block after it) is compared word for word with the message the component produces for it now,
made cheaply below (``responses``, the in-process executor, click's runner), so an example can
never go stale.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from click.testing import CliRunner

import picsart_component
from picsart_component.cli import main
from picsart_component.console import SANDBOX_NOTICE, TARGET_VARIABLES
from picsart_component.flows.journal import RunLock, lock_path
from picsart_component.lib.client import ClientSettings, PicsartClient
from picsart_component.lib.ratelimit import Throttle
from picsart_component.lib.retry import RetrySettings
from picsart_component.runtime.errors import ComponentError
from picsart_component.runtime.messages import Message
from tests.helpers import (
    API_KEY,
    BASE_URL,
    FakeTime,
    make_client,
    make_executor,
    offline_resolver,
)

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "troubleshooting.md"
EXAMPLES = REPO / "examples"
PACKAGE = Path(picsart_component.__file__).resolve().parent
CORRELATION_ID = "3f1c2a9e-0d4b-4c55-9a27-6f0e8b1d2c34"
GENAI = "https://genai-api.picsart.io/v1/"
ACCEPTED = {"status": "processing", "inference_id": "job-1"}
CHECKED_EXAMPLE = re.compile(r"^Example:\n+```text\n(.*?)\n```", re.MULTILINE | re.DOTALL)


def sections(text: str) -> dict[str, str]:
    """Each ``## `` heading's first word (a class name, or ``Usage``), with the text under it."""
    parts = re.split(r"^## +(.+)$", text, flags=re.MULTILINE)
    return {
        title.split()[0].strip("`"): body
        for title, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def python_files(directory: Path) -> Iterator[Path]:
    """The package's modules, through its symbolic links (``lib`` and ``actions`` are links)."""
    for root, _, names in os.walk(directory, followlinks=True):
        yield from (Path(root) / name for name in names if name.endswith(".py"))


CLASS_LINE = re.compile(r"^class (\w+)\(([^)]*)\):", re.MULTILINE)


@functools.cache
def error_class_names_in_source() -> dict[str, str]:
    """Classes deriving from ``ComponentError`` by their bases' names, read without importing:
    class name to module, so that only the modules defining them need importing."""
    definitions: list[tuple[str, set[str], str]] = []
    for path in python_files(PACKAGE):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts).removesuffix(".__init__")
        for name, bases in CLASS_LINE.findall(path.read_text(encoding="utf-8")):
            base_names = {base.strip().rsplit(".", 1)[-1] for base in bases.split(",")}
            definitions.append((name, base_names, module))
    found: dict[str, str] = {}
    known = {"ComponentError"}
    while True:
        added = {
            name: module
            for name, bases, module in definitions
            if name not in known and known & bases
        }
        if not added:
            return found
        found.update(added)
        known.update(added)


def subclasses(cls: type[ComponentError]) -> Iterator[type[ComponentError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


@functools.cache
def component_error_classes() -> frozenset[str]:
    for module in set(error_class_names_in_source().values()):
        importlib.import_module(module)
    return frozenset(
        cls.__name__
        for cls in subclasses(ComponentError)
        if cls.__module__.startswith("picsart_component.")
    )


def test_the_source_scan_finds_the_error_classes_known_to_exist() -> None:
    names = error_class_names_in_source()
    assert {"InputError", "RateLimitError", "JobPendingError", "TransientStoreError"} <= set(names)


def test_every_component_error_class_has_a_section() -> None:
    classes = component_error_classes()
    assert len(classes) >= 25
    missing = classes - set(sections(PAGE.read_text(encoding="utf-8")))
    assert not missing, f"docs/troubleshooting.md has no '## Name' section for {sorted(missing)}"


def test_the_table_at_the_top_links_every_section() -> None:
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("\n## ", 1)[0]
    for title in sections(text):
        if title in component_error_classes():
            assert f"`{title}`" in table, f"{title} is not in the table at the top"


# What each checked example should read, made as cheaply as the component allows.


def status_error(status: int, body: dict[str, Any]) -> str:
    client = make_client(FakeTime(), retry=RetrySettings(max_attempts=1))
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            BASE_URL + "removebg",
            status=status,
            json=body,
            headers={"X-Picsart-Correlation-Id": CORRELATION_ID},
        )
        with pytest.raises(ComponentError) as caught:
            client.post("removebg")
    return str(caught.value)


def transport_error(error: Exception) -> str:
    client = make_client(FakeTime(), retry=RetrySettings(max_attempts=1))
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, BASE_URL + "removebg", body=error)
        with pytest.raises(ComponentError) as caught:
            client.post("removebg")
    return str(caught.value)


def too_large_answer() -> str:
    fake_time = FakeTime()
    client = PicsartClient(
        API_KEY,
        BASE_URL,
        settings=ClientSettings(retry=RetrySettings(max_attempts=1), max_response_bytes=1 << 20),
        throttle=Throttle(1e9, clock=fake_time.clock, sleep=fake_time.sleep),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
    )
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            BASE_URL + "removebg",
            body=b" " * (2 << 20),
            headers={"X-Picsart-Correlation-Id": CORRELATION_ID},
        )
        with pytest.raises(ComponentError) as caught:
            client.post("removebg")
    return str(caught.value)


def missing_source_image() -> str:
    resolver = offline_resolver({"images.example.com": "93.184.216.34"})
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, "https://images.example.com/a.png", status=404)
        return action_error(
            "removeBackground", {"image": "https://images.example.com/a.png"}, resolver=resolver
        )


def action_error(action: str, body: dict[str, Any], kind: str = "error", **services: Any) -> str:
    executor = make_executor(FakeTime(), **services)
    result = executor.run(action, Message(body=body), {"apiKey": API_KEY})
    (event,) = [event for event in result.events if event.kind != "snapshot"]
    assert event.kind == kind, event
    return str(event.payload["message"])


def job_error(poll_status: int, poll_body: dict[str, Any], **environ: str) -> str:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, GENAI + "text2image", status=202, json=ACCEPTED)
        mock.add(
            responses.GET,
            GENAI + "text2image/inferences/job-1",
            status=poll_status,
            json=poll_body,
            headers={"X-Picsart-Correlation-Id": CORRELATION_ID},
        )
        return action_error("textToImage", {"prompt": "a red fox"}, environ=environ)


def job_still_running() -> str:
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, GENAI + "text2image/inferences/job-1", status=202, json=ACCEPTED)
        body = {"operation": "textToImage", "jobId": "job-1"}
        return action_error("getJobResult", body, kind="rebound")


NO_API = dict.fromkeys((*TARGET_VARIABLES, "PICSART_REDIS_URL", "PICSART_BROKER_URL"))
"""Unset for a command run here: the examples are of a machine with nothing configured."""
NO_REDIS = "redis://127.0.0.1:1/0"
"""A Redis URL nothing listens on: refused at once."""


def command_output(args: list[str], exit_code: int, **environ: str) -> str:
    env: dict[str, str | None] = {**NO_API, **environ}
    result = CliRunner().invoke(main, args, env=env, prog_name="picsart-flow")
    assert result.exit_code == exit_code, result.output
    return result.output.strip()


def broker_run(*options: str, **environ: str) -> list[str]:
    with tempfile.TemporaryDirectory() as out:
        args = ["flow", "run", str(EXAMPLES / "cutout-then-upscale.yaml")]
        args += ["--input", str(EXAMPLES / "items.csv"), "--out", str(Path(out) / "results")]
        args += ["--broker", "amqp://guest:guest@127.0.0.1:1/", *options]
        return [command_output(args, 1 if options else 2, **environ)]


def locked_results() -> str:
    """A second run on a results file that a run (this test, holding the lock) is writing.
    The holder line is fixed so that the message is; the folder is shown as the page shows it."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.jsonl"
        lock = RunLock(results).acquire()
        try:
            lock_path(results).write_text("process 4242, started 2026-12-07T07:40:00+00:00\n")
            args = ["flow", "run", str(EXAMPLES / "cutout-then-upscale.yaml")]
            args += ["--input", str(EXAMPLES / "items.csv"), "--out", str(results)]
            return command_output(args, 1).replace(f"{folder}{os.sep}", "")
        finally:
            lock.release()


def set_up_messages() -> list[str]:
    return [
        f"picsart-flow: {SANDBOX_NOTICE}",
        command_output(["verify"], 1),
        command_output(["limits", "show"], 1, PICSART_REDIS_URL=NO_REDIS, PICSART_API_KEY="x"),
        *broker_run(
            "--redis",
            NO_REDIS,
            PICSART_API_KEY="x",
            ELASTICIO_MESSAGE_CRYPTO_PASSWORD="password",
            ELASTICIO_MESSAGE_CRYPTO_IV="0123456789abcdef",
        ),
        *broker_run(),
        locked_results(),
    ]


ONE_MESSAGE: dict[str, Callable[[], str]] = {
    "InputError": lambda: action_error("removeBackground", {}),
    "SettingsError": lambda: action_error(
        "removeBackground",
        {"image_url": "https://example.com/a.png"},
        environ={"PICSART_MAX_RESPONSE_MB": "lots"},
    ),
    "AuthenticationError": lambda: status_error(401, {"code": 401, "message": "Unauthorized"}),
    "PaymentRequiredError": lambda: status_error(402, {"code": 402, "message": "Payment Required"}),
    "NotFoundError": lambda: status_error(404, {"code": 404, "message": "Not Found"}),
    "NotAcceptableError": lambda: status_error(406, {"code": 406, "message": "Not Acceptable"}),
    "PayloadTooLargeError": lambda: status_error(
        413, {"code": 413, "message": "Request Entity Too Large"}
    ),
    "UnsupportedMediaTypeError": lambda: status_error(
        415, {"code": 415, "message": "Unsupported Media Type"}
    ),
    "RequestValidationError": lambda: status_error(
        422, {"code": 422, "message": "Unprocessable Entity", "detail": "image_url is invalid"}
    ),
    "RateLimitError": lambda: status_error(429, {"code": 429, "message": "Too Many Requests"}),
    "ServerError": lambda: status_error(503, {"code": 503, "message": "Service Unavailable"}),
    "APIStatusError": lambda: status_error(418, {"code": 418, "message": "I'm a teapot"}),
    "APIConnectionError": lambda: transport_error(requests.ConnectionError("Connection refused")),
    "APITimeoutError": lambda: transport_error(requests.ReadTimeout("read timed out")),
    "ResponseTooLargeError": too_large_answer,
    "SourceImageError": missing_source_image,
    "JobFailedError": lambda: job_error(
        200, {"status": "failed", "detail": "the prompt was refused"}
    ),
    "JobTimeoutError": lambda: job_error(202, ACCEPTED, PICSART_JOB_TIMEOUT="30"),
    "JobPendingError": job_still_running,
    "Usage": lambda: command_output(["run", "removeBg", "--body", "{}"], 2),
}


def as_list(make: Callable[[], str]) -> Callable[[], list[str]]:
    return lambda: [make()]


PRODUCERS: dict[str, Callable[[], list[str]]] = {
    **{title: as_list(make) for title, make in ONE_MESSAGE.items()},
    "Set-up": set_up_messages,
}


def checked_examples() -> dict[str, list[str]]:
    return {
        title: CHECKED_EXAMPLE.findall(body)
        for title, body in sections(PAGE.read_text(encoding="utf-8")).items()
    }


def test_every_checked_example_has_a_producer() -> None:
    with_examples = {title for title, found in checked_examples().items() if found}
    assert with_examples, "the page has no checked examples"
    unchecked = sorted(with_examples - set(PRODUCERS))
    assert not unchecked, f"'Example:' blocks with no producer here, in {unchecked}"


@pytest.mark.parametrize("title", sorted(PRODUCERS))
def test_a_checked_example_is_the_real_message(title: str) -> None:
    assert checked_examples().get(title) == PRODUCERS[title]()
