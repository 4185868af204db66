"""What the sandbox reads an unreachable URL of the video API as: a clip, a picture or a sound in
the format the URL's name says, the same bytes for the same URL, each opened by PyAV."""

from __future__ import annotations

import io
from typing import Any

import pytest

av = pytest.importorskip("av")

from picsart_component.lib.context import Services  # noqa: E402
from picsart_component.lib.formats import sniff_format  # noqa: E402
from picsart_component.runtime.executor import Executor  # noqa: E402
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest  # noqa: E402
from picsart_component.runtime.messages import Message  # noqa: E402
from picsart_component.sandbox import samples  # noqa: E402


@pytest.mark.parametrize(
    ("name", "content_type", "container", "streams"),
    [
        ("clip.mp4", "video/mp4", "mp4", ["video", "audio"]),
        ("clip.m4v", "video/mp4", "mp4", ["video", "audio"]),
        ("clip.MOV", "video/quicktime", "mov", ["video", "audio"]),
        ("clip.webm", "video/webm", "webm", ["video", "audio"]),
        ("loop.gif", "image/gif", "gif", ["video"]),
        ("watch?v=1", "video/mp4", "mp4", ["video", "audio"]),
        ("song.mp3", "audio/mpeg", "mp3", ["audio"]),
        ("song.wav", "audio/wav", "wav", ["audio"]),
        ("song.aac", "audio/aac", "aac", ["audio"]),
        ("song.m4a", "audio/mp4", "m4a", ["audio"]),
        ("song.ogg", "audio/ogg", "ogg", ["audio"]),
        ("song.flac", "audio/flac", "flac", ["audio"]),
        ("logo.png", "image/png", "png_pipe", ["video"]),
        ("photo.jpg", "image/jpeg", "jpeg_pipe", ["video"]),
    ],
)
def test_an_unreachable_url_stands_in_as_what_its_name_says(
    name: str, content_type: str, container: str, streams: list[str]
) -> None:
    url = f"https://media.example.com/{name}"
    data, given = samples.stand_in_media(url)
    assert given == content_type
    assert sniff_format(data[:1024]) is not None
    with av.open(io.BytesIO(data)) as opened:
        assert container in opened.format.name.split(",")
        assert [stream.type for stream in opened.streams] == streams
        if streams != ["video"] or container == "gif":
            assert float(opened.duration or 0) / 1e6 == pytest.approx(
                samples.STAND_IN_CLIP_SECONDS, abs=0.1
            )
    assert samples.stand_in_media(url) == (data, given)


def test_a_video_name_gets_the_very_clip_a_trim_reads_and_a_sound_its_tone() -> None:
    url = "https://media.example.com/clip.mov"
    assert samples.stand_in_media(url) == samples.stand_in_video(url)
    other = samples.stand_in_sound("https://media.example.com/other.wav")[0]
    assert samples.stand_in_sound("https://media.example.com/song.wav")[0] != other


@pytest.mark.parametrize(
    ("name", "container", "codec", "sound"),
    [
        ("clip.mp4", "mp4", "h264", 1),
        ("clip.mov", "mov", "h264", 1),
        ("clip.webm", "webm", "vp8", 1),
        ("loop.gif", "gif", "gif", 0),
    ],
)
def test_the_sandbox_reads_an_unreachable_video_url_as_a_clip_of_the_format_its_name_says(
    picsart_sandbox: Any, name: str, container: str, codec: str, sound: int
) -> None:
    """Through the component, as a user sees it: Get video metadata on a URL off the machine."""
    if "videoMetadata" not in load_manifest(COMPONENT_ROOT).actions:
        pytest.skip("Get video metadata is not an action yet")
    url = f"https://videos.example.com/{name}"
    result = Executor(services=Services(environ={})).run(
        "videoMetadata", Message(body={"video_url": url}), picsart_sandbox.cfg()
    )
    (data,) = result.of_kind("data")
    found = data.body["data"]
    assert container in found["format_name"].split(",")
    assert (found["video_codec_name"], found["audio_streams"]) == (codec, sound)
    assert (found["video_width"], found["video_height"]) == samples.STAND_IN_CLIP_SIZE
    assert found["duration"] == pytest.approx(samples.STAND_IN_CLIP_SECONDS, abs=0.05)
    assert url in picsart_sandbox.running.state()["stand_ins"]
