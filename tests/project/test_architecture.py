"""The layout's promises: one identity per module however the component is loaded, and layers
that point one way (ARCHITECTURE.md)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import picsart_component.lib.errors as lib_errors
import picsart_component.runtime.errors as runtime_errors
from picsart_component.runtime.checks import check_component
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_module
from picsart_component.runtime.messages import Message
from tests.conftest import REPO_ROOT
from tests.helpers import API_KEY, BASE_URL

REFUSED_URL = "https://attacker.example/v1/text2image"


def _bundled() -> ModuleType:
    return load_module(COMPONENT_ROOT, "./actions/make_raw_request.py")


def _checkout_folder() -> ModuleType:
    """The folder the files really live in, as `Executor(Path("."))` in a clone loads it."""
    return load_module(REPO_ROOT, "./actions/make_raw_request.py")


def _validated_folder() -> ModuleType:
    """`picsart-flow validate .` imports every main of the folder it checks."""
    assert check_component(REPO_ROOT) == []
    return sys.modules[Executor(REPO_ROOT)._load("makeRawRequest").module.__name__]


def _platform_style() -> ModuleType:
    """As a platform loads a component: read component.json, import the file `main` names."""
    manifest = json.loads((REPO_ROOT / "component.json").read_text(encoding="utf-8"))
    return load_module(REPO_ROOT, manifest["actions"]["makeRawRequest"]["main"])


WAYS: dict[str, Callable[[], ModuleType]] = {
    "bundled": _bundled,
    "checkout folder": _checkout_folder,
    "validate DIR": _validated_folder,
    "platform-style": _platform_style,
}


@pytest.mark.parametrize("way", WAYS)
def test_the_component_has_one_identity_however_it_is_loaded(way: str) -> None:
    module = WAYS[way]()
    assert module.__name__ == "picsart_component.actions.make_raw_request"
    assert module is sys.modules["picsart_component.actions.make_raw_request"]
    assert module.URLError is lib_errors.URLError
    assert module.InputError is runtime_errors.InputError is lib_errors.InputError
    names = _module_names_by_file()
    ours = [path for path in names if path.parent.name in ("actions", "lib")]
    assert ours
    assert {path: sorted(names[path]) for path in ours if len(names[path]) > 1} == {}


def _module_names_by_file() -> dict[Path, set[str]]:
    """Every module imported from the component's real files, by file: one name each."""
    names: dict[Path, set[str]] = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        path = Path(file).resolve()
        if path.is_relative_to(REPO_ROOT) and path.parent.name in (
            "actions",
            "lib",
            REPO_ROOT.name,
        ):
            names.setdefault(path, set()).add(name)
    return names


@pytest.mark.parametrize("root", [COMPONENT_ROOT, REPO_ROOT], ids=["bundled", "checkout folder"])
def test_a_refused_raw_request_url_is_an_input_error_with_problems(root: Path) -> None:
    executor = Executor(root)
    message = Message(body={"url": REFUSED_URL, "method": "GET"})
    result = executor.run(
        "makeRawRequest", message, {"apiKey": API_KEY, "imageApiBaseUrl": BASE_URL}
    )
    (error,) = result.of_kind("error")
    assert error["name"] == "InputError"
    assert [problem["path"] for problem in error["problems"]] == ["$.url"]
    assert "refusing to send the API key" in error["problems"][0]["rule"]
    assert API_KEY not in json.dumps(error)


def test_another_component_folder_gets_a_private_name_and_its_own_lib(tmp_path: Path) -> None:
    """A copy is another component: its modules load under their own name and still work."""
    copy = tmp_path / "copy"
    for name in ("component.json", "verifyCredentials.py"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((REPO_ROOT / name).read_bytes())
    for folder in ("actions", "lib", "schemas"):
        for source in (REPO_ROOT / folder).iterdir():
            if source.is_file():
                target = copy / folder / source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
    module = load_module(copy, "./actions/make_raw_request.py")
    package = module.__name__.split(".")[0]
    try:
        assert package.startswith("_picsart_component_")
        assert module.URLError is not lib_errors.URLError
        assert module.InputError is runtime_errors.InputError
        executor = Executor(copy)
        message = Message(body={"url": REFUSED_URL, "method": "GET"})
        cfg = {"apiKey": API_KEY, "imageApiBaseUrl": BASE_URL}
        (error,) = executor.run("makeRawRequest", message, cfg).of_kind("error")
        assert error["name"] == "InputError"
        assert error["problems"][0]["path"] == "$.url"
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == package]:
            del sys.modules[name]


def test_lint_imports_keeps_every_layer_contract() -> None:
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip("import-linter is not installed (the [test] extra installs it)")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
