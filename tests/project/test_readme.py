"""The documentation is the contract: every example in the README, in every page of ``docs/``
and in every command's --help, runs as written and behaves as shown (its exit code, and the shape
of what it prints), and each page renders as Markdown the way it reads.

A block marked ``<!-- not run: why -->`` on the line before it is shown and not run; a command in
any block but ``console`` and ``sh`` fails. ``docs/reference/actions.md`` is left out: its
commands are the action modules' EXAMPLEs, which tests/end_to_end/test_catalogue_end_to_end.py
runs.

Examples run in a shell, in order, in a folder holding what a clone holds (the component, its
examples and fixtures), with no API key: the built-in sandbox answers. An example that needs a
key says so with ``PICSART_API_KEY=...``; it runs against a standalone sandbox given that key.
``picsart-flow sandbox --port 8700`` starts one in the background, on a free port written in
place of 8700 wherever the example names it; ``picsart-flow designer`` also serves in the
background (on a free port, with no browser opened) once it has printed its address. A command
exits 0, or 1 when its output shows an error event, unless it ends with ``# exits N``.

The waits that only make an example slow are short here, as a user may make them: jobs are
polled every 50 ms (``PICSART_JOB_POLL_SECONDS``), and a retry after a 5xx or a lost connection
waits 10 ms instead of a second or more (in the examples run in this process). What an example
prints and its exit code are the same either way.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from picsart_component.cli import main
from picsart_component.lib import settings as component_settings
from picsart_component.lib.retry import RetrySettings
from picsart_component.sandbox.loopback import sandbox_process
from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
GENERATED_PAGES = (DOCS / "reference" / "actions.md",)
NOT_RUN = re.compile(r"<!-- not run: (?P<why>.*?) -->\n$")
SHOWN_NOT_RUN = re.compile(r"<!-- (?:not run: .*?|quickstart) -->\n$")
PLACEHOLDER_KEY = "..."
NEEDS_KEY = re.compile(r"PICSART_API_KEY=\.\.\.|\"apiKey\": \"\.\.\.\"")
JOB_POLL_SECONDS = "0.05"
COPIED = (
    "README.md",
    "component.json",
    "verifyCredentials.py",
    "actions",
    "lib",
    "schemas",
    "examples",
    "test",
)


@dataclass(frozen=True)
class QuickRetrySettings(RetrySettings):
    """Retries whose back-off after a 5xx or a lost connection starts at 10 ms, not 1 s."""

    backoff_initial: float = 0.01


@dataclass
class Example:
    command: str
    expected: list[str] = field(default_factory=list)
    where: str = ""
    """The block it stands in; an ``export`` lasts until the block ends."""

    def exit_code(self) -> int:
        declared = re.search(r"#\s*exits (\d+)\s*$", self.command)
        if declared is not None:
            return int(declared.group(1))
        shown = "\n".join(self.expected)
        return 1 if '"event": "error"' in shown or '"verified": false' in shown else 0


def documentation_pages() -> list[Path]:
    """The README and every page of docs/ but the generated ones."""
    pages = sorted(path for path in DOCS.rglob("*.md") if path not in GENERATED_PAGES)
    return [README, *pages]


def _name(page: Path) -> str:
    return page.relative_to(REPO_ROOT).as_posix()


def _fences(text: str) -> Iterator[re.Match[str]]:
    return re.finditer(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```", text, re.S | re.M)


def page_examples(page: Path) -> list[Example]:
    """Every command of a page's console and sh blocks, with the output shown after it, but
    those of the blocks marked as not run."""
    return examples_in(page.read_text(encoding="utf-8"), _name(page))


def examples_in(text: str, name: str) -> list[Example]:
    examples: list[Example] = []
    for match in _fences(text):
        if match.group(2) not in ("console", "sh"):
            continue
        if SHOWN_NOT_RUN.search(text[max(0, match.start() - 300) : match.start()]):
            continue
        where = f"{name}:{text[: match.start()].count(chr(10)) + 1}"
        indent = len(match.group(1))
        lines = [line[indent:] for line in match.group(3).splitlines()]
        if match.group(2) == "sh":
            examples += [
                Example(line, where=where)
                for line in lines
                if line.strip() and not line.lstrip().startswith("#")
            ]
            continue
        for line in lines:
            if line.startswith("$ "):
                examples.append(Example(line[2:], where=where))
            elif line.strip() and examples:
                examples[-1].expected.append(line)
    return examples


def unchecked_blocks(text: str) -> tuple[list[int], list[int]]:
    """The lines of the blocks whose commands would be shown and never run: commands in a block
    that is not ``console`` or ``sh``, and blocks marked as not run with no reason (or a mark on
    a block that is not a command block)."""
    hidden, unexplained = [], []
    for match in _fences(text):
        line = text[: match.start()].count("\n") + 1
        marker = NOT_RUN.search(text[max(0, match.start() - 300) : match.start()])
        if marker is not None and (
            match.group(2) not in ("console", "sh") or len(marker.group("why").split()) < 2
        ):
            unexplained.append(line)
        if match.group(2) not in ("console", "sh", "python") and re.search(
            r"^\s*(\$ |picsart-flow |python )", match.group(3), re.M
        ):
            hidden.append(line)
    return hidden, unexplained


def help_examples() -> list[Example]:
    """The examples in every command's --help, each command's in order."""
    examples: list[Example] = []
    for path in _command_paths(main, []):
        text = CliRunner().invoke(main, [*path, "--help"], terminal_width=200).output
        block = re.search(r"Examples?:\n((?:  +\S.*\n)+)", text)
        if block is None:
            continue
        joined = block.group(1).replace("\\\n", " ")
        for line in joined.splitlines():
            command = " ".join(line.split())
            examples.append(Example(command, where=f"picsart-flow {' '.join(path)} --help"))
    return examples


def _command_paths(group: object, prefix: list[str]) -> Iterator[list[str]]:
    yield prefix
    for name, command in getattr(group, "commands", {}).items():
        yield from _command_paths(command, [*prefix, name])


class Session:
    """One shell session: a folder, an environment, and the servers examples started."""

    def __init__(self, folder: Path, keyed_base_url: str) -> None:
        self.folder = folder
        self.keyed_base_url = keyed_base_url
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PICSART_", "ELASTICIO_"))
        }
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env.get('PATH', '')}"
        self.env["XDG_DATA_HOME"] = str(folder / ".data")
        self.env["PICSART_JOB_POLL_SECONDS"] = JOB_POLL_SECONDS
        self.env["PICSART_SANDBOX_JOB_SECONDS"] = "0.2"
        self.base_env = dict(self.env)
        self.block = ""
        self.port = _free_port()
        self.servers: list[subprocess.Popen[bytes]] = []
        for name in COPIED:
            source = REPO_ROOT / name
            if source.is_dir():
                shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source, folder / name)

    def run(self, example: Example) -> subprocess.CompletedProcess[str]:
        if example.where != self.block:
            self.block, self.env = example.where, dict(self.base_env)
        command = example.command.replace("8700", str(self.port))
        if command.startswith("export "):
            name, _, value = command.removeprefix("export ").partition("=")
            self.env[name] = value
            return subprocess.CompletedProcess(command, 0, "", "")
        env = dict(self.env)
        dot_env = self.folder / ".env"
        if (
            NEEDS_KEY.search(command)
            or env.get("PICSART_API_KEY") == PLACEHOLDER_KEY
            or (
                "--fixture" in command
                and dot_env.exists()
                and NEEDS_KEY.search(dot_env.read_text())
            )
        ):
            env["PICSART_BASE_URL"] = self.keyed_base_url
        if re.match(r"picsart-flow sandbox\b", command) and "--help" not in command:
            self._serve(command, env)
            return subprocess.CompletedProcess(command, 0, "", "")
        if re.match(r"picsart-flow designer\b", command) and "--help" not in command:
            self._serve_the_designer(command, env)
            return subprocess.CompletedProcess(command, 0, "", "")
        words = shlex.split(command, comments=True)
        assignments = list(itertools.takewhile(_ASSIGNMENT.match, words))
        rest = words[len(assignments) :]
        if rest[:1] == ["picsart-flow"] and not _SHELL.search(command):
            # Run in this process, as the shell would run it, only faster.
            env.update(word.partition("=")[::2] for word in assignments)
            return self._invoke(rest[1:], env)
        return subprocess.run(
            ["bash", "-c", command],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def _invoke(self, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        overrides: dict[str, str | None] = {
            key: None for key in os.environ if key.startswith(("PICSART_", "ELASTICIO_"))
        }
        overrides.update(env)
        previous = Path.cwd()
        os.chdir(self.folder)
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(component_settings, "RetrySettings", QuickRetrySettings)
                result = CliRunner().invoke(main, args, env=overrides)
        finally:
            os.chdir(previous)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)

    def _serve(self, command: str, env: dict[str, str]) -> None:
        """Starts a server the example names and waits until it answers on the session's port.
        A port another process took since it was picked is picked again, and the later
        examples use the new one."""
        for _ in range(3):
            server = subprocess.Popen(
                shlex.split(command),
                cwd=self.folder,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.servers.append(server)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and server.poll() is None:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", self.port)) == 0 and server.poll() is None:
                        return
                time.sleep(0.05)
            if server.poll() is None:
                break
            taken, self.port = str(self.port), _free_port()
            command = command.replace(taken, str(self.port))
        raise AssertionError(f"{command} did not start serving")

    def _serve_the_designer(self, command: str, env: dict[str, str]) -> None:
        """Starts ``picsart-flow designer`` in the background, on a free port and with no browser
        opened, and waits until it prints its address: it serves until it is stopped."""
        command = re.sub(r"--port \d+", "--port 0", command.partition(" #")[0])
        printed = self.folder / f"designer-{len(self.servers)}.log"
        with printed.open("wb") as output:
            server = subprocess.Popen(
                shlex.split(command),
                cwd=self.folder,
                env={**env, "BROWSER": "true"},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.servers.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            if "http://127.0.0.1:" in printed.read_text(errors="replace"):
                return
            time.sleep(0.05)
        raise AssertionError(f"{command} did not print its address: {printed.read_text()}")

    def close(self) -> None:
        for server in self.servers:
            server.terminate()
            server.wait(timeout=10)


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_SHELL = re.compile(r"[|<>;&`$]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_behaves_as_shown(example: Example, done: subprocess.CompletedProcess[str]) -> None:
    shown = f"{example.where}: {example.command}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    assert "Traceback" not in done.stderr, shown
    assert done.returncode == example.exit_code(), shown
    printed = done.stdout + done.stderr
    for line in example.expected:
        if line.startswith("{"):
            for key in re.findall(r'"([A-Za-z_][\w-]*)":', line):
                assert f'"{key}":' in done.stdout, f"no {key!r} in the output\n{shown}"
            event = re.search(r'"event": "(\w+)"', line)
            if event:
                assert f'"event": "{event.group(1)}"' in done.stdout, shown
            continue
        pattern = _shape(line)
        if pattern is not None:
            assert re.search(pattern, printed), f"nothing like {line!r}\n{shown}"


def _shape(line: str) -> str | None:
    """A pattern for a printed line: its words, with numbers, paths and ids left open."""
    words = line.split("…", 1)[0].split()
    if not words:
        return None
    parts = [r"\S+" if re.search(r"[\d/]", word) else re.escape(word) for word in words]
    return r"\s+".join(parts)


@pytest.fixture(scope="module")
def keyed_sandbox() -> Iterator[str]:
    with sandbox_process(api_key=PLACEHOLDER_KEY, quota=100_000) as root_url:
        yield root_url + "tools/1.0/"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, keyed_sandbox: str) -> Path:
    """A folder where ``picsart-flow demo`` ran once: its pictures and stored results, which the
    sections that use them copy instead of running the demo again."""
    folder = tmp_path_factory.mktemp("demo-run")
    session = Session(folder, keyed_sandbox)
    try:
        done = session.run(Example("picsart-flow demo"))
        assert done.returncode == 0, done.stderr
    finally:
        session.close()
    return folder


def _after_the_demo(session: Session, demo_run: Path) -> None:
    for name in ("picsart-demo", ".data"):
        if (demo_run / name).exists():
            shutil.copytree(demo_run / name, session.folder / name, dirs_exist_ok=True)


def _rabbitmq_answers() -> str | None:
    """None when RabbitMQ answers (the sailor example needs it), else why not."""
    url = urlsplit(os.environ.get("PICSART_TEST_AMQP_URL") or "amqp://127.0.0.1:5672/")
    where = (url.hostname or "127.0.0.1", url.port or 5672)
    try:
        with socket.create_connection(where, timeout=2):
            return None
    except OSError as error:
        return f"RabbitMQ at {where[0]}:{where[1]} does not answer ({error})"


def _redis_answers() -> str | None:
    """None when Redis answers at ``REDIS_URL`` (as ``examples/broker_demo.py`` reads it), or
    why not."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    parts = urlsplit(url)
    where = (parts.hostname or "127.0.0.1", parts.port or 6379)
    try:
        with socket.create_connection(where, timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            if connection.recv(16).startswith(b"+PONG"):
                return None
            return f"Redis at {where[0]}:{where[1]} did not answer PING"
    except OSError as error:
        return f"Redis at {where[0]}:{where[1]} does not answer ({error})"


def _needs_the_installed_command() -> None:
    if shutil.which("picsart-flow", path=str(Path(sys.executable).parent)) is None:
        reason = "needs the picsart-flow command: install the project (pip install -e .)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI must run every example")
        pytest.skip(reason)


