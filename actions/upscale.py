"""Upscale: enlarge an image 2, 4, 6 or 8 times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from picsart_component.executor import ActionContext
from picsart_component.messages import Message

from ..lib.fields import DownloadResultConfig, ImageResultOutput, ImageSourceInput
from ..lib.images import UPSCALE_FORMATS, check_upscale_dimensions, run_image_tool


class Config(DownloadResultConfig):
    pass


class Input(ImageSourceInput):
    upscale_factor: Literal[2, 4, 6, 8] = Field(
        title="Upscale Factor",
        description=(
            "How many times larger the result is: 2, 4, 6 or 8. The result may be at most "
            "4800x4800 pixels; the recommended largest inputs are 2000x2000 for 2, 1024x1024 "
            "for 4, 800x800 for 6 and 600x600 for 8."
        ),
    )
    format: Literal["JPG", "PNG", "WEBP"] | None = Field(
        None,
        title="Format",
        description="The result's image format: JPG, PNG or WEBP.",
        json_schema_extra={"default": "JPG"},
    )


class Output(ImageResultOutput):
    pass


def process(msg: Message, cfg: Mapping[str, Any], context: ActionContext) -> Message:
    body = Input.model_validate(msg.body)
    config = Config.model_validate(cfg)
    return run_image_tool(
        "upscale",
        body,
        msg=msg,
        context=context,
        download_result=config.downloadResult,
        accepted_formats=UPSCALE_FORMATS,
        file_fields={"image": "image"},
        check_image=lambda size: check_upscale_dimensions(
            size, body.upscale_factor, context.logger
        ),
    )
