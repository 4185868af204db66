"""Crop, fit, edit, adjust, effects and watermark of the video API in the sandbox: their
parameters (422 naming the field, before anything is charged), the work on real clips (sizes,
lengths, rates, sound, and what the frames show), their names against the video file, and the
job they run as."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from typing import Any, get_args

import av
import pytest
from PIL import Image, ImageStat
from werkzeug.test import Client

from picsart_component.actions import edit_video
from picsart_component.lib import video_fields
from picsart_component.sandbox import (
    SandboxOptions,
    SandboxState,
    create_app,
    params,
    samples,
    video_edits,
    work,
)
from picsart_component.sandbox import sources as sandbox_sources
from picsart_component.sandbox.errors import ApiError
from picsart_component.sandbox.forms import FilePart, Inputs
from tests.catalogue.openapi_check import document
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, FakeClock, png_bytes

CLIP_URL = "https://example.com/clip.mp4"
CLIP_SIDE = samples.STAND_IN_CLIP_SIZE[0]
CLIP_SECONDS = 1.0
OWN_PORT = 8765
"""The port the hand-built worker takes for its sandbox's own: its result URLs are read from the
store, never fetched."""


def parse(operation: str, encoding: str = "json", **values: Any) -> video_edits.VideoEditJob:
    inputs = Inputs(encoding=encoding, values={"video_url": CLIP_URL, **values})
    job = params.parse(operation, inputs)
    assert isinstance(job, video_edits.VideoEditJob)
    return job


@pytest.mark.parametrize(
    ("operation", "values", "named"),
    [
        ("cropVideo", {"video_url": None}, "video_url is required"),
        ("cropVideo", {"video_url": "ftp://example.com/a.mp4"}, "video_url must be an absolute"),
        ("cropVideo", {"width": 15}, "width must be from 16 to 8000, not 15"),
        ("cropVideo", {"height": "tall"}, "height must be a whole number"),
        ("cropVideo", {"start_x": -1}, "start_x must be from 0 to 8000, not -1"),
        ("cropVideo", {"export": {"format": "AVI"}}, "export.format must be one of MOV, MP4"),
        ("cropVideo", {"export": {"frame_rate": 0}}, "export.frame_rate must be from 1 to 60"),
        ("fitVideo", {"ratio": 0.05}, "ratio must be from 0.1 to 10, not 0.05"),
        ("fitVideo", {"ratio": "wide"}, "ratio must be a number"),
        ("fitVideo", {"bg_blur": 101}, "bg_blur must be from 0 to 100, not 101"),
        ("fitVideo", {"bg_color": "not a colour"}, "bg_color 'not a colour' is not a colour"),
        ("fitVideo", {"bg_image_url": "nowhere"}, "bg_image_url must be an absolute http(s)"),
        (
            "fitVideo",
            {"bg_color": "red", "bg_video_url": CLIP_URL},
            "Give only one background (bg_color, bg_image_url or bg_video_url); got bg_color "
            "and bg_video_url",
        ),
        ("fitVideo", {"bg_color": "red", "bg_blur": 10}, "bg_blur cannot be combined with"),
        ("editVideo", {"crop": "half"}, "crop must be an object"),
        ("editVideo", {"crop": {"width": 8}}, "crop.width must be from 16 to 8000, not 8"),
        ("editVideo", {"fit": {"ratio": 11}}, "fit.ratio must be from 0.1 to 10, not 11"),
        ("editVideo", {"export": {"quality": "best"}}, "export.quality must be one of low"),
        ("editVideo", {"export": {"codec": "divx"}}, "export.codec must be one of default"),
        ("editVideo", {"export": {"audio_codec": "x"}}, "export.audio_codec must be one of"),
        ("editVideo", {"export": {"color_space": "P3"}}, "export.color_space must be one of"),
        ("editVideo", {"export": {"max_size_mb": 0}}, "export.max_size_mb must be from 1 or"),
        ("adjustVideo", {"brightness": 1.5}, "brightness must be a whole number"),
        ("adjustVideo", {"audio_volume": 101}, "audio_volume must be from 0 to 100, not 101"),
        ("adjustVideo", {"audio_url": "file:///a.mp3"}, "audio_url must be an absolute http(s)"),
        ("applyVideoEffect", {}, "effect_name is required: one of the 48 video effects"),
        ("applyVideoEffect", {"effect_name": "1972"}, "effect_name '1972' is not one of the 48"),
        ("addVideoWatermark", {"anchor_point": "middle"}, "anchor_point must be one of left-top"),
        ("addVideoWatermark", {"watermark_opacity": "101"}, "watermark_opacity must be from 0"),
        ("addVideoWatermark", {"watermark_angle": 361}, "watermark_angle must be from 0 to 360"),
        ("addVideoWatermark", {"watermark_width": 0}, "watermark_width must be from 1 to 8000"),
    ],
)
def test_broken_parameters_are_422_naming_the_field(
    operation: str, values: dict[str, Any], named: str
) -> None:
    given = {"video_url": CLIP_URL, **values}
    inputs = Inputs(encoding="json", values={k: v for k, v in given.items() if v is not None})
    with pytest.raises(ApiError) as refused:
        params.parse(operation, inputs)
    assert refused.value.status == 422
    assert named in refused.value.detail


def test_defaults_are_picsarts_and_nulls_count_as_not_given() -> None:
    crop = parse("cropVideo", width=None, start_x="4")
    assert crop.crop == video_edits.Crop(None, None, 4, 0)
    assert crop.export == video_edits.Export("MP4", 30, None)
    fit = parse("fitVideo", ratio=None, bg_color="#ff000080")
    assert fit.fit == video_edits.Fit(color=(255, 0, 0, 128))
    edit = parse("editVideo", export={"format": "webm", "quality": "HIGH", "codec": "vp9"})
    assert (edit.crop, edit.fit) == (None, None)
    assert edit.export == video_edits.Export("WEBM", 30, None, "high", None)
    mark = parse("addVideoWatermark", "multipart", anchor_point="bottom-right")
    assert mark.stamp is not None
    assert mark.stamp.source is None
    assert mark.stamp.options == {
        "anchor_point": "right-bottom",
        "width": None,
        "height": None,
        "opacity": 50,
        "angle": 0,
        "padding_x": 0,
        "padding_y": 0,
    }
    assert parse("applyVideoEffect", effect_name="black and white").effect == "Black And White"


def test_an_adjustment_out_of_its_range_counts_as_zero_as_the_file_says() -> None:
    job = parse("adjustVideo", brightness=150, contrast=-30, sharpen=-5, video_volume=0)
    assert job.adjustments == {"contrast": -30}
    assert (job.audio_volume, job.video_volume) == (100, 0)


def enum_of(schema: str, *path: str) -> list[str]:
    node: Any = document("video")["components"]["schemas"][schema]
    for key in path:
        node = node["properties"][key]
    return [str(value) for value in node["enum"]]


EXPORT = ("ExtendedExportParameters", "export")
EFFECTS = ("EffectsParameters", "effect_name")


@pytest.mark.parametrize(
    ("ours", "literal", "theirs"),
    [
        (video_edits.EFFECT_NAMES, video_fields.VideoEffectName, EFFECTS),
        (video_edits.QUALITIES, video_fields.VideoQuality, (*EXPORT, "quality")),
        (video_edits.CODECS, video_fields.VideoCodec, (*EXPORT, "codec")),
        (video_edits.AUDIO_CODECS, video_fields.AudioCodec, (*EXPORT, "audio_codec")),
        (video_edits.COLOR_SPACES, video_fields.ColorSpace, (*EXPORT, "color_space")),
    ],
)  # fmt: skip
def test_the_name_lists_are_the_files_in_its_order(
    ours: tuple[str, ...], literal: Any, theirs: tuple[str, ...]
) -> None:
    assert list(ours) == list(get_args(literal)) == enum_of(*theirs)


# The work, on the sandbox's stand-in clip (64x64, 2 s, a bar along its bottom, a quiet tone)


@pytest.fixture(scope="module")
def sandbox_state() -> Iterator[SandboxState]:
    _, state = create_app(SandboxOptions(clock=FakeClock()))
    yield state
    state.image_work.close()


ODD_URL = "https://example.com/odd.gif"


@functools.cache
def odd_clip() -> bytes:
    """A GIF of 63x47 pixels, ten frames at 10 a second: sides H.264 cannot encode as they are."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="gif") as container:
        stream = container.add_stream("gif", rate=10)
        stream.width, stream.height, stream.pix_fmt = 63, 47, "rgb8"
        for index in range(10):
            picture = Image.new("RGB", (63, 47), (25 * index, 90, 160))
            frame = av.VideoFrame.from_image(picture)  # type: ignore[no-untyped-call]
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def stand_in(url: str) -> tuple[bytes, str]:
    """The sandbox's clip for a URL it cannot fetch, a second long to keep the tests short."""
    if url == ODD_URL:
        return odd_clip(), "image/gif"
    return samples.stand_in_video(url, CLIP_SECONDS)


