"""Video effects: one of the video API's effects applied to a whole video."""

from __future__ import annotations

from pydantic import Field

from ..lib.context import PicsartContext as Context
from ..lib.genai_fields import FileOutput as Output
from ..lib.genai_fields import JobConfig as Config
from ..lib.operations import operation_process
from ..lib.video_fields import ExportSettings, VideoEffectName, VideoInput, export_field

TITLE = "Video effects"
DESCRIPTION = "Apply one of Picsart's video effects (looks, blurs, sketches) to a whole video."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it) and the effect: a look (apr1, "
    "brnz1, cyber1, icy1, ...), a blur (Blur, Lens Blur, Motion Blur, ...), Black And White, "
    "a sketch (stenciler1, ...) and more; the video effects are not the image effects. Export "
    "chooses the file's format, frame rate and bitrate. Picsart runs it as a job; the action "
    "polls until the result is ready, unless Don't wait for the result is checked."
)
HELP_LINK = "https://docs.picsart.io/reference/video-apply-effect"
EXAMPLE = {"video_url": "https://example.com/clip.mp4", "effect_name": "icy1"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    effect_name: VideoEffectName = Field(
        title="Effect",
        description="The effect to apply, one of the video API's 48 (such as icy1 or Blur).",
    )
    export: ExportSettings | None = export_field()


process = operation_process("applyVideoEffect")
