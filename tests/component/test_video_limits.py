"""Issue 28's cross-cutting rules for video: ``PICSART_JOB_TIMEOUT``'s default by API (an
explicit value wins for all), the video API's ``rendering`` status, ``PICSART_MAX_VIDEO_MB`` on the
videos the component downloads, Download result streaming a large result under
``PICSART_MAX_RESULT_MB`` (several GB refused with the figure, nothing half written), and files
recognised by their bytes. Fake time for the jobs; a loopback server for the downloads."""

from __future__ import annotations

import importlib
import socket
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import responses

from picsart_component.catalogue.operations import BY_NAME
from picsart_component.lib.download import Downloader, URLPolicy, size_in_words
from picsart_component.lib.errors import (
    InputError,
    ResultDownloadError,
    SettingsError,
    TooLargeError,
)
from picsart_component.lib.files import FileServices, attach_local_files
from picsart_component.lib.formats import (
    AUDIO,
    IMAGE,
    MEDIA,
    VIDEO,
    checked_format,
    content_type_of_file,
    kind_accepting,
    sniff_format,
)
from picsart_component.lib.jobs import DEFAULT_JOB_TIMEOUT, VIDEO_JOB_TIMEOUT, JobSettings
from picsart_component.lib.retry import RetryPolicy, RetrySettings
from picsart_component.lib.settings import ComponentSettings
from picsart_component.lib.sources import ImageSources
from picsart_component.lib.store import LocalStore
from picsart_component.runtime.executor import Executor
from picsart_component.runtime.messages import Message
from tests.e2e import png
from tests.helpers import API_KEY, FakeTime, make_services
from tests.hostile import HostileServer, Request, hostile_server, send

VIDEO_API = "https://video-api.picsart.io/v1/"
GENAI = "https://genai-api.picsart.io/v1/"
MB = 1 << 20

# PICSART_JOB_TIMEOUT ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "body", "post", "poll", "environ", "waited", "named"),
    [
        (
            "trimVideo",
            {"video_url": "https://example.com/clip.mp4", "start": 0, "end": 1000},
            VIDEO_API + "trim",
            VIDEO_API + "video/slow",
            {},
            VIDEO_JOB_TIMEOUT,
            "PICSART_JOB_TIMEOUT's default for the video API",
        ),
        (
            "trimVideo",
            {"video_url": "https://example.com/clip.mp4", "start": 0, "end": 1000},
            VIDEO_API + "trim",
            VIDEO_API + "video/slow",
            {"PICSART_JOB_TIMEOUT": "45"},
            45.0,
            "(PICSART_JOB_TIMEOUT)",
        ),
        (
            "textToVideo",
            {"prompt": "waves"},
            GENAI + "text2video",
            GENAI + "video/slow",
            {},
            DEFAULT_JOB_TIMEOUT,
            "PICSART_JOB_TIMEOUT's default for the genai API",
        ),
        (
            "textToVideo",
            {"prompt": "waves"},
            GENAI + "text2video",
            GENAI + "video/slow",
            {"PICSART_JOB_TIMEOUT": "45"},
            45.0,
            "(PICSART_JOB_TIMEOUT)",
        ),
    ],
)
@responses.activate
def test_a_video_job_waits_longer_by_default_and_an_explicit_timeout_wins_for_every_api(
    fake_time: FakeTime,
    action: str,
    body: dict[str, Any],
    post: str,
    poll: str,
    environ: dict[str, str],
    waited: float,
    named: str,
) -> None:
    pending = {"status": "processing", "transaction_id": "slow", "inference_id": "slow"}
    responses.post(post, json=pending, status=202)
    responses.get(poll, json=pending, status=202)
    services = make_services(fake_time, environ={"PICSART_JOB_POLL_SECONDS": "60", **environ})
    started = fake_time.now
    result = Executor(services=services).run(action, Message(body=body), {"apiKey": API_KEY})
    (error,) = result.of_kind("error")
    assert error["name"] == "JobTimeoutError"
    assert error["jobId"] == "slow"
    assert f"within {waited:g} s" in error["message"]
    assert named in error["message"]
    assert fake_time.now - started == pytest.approx(waited)