def documentation_sections() -> dict[str, list[Example]]:
    """The examples by page and section (its ``#`` to ``###`` heading), in order; each section
    runs in a shell session of its own, so that the sections run side by side."""
    sections: dict[str, list[Example]] = {}
    for page in documentation_pages():
        text = page.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in re.finditer(r"^#{1,3} (.+)$", text, re.M)]
        for example in page_examples(page):
            offset = _offset_of_line(text, int(example.where.rpartition(":")[2]))
            title = next((name for start, name in reversed(starts) if start <= offset), "top")
            sections.setdefault(f"{_name(page)}: {title}", []).append(example)
    return sections


def _offset_of_line(text: str, line_number: int) -> int:
    return sum(len(line) + 1 for line in text.splitlines()[: line_number - 1])


SECTIONS = documentation_sections()
AFTER_THE_DEMO = ("picsart-demo", "picsart-flow store list")
"""What shows that a section's examples use what ``picsart-flow demo`` leaves: its pictures, and
the results it stores."""


def test_the_pages_have_examples_in_their_sections() -> None:
    assert sum(len(examples) for examples in SECTIONS.values()) >= 90
    assert {
        "README.md: A first look",
        "docs/running-actions.md: `picsart-flow run ACTION`",
        "docs/sandbox.md: Using the sandbox",
        "docs/flows.md: Running a batch",
        "docs/designer.md: The designer",
    } <= set(SECTIONS)


