"""Get video metadata: what a video's container says of it (streams, size, length, codecs)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import OutputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import NoConfig as Config
from ..lib.operations import operation_process
from ..lib.tool_fields import ValueOutput
from ..lib.video_fields import VideoInput, video_url_field

TITLE = "Get video metadata"
DESCRIPTION = "Read a video's metadata: its streams, size, length, codecs, frame rate and sound."
HELP = (
    "Give the video by its http(s) URL (Picsart fetches it). Picsart answers at once with what "
    "the file's container says: how many picture and sound streams it has, its size in bytes, "
    "length in seconds and bit rate, the picture's codec, size, pixel format and frame rate, "
    "the sound's codec, sample rate and channels, and the thumbnail it carries, if any. A value "
    "the file does not have is empty."
)
HELP_LINK = "https://docs.picsart.io/reference/video-metadata"
EXAMPLE = {"video_url": "https://example.com/clip.mp4"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(VideoInput):
    video_url: str = video_url_field("to read")


class VideoMetadata(OutputModel):
    """The file's metadata answer; Picsart may add more values, which are kept."""

    model_config = ConfigDict(extra="allow", title="Video metadata")

    video_streams: int | None = Field(
        None, title="Video streams", description="Picture streams, a carried thumbnail included."
    )
    audio_streams: int | None = Field(None, title="Audio streams", description="Sound streams.")
    bit_rate: int | None = Field(
        None, title="Bit rate", description="The whole file's bit rate, in bits per second."
    )
    size: int | None = Field(None, title="Size", description="The file's size in bytes.")
    duration: float | None = Field(None, title="Duration", description="Its length in seconds.")
    format_name: str | None = Field(
        None, title="Format name", description="The container, as FFmpeg names it."
    )
    video_codec_name: str | None = Field(
        None, title="Video codec", description="The picture's codec (h264, vp8, ...)."
    )
    video_width: int | None = Field(None, title="Width", description="In pixels.")
    video_height: int | None = Field(None, title="Height", description="In pixels.")
    video_duration: float | None = Field(
        None, title="Video duration", description="The picture stream's length in seconds."
    )
    video_bit_rate: int | None = Field(
        None, title="Video bit rate", description="The picture stream's, in bits per second."
    )
    video_pix_fmt: str | None = Field(
        None, title="Pixel format", description="The picture's pixel format (yuv420p, ...)."
    )
    video_fps: float | None = Field(None, title="Frame rate", description="Frames per second.")
    audio_codec_name: str | None = Field(
        None, title="Audio codec", description="The sound's codec (aac, opus, ...)."
    )
    audio_sample_rate: int | None = Field(
        None, title="Sample rate", description="The sound's samples per second (Hz)."
    )
    audio_channels: int | None = Field(None, title="Channels", description="Sound channels.")
    audio_channel_layout: str | None = Field(
        None, title="Channel layout", description="mono, stereo, ..."
    )
    audio_duration: float | None = Field(
        None, title="Audio duration", description="The sound stream's length in seconds."
    )
    audio_bit_rate: int | None = Field(
        None, title="Audio bit rate", description="The sound stream's, in bits per second."
    )
    thumbnail_codec_name: str | None = Field(
        None, title="Thumbnail codec", description="The carried thumbnail's codec (mjpeg, png)."
    )
    thumbnail_width: int | None = Field(None, title="Thumbnail width", description="In pixels.")
    thumbnail_height: int | None = Field(None, title="Thumbnail height", description="In pixels.")
    thumbnail_pix_fmt: str | None = Field(
        None, title="Thumbnail pixel format", description="The thumbnail's pixel format."
    )


class Output(ValueOutput):
    data: VideoMetadata = Field(title="Data", description="The video's metadata.")


_read = operation_process("videoMetadata")


def process(body: Input, config: Config, context: Context) -> Message:
    """Runs Get video metadata; a value Picsart gives as null (the file has no such stream) is
    left out, so that the output says only what the video has."""
    message = _read(body, config, context)
    data = message.body.get("data")
    if isinstance(data, dict):
        message.body["data"] = {name: value for name, value in data.items() if value is not None}
    return message
