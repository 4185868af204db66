"""The component's credentials: the fields the designer shows, and the client they configure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator

from picsart_component.runtime.models import ConfigModel, problems_from

from .errors import InputError, URLError
from .urls import (
    DEFAULT_BASE_URL,
    DEFAULT_GENAI_BASE_URL,
    DEFAULT_VD_BASE_URL,
    DEFAULT_VIDEO_BASE_URL,
    normalize_base_url,
)


class Credentials(ConfigModel):
    apiKey: SecretStr = Field(
        title="API key",
        description=(
            "Your Picsart API key, sent as the X-Picsart-API-Key header. Find it in the "
            "Picsart console: https://console.picsart.io/dashboard/apps/"
        ),
        json_schema_extra={"viewClass": "PasswordFieldView"},
    )
    imageApiBaseUrl: str | None = Field(
        None,
        title="Image API base URL",
        description=(
            "Where relative request paths are sent. Leave empty for Picsart's image API; "
            "set it only to reach another Picsart API version or a local sandbox."
        ),
        json_schema_extra={"viewClass": "TextFieldView", "placeholder": DEFAULT_BASE_URL},
    )
    genaiApiBaseUrl: str | None = Field(
        None,
        title="GenAI API base URL",
        description=(
            "Where the generative actions (text to image, inpaint, expand, video, speech and the "
            "others) send their requests. Leave empty for Picsart's GenAI API; set it only to "
            "reach another version of it or a local sandbox."
        ),
        json_schema_extra={"viewClass": "TextFieldView", "placeholder": DEFAULT_GENAI_BASE_URL},
    )
    videoApiBaseUrl: str | None = Field(
        None,
        title="Video API base URL",
        description=(
            "Where the video actions (trim and the others) send their requests. Leave empty for "
            "Picsart's video API; set it only to reach another version of it or a local sandbox."
        ),
        json_schema_extra={"viewClass": "TextFieldView", "placeholder": DEFAULT_VIDEO_BASE_URL},
    )
    vdApiBaseUrl: str | None = Field(
        None,
        title="Variable Data API base URL",
        description=(
            "Where the Variable Data actions (export a replay, describe or export its variable "
            "data) send their requests. Leave empty for Picsart's VD API; set it only to reach "
            "another version of it or a local sandbox."
        ),
        json_schema_extra={"viewClass": "TextFieldView", "placeholder": DEFAULT_VD_BASE_URL},
    )
    allowHosts: str | None = Field(
        None,
        title="Allowed private hosts",
        description=(
            "Host names or addresses, separated by commas, from which images may be downloaded "
            "even though they are not public (for example an intranet file server). Images "
            "from loopback, private and link-local addresses are refused otherwise."
        ),
        json_schema_extra={"viewClass": "TextFieldView"},
    )

    @field_validator("apiKey")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("imageApiBaseUrl", "genaiApiBaseUrl", "videoApiBaseUrl", "vdApiBaseUrl")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return normalize_base_url(value)
        except URLError as error:
            raise ValueError(str(error)) from None

    @property
    def base_url(self) -> str:
        return self.imageApiBaseUrl or DEFAULT_BASE_URL

    @property
    def genai_base_url(self) -> str:
        return self.genaiApiBaseUrl or DEFAULT_GENAI_BASE_URL

    @property
    def video_base_url(self) -> str:
        return self.videoApiBaseUrl or DEFAULT_VIDEO_BASE_URL

    @property
    def vd_base_url(self) -> str:
        return self.vdApiBaseUrl or DEFAULT_VD_BASE_URL

    @property
    def api_base_urls(self) -> dict[str, str]:
        """Every API the key reaches, by the name commands take (``--api``): its base URL."""
        return {
            "image": self.base_url,
            "genai": self.genai_base_url,
            "video": self.video_base_url,
            "vd": self.vd_base_url,
        }

    @property
    def key_hosts(self) -> tuple[str, ...]:
        """The base URLs the key may be sent to, besides Picsart's own https hosts."""
        return tuple(self.api_base_urls.values())


def read_credentials(cfg: Mapping[str, Any]) -> Credentials:
    """Credentials from ``cfg``, or an ``InputError`` naming each bad field."""
    try:
        return Credentials.model_validate(cfg)
    except ValidationError as error:
        raise InputError(problems_from(error, "cfg"), "Invalid credentials") from None