def worker(state: SandboxState) -> work.Worker:
    reader = sandbox_sources.SourceReader(
        state.store,
        OWN_PORT,
        10_000_000,
        1.0,
        stand_in=lambda url: stand_in(url)[0],
    )
    return work.Worker(state.store, reader, 1_000_000, state.memory, state.image_work)


def run(
    state: SandboxState,
    operation: str,
    files: dict[str, FilePart] | None = None,
    **values: Any,
) -> bytes:
    encoding = "multipart" if files else "json"
    inputs = Inputs(encoding=encoding, values={"video_url": CLIP_URL, **values}, files=files or {})
    (stored,) = work.plan(operation, inputs).run(worker(state)).files
    return stored.data


def refusal(state: SandboxState, operation: str, **values: Any) -> ApiError:
    with pytest.raises(ApiError) as refused:
        run(state, operation, **values)
    return refused.value


def opened(data: bytes) -> tuple[list[Image.Image], float, float, bool]:
    """The frames, the length in seconds, the frame rate and whether there is sound."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate is not None
        duration = container.duration or 0
        frames = [frame.to_image() for frame in container.decode(video=0)]
        return (
            frames,
            duration / av.time_base,
            float(stream.average_rate),
            bool(container.streams.audio),
        )


def loudness(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        peaks = [float(abs(frame.to_ndarray()).max()) for frame in container.decode(audio=0)]
    return max(peaks)


@functools.cache
def source_frame() -> Image.Image:
    """The stand-in clip's first frame."""
    return opened(stand_in(CLIP_URL)[0])[0][0]


