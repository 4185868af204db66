"""The variables the ``picsart-flow`` commands read beyond the component's: read in this one place.

The component's own (``PICSART_API_KEY``, the limits, ``PICSART_REDIS_URL``, ...) are
``lib/settings.py``'s; the platform's ``ELASTICIO_*`` are read by the sailor's rules
(``sailor/settings.py``). What is left is the front ends' own: the broker of a ``flow run
--broker`` and its workers, the platform variables those hand to the sailors they run (the
message cipher, the tunables), the answer mode of the sandbox that sandbox mode embeds
(``PICSART_SANDBOX_ANSWERS``), whether there is a display to open the designer's browser on
(``DISPLAY``, ``WAYLAND_DISPLAY``), and, for an elasticio-cli fixture's ``{{VAR}}``, any variable at
all. ``FrontEndSettings.from_environ`` takes any mapping, as ``ComponentSettings.from_environ``
does, so tests hand it an environment of their own. (The sandbox's ``PICSART_SANDBOX_API_KEY`` is
its own option's: the sandbox imports nothing of the component.)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

BROKER_URL_VARIABLE = "PICSART_BROKER_URL"
SANDBOX_ANSWERS_VARIABLE = "PICSART_SANDBOX_ANSWERS"
PLATFORM_PREFIX = "ELASTICIO_"


@dataclass(frozen=True)
class FrontEndSettings:
    """``PICSART_BROKER_URL``, ``PICSART_SANDBOX_ANSWERS`` and every ``ELASTICIO_*`` variable,
    as the front ends read them."""

    broker_url: str | None = field(default=None, repr=False)
    """``PICSART_BROKER_URL``; None when unset or empty."""
    platform: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Every ``ELASTICIO_*`` variable set, by its full name: the broker mode reads the message
    cipher and the sailors' tunables from it by the sailor's own names and rules."""
    sandbox_answers: str = "file"
    """``PICSART_SANDBOX_ANSWERS``: how the embedded sandbox of sandbox mode answers, ``file``
    (the OpenAPI files' shapes, when unset or empty) or ``production``; the sandbox checks it."""
    desktop: bool = True
    """Whether a graphical browser can be opened: on Linux only with ``DISPLAY`` or
    ``WAYLAND_DISPLAY`` set. Without one, Python's ``webbrowser`` would start a text browser in
    the terminal the designer runs in."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> FrontEndSettings:
        env = os.environ if environ is None else environ
        platform = {name: value for name, value in env.items() if name.startswith(PLATFORM_PREFIX)}
        return cls(
            broker_url=env.get(BROKER_URL_VARIABLE) or None,
            platform=platform,
            sandbox_answers=env.get(SANDBOX_ANSWERS_VARIABLE, "").strip() or "file",
            desktop=not sys.platform.startswith("linux")
            or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")),
        )


def environment_variables(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What an elasticio-cli fixture's ``{{VAR}}`` may name: every variable of the environment
    (a copy, read now)."""
    return dict(os.environ if environ is None else environ)
