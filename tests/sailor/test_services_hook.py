"""How the sailor finds a component's services: the ``sailor_services`` hook in its ``lib``
package, imported under the name the component is loaded with."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from picsart_component.lib.context import Services
from picsart_component.lib.store import MaesterStore
from picsart_component.runtime.manifest import COMPONENT_ROOT
from picsart_component.sailor.main import (
    SERVICES_HOOK,
    SailorStartError,
    component_services,
    run_service_call,
)
from picsart_component.sailor.settings import SailorSettings

RELAY = Path(__file__).parent / "py_components" / "relay"
URI = "http://127.0.0.1:9/maester"
TOKEN = "object-storage-token"
WITH_STORAGE = SailorSettings({"OBJECT_STORAGE_URI": URI, "OBJECT_STORAGE_TOKEN": TOKEN})
WITHOUT_STORAGE = SailorSettings({})

HOOK = """
CALLS = []


class Shared:
    store = None


def sailor_services(object_storage_uri, object_storage_token):
    CALLS.append((object_storage_uri, object_storage_token))
    return Shared(), None
"""


pytestmark = pytest.mark.usefixtures("keep_logging")


def component(folder: Path, lib_init: str | None) -> Path:
    """A component folder with no actions, and ``lib/__init__.py`` holding ``lib_init``."""
    folder.mkdir()
    (folder / "component.json").write_text(json.dumps({"title": "t", "actions": {}}))
    if lib_init is not None:
        (folder / "lib").mkdir()
        (folder / "lib" / "__init__.py").write_text(lib_init)
    return folder


def test_the_bundled_component_shares_one_store_between_its_actions_and_the_bodies() -> None:
    services, object_storage = component_services(WITH_STORAGE, COMPONENT_ROOT)
    assert isinstance(services, Services)
    assert isinstance(services.store, MaesterStore)
    assert services.store.uri == URI
    assert object_storage is not None
    assert object_storage._store is services.store

    services, object_storage = component_services(WITHOUT_STORAGE, COMPONENT_ROOT)
    assert isinstance(services, Services)
    assert services.store is None
    assert object_storage is None


def test_the_hook_of_a_copied_component_is_its_own(tmp_path: Path) -> None:
    root = component(tmp_path / "copy", HOOK)
    services, object_storage = component_services(WITH_STORAGE, root)
    assert type(services).__name__ == "Shared"
    module = type(services).__module__
    assert module.endswith(".lib")
    assert not module.startswith("picsart_component")
    assert importlib.import_module(module).CALLS == [(URI, TOKEN)]
    assert object_storage is not None
    assert isinstance(object_storage._store, MaesterStore)


def test_a_component_without_lib_shares_no_services() -> None:
    services, object_storage = component_services(WITH_STORAGE, RELAY)
    assert services is None
    assert object_storage is not None
    assert isinstance(object_storage._store, MaesterStore)
    assert component_services(WITHOUT_STORAGE, RELAY) == (None, None)


@pytest.mark.parametrize(
    "lib_init",
    ["", "from pathlib import Path as Services\n", "sailor_services = 'not a function'\n"],
)
def test_a_lib_without_the_hook_is_a_start_error_naming_it(tmp_path: Path, lib_init: str) -> None:
    root = component(tmp_path / "hookless", lib_init)
    with pytest.raises(SailorStartError) as raised:
        component_services(WITHOUT_STORAGE, root)
    assert f"define {SERVICES_HOOK}(object_storage_uri, object_storage_token)" in str(raised.value)
    assert "lib/__init__.py" in str(raised.value)


@pytest.mark.parametrize(
    ("lib_init", "said"),
    [
        ("import no_such_module_here\n", "does not load: ModuleNotFoundError"),
        ("def sailor_services(:\n", "does not load: SyntaxError"),
        ("def sailor_services(uri, token):\n    raise OSError('disk full')\n", "OSError: disk"),
        ("def sailor_services(uri, token):\n    return None\n", "must return (services"),
        ("def sailor_services():\n    return 1, 2\n", "failed: TypeError"),
    ],
)
def test_a_hook_that_fails_is_a_start_error_saying_how(
    tmp_path: Path, lib_init: str, said: str
) -> None:
    root = component(tmp_path / "broken", lib_init)
    with pytest.raises(SailorStartError) as raised:
        component_services(WITHOUT_STORAGE, root)
    assert said in str(raised.value)


def test_service_mode_says_which_hook_is_missing_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = component(tmp_path / "hookless", "")
    environ = {"ELASTICIO_COMPONENT_PATH": str(root)}
    assert run_service_call("verifyCredentials", environ) == 1
    out = capsys.readouterr().out
    assert SERVICES_HOOK in out
    assert "Traceback" not in out