def mean(picture: Image.Image, box: tuple[int, int, int, int] | None = None) -> list[float]:
    part = picture.crop(box) if box else picture
    return list(ImageStat.Stat(part.convert("RGB")).mean)


def difference(first: Image.Image, second: Image.Image) -> float:
    return max(abs(a - b) for a, b in zip(mean(first), mean(second), strict=True))


SHOTS = {"crop", "fit", "edit", "adjust", "effects", "watermark"}


@pytest.mark.parametrize(
    ("operation", "values", "size"),
    [
        ("cropVideo", {"width": 32, "height": 48, "start_x": 16, "start_y": 8}, (32, 48)),
        ("cropVideo", {"width": 17}, (16, 64)),
        ("fitVideo", {"ratio": 1.7778}, (114, 64)),
        ("fitVideo", {"width": 32}, (32, 64)),
        ("fitVideo", {"height": 40, "ratio": 0.5}, (20, 40)),
        ("fitVideo", {"width": 32, "height": 48, "ratio": 4}, (32, 48)),
        ("editVideo", {"crop": {"width": 48, "height": 48}, "fit": {"ratio": 0.5625}}, (48, 84)),
        ("adjustVideo", {"brightness": 40}, (64, 64)),
        ("applyVideoEffect", {"effect_name": "Motion Blur"}, (64, 64)),
        ("addVideoWatermark", {}, (64, 64)),
    ],
)
def test_each_result_has_its_size_the_videos_length_and_sound_at_30_frames_a_second(
    sandbox_state: SandboxState, operation: str, values: dict[str, Any], size: tuple[int, int]
) -> None:
    frames, seconds, rate, sound = opened(run(sandbox_state, operation, **values))
    assert frames[0].size == size
    assert rate == 30
    assert len(frames) == round(CLIP_SECONDS * 30)
    assert seconds == pytest.approx(CLIP_SECONDS, abs=1 / 30)
    assert sound


