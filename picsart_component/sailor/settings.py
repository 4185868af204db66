"""The sailor's settings: the ``ELASTICIO_*`` variables, read by the reference sailor's rules.

Names, defaults and parsing follow ``lib/settings.js`` of elasticio-sailor-nodejs 2.7.8: a number
is JavaScript's ``parseInt(value) || default`` (so ``"0"`` and ``"abc"`` give the default and
``"12ms"`` gives 12), a boolean is its default when unset and false for ``""`` or ``"false"``, and
any other setting is its value or its default when empty.

``OWN_SETTINGS`` are this sailor's additions, named and read in the reference's style: limits
the reference does without.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PREFIX = "ELASTICIO_"
LOG_LEVEL_VARIABLE = "LOG_LEVEL"
"""The log level, read as the reference reads it (without the prefix)."""

REQUIRED_ALWAYS = (
    "FLOW_ID",
    "EXEC_ID",
    "STEP_ID",
    "CONTAINER_ID",
    "WORKSPACE_ID",
    "USER_ID",
    "COMP_ID",
    "FUNCTION",
    "API_URI",
    "API_USERNAME",
    "API_KEY",
)
REQUIRED_FOR_MESSAGES = (
    "AMQP_URI",
    "LISTEN_MESSAGES_ON",
    "PUBLISH_MESSAGES_TO",
    "DATA_ROUTING_KEY",
    "ERROR_ROUTING_KEY",
    "REBOUND_ROUTING_KEY",
    "SNAPSHOT_ROUTING_KEY",
    "MESSAGE_CRYPTO_IV",
    "MESSAGE_CRYPTO_PASSWORD",
)
OPTIONAL: Mapping[str, Any] = {
    "REBOUND_INITIAL_EXPIRATION": 15000,
    "REBOUND_LIMIT": 20,
    "COMPONENT_PATH": "",
    "RABBITMQ_PREFETCH_SAILOR": 1,
    "STARTUP_REQUIRED": False,
    "HOOK_SHUTDOWN": False,
    "API_REQUEST_RETRY_ATTEMPTS": 3,
    "API_REQUEST_RETRY_DELAY": 100,
    "DATA_RATE_LIMIT": 10,
    "ERROR_RATE_LIMIT": 2,
    "SNAPSHOT_RATE_LIMIT": 2,
    "RATE_INTERVAL": 100,
    "PROCESS_AMQP_DRAIN": True,
    "AMQP_PUBLISH_RETRY_DELAY": 100,
    "AMQP_PUBLISH_RETRY_ATTEMPTS": math.inf,
    "AMQP_PUBLISH_MAX_RETRY_DELAY": 5 * 60 * 1000,
    "AMQP_PERSISTENT_MESSAGES": False,
    "OUTGOING_MESSAGE_SIZE_LIMIT": 10485760,
    "NO_SELF_PASSTRHOUGH": False,
    "PROTOCOL_VERSION": 1,
    "NO_ERROR_REPLIES": False,
    "INPUT_FORMAT": "default",
    "OBJECT_STORAGE_URI": None,
    "OBJECT_STORAGE_TOKEN": None,
    "OBJECT_STORAGE_SIZE_THRESHOLD": 1048576,
    "EMIT_LIGHTWEIGHT_MESSAGE": False,
    "AMQP_RECONNECT_ATTEMPTS": 3,
    "AMQP_RECONNECT_TIMEOUT": 100,
    "WAIT_MESSAGES_TIMEOUT": 50,
    "OBJECT_STORAGE_BODY_SIZE_LIMIT": 256 * 1024 * 1024,
}
"""Every optional setting and its default, as the reference has them (its spelling included:
``NO_SELF_PASSTRHOUGH``), and ``OWN_SETTINGS``."""
OWN_SETTINGS = frozenset({"OBJECT_STORAGE_BODY_SIZE_LIMIT"})
"""Settings the reference does not have. ``OBJECT_STORAGE_BODY_SIZE_LIMIT``: the most bytes read
of one body kept in object storage (a lightweight message's, or a passthrough step's); the
reference reads any size, which lets one message take the container's memory."""
CRYPTO_SETTINGS = ("MESSAGE_CRYPTO_PASSWORD", "MESSAGE_CRYPTO_IV")
"""The message cipher's password and IV, which a broker run and its workers share as well."""
SECRET_SETTINGS = frozenset({"API_KEY", "MESSAGE_CRYPTO_PASSWORD", "OBJECT_STORAGE_TOKEN"})


def platform_environ(environ: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """``environ``, or the process's environment, where the platform sets a container's
    variables: the sailor reads it here only and hands it on, so that tests hand their own."""
    return os.environ if environ is None else environ


_LEADING_INTEGER = re.compile(r"^\s*([+-]?)(0[xX][0-9a-fA-F]+|\d+)")


class SailorSettingsError(ValueError):
    """A required ``ELASTICIO_*`` variable is missing; the message names it, as the reference's."""


def parse_int(text: str) -> float | None:
    """JavaScript's ``parseInt(text)``: the leading decimal (or ``0x`` hexadecimal) integer, as
    a double beyond 2^53 as JavaScript holds it, or None for NaN."""
    found = _LEADING_INTEGER.match(text)
    if not found:
        return None
    sign, digits = found.groups()
    value = int(digits[2:], 16) if digits[:2].lower() == "0x" else int(digits)
    value = -value if sign == "-" else value
    return float(value) if abs(value) > 2**53 else value


def _optional(environ: Mapping[str, str], key: str, default: Any) -> Any:
    raw = environ.get(PREFIX + key)
    if isinstance(default, bool):
        if raw is None:
            return default
        return raw not in {"", "false"}
    if isinstance(default, int | float) and raw:
        return parse_int(raw) or default
    return raw or default


@dataclass(frozen=True)
class SailorSettings:
    """The settings of one step's sailor. ``values`` holds every setting by its short name
    (``FLOW_ID``, ``REBOUND_LIMIT``, ...), exactly as the reference's ``readFrom`` returns them."""

    values: Mapping[str, Any]
    additional_vars: Mapping[str, str | None] | None = field(default=None)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def __repr__(self) -> str:
        shown = {
            key: ("****" if key in SECRET_SETTINGS and value else value)
            for key, value in self.values.items()
        }
        return f"SailorSettings({shown!r})"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SailorSettings:
        """The settings in ``environ``; ``SailorSettingsError`` names the first missing one."""
        required = list(REQUIRED_ALWAYS)
        if not environ.get(PREFIX + "HOOK_SHUTDOWN"):
            required += REQUIRED_FOR_MESSAGES
        values: dict[str, Any] = {}
        for key in required:
            value = environ.get(PREFIX + key)
            if not value:
                raise SailorSettingsError(f"{PREFIX}{key} is missing")
            values[key] = value
        for key, default in OPTIONAL.items():
            values[key] = _optional(environ, key, default)
        return cls(values, additional_vars(environ))


def additional_vars(environ: Mapping[str, str]) -> dict[str, str | None] | None:
    """``ELASTICIO_ADDITIONAL_VARS_FOR_HEADERS``: the variables (prefix dropped) to copy into
    every outgoing message's headers."""
    listed = environ.get(PREFIX + "ADDITIONAL_VARS_FOR_HEADERS")
    if not listed:
        return None
    found: dict[str, str | None] = {}
    for name in (item.strip() for item in listed.split(",")):
        key = name[len(PREFIX) :] if name.startswith(PREFIX) else name
        found[key] = environ.get(name)
    return found
