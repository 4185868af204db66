"""The video API's compositions in the sandbox: their parameters (refused naming the field),
and what each makes, measured with PyAV: Concatenate videos and images, Video highlights, Make
video CTV-compatible, Upscale video FPS (60 frames a second, blended), Remove video background
(the image cutout on every frame) and Upload."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import av
import numpy as np
import pytest
from PIL import Image
from werkzeug.test import Client

from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from picsart_component.sandbox import media, params, samples, video_compose
from picsart_component.sandbox.errors import ApiError
from picsart_component.sandbox.forms import Inputs
from tests.helpers import video_seconds
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, FakeClock

MANIFEST = load_manifest(COMPONENT_ROOT)
CLIP = "https://example.com/clip.mp4"
PHOTO = "https://example.com/photo.jpg"
TWO_SEGMENTS = [{"start": 0, "end": 500}, {"start": 1000, "end": 1500}]


def refusal(operation: str, values: dict[str, Any], encoding: str = "json") -> str:
    with pytest.raises(ApiError) as refused:
        params.parse(operation, Inputs(encoding=encoding, values=values))
    assert refused.value.status == 422
    return refused.value.detail


@pytest.mark.parametrize(
    ("operation", "values", "named"),
    [
        ("concatVideos", {}, "items is required"),
        ("concatVideos", {"items": {"video_url": CLIP}}, "items must be a list of objects"),
        ("concatVideos", {"items": []}, "items has 0 entries; give from 1 to 10"),
        ("concatVideos", {"items": [{"video_url": CLIP}] * 11}, "items has 11 entries"),
        ("concatVideos", {"items": ["clip"]}, "items[0] must be an object"),
        ("concatVideos", {"items": [{}]}, "items[0]: give exactly one of video_url and image_url"),
        (
            "concatVideos",
            {"items": [{"video_url": CLIP}, {"video_url": CLIP, "image_url": PHOTO}]},
            "items[1]: give exactly one of video_url and image_url",
        ),
        ("concatVideos", {"items": [{"video_url": "ftp://x/y.mp4"}]}, "items[0].video_url must"),
        ("concatVideos", {"items": [{"video_url": CLIP, "volume": 101}]}, "items[0].volume must"),
        ("concatVideos", {"items": [{"image_url": PHOTO, "scale": "crop"}]}, "items[0].scale"),
        ("concatVideos", {"items": [{"image_url": PHOTO, "duration": 0}]}, "items[0].duration"),
        ("concatVideos", {"items": [{"image_url": PHOTO, "transition": "wipe"}]}, "transition"),
        (
            "concatVideos",
            {"items": [{"image_url": PHOTO, "duration": 20_000}] * 2},
            "the images' durations add up to 40000 ms",
        ),
        ("concatVideos", {"items": [{"video_url": CLIP}], "bg_audio_volume": -1}, "bg_audio_vol"),
        ("concatVideos", {"items": [{"video_url": CLIP}], "bg_audio_repeat": "yes"}, "bg_audio_r"),
        ("concatVideos", {"items": [{"video_url": CLIP}], "export": {"format": "AVI"}}, "export"),
        ("videoHighlights", {"trim_segments": TWO_SEGMENTS}, "video_url is required"),
        ("videoHighlights", {"video_url": CLIP}, "trim_segments is required"),
        ("videoHighlights", {"video_url": CLIP, "trim_segments": TWO_SEGMENTS[:1]}, "from 2 to"),
        (
            "videoHighlights",
            {"video_url": CLIP, "trim_segments": [{"end": 500}, {"start": 0, "end": 500}]},
            "trim_segments[0].start is required",
        ),
        (
            "videoHighlights",
            {"video_url": CLIP, "trim_segments": [{"start": 0, "end": 500}, {"start": 900}]},
            "trim_segments[1].end is required",
        ),
        (
            "videoHighlights",
            {
                "video_url": CLIP,
                "trim_segments": [{"start": 0, "end": 500}, {"start": 9, "end": 9}],
            },
            "trim_segments[1].end (9) must be greater than its start (9)",
        ),
        (
            "videoHighlights",
            {"video_url": CLIP, "trim_segments": [{"start": 0, "end": 20_000}] * 2},
            "the segments add up to 40000 ms",
        ),
        ("makeVideoCtvCompatible", {}, "video_url is required"),
        ("makeVideoCtvCompatible", {"video_url": "clip.mp4"}, "video_url must be an absolute"),
    ],
)
def test_broken_parameters_are_refused_naming_the_field(
    operation: str, values: dict[str, Any], named: str
) -> None:
    assert named in refusal(operation, values)


@pytest.mark.parametrize(
    ("operation", "values", "named"),
    [
        ("upscaleVideoFps", {}, "video_url is required"),
        (
            "removeVideoBackground",
            {"video_url": CLIP, "bg_color": "red", "bg_image_url": PHOTO},
            "Give only one background",
        ),
        ("removeVideoBackground", {"video_url": CLIP, "bg_color": "#12"}, "bg_color '#12' is not"),
        ("uploadVideo", {}, "file is required"),
        ("uploadVideo", {"file": "https://example.com/clip.mp4"}, "file must be a file part"),
    ],
)
def test_broken_form_fields_are_refused_naming_the_field(
    operation: str, values: dict[str, Any], named: str
) -> None:
    assert named in refusal(operation, values, encoding="multipart")


def test_the_defaults_are_the_files_and_nulls_count_as_unset() -> None:
    body = {
        "items": [
            {"video_url": CLIP, "image_url": None, "volume": None},
            {"image_url": PHOTO, "transition": "FADE"},
        ],
        "bg_audio_url": None,
    }
    job = params.parse("concatVideos", Inputs(encoding="json", values=body))
    assert isinstance(job, video_compose.ConcatJob)
    video, image = job.items
    assert (video.image, video.volume, video.source.field) == (False, 100, "items[0].video_url")
    assert (image.image, image.scale, image.duration_ms, image.transition) == (
        True,
        "fit",
        1000,
        "fade",
    )
    assert (job.bg_audio, job.bg_audio_repeat, job.bg_audio_volume) == (None, True, 100)
    assert (job.format, job.frame_rate, job.bitrate) == ("MP4", 30, None)
    background = params.parse(
        "removeVideoBackground", Inputs(encoding="multipart", values={"video_url": CLIP})
    )
    assert isinstance(background, video_compose.BackgroundJob)
    assert background == video_compose.BackgroundJob(
        params.ImageSource("video_url", "url", text=CLIP), "#008800", None
    )


# Frames and sound


def solid(color: str, size: tuple[int, int] = (8, 8)) -> Image.Image:
    return Image.new("RGB", size, color)


@pytest.mark.parametrize(
    ("kind", "progress", "left", "right"),
    [
        ("fade", 0.5, (128, 0, 128), (128, 0, 128)),
        ("fly_in_from_left", 0.1, (255, 0, 0), (255, 0, 0)),
        ("fly_in_from_left", 0.8, (0, 0, 255), (255, 0, 0)),
        ("fly_in_from_right", 0.8, (255, 0, 0), (0, 0, 255)),
        ("fly_out_to_left", 0.8, (255, 0, 0), (0, 0, 255)),
        ("fly_out_to_right", 0.8, (0, 0, 255), (255, 0, 0)),
        ("zoom_in", 0.2, (255, 0, 0), (255, 0, 0)),
        ("zoom_out", 0.2, (255, 0, 0), (0, 0, 255)),
        ("zoom_out", 0.8, (0, 0, 255), (0, 0, 255)),
        ("spin", 0.2, (255, 0, 0), (255, 0, 0)),
    ],
)
def test_a_transition_moves_from_the_frame_before_to_the_new_one(
    kind: str, progress: float, left: tuple[int, ...], right: tuple[int, ...]
) -> None:
    """Red before, blue after: what the left and right edges show part of the way through."""
    frame = video_compose.transition(kind, solid("red"), solid("blue"), progress)
    assert frame.getpixel((0, 4)) == pytest.approx(left, abs=2)
    assert frame.getpixel((7, 4)) == pytest.approx(right, abs=2)
    assert video_compose.transition(kind, solid("red"), solid("blue"), 0.999).getpixel((4, 4)) == (
        pytest.approx((0, 0, 255), abs=8)
    )


@pytest.mark.parametrize(
    ("lengths", "fps", "counts"),
    [([1000, 500], 30, [30, 15]), ([333, 333, 334], 30, [10, 10, 10]), ([10, 10], 30, [1, 1])],
)
def test_the_pieces_get_frames_for_as_long_as_they_last_together(
    lengths: list[int], fps: int, counts: list[int]
) -> None:
    assert video_compose.frame_counts(lengths, fps) == counts


def two_colour_clip() -> bytes:
    """One second at 2 frames a second: red, then blue."""
    frames = iter([solid("red", (16, 16)), solid("blue", (16, 16))])
    return media.encode_video(frames, (16, 16), None, fps=2, video_format="MP4")


def test_fps_upscale_blends_the_neighbouring_frames_by_how_near_each_is() -> None:
    frames = list(video_compose.interpolated(two_colour_clip(), 8, 1000))
    assert len(frames) == 8
    reds = [frame.getpixel((8, 8))[0] for frame in frames]  # type: ignore[index]
    # Red at 0 ms, blue from 500 ms: 125 ms is three quarters red, 250 ms half, 375 ms a quarter.
    assert reds[:5] == pytest.approx([255, 191, 128, 64, 0], abs=12)
    assert max(reds[4:]) < 12


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x00\x00\x00\x18ftypisom", ("video/mp4", "mp4")),
        (b"\x00\x00\x00\x14ftypqt  ", ("video/quicktime", "mov")),
        (b"\x00\x00\x00\x20ftypM4A ", ("audio/mp4", "m4a")),
        (b"\x1aE\xdf\xa3\x01", ("video/webm", "webm")),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", ("audio/wav", "wav")),
        (b"ID3\x04", ("audio/mpeg", "mp3")),
        (b"\xff\xfb\x90\x00", ("audio/mpeg", "mp3")),
        (b"GIF89a", ("image/gif", "gif")),
        (b"%PDF-1.7", None),
        (b"<html>", None),
    ],
)
def test_upload_knows_a_file_by_its_first_bytes(head: bytes, kind: tuple[str, str] | None) -> None:
    found = video_compose.upload_kind(head + bytes(16))
    assert ((found.content_type, found.extension) if found else None) == kind


# The work, through the app


def finished(client: Client, clock: FakeClock, answer: Any, poll: str = "video") -> bytes:
    """The result of a job the app accepted, downloaded once it is done."""
    assert answer.status_code == 202, answer.get_json()
    job = answer.get_json()["transaction_id"]
    clock.advance(2)
    done = client.get(f"/video/v1/{poll}/{job}", headers=HEADERS)
    assert done.status_code == 200
    return result(client, done.get_json()["data"]["url"])


def result(client: Client, url: str) -> bytes:
    data: bytes = client.get(urlsplit(url).path).data
    return data


def uploaded(client: Client, data: bytes, name: str = "clip.mp4") -> str:
    answer = client.post(
        "/video/v1/upload", headers=HEADERS, data={"file": (io.BytesIO(data), name)}
    )
    assert answer.status_code == 200
    url: str = answer.get_json()["data"]["url"]
    return url


def measured(data: bytes) -> tuple[tuple[int, int], float, float, bool]:
    """Size, length in seconds, frame rate, and whether there is sound."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate is not None
        seconds = video_seconds(container, stream)
        size = (stream.codec_context.width, stream.codec_context.height)
        return size, seconds, float(stream.average_rate), bool(container.streams.audio)