@pytest.mark.parametrize(
    ("operation", "values"),
    [("adjustVideo", {"contrast": 20}), ("fitVideo", {"ratio": 1}), ("cropVideo", {"start_x": 1})],
)
def test_a_video_of_odd_sides_comes_out_even_and_without_sound(
    sandbox_state: SandboxState, operation: str, values: dict[str, Any]
) -> None:
    frames, seconds, rate, sound = opened(
        run(sandbox_state, operation, video_url=ODD_URL, **values)
    )
    assert frames[0].size[0] == 62
    assert frames[0].size[1] % 2 == 0
    assert (rate, sound) == (30, False)
    assert seconds == pytest.approx(1.0, abs=1 / 30)


def test_a_crop_keeps_the_part_counted_from_the_bottom_edge(sandbox_state: SandboxState) -> None:
    frames, _, _, _ = opened(
        run(sandbox_state, "cropVideo", width=32, height=32, start_x=16, start_y=16)
    )
    expected = source_frame().crop((16, 16, 48, 48))
    assert difference(frames[0], expected) < 6
    top_left = opened(run(sandbox_state, "cropVideo", width=32, height=32, start_y=32))[0][0]
    assert difference(top_left, source_frame().crop((0, 0, 32, 32))) < 6


def test_what_a_crop_reaches_beyond_the_video_is_a_blurred_mirror_not_black(
    sandbox_state: SandboxState,
) -> None:
    frames, _, _, _ = opened(run(sandbox_state, "cropVideo", width=96, start_x=32))
    beyond = mean(frames[0], (40, 0, 96, 48))
    assert frames[0].size == (96, 64)
    assert min(beyond) > 20  # the sample's colours, blurred; black would be near 0
    assert difference(frames[0].crop((0, 0, 32, 48)), source_frame().crop((32, 0, 64, 48))) < 6


def test_fit_shows_the_whole_video_on_its_background(sandbox_state: SandboxState) -> None:
    frames, _, _, _ = opened(run(sandbox_state, "fitVideo", width=128, bg_color="#ff0000"))
    (frame,) = frames[:1]
    assert frame.size == (128, 64)
    red = mean(frame, (0, 0, 28, 64))
    assert red[0] > 200
    assert max(red[1:]) < 40
    assert difference(frame.crop((32, 0, 96, 64)), source_frame()) < 6
    image = opened(
        run(sandbox_state, "fitVideo", ratio=2, bg_image_url="https://example.com/sky.jpg")
    )[0][0]
    assert image.size == (128, 64)


def test_a_background_video_plays_behind_the_fitted_one(sandbox_state: SandboxState) -> None:
    other = "https://example.com/other.mov"
    frames, _, _, _ = opened(run(sandbox_state, "fitVideo", height=128, bg_video_url=other))
    # The stand-in's bar fills as it plays: the background's bottom rows change over time.
    assert difference(frames[0].crop((0, 112, 64, 128)), frames[-1].crop((0, 112, 64, 128))) > 10


def test_edit_crops_then_fits_and_its_quality_sets_the_bitrate(
    sandbox_state: SandboxState,
) -> None:
    body: dict[str, Any] = {
        "crop": {"width": 32, "height": 32},
        "fit": {"ratio": 1, "bg_color": "blue"},
    }
    low = run(sandbox_state, "editVideo", export={"quality": "low"}, **body)
    high = run(sandbox_state, "editVideo", export={"quality": "high"}, **body)
    assert len(low) < len(high)
    assert opened(low)[0][0].size == (32, 32)
    gif = run(sandbox_state, "editVideo", export={"format": "GIF", "frame_rate": 10})
    frames, _, rate, sound = opened(gif)
    assert (rate, sound, len(frames)) == (10, False, round(CLIP_SECONDS * 10))


def test_adjust_changes_the_picture_and_the_sound(sandbox_state: SandboxState) -> None:
    plain = run(sandbox_state, "adjustVideo")
    brighter = run(sandbox_state, "adjustVideo", brightness=60)
    assert sum(mean(opened(brighter)[0][0])) > sum(mean(opened(plain)[0][0])) + 30
    silent = run(sandbox_state, "adjustVideo", video_volume=0)
    assert opened(silent)[3]
    assert loudness(silent) < 0.01 < loudness(plain)
    added = run(
        sandbox_state, "adjustVideo", video_volume=0, audio_url="https://example.com/song.mp3"
    )
    assert loudness(added) > 0.05


