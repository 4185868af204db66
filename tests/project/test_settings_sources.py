"""The environment is read in one place per family: the component's settings, the front ends'
settings and the platform's (sailor) settings, and the few places below that have a reason."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from picsart_component.distributed.contract import CRYPTO_VARIABLES
from picsart_component.frontend_settings import (
    BROKER_URL_VARIABLE,
    FrontEndSettings,
    environment_variables,
)
from picsart_component.sailor.settings import CRYPTO_SETTINGS, PREFIX, REQUIRED_FOR_MESSAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "picsart_component"

READERS = {
    "lib/settings.py": "the component's settings: every PICSART_* variable it reads",
    "picsart_component/frontend_settings.py": "the front ends' settings: the broker, the "
    "platform variables a broker run hands its sailors, a fixture's {{VAR}}",
    "picsart_component/sailor/settings.py": "the platform's ELASTICIO_* variables",
    "lib/client.py": "requests' own variables (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, *_proxy), "
    "read as requests reads them: not the component's settings",
    "picsart_component/sandbox/command.py": "PICSART_SANDBOX_API_KEY and "
    "PICSART_SANDBOX_JOB_SECONDS, as its --api-key and --job-seconds options' envvars: the "
    "sandbox imports nothing of the component",
}
"""Every module that reads the process's environment, and why it may."""

ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb"}
CLICK_ENVIRONMENT_KEYWORDS = {"envvar", "auto_envvar_prefix"}


def source_files() -> Iterator[Path]:
    """The package's own files and the component's, each once (the package's links to the
    component's folders are skipped)."""
    for top in (PACKAGE, REPO_ROOT / "lib", REPO_ROOT / "actions"):
        for path in sorted(top.rglob("*.py")):
            if not any(part.is_symlink() for part in [path, *path.parents]):
                yield path
    yield REPO_ROOT / "verifyCredentials.py"


def environment_reads(tree: ast.AST) -> list[int]:
    """The lines of ``os.environ``, ``os.getenv``, ``from os import environ`` and click's
    ``envvar=``: the ways this code base could read the process's environment."""
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ENVIRONMENT_NAMES
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in ENVIRONMENT_NAMES for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg in CLICK_ENVIRONMENT_KEYWORDS:
            lines.append(node.value.lineno)
    return sorted(lines)


def readers() -> dict[str, list[int]]:
    found = {}
    for path in source_files():
        lines = environment_reads(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[path.relative_to(REPO_ROOT).as_posix()] = lines
    return found


def test_the_environment_is_read_only_by_the_settings_modules() -> None:
    found = readers()
    stray = {path: lines for path, lines in found.items() if path not in READERS}
    assert not stray, (
        "these modules read the environment themselves; read it through ComponentSettings "
        "(lib/settings.py), FrontEndSettings (frontend_settings.py) or the sailor's settings, "
        f"or add the module to READERS with its reason: {stray}"
    )
    assert set(found) == set(READERS), "a module in READERS no longer reads the environment"


def test_the_scan_sees_each_way_of_reading_the_environment() -> None:
    code = (
        "import os\nfrom os import getenv\nimport click\n"
        "a = os.environ.get('X')\nb = os.getenv('X')\n"
        "@click.option('--x', envvar='X')\ndef f(x): ...\n"
    )
    assert environment_reads(ast.parse(code)) == [2, 4, 5, 6]
    assert environment_reads(ast.parse("environ = {}\nrequest.environ.get('PATH_INFO')\n")) == []


def test_the_front_ends_read_the_broker_and_the_platform_variables_from_one_object() -> None:
    settings = FrontEndSettings.from_environ(
        {
            BROKER_URL_VARIABLE: "amqp://user:s3cret@rabbit/",
            "ELASTICIO_MESSAGE_CRYPTO_IV": "0123456789abcdef",
            "PICSART_API_KEY": "not a front end's",
            "HOME": "/home/someone",
        }
    )
    assert settings.broker_url == "amqp://user:s3cret@rabbit/"
    assert settings.platform == {"ELASTICIO_MESSAGE_CRYPTO_IV": "0123456789abcdef"}
    assert FrontEndSettings.from_environ({BROKER_URL_VARIABLE: ""}).broker_url is None
    assert "s3cret" not in repr(settings)
    assert "0123456789abcdef" not in repr(settings)


def test_a_fixture_may_name_any_variable_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIXTURE_ONLY_VARIABLE", "x")
    assert environment_variables()["FIXTURE_ONLY_VARIABLE"] == "x"
    assert environment_variables({"A": "b"}) == {"A": "b"}


def test_the_message_cipher_is_named_as_the_sailor_names_it() -> None:
    assert set(CRYPTO_SETTINGS) <= set(REQUIRED_FOR_MESSAGES)
    assert (
        f"{PREFIX}MESSAGE_CRYPTO_PASSWORD",
        f"{PREFIX}MESSAGE_CRYPTO_IV",
    ) == CRYPTO_VARIABLES
