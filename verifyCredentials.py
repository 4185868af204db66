"""verifyCredentials: the platform calls this when a user saves credentials.

It asks Picsart for the account's balance, the cheapest authenticated call there is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .lib.context import PicsartContext as Context
from .lib.errors import AuthenticationError, PicsartError


def verify(credentials: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """``{"verified": True, "credits": N}``, or ``{"verified": False, "reason": ...}``."""
    try:
        credits = context.client.balance()
    except AuthenticationError as error:
        return _not_verified(error, error.message)
    except PicsartError as error:
        return _not_verified(error, str(error))
    return {"verified": True, "credits": credits}


def _not_verified(error: PicsartError, reason: str) -> dict[str, Any]:
    return {"verified": False, "reason": reason, **error.event_fields()}
