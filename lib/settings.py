"""The component's settings from the environment: every variable it reads, read in this one place.

``ComponentSettings.from_environ`` takes any mapping, so tests and embedders hand it an
environment of their own instead of changing ``os.environ``. (pydantic-settings reads only
``os.environ``, which is why this is a plain pydantic model whose aliases are the variable names.)
A blank variable counts as unset; a bad one is a ``SettingsError`` that names it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError

from .client import ClientSettings
from .errors import SettingsError
from .jobs import JobSettings
from .ratelimit import DEFAULT_SPIKE_LIMIT
from .retry import RetrySettings

DEFAULT_MAX_IMAGE_MB = 100.0
DEFAULT_MAX_VIDEO_MB = 100.0
"""The largest video (or audio) file the component downloads to upload it: Picsart's own limit for
the video API's inputs ("The input file cannot be bigger than 100MB", its Upload files page)."""
DEFAULT_MAX_RESULT_MB = 1024.0
DEFAULT_MAX_RESPONSE_MB = 10.0
DEFAULT_CALL_DEADLINE = 600.0
MEGABYTE = 1 << 20


def _positive_number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number, got {value!r}") from None
    if not number > 0:
        raise ValueError(f"must be greater than 0, got {value!r}")
    return number


PositiveNumber = Annotated[float, BeforeValidator(_positive_number)]


def parse_host_list(value: str | None) -> frozenset[str]:
    """Host names or addresses separated by commas, lower-cased, IPv6 brackets removed."""
    if value is None:
        return frozenset()
    return frozenset(item.strip().lower().strip("[]") for item in value.split(",") if item.strip())


class ComponentSettings(BaseModel):
    """Every ``PICSART_*`` variable, and the platform's object-storage variables."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    api_key: SecretStr | None = Field(None, alias="PICSART_API_KEY")
    base_url: str | None = Field(None, alias="PICSART_BASE_URL")
    genai_base_url: str | None = Field(None, alias="PICSART_GENAI_BASE_URL")
    video_base_url: str | None = Field(None, alias="PICSART_VIDEO_BASE_URL")
    vd_base_url: str | None = Field(None, alias="PICSART_VD_BASE_URL")
    job_timeout: PositiveNumber | None = Field(None, alias="PICSART_JOB_TIMEOUT")
    """None: each API's default (``jobs.DEFAULT_JOB_TIMEOUTS``); when set, it applies to all."""
    job_poll_seconds: PositiveNumber | None = Field(None, alias="PICSART_JOB_POLL_SECONDS")
    connect_timeout: PositiveNumber = Field(10.0, alias="PICSART_CONNECT_TIMEOUT")
    read_timeout: PositiveNumber = Field(120.0, alias="PICSART_READ_TIMEOUT")
    max_attempts: PositiveNumber = Field(5, alias="PICSART_MAX_ATTEMPTS")
    max_wait: PositiveNumber = Field(300.0, alias="PICSART_MAX_WAIT")
    spike_limit: PositiveNumber = Field(DEFAULT_SPIKE_LIMIT, alias="PICSART_SPIKE_LIMIT")
    redis_url: SecretStr | None = Field(None, alias="PICSART_REDIS_URL")
    max_image_mb: PositiveNumber = Field(DEFAULT_MAX_IMAGE_MB, alias="PICSART_MAX_IMAGE_MB")
    max_video_mb: PositiveNumber = Field(DEFAULT_MAX_VIDEO_MB, alias="PICSART_MAX_VIDEO_MB")
    max_result_mb: PositiveNumber = Field(DEFAULT_MAX_RESULT_MB, alias="PICSART_MAX_RESULT_MB")
    max_response_mb: PositiveNumber = Field(
        DEFAULT_MAX_RESPONSE_MB, alias="PICSART_MAX_RESPONSE_MB"
    )
    call_deadline: PositiveNumber = Field(DEFAULT_CALL_DEADLINE, alias="PICSART_CALL_DEADLINE")
    attachments_dir: str | None = Field(None, alias="PICSART_ATTACHMENTS_DIR")
    allow_hosts_list: str | None = Field(None, alias="PICSART_ALLOW_HOSTS")
    object_storage_uri: str | None = Field(None, alias="ELASTICIO_OBJECT_STORAGE_URI")
    object_storage_token: SecretStr | None = Field(None, alias="ELASTICIO_OBJECT_STORAGE_TOKEN")
    data_home: str | None = Field(None, alias="XDG_DATA_HOME")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ComponentSettings:
        env = os.environ if environ is None else environ
        given = {
            name: value.strip()
            for name in _VARIABLES
            if (value := env.get(name)) is not None and value.strip()
        }
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            first = error.errors(include_input=False, include_url=False)[0]
            name = str(first["loc"][0]) if first["loc"] else "the environment"
            rule = str(first["msg"]).removeprefix("Value error, ")
            raise SettingsError(f"{name} {rule}") from None

    @property
    def shared_limit_url(self) -> SecretStr | None:
        """``PICSART_REDIS_URL``, None when unset or empty."""
        return self.redis_url if self.redis_url and self.redis_url.get_secret_value() else None

    def client_settings(self) -> ClientSettings:
        return ClientSettings(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            spike_limit=self.spike_limit,
            redis_url=self.redis_url
            if self.redis_url and self.redis_url.get_secret_value()
            else None,
            max_response_bytes=int(self.max_response_mb * MEGABYTE),
            call_deadline=self.call_deadline,
            retry=RetrySettings(max_attempts=int(self.max_attempts), max_total_wait=self.max_wait),
        )

    def job_settings(self) -> JobSettings:
        if self.job_poll_seconds is None:
            return JobSettings(timeout=self.job_timeout)
        return JobSettings(
            timeout=self.job_timeout,
            first_poll=self.job_poll_seconds,
            max_poll=self.job_poll_seconds,
        )

    @property
    def allow_hosts(self) -> frozenset[str]:
        return parse_host_list(self.allow_hosts_list)

    @property
    def max_image_bytes(self) -> int:
        return int(self.max_image_mb * MEGABYTE)

    @property
    def max_video_bytes(self) -> int:
        return int(self.max_video_mb * MEGABYTE)

    @property
    def max_result_bytes(self) -> int:
        return int(self.max_result_mb * MEGABYTE)

    @property
    def sandbox_results_folder(self) -> Path:
        """Where the sandbox that ``picsart-flow`` starts for one command keeps its results."""
        return self._data_folder / "sandbox-results"

    @property
    def _data_folder(self) -> Path:
        data_home = self.data_home or str(Path.home() / ".local" / "share")
        return Path(data_home) / "picsart-component"

    @property
    def attachments_folder(self) -> Path:
        """``PICSART_ATTACHMENTS_DIR``, else ``$XDG_DATA_HOME/picsart-component/attachments``."""
        if self.attachments_dir:
            return Path(self.attachments_dir).expanduser()
        return self._data_folder / "attachments"


_VARIABLES = tuple(
    field.alias for field in ComponentSettings.model_fields.values() if field.alias is not None
)