def test_every_command_shown_is_in_a_block_that_runs_or_says_why_not() -> None:
    """A command in a ``text`` block, or in a block marked as not run without a reason, would be
    shown and never checked."""
    hidden, unexplained = [], []
    for page in documentation_pages():
        in_text, unmarked = unchecked_blocks(page.read_text(encoding="utf-8"))
        hidden += [f"{_name(page)}:{line}" for line in in_text]
        unexplained += [f"{_name(page)}:{line}" for line in unmarked]
    assert hidden == [], "commands in blocks that never run (make them console or sh)"
    assert unexplained == [], "a not-run mark needs a console or sh block and a reason"


MARKED_PAGE = """# A page

```text
$ picsart-flow actions
```

<!-- not run: an install -->
```sh
python -m pip install .
```

<!-- not run: x -->
```sh
picsart-flow demo
```

```console
$ picsart-flow describe upscale
upscale: Upscale
```
"""


def test_the_marks_decide_what_runs_and_what_is_reported() -> None:
    examples = examples_in(MARKED_PAGE, "page.md")
    assert [(example.command, example.expected) for example in examples] == [
        ("picsart-flow describe upscale", ["upscale: Upscale"])
    ]
    assert examples[0].where == "page.md:17"
    assert unchecked_blocks(MARKED_PAGE) == ([3], [13])


