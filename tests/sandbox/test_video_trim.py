"""Trim video in the sandbox: its parameters (422 naming the field), the cut itself (length,
frames, sound), the stand-in clip for a URL it cannot fetch, and the video API's host in sandbox
mode (``video-api.picsart.io``'s ``/v1/`` served at ``/video/v1/``)."""

from __future__ import annotations

import io
from typing import Any

import av
import pytest
from PIL import Image
from werkzeug.test import Client

from picsart_component.sandbox import media, params, samples
from picsart_component.sandbox.errors import ApiError
from picsart_component.sandbox.forms import Inputs
from picsart_component.sandbox.operations import VIDEO_HOST, sandbox_path
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, FakeClock

CLIP_URL = "https://example.com/clip.mp4"
VALID = {"video_url": CLIP_URL, "start": 250, "end": 1250}


def parse(**changes: Any) -> params.TrimJob:
    values = {key: value for key, value in {**VALID, **changes}.items() if value is not None}
    job = params.parse("trimVideo", Inputs(encoding="json", values=values))
    assert isinstance(job, params.TrimJob)
    return job


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"start": -1}, "start must be from 0 or more, not -1"),
        ({"start": "soon"}, "start must be a whole number"),
        ({"start": 1.5}, "start must be a whole number"),
        ({"start": None}, "start is required"),
        ({"end": 999}, "end must be from 1000 or more, not 999"),
        ({"end": None}, "end is required"),
        ({"end": True}, "end must be a whole number"),
        ({"start": 1250, "end": 1250}, "end (1250) must be greater than start (1250)"),
        ({"start": 2000, "end": 1500}, "end (1500) must be greater than start (2000)"),
        ({"start": 0, "end": 30_001}, "end (30001) is 30001 ms after start"),
        ({"video_url": None}, "video_url is required"),
        ({"video_url": "ftp://example.com/clip.mp4"}, "video_url must be an absolute http(s)"),
        ({"export": "MP4"}, "export must be an object"),
        ({"export": {"format": "AVI"}}, "export.format must be one of MOV, MP4, WEBM, GIF"),
        ({"export": {"frame_rate": 61}}, "export.frame_rate must be from 1 to 60, not 61"),
        ({"export": {"bitrate": 0}}, "export.bitrate must be from 1 to 10000, not 0"),
    ],
)
def test_broken_parameters_are_422_naming_the_field(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse(**changes)
    assert refused.value.status == 422
    assert named in refused.value.detail


def test_the_export_defaults_are_picsarts_and_its_format_is_taken_in_any_case() -> None:
    job = parse()
    assert (job.start, job.end, job.format, job.frame_rate, job.bitrate) == (
        250,
        1250,
        "MP4",
        30,
        None,
    )
    job = parse(start="0", end="1000", export={"format": "webm", "frame_rate": 12, "bitrate": 8})
    assert (job.start, job.end, job.format, job.frame_rate, job.bitrate) == (
        0,
        1000,
        "WEBM",
        12,
        8,
    )


def bar_filled(picture: Image.Image) -> float:
    """How far the stand-in's progress bar has filled: the share of white along its bottom row."""
    row = [picture.getpixel((x, picture.height - 2)) for x in range(picture.width)]
    return sum(1 for pixel in row if isinstance(pixel, tuple) and min(pixel) > 200) / len(row)


def frames_of(data: bytes) -> list[Image.Image]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_image() for frame in container.decode(video=0)]


def test_a_trim_keeps_the_frames_and_the_sound_between_start_and_end() -> None:
    clip, content_type = samples.stand_in_video(CLIP_URL)
    assert content_type == "video/mp4"
    source = media.video_info(clip)
    assert (source.width, source.height, source.audio) == (64, 64, True)
    assert source.duration_ms == pytest.approx(2000, abs=1000 / media.VIDEO_FPS)
    trimmed = media.trim(clip, start_ms=500, end_ms=1500, fps=24)
    info = media.video_info(trimmed)
    assert info.duration_ms == pytest.approx(1000, abs=1000 / 24)
    assert info.audio
    frames = frames_of(trimmed)
    assert len(frames) == 24
    # The stand-in's bar fills over its two seconds: a quarter at 0.5 s, three quarters at 1.5 s.
    assert bar_filled(frames[0]) == pytest.approx(0.25, abs=0.05)
    assert bar_filled(frames[-1]) == pytest.approx(0.75, abs=0.05)


