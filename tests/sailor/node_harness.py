"""The reference Node.js sailor (``elasticio-sailor-nodejs``), installed once into a cache folder.

``node_sailor_dir()`` runs ``npm ci`` on ``tests/sailor/node/package-lock.json`` into
``$PICSART_NODE_CACHE/node-sailor-<sha>`` (default root ``~/.cache/picsart-component``), never
into the checkout; a marker file says the install finished and a file lock keeps two pytest
processes from installing at once. Without node or npm, or without the registry, the tests that
need it skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
"""``package.json``, its lockfile, the Node scripts the tests run and the Node test components."""
COMPONENTS_DIR = NODE_DIR / "components"
PACKAGE = "elasticio-sailor-nodejs"
MARKER = ".installed"
NPM_TIMEOUT = 600.0

_installed: dict[Path, Path] = {}


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def unavailable(reason: str) -> NoReturn:
    """Skips the test, or fails it under ``CI=true``, where a missing tool is a broken setup."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing test dependency fails instead of skipping)")
    pytest.skip(reason)


def cache_root() -> Path:
    configured = os.environ.get("PICSART_NODE_CACHE")
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "picsart-component"


def lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((NODE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def node_sailor_dir() -> Path:
    """The folder holding ``node_modules/elasticio-sailor-nodejs``, installed on first use."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            unavailable(f"`{tool}` is not on PATH: the reference Node.js sailor cannot run")
    target = cache_root() / f"node-sailor-{lock_digest()}"
    if target in _installed:
        return _installed[target]
    with _file_lock(target.with_name(target.name + ".lock")):
        if not (target / MARKER).is_file():
            _install(target)
    if not (target / "node_modules" / PACKAGE / "run.js").is_file():
        unavailable(f"{target} has no node_modules/{PACKAGE}/run.js after the install")
    _installed[target] = target
    return target


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(target: Path) -> None:
    # A folder without the marker is a broken earlier try: start it afresh.
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(NODE_DIR / name, target / name)
    # Scripts stay off: the only one is dtrace-provider's optional native build, which bunyan
    # does without. Short fetch timeouts make a machine without the registry skip quickly.
    flags = ["--no-audit", "--no-fund", "--ignore-scripts", "--fetch-retries=1"]
    flags += ["--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=2000"]
    flags.append("--fetch-timeout=60000")
    failures: list[str] = []
    for command in (["npm", "ci", *flags], ["npm", "install", *flags]):
        try:
            done = subprocess.run(
                command,
                cwd=target,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            failures.append(f"`{' '.join(command[:2])}` took more than {NPM_TIMEOUT:.0f} s")
            continue
        if done.returncode == 0:
            (target / MARKER).write_text(lock_digest() + "\n")
            return
        summary = npm_error_summary(done.stderr or done.stdout)
        failures.append(f"`{' '.join(command[:2])}` exited {done.returncode}: {summary}")
    shutil.rmtree(target, ignore_errors=True)
    unavailable(f"cannot install {PACKAGE} into {target}: " + "\n".join(failures))


def npm_error_summary(output: str) -> str:
    """The telling lines of npm's error output (its code and message, not the stack trace or
    the boilerplate about proxies and log files), or else its last lines."""
    telling: list[str] = []
    for line in output.splitlines():
        text = line.removeprefix("npm error").removeprefix("npm ERR!").strip()
        if line == text or not text or text in "{}" or text.startswith("at "):
            continue
        if re.match(r"^[a-z_]\w*: ", text) or "complete log" in text or "proxy" in text:
            continue
        telling.append(text)
    chosen = telling[:4] or output.strip().splitlines()[-6:]
    return " | ".join(chosen)


def node_env(sailor_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a Node script in ``tests/sailor/node`` that requires the sailor's
    modules by package name (``NODE_PATH`` points at the cached ``node_modules``)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ELASTICIO_")}
    env["NODE_PATH"] = str(sailor_dir / "node_modules")
    env.update(extra or {})
    return env


def run_node_script(script: str, stdin: str, *, timeout: float = 60.0) -> str:
    """Runs ``tests/sailor/node/<script>`` with ``stdin``; its stdout, or a failure with its
    stderr."""
    sailor_dir = node_sailor_dir()
    done = subprocess.run(
        ["node", str(NODE_DIR / script)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=node_env(sailor_dir),
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"node {script} exited {done.returncode}:\n{done.stderr[-4000:]}")
    return done.stdout