@pytest.mark.parametrize("effect", ["Black And White", "Focal Zoom"])
def test_each_effect_changes_every_frame(sandbox_state: SandboxState, effect: str) -> None:
    frames, _, _, _ = opened(run(sandbox_state, "applyVideoEffect", effect_name=effect))
    original = source_frame()
    assert ImageStat.Stat(frames[0].convert("RGB")).rms != ImageStat.Stat(original).rms
    if effect == "Black And White":
        red, green, blue = mean(frames[0])
        assert abs(red - green) < 3
        assert abs(green - blue) < 3


def test_a_watermark_file_is_stamped_where_its_anchor_says(sandbox_state: SandboxState) -> None:
    mark = FilePart("watermark", "mark.png", "image/png", png_bytes((16, 16), "lime"))
    data = run(
        sandbox_state,
        "addVideoWatermark",
        files={"watermark": mark},
        anchor_point="right-top",
        watermark_opacity="100",
    )
    frame = opened(data)[0][0]
    corner = mean(frame, (52, 4, 60, 12))
    assert corner[1] > 150
    assert corner[0] < 100
    assert difference(frame.crop((0, 40, 16, 56)), source_frame().crop((0, 40, 16, 56))) < 6


def test_what_lies_outside_the_video_or_is_no_video_is_refused(
    sandbox_state: SandboxState,
) -> None:
    outside = refusal(sandbox_state, "cropVideo", start_x=64)
    assert outside.status == 422
    assert "must lie inside the video, which is 64x64" in outside.detail
    huge = refusal(sandbox_state, "fitVideo", width=8000, height=8000)
    assert huge.status == 422
    assert "at most 8000 pixels a side and 1000000 pixels a frame" in huge.detail
    picture = sandbox_state.store.put(png_bytes(), "image/png", "png")
    not_video = refusal(
        sandbox_state,
        "cropVideo",
        video_url=f"http://127.0.0.1:{OWN_PORT}/results/{picture.filename}",
    )
    assert not_video.status == 415
    assert not_video.detail.startswith("video_url: ")


# The job, over the app


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("crop", {"width": 32}),
        ("effects", {"effect_name": "Blur"}),
    ],
)
def test_each_is_a_job_collected_at_the_video_poll(
    make_client: MakeClient, clock: FakeClock, path: str, body: dict[str, Any]
) -> None:
    client, _ = make_client(job_seconds=3)
    accepted = client.post(
        f"/video/v1/{path}", headers=HEADERS, json={"video_url": CLIP_URL, **body}
    )
    assert accepted.status_code == 202
    job = accepted.get_json()["transaction_id"]
    assert client.get(f"/video/v1/video/{job}", headers=HEADERS).status_code == 202
    clock.advance(5)
    done = client.get(f"/video/v1/video/{job}", headers=HEADERS)
    assert done.status_code == 200
    assert done.get_json()["data"]["url"].endswith(".mp4")


def test_the_watermark_takes_a_form(client: Client) -> None:
    form = {"video_url": CLIP_URL, "watermark": (io.BytesIO(png_bytes()), "mark.png")}
    assert client.post("/video/v1/watermark", headers=HEADERS, data=form).status_code == 202


# The component's own checks of the same rules, before anything is sent


FIT_COLOR = "$.fit.bg_color"


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"fit": {"bg_color": "red", "bg_video_url": CLIP_URL}}, [FIT_COLOR, "$.fit.bg_video_url"]),
        ({"fit": {"bg_color": "#12"}}, ["$.fit.bg_color"]),
        ({"fit": {"bg_color": "navy", "bg_blur": 0}}, ["$.fit.bg_color", "$.fit.bg_blur"]),
        ({"fit": {"bg_image_url": "ftp://example.com/a.png"}}, ["$.fit.bg_image_url"]),
        ({"fit": {"ratio": 2, "width": 64, "height": 64, "bg_color": "#203040"}}, []),
    ],
)  # fmt: skip
def test_edit_video_checks_its_fit_object_naming_the_nested_field(
    body: dict[str, Any], paths: list[str]
) -> None:
    problems = edit_video.Input.cross_field_problems({"video_url": CLIP_URL, **body})
    assert sorted(problem.path for problem in problems) == sorted(paths)