@pytest.mark.parametrize(
    ("environ", "image", "genai", "video"),
    [
        ({}, DEFAULT_JOB_TIMEOUT, DEFAULT_JOB_TIMEOUT, VIDEO_JOB_TIMEOUT),
        ({"PICSART_JOB_TIMEOUT": " "}, DEFAULT_JOB_TIMEOUT, DEFAULT_JOB_TIMEOUT, VIDEO_JOB_TIMEOUT),
        ({"PICSART_JOB_TIMEOUT": "7200"}, 7200.0, 7200.0, 7200.0),
        ({"PICSART_JOB_TIMEOUT": "30"}, 30.0, 30.0, 30.0),
    ],
)
def test_the_timeout_of_each_api_from_the_environment(
    environ: dict[str, str], image: float, genai: float, video: float
) -> None:
    jobs = ComponentSettings.from_environ(environ).job_settings()
    assert jobs.timeout_for(BY_NAME["ultraUpscale"]) == image
    assert jobs.timeout_for(BY_NAME["textToVideo"]) == genai
    assert jobs.timeout_for(BY_NAME["trimVideo"]) == video


def test_every_job_of_the_video_and_vd_apis_has_the_video_default_and_the_others_not() -> None:
    for operation in BY_NAME.values():
        expected = VIDEO_JOB_TIMEOUT if operation.api in ("video", "vd") else DEFAULT_JOB_TIMEOUT
        assert JobSettings().timeout_for(operation) == expected, operation.name
        assert JobSettings(timeout=5).timeout_for(operation) == 5
    assert {"video", "image", "genai"} <= {operation.api for operation in BY_NAME.values()}


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_bad_job_timeout_is_a_settings_error_naming_it(value: str) -> None:
    with pytest.raises(SettingsError, match="PICSART_JOB_TIMEOUT"):
        ComponentSettings.from_environ({"PICSART_JOB_TIMEOUT": value})