def frames_of(data: bytes) -> list[Image.Image]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_image() for frame in container.decode(video=0)]


@pytest.fixture
def app(make_client: MakeClient) -> Client:
    client, _ = make_client(job_seconds=1)
    return client


@pytest.fixture
def one_second(app: Client) -> str:
    """A 64x64 clip of one second, with a tone, uploaded to the sandbox."""
    clip, _ = samples.stand_in_video("https://example.com/one-second.mp4", seconds=1)
    return uploaded(app, clip)


@pytest.fixture
def half_second(app: Client) -> str:
    """Half a second of the same clip: a cutout a frame is the slowest work here."""
    clip, _ = samples.stand_in_video("https://example.com/one-second.mp4", seconds=0.5)
    return uploaded(app, clip)


def test_concatenation_plays_the_items_in_turn_with_their_transitions(
    app: Client, clock: FakeClock, one_second: str
) -> None:
    body = {
        "items": [
            {"video_url": one_second},
            {"image_url": PHOTO, "duration": 500, "transition": "fly_in_from_left"},
            {"image_url": PHOTO, "duration": 250, "scale": "fill", "transition": "fade"},
        ],
        "export": {"format": "WEBM", "frame_rate": 20},
    }
    data = finished(app, clock, app.post("/video/v1/concat", headers=HEADERS, json=body))
    size, seconds, rate, sound = measured(data)
    assert (size, rate, sound) == ((64, 64), 20, True)
    assert seconds == pytest.approx(1.75, abs=1 / rate)
    frames = frames_of(data)
    assert len(frames) == 35
    # The photo (4:3) fits the square with black above and below; filled, it covers it.
    assert max(frames[-11].getpixel((32, 1))) < 30  # type: ignore[arg-type]
    assert max(frames[-1].getpixel((32, 1))) > 30  # type: ignore[arg-type]