def test_the_readme_links_to_files_that_exist() -> None:
    """The README is read on GitHub and PyPI, outside the site's strict build: its relative
    links are checked here."""
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    relative = [target for target in targets if "://" not in target]
    assert len(relative) >= 10
    assert [target for target in relative if not (REPO_ROOT / target).exists()] == []
    assert len(text.splitlines()) <= 250, "the README is the front door: the guides are in docs/"


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_readme_example_runs_as_written_and_behaves_as_shown(
    tmp_path: Path, keyed_sandbox: str, demo_run: Path, section: str
) -> None:
    _needs_the_installed_command()
    session = Session(tmp_path, keyed_sandbox)
    broker = _rabbitmq_answers()
    try:
        if any(mark in ex.command for ex in SECTIONS[section] for mark in AFTER_THE_DEMO):
            _after_the_demo(session, demo_run)
        for example in SECTIONS[section]:
            missing = broker
            if "broker_demo" in example.command:
                missing = broker or _redis_answers()
            if "_demo.py" in example.command and missing is not None:
                if os.environ.get("CI") == "true":
                    pytest.fail(f"{example.where}: {missing}, and CI must run every example")
                continue
            check_behaves_as_shown(example, session.run(example))
    finally:
        session.close()


HELP_SECTIONS: dict[str, list[Example]] = {}
for _example in help_examples():
    HELP_SECTIONS.setdefault(_example.where, []).append(_example)