@responses.activate
def test_the_video_apis_rendering_status_is_still_running_and_not_warned_of(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    responses.post(VIDEO_API + "trim", json={"status": "queued", "transaction_id": "t"}, status=202)
    responses.get(VIDEO_API + "video/t", json={"status": "rendering"})
    done: dict[str, Any] = {
        "status": "success",
        "data": {"id": "t", "url": "https://cdn.example.com/t.mp4"},
    }
    responses.get(VIDEO_API + "video/t", json=done)
    result = Executor(services=make_services(fake_time)).run(
        "trimVideo",
        Message(body={"video_url": "https://example.com/clip.mp4", "start": 0, "end": 1000}),
        {"apiKey": API_KEY},
    )
    (data,) = result.of_kind("data")
    assert data.body["data"]["url"] == done["data"]["url"]
    assert not [r for r in caplog.records if "does not know" in r.getMessage()]


# Sources and results ------------------------------------------------------------------------


def test_max_video_mb_has_a_stated_default_and_reads_like_max_image_mb() -> None:
    assert ComponentSettings.from_environ({}).max_video_bytes == 100 * MB
    assert ComponentSettings.from_environ({"PICSART_MAX_VIDEO_MB": "0.5"}).max_video_bytes == (
        MB // 2
    )
    with pytest.raises(SettingsError, match="PICSART_MAX_VIDEO_MB"):
        ComponentSettings.from_environ({"PICSART_MAX_VIDEO_MB": "0"})


def mp4_bytes(size: int) -> bytes:
    """An MP4's first box, padded to ``size`` bytes: enough for the check by bytes."""
    return (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41").ljust(size, b"\x00")


def serve(body: bytes, content_type: str, *, length: bool = True) -> Any:
    def answer(request: Request, connection: socket.socket, server: HostileServer) -> None:
        sized = f"Content-Length: {len(body)}\r\n" if length else ""
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{sized}Connection: close\r\n\r\n"
        )
        send(connection, server, head.encode() + body)

    return answer


def downloader(max_bytes: int | None) -> Downloader:
    fake = FakeTime()
    retry = RetryPolicy(RetrySettings(max_attempts=1), clock=fake.clock, sleep=fake.sleep)
    return Downloader(
        URLPolicy(allow_hosts=frozenset({"127.0.0.1"})), retry, timeout=(5, 5), max_bytes=max_bytes
    )


@pytest.mark.parametrize(
    ("body", "content_type", "length", "rule"),
    [
        (mp4_bytes(MB), "video/mp4", True, "the source video is 1 MB (its Content-Length), larger"),
        (mp4_bytes(MB), "video/mp4", False, "the source video is larger than the limit of 0.5 MB"),
        (png((8, 8)), "image/png", True, "is not a video: the file is a PNG image"),
        (
            b"<html><body>gone</body></html>",
            "text/html",
            True,
            "is not a video: the file is an HTML",
        ),
    ],
)
def test_a_video_the_component_downloads_is_capped_by_max_video_mb_and_checked_by_its_bytes(
    tmp_path: Path, body: bytes, content_type: str, length: bool, rule: str
) -> None:
    cap = ComponentSettings.from_environ({"PICSART_MAX_VIDEO_MB": "0.5"}).max_video_bytes
    sources = ImageSources(LocalStore(tmp_path / "store"), downloader(cap), kind=VIDEO)
    with hostile_server(serve(body, content_type, length=length)) as server:
        with (
            pytest.raises(InputError) as raised,
            sources.fetch(server.url + "clip", "$.video", VIDEO.formats),
        ):
            pass
    (problem,) = raised.value.problems
    assert problem.path == "$.video"
    assert problem.rule.startswith(rule)


def test_a_video_under_the_cap_is_fetched_as_a_video_part(tmp_path: Path) -> None:
    sources = ImageSources(LocalStore(tmp_path / "store"), downloader(MB), kind=VIDEO)
    with hostile_server(serve(mp4_bytes(MB // 2), "application/octet-stream")) as server:
        with sources.fetch(server.url + "holiday%20clip", "$.video", VIDEO.formats) as local:
            assert (local.format, local.content_type, local.size) == ("MP4", "video/mp4", MB // 2)
            assert local.filename == "holiday-clip.mp4"
            assert local.path.read_bytes() == mp4_bytes(MB // 2)
        assert not local.path.exists()


def test_a_stored_video_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    stored = store.save([mp4_bytes(MB)], "video/mp4")
    sources = ImageSources(store, downloader(MB // 2), kind=VIDEO)
    with pytest.raises(InputError) as raised, sources.fetch(stored.url, "$.video", VIDEO.formats):
        pass
    assert str(raised.value.problems[0]) == "$.video: the source video is larger than 0.5 MB"


GB = 1 << 30
CLAIMED = 5 * GB


def claims_gigabytes(request: Request, connection: socket.socket, server: HostileServer) -> None:
    """A head that promises 5 GB, then one MP4 box: whoever trusts it would write for ever."""
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: {CLAIMED}\r\n"
        "Connection: close\r\n\r\n"
    )
    send(connection, server, head.encode() + mp4_bytes(64 * 1024))


def streams_without_length(total: int) -> Any:
    """A chunked body of ``total`` bytes sent a piece at a time, never held whole here either."""
    piece = mp4_bytes(256 * 1024)

    def answer(request: Request, connection: socket.socket, server: HostileServer) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n"
        )
        send(connection, server, head.encode())
        sent = 0
        while sent < total:
            send(connection, server, f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
        send(connection, server, b"0\r\n\r\n")

    return answer


def files(store: LocalStore, max_result_bytes: int) -> FileServices:
    fake = FakeTime()
    return FileServices(
        store=store,
        policy=URLPolicy(allow_hosts=frozenset({"127.0.0.1"})),
        retry=RetryPolicy(RetrySettings(max_attempts=1), clock=fake.clock, sleep=fake.sleep),
        timeout=(5, 5),
        max_result_bytes=max_result_bytes,
    )


def test_a_result_of_several_gb_is_refused_with_the_figure_before_anything_is_written(
    tmp_path: Path,
) -> None:
    store = LocalStore(tmp_path / "store")
    limit = ComponentSettings.from_environ({}).max_result_bytes
    with hostile_server(claims_gigabytes) as server:
        url = server.url + "result.mp4"
        with pytest.raises(TooLargeError) as told:
            downloader(limit).fetch(url, lambda fetched: b"".join(fetched.chunks))
        assert str(told.value) == "5 GB (its Content-Length), larger than the limit of 1024 MB"
        started = time.monotonic()
        with pytest.raises(ResultDownloadError) as raised:
            files(store, limit).save_result(url, server.url)
        assert time.monotonic() - started < 2
    message = str(raised.value)
    assert "PICSART_MAX_RESULT_MB" in message
    assert url in message
    assert "the result is 5 GB (its Content-Length), larger than the limit of 1024 MB" in message
    assert list((tmp_path / "store").glob("*")) == []


def test_download_result_streams_a_video_into_the_store_and_refuses_it_past_the_cap(
    tmp_path: Path,
) -> None:
    """24 MB pass through while Python's own allocations stay under 4 MB; past a 16 MB cap
    the partial file goes, and the store holds nothing."""
    store = LocalStore(tmp_path / "store")
    with hostile_server(streams_without_length(24 * MB)) as server:
        tracemalloc.start()
        try:
            stored = files(store, 32 * MB).save_result(server.url + "clip", server.url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert stored.size == 24 * MB
        assert stored.filename.endswith(".mp4")
        assert peak < 4 * MB, f"{size_in_words(peak)} held while streaming"
        with pytest.raises(
            ResultDownloadError, match="larger than the limit of 16 MB, which PICSART_MAX_RESULT_MB"
        ):
            files(LocalStore(tmp_path / "small"), 16 * MB).save_result(
                server.url + "clip", server.url
            )
    assert list((tmp_path / "small").glob("*")) == []
    assert [path.name for path in (tmp_path / "store").iterdir()] == [stored.filename]


@pytest.mark.parametrize(
    ("header", "suffix"),
    [("binary/octet-stream", ".mp4"), ("application/octet-stream", ".mp4"), ("video/mp4", ".mp4")],
)
def test_a_result_of_an_unhelpful_type_is_kept_as_what_its_bytes_are(
    tmp_path: Path, header: str, suffix: str
) -> None:
    store = LocalStore(tmp_path / "store")
    with hostile_server(serve(mp4_bytes(4096), header)) as server:
        stored = files(store, MB).save_result(server.url + "result", server.url)
    assert (stored.content_type, Path(stored.filename).suffix) == ("video/mp4", suffix)


@pytest.mark.parametrize(
    ("size", "words"),
    [(5 * GB, "5 GB"), (5_000_000_000, "4.66 GB"), (1000 * MB, "1000 MB"), (800 * 1024, "800 kB")],
)
def test_sizes_are_said_in_the_units_of_the_limits(size: int, words: str) -> None:
    assert size_in_words(size) == words


# Files recognised by their bytes -------------------------------------------------------------

HEADS: list[tuple[bytes, str]] = [
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "MP4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "MOV"),
    (b"\x00\x00\x00\x08wide\x00\x01\x00\x00mdat", "MOV"),
    (b"\x00\x00\x10\x00moov\x00\x00\x00\x6cmvhd", "MOV"),
    (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01webm", "WEBM"),
    (b"GIF89a\x40\x00\x40\x00", "GIF"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "MP3"),
    (b"\xff\xfb\x90\x64\x00\x00\x00\x00", "MP3"),
    (b"\xff\xf3\x64\xc4\x00\x00\x00\x00", "MP3"),
    (b"\xff\xf1\x50\x80\x02\x1f\xfc", "AAC"),
    (b"\xff\xf9\x50\x80\x02\x1f\xfc", "AAC"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isom", "M4A"),
    (b"OggS\x00\x02\x00\x00\x00\x00", "OGG"),
    (b"fLaC\x00\x00\x00\x22", "FLAC"),
    (b"RIFF\x24\x08\x00\x00WAVEfmt ", "WAV"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    (b"\xff\xfe<\x00s\x00v\x00g\x00", ""),
]


@pytest.mark.parametrize(("head", "expected"), HEADS)
def test_video_and_audio_files_are_recognised_by_their_first_bytes(
    head: bytes, expected: str
) -> None:
    assert (sniff_format(head) or "") == expected


@pytest.mark.parametrize(
    ("name", "expected", "content_type"),
    [
        ("clip.mp4", "MP4", "video/mp4"),
        ("clip.mov", "MOV", "video/quicktime"),
        ("clip.webm", "WEBM", "video/webm"),
        ("clip.gif", "GIF", "image/gif"),
        ("sound.mp3", "MP3", "audio/mpeg"),
        ("sound.wav", "WAV", "audio/wav"),
        ("sound.aac", "AAC", "audio/aac"),
        ("sound.m4a", "M4A", "audio/mp4"),
        ("sound.ogg", "OGG", "audio/ogg"),
        ("sound.flac", "FLAC", "audio/flac"),
    ],
)
def test_real_video_and_audio_files_are_recognised_and_typed_by_their_bytes(
    tmp_path: Path, name: str, expected: str, content_type: str
) -> None:
    pytest.importorskip("av")
    from picsart_component.sandbox.samples import stand_in_media

    data, _ = stand_in_media("https://example.com/" + name)
    path = tmp_path / "no-suffix"
    path.write_bytes(data)
    assert sniff_format(data[:1024]) == expected
    assert content_type_of_file(path) == content_type
    kind, other = (VIDEO, AUDIO) if expected in VIDEO.formats else (AUDIO, VIDEO)
    assert checked_format(path, "$.file", kind) == expected
    assert checked_format(path, "$.file", MEDIA) == expected
    with pytest.raises(InputError, match=rf"is not {other.noun}: the file is an? "):
        checked_format(path, "$.file", other)
    if expected != "GIF":  # a GIF is a picture too
        with pytest.raises(InputError, match=r"\$\.image: is not an image: the file is an? "):
            checked_format(path, "$.image", IMAGE)


@pytest.mark.parametrize(
    ("action", "content", "refusal"),
    [
        ("uploadVideo", b"", None),
        ("uploadVideo", png(), None),
        ("uploadVideo", b"just some words\n" * 20, "is not a video, audio or image file: "),
        ("removeBackground", b"", "is not an image: the file is an MP4 video"),
        ("removeBackground", png(), None),
    ],
)
def test_a_local_file_is_attached_as_the_kind_its_action_takes(
    tmp_path: Path, action: str, content: bytes, refusal: str | None
) -> None:
    """On the command line: a local MP4 or picture for Upload video or audio's ``file``, an
    image for an image action's ``image``; an MP4 refused in an image field and a text file in
    Upload's, nothing stored."""
    module = importlib.import_module(f"picsart_component.actions.{ACTION_MODULES[action]}")
    field = "file" if action == "uploadVideo" else "image"
    path = tmp_path / "given"
    path.write_bytes(content or mp4_bytes(4096))
    store = LocalStore(tmp_path / "store")
    kind = kind_accepting(getattr(module, "ACCEPTED_FORMATS", frozenset()))
    properties = {field: {"type": "string", "format": "uri"}}
    if refusal is None:
        attached = attach_local_files({field: str(path)}, properties, store, kind=kind)
        assert store.owns(attached[field])
    else:
        with pytest.raises(InputError) as raised:
            attach_local_files({field: str(path)}, properties, store, kind=kind)
        assert str(raised.value.problems[0]).startswith(f"$.{field}: {refusal}")
        assert not (tmp_path / "store").exists() or not any((tmp_path / "store").iterdir())


ACTION_MODULES = {"uploadVideo": "upload_video", "removeBackground": "remove_background"}
