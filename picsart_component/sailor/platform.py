"""The platform's HTTP API, as the sailor uses it: the step's data, account keys, startup data.

Calls authenticate with ``API_USERNAME``:``API_KEY`` (basic auth) and are retried on a server
error or a broken connection ``API_REQUEST_RETRY_ATTEMPTS`` times, ``API_REQUEST_RETRY_DELAY``
milliseconds apart, as the reference's REST client does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_fixed,
)

from ..runtime.documents import loads_json
from .settings import SailorSettings


class PlatformApiError(RuntimeError):
    """The platform's API refused a call or could not be reached; ``status`` is its HTTP
    status, or None when no answer came."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _ServerError(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"{response.status_code}")
        self.response = response


@dataclass(frozen=True)
class StepData:
    """What ``GET /v1/tasks/{flow}/steps/{step}`` tells of the step."""

    config: dict[str, Any] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    is_passthrough: bool = False
    variables: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, record: Any) -> StepData:
        if not isinstance(record, dict):
            raise PlatformApiError("the platform answered the step request without a JSON object")

        def mapping(key: str) -> dict[str, Any]:
            value = record.get(key)
            return dict(value) if isinstance(value, dict) else {}

        return cls(
            config=mapping("config"),
            snapshot=mapping("snapshot"),
            is_passthrough=record.get("is_passthrough") is True,
            variables=mapping("variables"),
        )


class PlatformApi:
    """The calls the sailor makes to ``API_URI``; ``repr`` never shows the key."""

    def __init__(self, settings: SailorSettings, session: requests.Session | None = None) -> None:
        self.base = str(settings["API_URI"]).rstrip("/")
        self._auth = (str(settings["API_USERNAME"]), str(settings["API_KEY"]))
        self._attempts = max(1, int(settings["API_REQUEST_RETRY_ATTEMPTS"]))
        self._delay = int(settings["API_REQUEST_RETRY_DELAY"]) / 1000
        self.flow_id = str(settings["FLOW_ID"])
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"PlatformApi({self.base!r})"

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON answer of ``method path``; ``PlatformApiError`` for a 4xx or when the
        retries ran out."""
        url = self.base + path
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts + 1),
            wait=wait_fixed(self._delay),
            retry=retry_if_exception_type((_ServerError, requests.ConnectionError)),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self._session.request(
                        method,
                        url,
                        auth=self._auth,
                        json=body,
                        timeout=(10, 60),
                        headers={"Connection": "Keep-Alive"},
                    )
                    if response.status_code >= 500:
                        raise _ServerError(response)
        except _ServerError as error:
            raise PlatformApiError(
                f"{method} {path} failed: the platform answered {error.response.status_code}",
                error.response.status_code,
            ) from None
        except requests.RequestException as error:
            raise PlatformApiError(f"{method} {path} failed: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise PlatformApiError(
                f"{method} {path} failed: the platform answered {response.status_code}",
                response.status_code,
            )
        if not response.content:
            return None
        try:
            return loads_json(response.text)
        except ValueError:
            return None

    def retrieve_step(self, step_id: str) -> StepData:
        return StepData.from_json(self.request("GET", f"/v1/tasks/{self.flow_id}/steps/{step_id}"))

    def update_account(self, account_id: str, keys: Any) -> None:
        self.request("PUT", f"/v1/accounts/{account_id}", {"keys": keys})

    @property
    def _startup_path(self) -> str:
        return f"/sailor-support/hooks/task/{self.flow_id}/startup/data"

    def create_startup_data(self, data: Any) -> None:
        """Store what the startup hook returned; an existing record is replaced, as the
        reference does on a 409."""
        try:
            self.request("POST", self._startup_path, data)
        except PlatformApiError as error:
            if error.status != 409:
                raise
            self.request("DELETE", self._startup_path)
            self.request("POST", self._startup_path, data)

    def retrieve_startup_data(self) -> Any:
        return self.request("GET", self._startup_path)

    def delete_startup_data(self) -> None:
        self.request("DELETE", self._startup_path)
