"""Image to video: a short video that starts from an image, moved as a prompt says."""

from __future__ import annotations

from ..lib import ai_models
from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import model_field
from ..lib.operations import operation_process
from .text_to_video import VideoFields

EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "prompt": "steam slowly rising from the mug",
    "length": 2,
    "width": 320,
    "height": 240,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoFields, ImageSourceInput):
    model: str | None = model_field(
        ai_models.IMAGE_TO_VIDEO_MODELS, ai_models.IMAGE_TO_VIDEO_DEFAULT
    )


process = operation_process("imageToVideo", file_fields={"image": "image"})
