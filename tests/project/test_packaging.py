"""A plain (non-editable) install carries the whole component and nothing at the top level; the
source distribution also carries Picsart's OpenAPI files, which the wheel leaves out."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


@contextmanager
def building_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The build backend writes ``build/`` and the ``egg-info`` in the source tree: test workers
    that build at the same time would remove each other's files, so they take turns."""
    with (tmp_path_factory.getbasetemp().parent / "source-tree-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("building the wheel offline needs setuptools (the [test] extra installs it)")
    from importlib.metadata import version

    if tuple(int(part) for part in version("setuptools").split(".")[:2]) < (77, 0):
        pytest.skip("building a wheel offline needs setuptools 77+ (the [test] extra has it)")
    out = tmp_path_factory.mktemp("wheel")
    # The build backend called as pip wheel --no-build-isolation calls it, without pip's start.
    build = "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])"
    with building_alone(tmp_path_factory):
        subprocess.run(
            [sys.executable, "-c", build, str(out)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
    (built,) = out.glob("picsart_component-*.whl")
    return built


def test_the_wheel_holds_the_component_inside_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "picsart_component/component.json",
        "picsart_component/verifyCredentials.py",
        "picsart_component/lib/client.py",
        "picsart_component/actions/upscale.py",
        "picsart_component/schemas/upscale.in.json",
        "picsart_component/py.typed",
    ):
        assert expected in names
    top_level = {name.split("/", 1)[0] for name in names}
    assert not top_level & {"lib", "actions", "schemas", "tests", "verifyCredentials.py", "openapi"}
    assert not [name for name in names if name.endswith(".yml")], "nothing reads them at run time"


def test_the_sdist_carries_the_openapi_files(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The tests a user runs from an unpacked sdist check the catalogue against these files."""
    build = "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    with building_alone(tmp_path_factory):
        subprocess.run(
            [sys.executable, "-c", build, str(tmp_path)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
    (built,) = tmp_path.glob("picsart_component-*.tar.gz")
    with tarfile.open(built) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    vendored = {f"openapi/{path.name}" for path in (REPO_ROOT / "openapi").iterdir()}
    assert len(vendored) == 5
    assert vendored <= names
    assert "picsart_component/catalogue/differences.py" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own, as site-packages would hold it."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_the_installed_copy_runs_from_site_packages(installed: Path, tmp_path: Path) -> None:
    target = installed
    env = {**os.environ, "PYTHONPATH": str(target)}
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    def run(*args: str) -> str:
        done = subprocess.run(
            args, cwd=outside, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    where = run(sys.executable, "-c", "import picsart_component; print(picsart_component.__file__)")
    assert where.startswith(str(target))
    assert "\nupscale " in run(sys.executable, "-m", "picsart_component", "actions")
    assert "component is valid" in run(sys.executable, "-m", "picsart_component", "validate")
    assert "makeRawRequest" in run(str(target / "bin" / "picsart-flow"), "actions")


IDENTITY_SCRIPT = """
import json, sys
from pathlib import Path
import picsart_component
import picsart_component.lib.errors as lib_errors
from picsart_component.runtime.checks import check_component
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.manifest import load_module
from picsart_component.runtime.messages import Message

home = Path(picsart_component.__file__).parent
module = load_module(home, "./actions/make_raw_request.py")
result = Executor(home).run(
    "makeRawRequest",
    Message(body={"url": "https://attacker.example/x", "method": "GET"}),
    {"apiKey": "test-key-1234", "imageApiBaseUrl": "https://api.picsart.io/tools/1.0/"},
)
print(json.dumps({
    "name": module.__name__,
    "same_url_error": module.URLError is lib_errors.URLError,
    "problems": check_component(home),
    "error": result.of_kind("error")[0],
    "private": [n for n in sys.modules if n.startswith("_picsart_component_")],
}))
"""


def test_the_installed_copy_has_one_identity_and_refuses_a_foreign_url(
    installed: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IDENTITY_SCRIPT],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["name"] == "picsart_component.actions.make_raw_request"
    assert report["same_url_error"] is True
    assert report["problems"] == []
    assert report["private"] == []
    assert report["error"]["name"] == "InputError"
    assert report["error"]["problems"][0]["path"] == "$.url"
