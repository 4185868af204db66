"""The video API's metadata, thumbnails and sound in the sandbox (``sandbox/video_audio.py``):
parameters refused naming the field, the work itself measured with PyAV (or ``wave``), the
generated videos' quiet track, and each action from its EXAMPLE over real sockets with Download
result, plus a chain from a generated picture to its video's sound."""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Callable
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image, ImageStat
from werkzeug.test import Client

from picsart_component.catalogue.operations import BY_NAME
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_module
from picsart_component.sandbox import media, params, samples, video_audio, work
from picsart_component.sandbox import sources as sandbox_sources
from picsart_component.sandbox.errors import ApiError
from picsart_component.sandbox.forms import Inputs
from picsart_component.sandbox.state import SandboxState
from tests.e2e import SandboxHarness
from tests.sandbox.support import HEADERS, png_bytes

CLIP_URL = "https://example.com/clip.mp4"
MANIFEST = load_manifest(COMPONENT_ROOT)
GROUP_C = (
    "videoMetadata",
    "extractVideoThumbnail",
    "setVideoThumbnail",
    "adjustAudio",
    "extractAudio",
    "transcribeAudio",
)


def parse(operation: str, **values: Any) -> Any:
    return params.parse(operation, Inputs(encoding="json", values=values))


def clip(seconds: float = 2.0) -> bytes:
    return samples.stand_in_video(CLIP_URL, seconds)[0]


def rms(sound: np.ndarray[Any, np.dtype[np.float32]]) -> float:
    """The sound's level (lossy codecs move its peaks, not its power)."""
    return float(np.sqrt(np.mean(np.square(sound, dtype=np.float64))))