def test_a_background_sound_plays_under_items_that_have_none(app: Client, clock: FakeClock) -> None:
    body: dict[str, Any] = {"items": [{"image_url": PHOTO, "duration": 500}]}
    silent = finished(app, clock, app.post("/video/v1/concat", headers=HEADERS, json=body))
    assert measured(silent)[3] is False
    body["bg_audio_url"] = "https://example.com/music.wav"
    body["bg_audio_volume"] = 50
    scored = finished(app, clock, app.post("/video/v1/concat", headers=HEADERS, json=body))
    assert measured(scored)[3] is True
    sound = video_compose.sound_of(scored)
    assert sound is not None
    assert float(np.abs(sound).max()) > 0.01


def test_highlights_join_the_segments_and_refuse_one_past_the_end(
    app: Client, clock: FakeClock, one_second: str
) -> None:
    body = {
        "video_url": one_second,
        "trim_segments": [
            {"start": 0, "end": 250},
            {"start": 500, "end": 1000, "transition": "spin"},
        ],
    }
    data = finished(app, clock, app.post("/video/v1/concat/highlights", headers=HEADERS, json=body))
    size, seconds, rate, sound = measured(data)
    assert (size, rate, sound) == ((64, 64), 30, True)
    assert seconds == pytest.approx(0.75, abs=1 / rate)
    body["trim_segments"] = [{"start": 0, "end": 250}, {"start": 500, "end": 1500}]
    past = app.post("/video/v1/concat/highlights", headers=HEADERS, json=body)
    assert past.status_code == 400  # the file lists no 422 for highlights
    assert "trim_segments[1].end (1500) is past the end of the video" in past.get_json()["detail"]


