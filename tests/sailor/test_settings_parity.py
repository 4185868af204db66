"""``SailorSettings.from_environ`` against the reference's ``lib/settings.js`` ``readFrom``.

Every environment of the table goes through both in one Node process; the values (types
included: ``true`` is not ``1``), ``additionalVars`` and the error message must be the same.
Our own settings (``OWN_SETTINGS``), which the reference does not have, are read by its rule for
numbers: given the same text as one of its numbers, they come out as that number does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pytest

from picsart_component.sailor.settings import (
    OPTIONAL,
    OWN_SETTINGS,
    SailorSettings,
    SailorSettingsError,
)
from tests.sailor.node_harness import run_node_script

BASE: dict[str, str] = {
    "ELASTICIO_FLOW_ID": "flow-1",
    "ELASTICIO_EXEC_ID": "exec-1",
    "ELASTICIO_STEP_ID": "step_1",
    "ELASTICIO_CONTAINER_ID": "container-1",
    "ELASTICIO_WORKSPACE_ID": "workspace-1",
    "ELASTICIO_USER_ID": "user-1",
    "ELASTICIO_COMP_ID": "comp-1",
    "ELASTICIO_FUNCTION": "echo",
    "ELASTICIO_API_URI": "http://127.0.0.1:1",
    "ELASTICIO_API_USERNAME": "user@example.com",
    "ELASTICIO_API_KEY": "key",
    "ELASTICIO_AMQP_URI": "amqp://guest:guest@127.0.0.1:5672",
    "ELASTICIO_LISTEN_MESSAGES_ON": "queue",
    "ELASTICIO_PUBLISH_MESSAGES_TO": "exchange",
    "ELASTICIO_DATA_ROUTING_KEY": "data",
    "ELASTICIO_ERROR_ROUTING_KEY": "error",
    "ELASTICIO_REBOUND_ROUTING_KEY": "rebound",
    "ELASTICIO_SNAPSHOT_ROUTING_KEY": "snapshot",
    "ELASTICIO_MESSAGE_CRYPTO_IV": "iv=any16_symbols",
    "ELASTICIO_MESSAGE_CRYPTO_PASSWORD": "password",
}
MESSAGE_VARS = [
    "AMQP_URI",
    "LISTEN_MESSAGES_ON",
    "PUBLISH_MESSAGES_TO",
    "DATA_ROUTING_KEY",
    "ERROR_ROUTING_KEY",
    "REBOUND_ROUTING_KEY",
    "SNAPSHOT_ROUTING_KEY",
    "MESSAGE_CRYPTO_IV",
    "MESSAGE_CRYPTO_PASSWORD",
]


def env(changes: dict[str, str | None] | None = None, **short: str | None) -> dict[str, str]:
    """``BASE`` with changes (a None value removes the variable); ``short`` names drop the
    ``ELASTICIO_`` prefix."""
    made = dict(BASE)
    merged = {**(changes or {}), **{f"ELASTICIO_{key}": value for key, value in short.items()}}
    for key, value in merged.items():
        if value is None:
            made.pop(key, None)
        else:
            made[key] = value
    return made


def without_message_vars(**short: str | None) -> dict[str, str]:
    return env({f"ELASTICIO_{key}": None for key in MESSAGE_VARS}, **short)


CASES: dict[str, dict[str, str]] = {
    "complete": env(),
    "only-required": dict(BASE),
    # Numbers: parseInt(value) || default.
    "number-plain": env(REBOUND_LIMIT="5", RABBITMQ_PREFETCH_SAILOR="10"),
    "number-zero-is-default": env(REBOUND_LIMIT="0", RATE_INTERVAL="0"),
    "number-negative-zero": env(REBOUND_LIMIT="-0"),
    "number-with-unit": env(REBOUND_INITIAL_EXPIRATION="12ms", RATE_INTERVAL="250 ms"),
    "number-fraction": env(OUTGOING_MESSAGE_SIZE_LIMIT="1048576.9"),
    "number-exponent": env(OBJECT_STORAGE_SIZE_THRESHOLD="1e3"),
    "number-negative": env(REBOUND_LIMIT="-3"),
    "number-signed": env(REBOUND_LIMIT="+7"),
    "number-spaces": env(REBOUND_LIMIT="  42  ", DATA_RATE_LIMIT="\t8\n"),
    "number-text": env(REBOUND_LIMIT="abc", DATA_RATE_LIMIT="ms12"),
    "number-empty": env(REBOUND_LIMIT=""),
    "number-infinite-default-set": env(AMQP_PUBLISH_RETRY_ATTEMPTS="5"),
    "number-infinity-text": env(AMQP_PUBLISH_RETRY_ATTEMPTS="Infinity"),
    "number-nbsp": env(REBOUND_LIMIT="\u00a09"),
    "number-hex": env(REBOUND_LIMIT="0x10"),
    "number-hex-variants": env(
        REBOUND_LIMIT="0X1f", DATA_RATE_LIMIT="-0x10", ERROR_RATE_LIMIT="0x", RATE_INTERVAL="0x1g"
    ),
    "number-octal-looking": env(REBOUND_LIMIT="010", SNAPSHOT_RATE_LIMIT="0b11"),
    "number-beyond-2^53": env(OUTGOING_MESSAGE_SIZE_LIMIT="99999999999999999999"),
    # Booleans: unset -> default; '' and 'false' -> false; anything else -> true.
    "bool-true": env(AMQP_PERSISTENT_MESSAGES="true", NO_ERROR_REPLIES="true"),
    "bool-false": env(AMQP_PERSISTENT_MESSAGES="false", PROCESS_AMQP_DRAIN="false"),
    "bool-empty": env(AMQP_PERSISTENT_MESSAGES="", PROCESS_AMQP_DRAIN="", STARTUP_REQUIRED=""),
    "bool-other-words": env(
        EMIT_LIGHTWEIGHT_MESSAGE="0", NO_SELF_PASSTRHOUGH="FALSE", STARTUP_REQUIRED="no"
    ),
    # Strings: value || default.
    "strings": env(
        COMPONENT_PATH="lib/component",
        INPUT_FORMAT="error",
        OBJECT_STORAGE_URI="http://maester",
        OBJECT_STORAGE_TOKEN="jwt",
    ),
    "strings-empty": env(COMPONENT_PATH="", INPUT_FORMAT="", OBJECT_STORAGE_URI=""),
    "unrelated-vars": env({"PATH": "/bin", "ELASTICIO_SOMETHING_ELSE": "x"}),
    # Required variables: the first missing one, in the reference's order, is named.
    "missing-flow-id": env(FLOW_ID=None),
    "missing-api-key": env(API_KEY=None),
    "empty-api-uri": env(API_URI=""),
    "missing-two": env(USER_ID=None, EXEC_ID=None),
    "missing-amqp-uri": env(AMQP_URI=None),
    "missing-crypto-password": env(MESSAGE_CRYPTO_PASSWORD=None),
    "missing-everything": {},
    # HOOK_SHUTDOWN: the AMQP variables are no longer required (any non-empty value counts).
    "hook-shutdown": without_message_vars(HOOK_SHUTDOWN="1"),
    "hook-shutdown-false-text": without_message_vars(HOOK_SHUTDOWN="false"),
    "hook-shutdown-empty": without_message_vars(HOOK_SHUTDOWN=""),
    "hook-shutdown-still-needs-flow": without_message_vars(HOOK_SHUTDOWN="true", FLOW_ID=None),
    # ADDITIONAL_VARS_FOR_HEADERS: names, trimmed, prefix dropped, unset ones undefined.
    "additional-vars": env(
        {"ELASTICIO_TASK_USER_EMAIL": "a@b.c", "ELASTICIO_EXEC_TYPE": "flow-step"},
        ADDITIONAL_VARS_FOR_HEADERS=" ELASTICIO_TASK_USER_EMAIL, ELASTICIO_EXEC_TYPE ,",
    ),
    "additional-vars-unprefixed": env(
        {"CUSTOM": "c", "ELASTICIO_X": "x"},
        ADDITIONAL_VARS_FOR_HEADERS="CUSTOM,ELASTICIO_X,MISSING_ONE",
    ),
    "additional-vars-empty": env(ADDITIONAL_VARS_FOR_HEADERS=""),
    "additional-vars-prefix-only": env(ADDITIONAL_VARS_FOR_HEADERS="ELASTICIO_"),
}


@dataclass
class Parsed:
    values: dict[str, Any] | None
    additional: Any
    error: str | None


UNDEFINED = {"$undefined": True}


def python_side(environ: dict[str, str]) -> Parsed:
    """Python's settings in the reference's JSON form: Infinity tagged, unset as undefined."""
    try:
        settings = SailorSettings.from_environ(environ)
    except SailorSettingsError as error:
        return Parsed(None, None, str(error))
    values = {key: _tag(value) for key, value in settings.values.items() if key not in OWN_SETTINGS}
    if settings.additional_vars is None:
        additional: Any = UNDEFINED
    else:
        additional = {
            key: UNDEFINED if value is None else value
            for key, value in settings.additional_vars.items()
        }
    return Parsed(values, additional, None)


def _tag(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return {"$number": "Infinity" if value > 0 else "-Infinity"}
    if isinstance(value, float) and value.is_integer():
        # A double such as 1e20 comes back from the reference's JSON as an int.
        return int(value)
    return value


@pytest.fixture(scope="module")
def reference() -> dict[str, Parsed]:
    output = run_node_script("settings.js", json.dumps(list(CASES.values())))
    results = json.loads(output)
    parsed: dict[str, Parsed] = {}
    for name, result in zip(CASES, results, strict=True):
        if not result["ok"]:
            parsed[name] = Parsed(None, None, result["error"])
            continue
        values = dict(result["values"])
        additional = values.pop("additionalVars")
        parsed[name] = Parsed(values, additional, None)
    return parsed


def _canonical(value: Any) -> str:
    """Key order aside, JSON keeps ``true`` apart from ``1`` where ``==`` would not."""
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("case", list(CASES))
def test_settings_match_the_reference(reference: dict[str, Parsed], case: str) -> None:
    node = reference[case]
    python = python_side(CASES[case])
    assert python.error == node.error
    assert _canonical(python.values) == _canonical(node.values)
    assert _canonical(python.additional) == _canonical(node.additional)


NUMBER_TEXTS = [
    "5000",
    "0",
    "-0",
    "12ms",
    "1048576.9",
    "1e3",
    "-3",
    "+7",
    "  42  ",
    "abc",
    "",
    "Infinity",
    "\u00a09",
    "0x10",
    "0x",
    "99999999999999999999",
]
"""Texts an ``ELASTICIO_*`` number may be given as, each read by the reference's
``OUTGOING_MESSAGE_SIZE_LIMIT`` and by each of our own number settings."""
REFERENCE_NUMBER = "OUTGOING_MESSAGE_SIZE_LIMIT"


@pytest.fixture(scope="module")
def reference_numbers() -> list[Any]:
    environments = [env({f"ELASTICIO_{REFERENCE_NUMBER}": text}) for text in NUMBER_TEXTS]
    results = json.loads(run_node_script("settings.js", json.dumps(environments)))
    return [result["values"][REFERENCE_NUMBER] for result in results]


@pytest.mark.parametrize("own", sorted(OWN_SETTINGS))
def test_our_own_settings_read_numbers_by_the_references_rule(
    reference_numbers: list[Any], own: str
) -> None:
    reference_default = OPTIONAL[REFERENCE_NUMBER]
    for text, theirs in zip(NUMBER_TEXTS, reference_numbers, strict=True):
        ours = SailorSettings.from_environ(env({f"ELASTICIO_{own}": text})).values[own]
        expected = OPTIONAL[own] if theirs == reference_default else theirs
        assert _canonical(_tag(ours)) == _canonical(expected), text


def test_our_own_settings_are_documented_defaults() -> None:
    assert OPTIONAL["OBJECT_STORAGE_BODY_SIZE_LIMIT"] == 256 * 1024 * 1024
    assert SailorSettings.from_environ(BASE).values["OBJECT_STORAGE_BODY_SIZE_LIMIT"] == (
        256 * 1024 * 1024
    )