def decoded(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """A clip as it plays: its frames' pixels and its sound's samples."""
    with av.open(io.BytesIO(data)) as container:
        frames = [frame.to_ndarray(format="rgb24").tobytes() for frame in container.decode(video=0)]
    with av.open(io.BytesIO(data)) as container:
        sound = [frame.to_ndarray().tobytes() for frame in container.decode(audio=0)]
    return frames, sound


def test_the_stand_in_clip_is_the_same_for_a_url_and_in_the_format_its_name_says() -> None:
    """The same URL plays the same frames and sound. Not always the same bytes: libx264 does
    not write the same bitstream twice for the same frames (bits that change no decoded pixel;
    threads=1 does not help), so an MP4 or MOV is compared as it plays; GIF and WEBM encodes
    are bit-exact."""
    samples.stand_in_video.cache_clear()
    first, content_type = samples.stand_in_video(CLIP_URL)
    samples.stand_in_video.cache_clear()
    again, same_type = samples.stand_in_video(CLIP_URL)
    assert same_type == content_type == "video/mp4"
    frames, sound = decoded(first)
    assert (len(frames), len(sound)) == (48, 87)  # 2 s at 24 frames, 44.1 kHz in AAC frames
    assert decoded(again) == (frames, sound)
    assert decoded(samples.stand_in_video("https://example.com/other.mp4")[0])[0] != frames
    webm = "https://example.com/clip.webm"
    samples.stand_in_video.cache_clear()
    first_webm = samples.stand_in_video(webm)
    samples.stand_in_video.cache_clear()
    assert samples.stand_in_video(webm) == first_webm
    assert samples.stand_in_video("https://example.com/clip.webm")[1] == "video/webm"
    gif, content_type = samples.stand_in_video("https://example.com/loop.gif")
    assert content_type == "image/gif"
    assert not media.video_info(gif).audio
    assert samples.stand_in_video("https://example.com/watch?v=1")[1] == "video/mp4"


def trim(client: Client, path: str = "/video/v1/trim", **changes: Any) -> Any:
    return client.post(path, headers=HEADERS, json={**VALID, **changes})


def test_the_video_host_is_served_under_its_own_prefix(client: Client) -> None:
    assert sandbox_path(VIDEO_HOST, "/v1/trim") == "/video/v1/trim"
    assert sandbox_path(VIDEO_HOST, "/video/v1/trim") is None
    assert trim(client, f"/hosts/{VIDEO_HOST}/v1/trim").status_code == 202
    assert trim(client, f"/hosts/{VIDEO_HOST}/video/v1/trim").status_code == 404
    # The GenAI API's /v1/ is not the video API's.
    assert trim(client, "/v1/trim").status_code == 404


def test_an_end_past_the_video_or_a_file_that_is_no_video_is_refused_before_paying(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, _ = make_client(job_seconds=1)
    job = trim(client, start=0, end=1000).get_json()["transaction_id"]
    clock.advance(2)
    one_second = client.get(f"/video/v1/video/{job}", headers=HEADERS).get_json()["data"]["url"]
    before = client.get("/__sandbox/state").get_json()["credits"]
    past = trim(client, video_url=one_second, end=2500)
    assert past.status_code == 400  # the video file lists no 422 for /trim
    assert "end (2500) is past the end of the video, which lasts" in past.get_json()["detail"]
    upload = client.post(
        "/tools/1.0/upload",
        headers=HEADERS,
        data={"image": (io.BytesIO(_png()), "photo.png")},
    )
    picture_url = upload.get_json()["data"]["url"]
    not_video = trim(client, video_url=picture_url)
    assert not_video.status_code == 415
    assert not_video.get_json()["detail"].startswith("video_url: ")
    assert client.get("/__sandbox/state").get_json()["credits"] == before


def test_a_stand_in_clip_is_made_as_long_as_the_trim_needs(client: Client) -> None:
    assert trim(client, start=4000, end=6000).status_code == 202


def test_a_trim_is_a_job_collected_at_the_video_poll(
    make_client: MakeClient, clock: FakeClock
) -> None:
    client, _ = make_client(job_seconds=3)
    accepted = trim(client)
    assert accepted.status_code == 202
    job = accepted.get_json()["transaction_id"]
    assert client.get(f"/video/v1/video/{job}", headers=HEADERS).status_code == 202
    clock.advance(5)
    done = client.get(f"/video/v1/video/{job}", headers=HEADERS)
    assert done.status_code == 200
    assert done.get_json()["data"]["url"].endswith(".mp4")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(out, "PNG")
    return out.getvalue()