def sound_of(data: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    found = video_audio.mono_sound(data)
    assert found is not None
    return found


# Parameters


VIDEO = {"video_url": CLIP_URL}
COVER = {**VIDEO, "image_url": "https://example.com/cover.jpg"}
FILE = {"file_url": CLIP_URL}


@pytest.mark.parametrize(
    ("operation", "values", "named"),
    [
        ("videoMetadata", {}, "video_url is required"),
        ("videoMetadata", {"video_url": "ftp://x/a.mp4"}, "video_url must be an absolute http(s)"),
        ("extractVideoThumbnail", {**VIDEO, "source": "middle"}, "source must be one of auto"),
        ("extractVideoThumbnail", {**VIDEO, "source": "timestamp"}, "timestamps is required"),
        ("extractVideoThumbnail", {**VIDEO, "timestamps": []}, "from 1 to 4 timestamps, not 0"),
        ("extractVideoThumbnail", {**VIDEO, "timestamps": ["1"] * 5}, "to 4 timestamps, not 5"),
        ("extractVideoThumbnail", {**VIDEO, "timestamps": "1"}, "timestamps must be a list"),
        ("extractVideoThumbnail", {**VIDEO, "timestamps": ["soon"]}, "timestamps[0] 'soon' is"),
        ("extractVideoThumbnail", {**VIDEO, "timestamps": ["0", "00:61"]}, "timestamps[1] '00:61'"),
        (
            "extractVideoThumbnail",
            {**VIDEO, "source": "container", "timestamps": ["1"]},
            "timestamps cannot be given with source container",
        ),
        ("setVideoThumbnail", VIDEO, "An image is required"),
        ("setVideoThumbnail", {**COVER, "image_url": "nope"}, "image_url must be an absolute"),
        ("adjustAudio", {**VIDEO, "audio_volume": 101}, "audio_volume must be from 0 to 100"),
        ("adjustAudio", {**VIDEO, "video_volume": -1}, "video_volume must be from 0 to 100"),
        ("adjustAudio", {**VIDEO, "audio_url": "x"}, "audio_url must be an absolute http(s)"),
        ("adjustAudio", {**VIDEO, "export": {"format": "AVI"}}, "export.format must be one of"),
        ("extractAudio", {**VIDEO, "format": "ogg"}, "format must be one of mp3, m4a, wav, flac"),
        ("transcribeAudio", {}, "file_url is required"),
        ("transcribeAudio", {**FILE, "language": "xx"}, "language must be one of af, ar"),
        ("transcribeAudio", {**FILE, "format": "DOC"}, "format must be one of TXT, SRT, VTT, SBV"),
        ("transcribeAudio", {**FILE, "granularity": "3-words"}, "granularity must be one of"),
    ],
)
def test_broken_parameters_are_refused_naming_the_field(
    operation: str, values: dict[str, Any], named: str
) -> None:
    with pytest.raises(ApiError) as refused:
        parse(operation, **values)
    assert refused.value.status == 422
    assert named in refused.value.detail


def test_the_defaults_are_the_files() -> None:
    thumbnails = parse("extractVideoThumbnail", video_url=CLIP_URL)
    assert (thumbnails.source, thumbnails.timestamps) == ("auto", ())
    adjust = parse("adjustAudio", video_url=CLIP_URL)
    assert (adjust.audio, adjust.audio_volume, adjust.video_volume) == (None, 100, 100)
    assert (adjust.format, adjust.frame_rate, adjust.bitrate) == ("MP4", 30, None)
    assert parse("extractAudio", video_url=CLIP_URL).format == "mp3"
    transcribe = parse("transcribeAudio", file_url=CLIP_URL, language="NO", format="srt")
    assert (transcribe.language, transcribe.format, transcribe.granularity) == (
        "no",
        "SRT",
        "sentence",
    )


@pytest.mark.parametrize(
    ("written", "milliseconds"),
    [
        ("2.5", 2500),
        ("2.5s", 2500),
        ("1500ms", 1500),
        ("250000us", 250),
        (".75", 750),
        ("00:01.5", 1500),
        ("00:00:01.500", 1500),
        ("1:02:03", 3_723_000),
        (1.25, 1250),
    ],
)
def test_timestamps_are_read_as_ffmpeg_writes_durations(
    written: str | float, milliseconds: float
) -> None:
    job = parse("extractVideoThumbnail", video_url=CLIP_URL, timestamps=[written])
    assert job.timestamps == (pytest.approx(milliseconds),)


# The work


def bar_filled(picture: Image.Image) -> float:
    """How far the stand-in clip's progress bar has filled (it fills over the clip)."""
    row = [picture.getpixel((x, picture.height - 2)) for x in range(picture.width)]
    return sum(1 for pixel in row if isinstance(pixel, tuple) and min(pixel) > 200) / len(row)


def test_metadata_is_what_the_container_says() -> None:
    found = video_audio.probe(clip())
    assert found["video_streams"] == found["audio_streams"] == 1
    assert (found["video_width"], found["video_height"], found["video_fps"]) == (64, 64, 24)
    assert (found["video_codec_name"], found["audio_codec_name"]) == ("h264", "aac")
    assert found["duration"] == pytest.approx(2.0, abs=0.05)
    assert found["size"] == len(clip())
    assert found["audio_channel_layout"] == "mono"
    assert found["thumbnail_codec_name"] is None


def test_a_set_thumbnail_is_carried_read_back_and_counted_as_a_stream() -> None:
    cover = Image.new("RGB", (40, 30), (200, 30, 30))
    for source in (clip(), samples.stand_in_video("https://example.com/clip.webm", 1.0)[0]):
        marked = video_audio.with_thumbnail(source, cover)
        found = video_audio.probe(marked)
        assert found["video_streams"] == 2
        assert (found["thumbnail_codec_name"], found["thumbnail_width"]) == ("mjpeg", 40)
        assert found["video_codec_name"] == "h264"
        assert found["audio_streams"] == 1
        carried = video_audio.carried_thumbnail(marked)
        assert carried is not None
        red, green, _ = ImageStat.Stat(carried).mean
        assert red > 150
        assert green < 60
    assert video_audio.carried_thumbnail(clip()) is None


def test_frames_are_taken_at_their_moments() -> None:
    first, middle, late = video_audio.frames_at(clip(), (0.0, 1000.0, 1900.0))
    assert bar_filled(first) < 0.1
    assert bar_filled(middle) == pytest.approx(0.5, abs=0.06)
    assert bar_filled(late) > 0.9


@pytest.mark.parametrize("audio_format", video_audio.AUDIO_FORMATS)
def test_extracted_sound_is_a_playable_file_of_its_format(audio_format: str) -> None:
    sound = sound_of(clip())
    data = video_audio.encode_sound(sound, audio_format)
    chosen = video_audio.AUDIO_OUTPUTS[audio_format]
    with av.open(io.BytesIO(data)) as container:
        assert not container.streams.video
        (stream,) = container.streams.audio
        assert stream.codec_context.name.startswith(chosen.codec.removeprefix("lib")[:3])
        assert container.duration is not None
        assert container.duration / av.time_base == pytest.approx(2.0, abs=0.1)
    assert rms(sound_of(data)) == pytest.approx(rms(sound), rel=0.1)  # MP3 pads a little


@pytest.mark.parametrize(
    ("audio_volume", "video_volume", "loudness"),
    [(100, 0, "none"), (100, 100, "own"), (0, 100, "own"), (100, 0, "added")],
)
def test_adjusting_audio_sets_the_volumes_and_mixes_the_added_sound(
    audio_volume: int, video_volume: int, loudness: str
) -> None:
    source = clip()
    added = (
        media.sound_wav("rain", duration=0.7, loop=True, seed=1) if loudness == "added" else None
    )
    job = video_audio.AudioAdjustJob(
        params.ImageSource("video_url", "url", CLIP_URL),
        None,
        audio_volume,
        video_volume,
        "MP4",
        30,
        None,
    )
    result = video_audio.remixed(source, added, job)
    info = media.video_info(result)
    assert info.duration_ms == pytest.approx(2000, abs=40)
    level, own = rms(sound_of(result)), rms(sound_of(source))
    if loudness == "none":
        assert level < 0.001
    elif loudness == "own":
        assert level == pytest.approx(own * video_volume / 100, rel=0.05)
    else:
        assert level > own  # the rain, repeated over the whole two seconds
        assert rms(sound_of(result)[-4410:]) > 0.05


CUE_TIMES = re.compile(r"[0-9]+:[0-9]{2}:[0-9]{2}[.,][0-9]{3}")


def spoken(text: str) -> str:
    """A transcript's words, without its cue numbers, times and header."""
    cues = [
        line
        for line in text.splitlines()
        if line and line != "WEBVTT" and not line.isdigit() and not CUE_TIMES.match(line)
    ]
    return " ".join(" ".join(cues).split())


@pytest.mark.parametrize(
    ("transcript_format", "granularity", "first_lines"),
    [
        ("TXT", "sentence", []),
        ("SRT", "1-word", ["1", "00:00:00,000 --> 00:00:00,091", "The", ""]),
        ("VTT", "2-words", ["WEBVTT", "", "00:00:00.000 --> 00:00:00.182", "The Picsart", ""]),
        ("SBV", "sentence", ["0:00:00.000,0:00:02.000"]),
    ],
)
def test_the_transcript_says_it_is_a_stand_in_in_the_asked_format(
    transcript_format: str, granularity: str, first_lines: list[str]
) -> None:
    text = video_audio.transcript(2.0, "de", transcript_format, granularity)
    assert text.splitlines()[: len(first_lines)] == first_lines
    assert spoken(text) == (f"{video_audio.STAND_IN_NOTE} Language asked: de; sound: 2.0 seconds.")


def test_generated_videos_carry_a_quiet_track_and_the_api_gives_it_them() -> None:
    quiet = media.text_video(
        "a red sunset", width=64, height=64, seconds=0.5, audio=False, seed=1, quiet_track=True
    )
    assert media.video_info(quiet).audio
    peak = float(np.abs(sound_of(quiet)).max())
    assert 0.002 < peak <= media.QUIET_TRACK_LEVEL * 1.2
    silent = media.text_video("a red sunset", width=64, height=64, seconds=0.5, audio=False, seed=1)
    assert not media.video_info(silent).audio


OWN_PORT = 8999


def clip_for(url: str) -> bytes:
    return samples.stand_in_video(url)[0]


def worker(state: SandboxState, stand_in: Callable[[str], bytes] = clip_for) -> work.Worker:
    reader = sandbox_sources.SourceReader(state.store, OWN_PORT, 10_000_000, 1.0, stand_in)
    return work.Worker(state.store, reader, 1_000_000, state.memory, state.image_work)


def stored_url(state: SandboxState, data: bytes, extension: str) -> str:
    kept = state.store.put(data, "application/octet-stream", extension)
    return f"http://127.0.0.1:{OWN_PORT}/results/{kept.filename}"


@pytest.mark.parametrize(
    ("operation", "values", "status", "detail"),
    [
        ("extractVideoThumbnail", {"source": "container"}, 422, "carries no thumbnail"),
        ("extractVideoThumbnail", {"timestamps": ["45"]}, 422, "'45' is past the end"),
        ("extractAudio", {"video_url": "https://example.com/loop.gif"}, 422, "no sound track"),
        ("transcribeAudio", {"file_url": "https://example.com/loop.gif"}, 422, "no sound to"),
        ("videoMetadata", {"video_url": "PICTURE"}, 415, "video_url: not a video"),
        ("adjustAudio", {"audio_url": "PICTURE"}, 422, "audio_url: the file has no sound"),
        ("transcribeAudio", {"file_url": "BIG"}, 413, "larger than 0 MB"),
    ],
)
def test_what_the_work_refuses_names_the_field(
    app_client: tuple[Client, SandboxState],
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    values: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    _, state = app_client
    if "BIG" in values.values():
        monkeypatch.setattr(video_audio, "MAX_TRANSCRIBE_BYTES", 1000)
    picture = stored_url(state, png_bytes(), "png")
    big = stored_url(state, b"\0" * 2000, "mp3")
    source = "file_url" if operation == "transcribeAudio" else "video_url"
    given = {source: CLIP_URL, **values}
    named = {"PICTURE": picture, "BIG": big}
    given = {key: named.get(str(value), value) for key, value in given.items()}
    plan = work.plan(operation, Inputs(encoding="json", values=given))
    with pytest.raises(ApiError) as refused:
        plan.run(worker(state))
    assert refused.value.status == status
    assert detail in refused.value.detail


@pytest.mark.parametrize(
    ("operation", "detail"),
    [
        ("adjustAudio", "video_url: the file lasts 2.0 s; the sandbox re-encodes at most 1 s."),
        ("extractAudio", "video_url: the file lasts 2.0 s; the sandbox extracts at most 1 s."),
        ("setVideoThumbnail", "video_url: the file lasts 2.0 s; the sandbox re-encodes at most"),
    ],
)
def test_the_work_stays_bounded(
    app_client: tuple[Client, SandboxState],
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    detail: str,
) -> None:
    _, state = app_client
    monkeypatch.setattr(video_audio, "MAX_VIDEO_SECONDS", 1.0)
    monkeypatch.setattr(video_audio, "MAX_SOUND_SECONDS", 1.0)
    values = {
        "video_url": "https://example.com/clip.webm",
        "image_url": "https://example.com/a.png",
    }
    with pytest.raises(ApiError) as refused:
        work.plan(operation, Inputs(encoding="json", values=values)).run(worker(state))
    assert refused.value.status == 422
    assert detail in refused.value.detail


@pytest.mark.parametrize(
    ("values", "red"),
    [
        ({}, [True]),
        ({"source": "container"}, [True]),
        ({"timestamps": ["0.1", "1.9"]}, [False, False]),
        ({"source": "timestamp", "timestamps": ["1"]}, [False]),
    ],
)
def test_auto_takes_the_frames_asked_for_else_the_thumbnail_the_video_carries(
    app_client: tuple[Client, SandboxState], values: dict[str, Any], red: list[bool]
) -> None:
    _, state = app_client
    marked = video_audio.with_thumbnail(clip(), Image.new("RGB", (32, 32), (220, 20, 20)))
    given = {"video_url": stored_url(state, marked, "mp4"), **values}
    plan = work.plan("extractVideoThumbnail", Inputs(encoding="json", values=given))
    pictures = [Image.open(io.BytesIO(kept.data)) for kept in plan.run(worker(state)).files]
    means = [ImageStat.Stat(picture.convert("RGB")).mean for picture in pictures]
    reds = [red - green > 100 for red, green, _ in means]
    assert reds == red


def test_a_made_up_sound_stands_in_for_an_unreachable_sound_file(
    app_client: tuple[Client, SandboxState],
) -> None:
    _, state = app_client

    def no_clip(url: str) -> bytes:
        raise AssertionError(f"a clip was made for {url}")

    values = {"file_url": "https://example.com/talk.mp3", "format": "TXT"}
    plan = work.plan("transcribeAudio", Inputs(encoding="json", values=values))
    (kept,) = plan.run(worker(state, no_clip)).files
    assert f"sound: {samples.STAND_IN_CLIP_SECONDS:.1f} seconds." in kept.data.decode()


# Over real sockets, from each action's EXAMPLE


def example(action: str) -> dict[str, Any]:
    module = load_module(COMPONENT_ROOT, MANIFEST.action(action).main)
    body: dict[str, Any] = dict(module.EXAMPLE)
    return body


def stored(harness: SandboxHarness, url: str) -> bytes:
    with harness.store.read(url) as chunks:
        return b"".join(chunks)


def video_cfg(harness: SandboxHarness, **cfg: Any) -> dict[str, Any]:
    return {"videoApiBaseUrl": harness.sandbox.video_base_url, **cfg}


def check_metadata(body: dict[str, Any], files: list[bytes]) -> None:
    assert files == []
    assert body["data"]["video_width"] == 64
    assert body["data"]["audio_streams"] == 1
    assert "thumbnail_width" not in body["data"]  # null in the answer: the clip carries none


def check_thumbnails(body: dict[str, Any], files: list[bytes]) -> None:
    assert len(files) == len(body["attachmentUrls"]) == 2
    early, late = (Image.open(io.BytesIO(data)) for data in files)
    assert early.format == late.format == "JPEG"
    assert bar_filled(early) < bar_filled(late)


def check_set_thumbnail(body: dict[str, Any], files: list[bytes]) -> None:
    (data,) = files
    found = video_audio.probe(data)
    assert (found["video_streams"], found["thumbnail_codec_name"]) == (2, "mjpeg")
    assert found["duration"] == pytest.approx(2.0, abs=0.05)


def check_adjusted(body: dict[str, Any], files: list[bytes]) -> None:
    (data,) = files
    info = media.video_info(data)
    assert info.audio
    assert info.duration_ms == pytest.approx(2000, abs=40)


def check_extracted(body: dict[str, Any], files: list[bytes]) -> None:
    (data,) = files
    with wave.open(io.BytesIO(data)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert (sound.getnchannels(), sound.getframerate()) == (1, media.SOUND_RATE)
    assert seconds == pytest.approx(2.0, abs=0.05)


def check_transcript(body: dict[str, Any], files: list[bytes]) -> None:
    (data,) = files
    text = data.decode()
    assert text.startswith("1\n00:00:00,000 --> 00:00:00,18")  # 2 s of sound, 2 words a cue
    assert spoken(text).startswith(video_audio.STAND_IN_NOTE)


CHECKS: dict[str, tuple[str, Callable[[dict[str, Any], list[bytes]], None]]] = {
    "videoMetadata": ("", check_metadata),
    "extractVideoThumbnail": ("image/jpeg", check_thumbnails),
    "setVideoThumbnail": ("video/mp4", check_set_thumbnail),
    "adjustAudio": ("video/mp4", check_adjusted),
    "extractAudio": ("audio/wav", check_extracted),
    "transcribeAudio": ("application/x-subrip", check_transcript),
}


@pytest.mark.parametrize("action", GROUP_C)
def test_each_example_runs_over_sockets_with_download_result(
    harness: SandboxHarness, action: str
) -> None:
    credits = harness.sandbox.state()["credits"]
    result = harness.run(action, example(action), **video_cfg(harness, downloadResult=True))
    assert result.of_kind("error") == []
    (message,) = result.of_kind("data")
    content_type, check = CHECKS[action]
    attachments = list(message.attachments.values())
    assert {attachment.content_type for attachment in attachments} <= {content_type}
    check(message.body, [stored(harness, attachment.url) for attachment in attachments])
    job = result.of_kind("snapshot")
    if action in ("videoMetadata", "extractVideoThumbnail"):
        assert job == []  # answered at once
    else:
        assert job[0]["job"]["id"] == message.body["jobId"]
        assert message.body["operation"] == action
    assert harness.sandbox.state()["credits"] == credits - BY_NAME[action].price


def test_a_chain_from_a_generated_picture_reaches_its_videos_sound(
    harness: SandboxHarness,
) -> None:
    """Text to image, image to video, trim, extract audio: the generated video's quiet track
    is there to extract."""
    cfg = {**video_cfg(harness), "downloadResult": False}
    picture = harness.run(
        "textToImage", {"prompt": "a lighthouse", "count": 1, "width": 64, "height": 64}, **cfg
    )
    (message,) = picture.of_kind("data")
    image_url = message.body["data"][0]["url"]
    video = harness.run(
        "imageToVideo",
        {"image_url": image_url, "prompt": "waves", "length": 2, "width": 64, "height": 64},
        **cfg,
    )
    (message,) = video.of_kind("data")
    trimmed = harness.run(
        "trimVideo", {"video_url": message.body["data"]["url"], "start": 0, "end": 1000}, **cfg
    )
    (message,) = trimmed.of_kind("data")
    sound = harness.run(
        "extractAudio",
        {"video_url": message.body["data"]["url"], "format": "wav"},
        **{**cfg, "downloadResult": True},
    )
    assert sound.of_kind("error") == []
    (message,) = sound.of_kind("data")
    data = stored(harness, message.body["attachmentUrl"])
    with wave.open(io.BytesIO(data)) as track:
        assert track.getnframes() / track.getframerate() == pytest.approx(1.0, abs=0.05)
        samples_ = np.frombuffer(track.readframes(track.getnframes()), dtype="<i2")
    assert 0 < int(np.abs(samples_).max()) < 32767 * 0.05  # quiet, not silent


@pytest.mark.parametrize(
    ("action", "body", "named"),
    [
        ("extractVideoThumbnail", {"video_url": CLIP_URL, "source": "timestamp"}, "timestamps"),
        (
            "extractVideoThumbnail",
            {"video_url": CLIP_URL, "source": "container", "timestamps": ["1"]},
            "timestamps",
        ),
        ("adjustAudio", {"video_url": CLIP_URL, "audio_url": "ftp://x/a.mp3"}, "audio_url"),
        ("adjustAudio", {"video_url": CLIP_URL, "video_volume": 101}, "video_volume"),
        ("setVideoThumbnail", {"video_url": CLIP_URL}, "image_url"),
        ("transcribeAudio", {"file_url": CLIP_URL, "language": "xx"}, "language"),
        ("extractAudio", {"video_url": CLIP_URL, "format": "ogg"}, "format"),
    ],
)
def test_a_refusal_before_paying_names_the_field(
    harness: SandboxHarness, action: str, body: dict[str, Any], named: str
) -> None:
    result = harness.run(action, body, **video_cfg(harness))
    (error,) = result.of_kind("error")
    assert f"$.{named}" in error["message"]
    assert harness.sandbox.request_log() == []  # nothing sent, nothing paid


def test_a_job_left_running_is_collected_by_get_job_result_at_the_video_apis_poll(
    harness: SandboxHarness,
) -> None:
    """The video API's ``/audio/{id}``, not the GenAI API's of the same name."""
    cfg = video_cfg(harness, doNotWait=True)
    started = harness.run("extractAudio", {"video_url": CLIP_URL, "format": "flac"}, **cfg)
    (accepted,) = started.of_kind("data")
    assert accepted.body["status"] == "processing"
    ticket = {"operation": "extractAudio", "jobId": accepted.body["jobId"]}
    collected = harness.run("getJobResult", ticket, **video_cfg(harness, downloadResult=True))
    (message,) = collected.of_kind("data")
    data = stored(harness, message.body["attachmentUrl"])
    assert data.startswith(b"fLaC")
    assert message.body["attachmentUrl"].endswith(".flac")
    gets = [entry["path"] for entry in harness.sandbox.request_log() if entry["method"] == "GET"]
    assert gets[0] == f"/video/v1/audio/{accepted.body['jobId']}"  # then the result file


@pytest.mark.parametrize("operation", GROUP_C)
def test_without_the_video_extra_each_answers_501_naming_it(
    client: Client, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    monkeypatch.setattr(media, "video_available", lambda: False)
    body = {"video_url": CLIP_URL, "file_url": CLIP_URL, "image_url": CLIP_URL}
    answer = client.post("/video/v1/" + BY_NAME[operation].path, headers=HEADERS, json=body)
    assert answer.status_code == 501
    assert 'pip install "picsart-component[video]"' in answer.get_json()["detail"]
