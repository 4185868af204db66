"""The ``picsart_sandbox`` pytest fixture: a Picsart sandbox on loopback for one test.

pytest loads this module through the package's ``pytest11`` entry point (pytest itself comes with
the ``test`` extra), or when asked for with ``-p picsart_component.pytest_plugin``. Loading it
costs nothing: it registers the ``picsart_sandbox`` marker and a fixture, and imports the sandbox
only when a test requests the fixture; a run that does not request it starts nothing.

The sandbox runs in this process, in a thread, on its own free port: a few milliseconds to start
against most of a second for a child process, and every test gets a fresh one, so no state leaks
from one test to the next. Options are ``SandboxOptions`` fields, from the marker (the closest one
wins, field by field) and from indirect parametrization::

    @pytest.mark.picsart_sandbox(credits=5, faults="503:next=1")
    def test_my_flow(picsart_sandbox): ...
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from picsart_component.sandbox.server import RunningSandbox

MARKER = "picsart_sandbox"
DEFAULT_API_KEY = "picsart-sandbox-test-key"
"""The key the fixture's sandbox insists on, as Picsart does: a request without it is a 401."""
OWN_OPTIONS = frozenset({"clock"})
"""Options the fixture sets itself: its clock is the one ``advance_clock`` moves."""


class SandboxClock:
    """Real time plus whatever the test has skipped forward; the sandbox's jobs and rate limits
    read it, so a test can finish a pending job or end a rate-limit window without sleeping."""

    def __init__(self) -> None:
        self._skipped = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.time() + self._skipped

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"the sandbox's clock only moves forward, not by {seconds}")
        with self._lock:
            self._skipped += seconds


