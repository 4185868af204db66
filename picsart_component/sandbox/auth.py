"""The API key check, the same for the API and for the control API."""

from __future__ import annotations

import hmac

from werkzeug.wrappers import Request

from .errors import ApiError
from .requestlog import API_KEY_HEADER


def check_api_key(request: Request, expected: str | None, missing: str) -> None:
    """401 unless ``X-Picsart-API-Key`` is ``expected`` (or, with no ``expected``, not empty)."""
    key = request.headers.get(API_KEY_HEADER, "")
    if not key.strip():
        raise ApiError(401, missing)
    if expected is not None and not hmac.compare_digest(key.encode(), expected.encode()):
        raise ApiError(401, "The API key is not valid.")