def test_the_commands_have_help_examples() -> None:
    assert sum(len(examples) for examples in HELP_SECTIONS.values()) >= 20


@pytest.mark.parametrize("command", list(HELP_SECTIONS))
def test_every_help_example_runs_as_written(
    tmp_path: Path, keyed_sandbox: str, demo_run: Path, command: str
) -> None:
    _needs_the_installed_command()
    session = Session(tmp_path, keyed_sandbox)
    try:
        if any(mark in ex.command for ex in HELP_SECTIONS[command] for mark in AFTER_THE_DEMO):
            _after_the_demo(session, demo_run)
        for example in HELP_SECTIONS[command]:
            check_behaves_as_shown(example, session.run(example))
    finally:
        session.close()


@pytest.mark.parametrize("page", documentation_pages(), ids=_name)
def test_every_page_renders_as_it_reads(page: Path) -> None:
    """Every heading is a heading once rendered: a code fence left open, or closed with text
    after it, would turn the rest of the page into code."""
    from markdown_it import MarkdownIt

    text = page.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(text)
    rendered = [
        tokens[index + 1].content
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    written, in_fence = [], False
    for line in text.splitlines():
        fence = re.match(r" *```(.*)$", line)
        if fence:
            assert not (in_fence and fence.group(1).strip()), f"text after a closing fence: {line}"
            in_fence = not in_fence
        elif not in_fence and re.match(r"#{1,6} ", line):
            written.append(line.lstrip("#").strip())
    assert not in_fence, "a code fence is never closed"
    assert rendered == written