class PicsartSandbox:
    """One running sandbox, as a test sees it: where it answers, its key, and its control API.

    ``running`` is the underlying ``RunningSandbox`` for anything not offered here.
    """

    def __init__(self, running: RunningSandbox, api_key: str, clock: SandboxClock) -> None:
        self.running = running
        self.api_key = api_key
        self.root_url = running.root_url
        self.base_url = running.base_url
        self.genai_base_url = running.genai_base_url
        self.video_base_url = running.video_base_url
        self.vd_base_url = running.vd_base_url
        self.control_url = running.control_url
        self._clock = clock

    def environ(self) -> dict[str, str]:
        """The ``PICSART_*`` variables that point the component (and ``picsart-flow``) here."""
        return {
            "PICSART_API_KEY": self.api_key,
            "PICSART_BASE_URL": self.base_url,
            "PICSART_GENAI_BASE_URL": self.genai_base_url,
            "PICSART_VIDEO_BASE_URL": self.video_base_url,
            "PICSART_VD_BASE_URL": self.vd_base_url,
        }

    def cfg(self) -> dict[str, str]:
        """The credential fields of an action's config that point it here."""
        return {
            "apiKey": self.api_key,
            "imageApiBaseUrl": self.base_url,
            "genaiApiBaseUrl": self.genai_base_url,
            "videoApiBaseUrl": self.video_base_url,
            "vdApiBaseUrl": self.vd_base_url,
        }

    def route(self, url: str) -> str:
        """For ``Services(route=...)``: loopback URLs stay, any other host is answered by the
        sandbox's stand-ins, so that nothing leaves the machine."""
        return self.running.route(url)

    def upload(self, content: bytes, filename: str = "image.png") -> dict[str, str]:
        """Puts a file into the sandbox (a free call, as Picsart's ``/upload`` is) and returns its
        ``{"id", "url"}``, for an action's ``image_id`` or ``image_url``."""
        import requests  # noqa: PLC0415 - only the tests that upload pay for importing it

        answer = requests.post(
            self.base_url + "upload",
            headers={"X-Picsart-API-Key": self.api_key, "Accept": "application/json"},
            files={"image": (filename, content)},
            timeout=30,
        )
        answer.raise_for_status()
        data: dict[str, str] = answer.json()["data"]
        return data

    def set_faults(self, spec: str | list[dict[str, Any]], *, add: bool = False) -> list[Any]:
        """Replaces the faults (or adds to them), in the fault language of
        ``picsart-flow sandbox --faults``, e.g. ``"503:next=2"`` or ``"429:path=removebg"``."""
        return self.running.set_faults(spec, add=add)

    def clear_faults(self) -> None:
        self.running.clear_faults()

    def faults(self) -> list[dict[str, Any]]:
        """The active faults and how often each has fired."""
        return self.running.sandbox_state.faults.describe()

    def set_credits(self, credits: int) -> None:
        """Sets the balance without resetting anything else."""
        self.running.set_credits(credits)

    @property
    def credits(self) -> int:
        """What is left of the balance."""
        return self.running.sandbox_state.credits

    def advance_clock(self, seconds: float) -> None:
        """Moves the sandbox's clock forward: pending jobs finish and rate-limit windows pass
        as if ``seconds`` had gone by."""
        self._clock.advance(seconds)

    def now(self) -> float:
        """The sandbox's clock, in epoch seconds."""
        return self._clock()

    def request_log(self, path: str | None = None) -> list[dict[str, Any]]:
        """The requests the sandbox has answered, oldest first; with ``path`` (``"removebg"``,
        or a full path such as ``"/v1/text2image"``) only those to that path."""
        entries = self.running.request_log()
        if path is None:
            return entries
        wanted = path if path.startswith("/") else "/tools/1.0/" + path
        return [entry for entry in entries if entry["path"] == wanted]

    def clear_request_log(self) -> None:
        self.running.sandbox_state.log.clear()

    def reset(self, **options: Any) -> dict[str, Any]:
        """Back to the start (balance, limits, faults, jobs, log, files), after changing any
        run-time ``options``; returns the new state."""
        return self.running.reset(**options)

    def state(self) -> dict[str, Any]:
        """Balance, prices, counts, quota, faults, stored files, jobs and options."""
        return self.running.state()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the picsart_sandbox fixture's sandbox "
        "(SandboxOptions fields, e.g. credits=5, faults='503:next=1', job_seconds=2)",
    )


def sandbox_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The options the test asks for: its markers, farthest first so the closest wins, then an
    indirect parameter."""
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER} takes options by name, e.g. credits=5, not {marker.args!r}"
            )
        options.update(marker.kwargs)
    param = getattr(request, "param", None)
    if param is not None:
        if not isinstance(param, Mapping):
            raise pytest.UsageError(
                f"an indirect parameter of {MARKER} must be a dict of options, not {param!r}"
            )
        options.update(param)
    return options


@pytest.fixture
def picsart_sandbox(request: pytest.FixtureRequest) -> Iterator[PicsartSandbox]:
    """A Picsart sandbox on loopback for this test, stopped after it."""
    import dataclasses  # noqa: PLC0415 - the sandbox loads only for tests that use it

    from picsart_component.sandbox.options import SandboxOptions  # noqa: PLC0415
    from picsart_component.sandbox.server import start_sandbox  # noqa: PLC0415

    options = sandbox_options(request)
    known = {field.name for field in dataclasses.fields(SandboxOptions)} - OWN_OPTIONS
    unknown = sorted(set(options) - known)
    if unknown:
        raise pytest.UsageError(
            f"{MARKER} has no option {', '.join(unknown)}; it takes {', '.join(sorted(known))}"
        )
    options.setdefault("api_key", DEFAULT_API_KEY)
    clock = SandboxClock()
    try:
        running = start_sandbox(SandboxOptions(**options, clock=clock))
    except ValueError as error:
        raise pytest.UsageError(f"{MARKER}: {error}") from None
    with running:
        yield PicsartSandbox(running, options["api_key"] or DEFAULT_API_KEY, clock)
