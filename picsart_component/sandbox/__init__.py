"""A local stand-in for the Picsart image and GenAI APIs: offline runs, real results.

``start_sandbox()`` serves it on a free port for tests and benchmarks; ``create_app()`` gives the
bare WSGI app for werkzeug's test client; ``picsart-flow sandbox`` serves it from the command
line. The names below are imported on first use, so that importing this package (as the CLI does)
stays cheap: werkzeug and Pillow load only when a sandbox is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import SandboxApp, create_app
    from .faults import FaultSpecError, parse_fault_spec
    from .options import PRICES, SandboxOptions
    from .server import RunningSandbox, serve_forever, start_sandbox
    from .state import SandboxState

_EXPORTS = {
    "PRICES": "options",
    "SandboxOptions": "options",
    "FaultSpecError": "faults",
    "parse_fault_spec": "faults",
    "SandboxApp": "app",
    "create_app": "app",
    "SandboxState": "state",
    "RunningSandbox": "server",
    "start_sandbox": "server",
    "serve_forever": "server",
}

__all__ = [
    "PRICES",
    "FaultSpecError",
    "RunningSandbox",
    "SandboxApp",
    "SandboxOptions",
    "SandboxState",
    "create_app",
    "parse_fault_spec",
    "serve_forever",
    "start_sandbox",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
