"""The component's building blocks (ARCHITECTURE.md lists them), and its hook for the sailor.

``sailor_services`` is the hook: the sailor (``picsart_component/sailor/main.py``) imports this
package under the name the component is loaded with and calls it once per step, so that every
message's actions share one set of services. A component without a ``lib`` package shares none;
one whose ``lib`` lacks the hook does not start.

``validate_problems`` is the hook of ``picsart-flow validate``: the component's own checks
(``lib/checks.py``), run after the runtime's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from .context import Services
    from .store import MaesterStore


def sailor_services(
    object_storage_uri: str | None, object_storage_token: str | None
) -> tuple[Services, MaesterStore | None]:
    """What the actions of one step share across its messages (one Picsart throttle and pool of
    connections), and, when the platform gives object storage, the Maester client that the
    actions save files with, which the sailor then keeps lightweight bodies with too."""
    # Loaded on call: every module of lib runs this file first, and most need neither.
    from .context import Services  # noqa: PLC0415
    from .store import MaesterStore  # noqa: PLC0415

    services = Services()
    if not (object_storage_uri and object_storage_token):
        return services, None
    store = MaesterStore(object_storage_uri, object_storage_token)
    services.store = store
    return services, store


def validate_problems(root: Path) -> list[str]:
    """The problems ``picsart-flow validate`` reports for the component at ``root`` beyond the
    runtime's checks: what every action of this component declares (``lib/checks.py``)."""
    from .checks import validate_problems as component_problems  # noqa: PLC0415

    return component_problems(root)


def reference_groups(names: list[str]) -> list[tuple[str, list[str]]]:
    """The groups of the documentation site's action reference (``picsart-flow generate``):
    the designer palette's (``groups.py``)."""
    from .groups import grouped  # noqa: PLC0415

    return grouped(names)