def test_a_ctv_video_is_a_16_by_9_mp4_at_30_frames_with_a_sound_track(
    app: Client, clock: FakeClock
) -> None:
    gif, _ = samples.stand_in_video("https://example.com/silent.gif", seconds=1)
    body = {"video_url": uploaded(app, gif, "silent.gif")}
    data = finished(app, clock, app.post("/video/v1/encode/ctv", headers=HEADERS, json=body))
    size, seconds, rate, sound = measured(data)
    assert (size, rate, sound) == ((114, 64), 30, True)
    assert seconds == pytest.approx(1.0, abs=1 / rate)
    frame = frames_of(data)[0]
    assert max(frame.getpixel((2, 32))) < 20  # type: ignore[arg-type]  # the pillarbox


def test_fps_upscale_gives_60_frames_a_second_for_as_long(
    app: Client, clock: FakeClock, one_second: str
) -> None:
    answer = app.post("/video/v1/upscale/fps", headers=HEADERS, data={"video_url": one_second})
    data = finished(app, clock, answer, poll="upscale/fps")
    size, seconds, rate, sound = measured(data)
    assert (size, rate, sound) == ((64, 64), 60, True)
    assert seconds == pytest.approx(1.0, abs=1 / rate)
    assert len(frames_of(data)) == 60


