"""Reading an answer's body in chunks, capped in size and within a deadline, and what a failure
of the transport becomes.

A server decides how much it sends and how slowly. The read timeout alone bounds only the wait
for each piece, so a body that never ends, or trickles one byte a second, would hold a call (and
its memory) for as long as the server likes. Here every body is read a piece at a time, the total
is capped, and the socket's timeout shrinks to what is left of the call's deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
import urllib3.exceptions

from .errors import APIConnectionError, APITimeoutError, PicsartError

CHUNK_SIZE = 1 << 16

TooLarge = Callable[[int], PicsartError]


def body_chunks(
    response: requests.Response,
    *,
    limit: int | None,
    deadline: float,
    read_timeout: float,
    method: str,
    url: str,
    too_large: TooLarge,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[bytes]:
    """The body of a ``stream=True`` response, piece by piece.

    Raises ``too_large(limit)`` once more than ``limit`` bytes have come, and ``APITimeoutError``
    when ``deadline`` (a ``clock`` time) passes before the body is whole.
    """
    raw = response.raw
    received = 0
    cut_by_deadline = False
    try:
        while True:
            remaining = deadline - clock()
            if remaining <= 0:
                raise deadline_error(method, url)
            cut_by_deadline = remaining < read_timeout
            _limit_wait(raw, min(read_timeout, remaining))
            chunk = raw.read1(CHUNK_SIZE)
            if not chunk:
                return
            received += len(chunk)
            if limit is not None and received > limit:
                raise too_large(limit)
            yield chunk
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as error:
        if cut_by_deadline and isinstance(error, urllib3.exceptions.TimeoutError | TimeoutError):
            raise deadline_error(method, url) from None
        raise transport_error(error, method, url) from None


def _limit_wait(raw: Any, seconds: float) -> None:
    """Make the next read on the response's socket wait at most ``seconds``."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def deadline_error(method: str, url: str) -> APITimeoutError:
    return APITimeoutError(
        "the answer did not arrive whole within the call's deadline (PICSART_CALL_DEADLINE)",
        method=method,
        url=url,
    )


def transport_error(error: BaseException, method: str, url: str) -> APIConnectionError:
    """A failure without a (complete) answer, as the typed error the retry table knows."""
    if isinstance(error, requests.Timeout | urllib3.exceptions.TimeoutError | TimeoutError):
        return APITimeoutError(
            f"no response within the timeout ({type(error).__name__})", method=method, url=url
        )
    return APIConnectionError(_connection_message(error), method=method, url=url)


def _connection_message(error: BaseException) -> str:
    kind = type(error).__name__
    reason = str(error.args[0]) if error.args else ""
    if "Connection refused" in reason or "NewConnectionError" in reason:
        return f"connection refused ({kind})"
    if "reset" in reason.lower() or "aborted" in reason.lower():
        return f"connection reset before the response was complete ({kind})"
    if (
        "IncompleteRead" in reason
        or "ended prematurely" in reason
        or isinstance(
            error,
            requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError,
        )
    ):
        return f"the response was cut off before it was complete ({kind})"
    return f"the connection failed ({kind})"
