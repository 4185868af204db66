"""Image to video: a short video that starts from an image, moved as a prompt says."""

from __future__ import annotations

from picsart_component.catalogue import choices

from ..lib.context import PicsartContext as Context
from ..lib.fields import ImageSourceInput
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.genai_fields import model_field
from ..lib.operations import operation_process
from .text_to_video import VideoFields

TITLE = "Image to video"
DESCRIPTION = "Generate a short video that starts from an image, moved as a prompt says."
HELP = (
    "One video per call, up to 20 seconds. Give the image by exactly one of Image, Image URL and "
    "Image ID (JPG, PNG or WEBP). Picsart runs it as a job; the action polls until the result is "
    "ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/genai-image2video"
EXAMPLE = {
    "image_url": "https://example.com/mug.jpg",
    "prompt": "steam slowly rising from the mug",
    "length": 2,
    "width": 320,
    "height": 240,
}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoFields, ImageSourceInput):
    model: str | None = model_field(choices.IMAGE_TO_VIDEO_MODELS, choices.IMAGE_TO_VIDEO_DEFAULT)


process = operation_process("imageToVideo", file_fields={"image": "image"})