@pytest.mark.parametrize(
    ("fields", "extension", "corner"),
    [
        ({}, "mp4", (0, 136, 0)),
        ({"bg_color": "#1e90ff"}, "mp4", (30, 144, 255)),
        ({"bg_image_url": "https://example.com/beach.png"}, "mp4", None),
        ({"bg_color": "transparent"}, "webm", None),
    ],
)
def test_remove_background_cuts_out_every_frame_onto_the_new_background(
    app: Client,
    clock: FakeClock,
    half_second: str,
    fields: dict[str, str],
    extension: str,
    corner: tuple[int, int, int] | None,
) -> None:
    body = {"video_url": half_second, **fields}
    answer = app.post("/video/v1/remove-background", headers=HEADERS, data=body)
    job = answer.get_json()["transaction_id"]
    clock.advance(2)
    url = app.get(f"/video/v1/video/{job}", headers=HEADERS).get_json()["data"]["url"]
    assert url.endswith("." + extension)
    data = result(app, url)
    size, seconds, rate, sound = measured(data)
    assert (size, rate, sound) == ((64, 64), 30, True)
    assert seconds == pytest.approx(0.5, abs=1 / rate)
    if corner is not None:
        frame = frames_of(data)[8]
        assert frame.getpixel((1, 1)) == pytest.approx(corner, abs=12)
    if extension == "webm":
        alpha = alpha_plane(data)
        assert (alpha.min(), alpha.max()) == (0, 255)  # the background gone, the subject kept


def alpha_plane(data: bytes) -> np.ndarray:
    """The first frame's alpha plane, read as libvpx reads VP8's alpha (FFmpeg's own decoder
    drops it)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.metadata.get("alpha_mode") == "1"
        decoder = av.CodecContext.create("libvpx", "r")
        for packet in container.demux(stream):
            for frame in decoder.decode(packet):
                assert frame.format.name == "yuva420p"
                return np.frombuffer(bytes(frame.planes[3]), np.uint8)
    raise AssertionError("no frame")


def test_upload_keeps_the_file_as_sent_and_refuses_what_is_no_media(app: Client) -> None:
    clip, _ = samples.stand_in_video("https://example.com/one-second.mp4", seconds=1)
    url = uploaded(app, clip)
    assert url.endswith(".mp4")
    assert result(app, url) == clip
    text = app.post(
        "/video/v1/upload", headers=HEADERS, data={"file": (io.BytesIO(b"hello"), "a.txt")}
    )
    assert text.status_code == 415
    assert "file: not a video, sound or image file" in text.get_json()["detail"]


# The actions' own rules, checked before anything is sent


def action_input(action: str) -> Any:
    return load_module(COMPONENT_ROOT, MANIFEST.action(action).main).Input


@pytest.mark.parametrize(
    ("action", "body", "paths"),
    [
        ("concatVideos", {"items": [{"video_url": CLIP}, {"image_url": PHOTO}]}, []),
        ("concatVideos", {"items": [{}]}, ["$.items[0].video_url"]),
        (
            "concatVideos",
            {"items": [{"video_url": CLIP}, {"video_url": CLIP, "image_url": PHOTO}]},
            ["$.items[1].video_url", "$.items[1].image_url"],
        ),
        (
            "concatVideos",
            {"items": [{"image_url": "ftp://example.com/a.jpg"}], "bg_audio_url": "ftp://x/y"},
            ["$.bg_audio_url", "$.items[0].image_url"],
        ),
        ("videoHighlights", {"video_url": CLIP, "trim_segments": TWO_SEGMENTS}, []),
        (
            "videoHighlights",
            {"video_url": CLIP, "trim_segments": [{"start": 5, "end": 5}, {"start": 9, "end": 1}]},
            ["$.trim_segments[0].end", "$.trim_segments[1].end"],
        ),
        ("removeVideoBackground", {"video_url": CLIP, "bg_color": "transparent"}, []),
        (
            "removeVideoBackground",
            {"video_url": CLIP, "bg_color": "#12", "bg_image_url": PHOTO},
            ["$.bg_color", "$.bg_image_url", "$.bg_color"],
        ),
        ("uploadVideo", {"file": "clips/intro.mp4"}, ["$.file"]),
    ],
)
def test_each_action_refuses_what_breaks_its_own_rules_before_paying(
    action: str, body: dict[str, Any], paths: list[str]
) -> None:
    problems = action_input(action).cross_field_problems(body)
    assert [problem.path for problem in problems] == paths
