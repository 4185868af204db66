"""The Variable Data API in the sandbox: its parameters (422 naming the field), replays its own
Design to replay made (exported, described, filled from CSV rows), a replay it did not make
refused with the reason, and the VD host in sandbox mode (``vd-api.picsart.io``'s ``/v1/``
served at ``/vd/v1/``)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import av
import pytest
from PIL import Image
from werkzeug.test import Client

from picsart_component.sandbox import params, variable_data
from picsart_component.sandbox.errors import ApiError
from picsart_component.sandbox.forms import Inputs
from picsart_component.sandbox.operations import EMULATED_HOSTS, sandbox_path
from tests.sandbox.conftest import MakeClient
from tests.sandbox.support import HEADERS, FakeClock

VD = "/vd/v1/"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160">'
    b'<rect id="backdrop" width="240" height="160" fill="#eee"/>'
    b'<text id="headline" x="10" y="30">Hello</text>'
    b'<g id="logo"><circle cx="200" cy="120" r="20"/></g>'
    b"</svg>"
)
TEMPLATE = "https://example.com/poster-replay.json"


def inputs(**values: Any) -> Inputs:
    return Inputs(encoding="multipart", values={k: v for k, v in values.items() if v is not None})


@pytest.mark.parametrize(
    ("operation", "values", "named"),
    [
        ("exportReplay", {}, "A replay is required: give one of file or file_url"),
        ("exportReplay", {"file_url": TEMPLATE, "format": "PNG"}, "format must be one of PDF"),
        ("exportReplay", {"file_url": "ftp://x/y"}, "file_url must be an absolute http(s) URL"),
        ("describeReplayVariables", {}, "give one of template, template_url or template_id"),
        (
            "describeReplayVariables",
            {"template_url": TEMPLATE, "template_id": "abc"},
            "Give only one of template, template_url; got template_url and template_id",
        ),
        ("exportVariableDataContent", {"template_id": "a"}, "Give exactly one of data"),
        (
            "exportVariableDataContent",
            {"template_id": "a", "data": "x\n1", "data_file_url": TEMPLATE},
            "Give exactly one of data",
        ),
        (
            "exportVariableDataContent",
            {"template_id": "a", "data": "x\n1", "format": "GIF"},
            "format must be one of PDF, PNG, JPG, MP4, REPLAY",
        ),
        (
            "exportVariableDataContent",
            {"template_id": "a", "data": "x\n1", "mapping": ":headline"},
            "mapping: ':headline' is not column:variable",
        ),
    ],
)
def test_broken_parameters_are_422_naming_the_field(
    operation: str, values: dict[str, Any], named: str
) -> None:
    with pytest.raises(ApiError) as refused:
        params.parse(operation, inputs(**values))
    assert refused.value.status == 422
    assert named in refused.value.detail


def test_formats_are_taken_in_any_case_and_a_mapping_pairs_columns_with_variables() -> None:
    job = params.parse(
        "exportVariableDataContent",
        inputs(template_id="a", data="x\n1", format="png", mapping="name:headline, logo"),
    )
    assert isinstance(job, variable_data.ContentJob)
    assert (job.format, job.mapping) == ("PNG", (("name", "headline"), ("logo", "logo")))
    replay = params.parse("exportReplay", inputs(file_url=TEMPLATE))
    assert isinstance(replay, variable_data.ReplayJob)
    assert replay.format == "PDF"


def test_a_replays_variables_are_its_named_text_image_and_group_layers() -> None:
    document = {
        "layers": [
            {"index": 0, "kind": "rect", "id": "backdrop"},
            {"index": 1, "kind": "text", "id": "headline"},
            {"index": 2, "kind": "g", "id": "Brand_Logo"},
            {"index": 3, "kind": "image", "id": "hero"},
            {"index": 4, "kind": "g"},
            {"index": 5, "kind": "g", "id": "caption"},
        ]
    }
    found = [(item.tag, item.type, item.layer) for item in variable_data.variables(document)]
    assert found == [
        ("headline", "text", 1),
        ("Brand_Logo", "image", 2),
        ("hero", "image", 3),
        ("caption", "text", 5),
    ]


@pytest.mark.parametrize(
    ("document", "size", "tags"),
    [
        ({"canvas": {"width": 1000, "height": 500}}, (512, 256), []),
        ({"canvas": {"width": float("inf"), "height": 10}}, (480, 400), []),
        ({"canvas": "big", "layers": "none"}, (480, 400), []),
        ({"canvas": {"width": 20, "height": 10}, "layers": [1, {"kind": "text", "id": "x"}]},
         (20, 16), ["x"]),
    ],
    ids=["large", "infinite", "not objects", "stray layer"],
)  # fmt: skip
def test_a_replay_written_by_hand_renders_within_bounds(
    document: dict[str, Any], size: tuple[int, int], tags: list[str]
) -> None:
    def no_pictures(url: str, tag: str) -> Image.Image:
        raise AssertionError("no image variable is filled")

    picture = variable_data.render(document, {"x": "filled"}, no_pictures)
    assert picture.size == size
    assert [item.tag for item in variable_data.variables(document)] == tags


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no header line"),
        ("caption\n", "a header but no data row"),
        ('caption\n"' + "a" * 200_000 + '"\n', "the CSV cannot be read"),
    ],
    ids=["empty", "header only", "a field past csv's limit"],
)
def test_csv_rows_that_cannot_be_used_are_422(text: str, reason: str) -> None:
    with pytest.raises(ApiError) as refused:
        variable_data.csv_rows(text, "data")
    assert refused.value.status == 422
    assert reason in refused.value.detail


def test_only_the_first_50_rows_are_read() -> None:
    rows = variable_data.csv_rows("n\n" + "".join(f"{n}\n" for n in range(80)), "data")
    assert [row["n"] for row in rows] == [str(n) for n in range(50)]


# Over the app


@pytest.fixture
def client(make_client: MakeClient) -> Client:
    """A sandbox whose jobs pend for 3 seconds of the test's clock."""
    return make_client(job_seconds=3)[0]


def replay(client: Client, clock: FakeClock) -> dict[str, str]:
    """The replay Design to replay makes of ``SVG``: its stored ``id`` and ``url``."""
    started = client.post(
        "/tools/1.0/design2replay",
        headers=HEADERS,
        data={"file": (io.BytesIO(SVG), "poster.svg", "image/svg+xml")},
    )
    assert started.status_code == 202, started.get_json()
    job = started.get_json()["transaction_id"]
    clock.advance(5)
    done = client.get(f"/tools/1.0/design2replay/{job}", headers=HEADERS).get_json()
    return {"id": str(done["data"]["id"]), "url": str(done["data"]["url"])}


def collect(client: Client, clock: FakeClock, path: str, data: dict[str, Any]) -> Any:
    started = client.post(VD + path, headers=HEADERS, data=data)
    assert started.status_code == 202, started.get_json()
    job = started.get_json()["transaction_id"]
    assert client.get(f"{VD}{path}/{job}", headers=HEADERS).status_code == 202
    clock.advance(5)
    done = client.get(f"{VD}{path}/{job}", headers=HEADERS)
    assert done.status_code == 200
    return done.get_json()["data"]


def stored(client: Client, url: str) -> bytes:
    found = re.search(r"/results/[0-9a-f]{32}\.[a-z0-9]+$", url)
    assert found is not None, url
    answer = client.get(found.group(0))
    assert answer.status_code == 200
    data: bytes = answer.data
    return data


def test_describe_lists_the_replays_variables_at_once(client: Client, clock: FakeClock) -> None:
    template = replay(client, clock)["id"]
    answer = client.post(
        VD + "variable-data-content/describe", headers=HEADERS, data={"template_id": template}
    )
    assert answer.status_code == 200
    assert answer.get_json()["data"] == {
        "tags": [{"type": "text", "tag": "headline"}, {"type": "image", "tag": "logo"}],
        "aminated": False,
    }


def test_export_replay_renders_the_replay_as_a_pdf(client: Client, clock: FakeClock) -> None:
    url = replay(client, clock)["url"]
    data = collect(client, clock, "export/replay", {"file_url": url})
    pdf = stored(client, data["url"])
    assert pdf.startswith(b"%PDF-")
    picture = picture_in_pdf(pdf)
    assert picture.size == (240, 160)


def test_content_export_makes_one_file_per_row_with_its_values(
    client: Client, clock: FakeClock
) -> None:
    template = replay(client, clock)["id"]
    rows = "title,picture\nSummer sale,https://example.com/sun.png\nWinter sale,\n"
    data = collect(
        client,
        clock,
        "export/variable-data-content",
        {"template_id": template, "data": rows, "mapping": "title:headline,picture:logo",
         "format": "PNG"},
    )  # fmt: skip
    assert [len(item["urls"]) for item in data] == [1, 1]
    first, second = (Image.open(io.BytesIO(stored(client, item["urls"][0]))) for item in data)
    assert first.format == second.format == "PNG"
    assert first.size == second.size == (240, 160)
    assert first.tobytes() != second.tobytes(), "each row fills the variables with its values"
    filled = collect(
        client,
        clock,
        "export/variable-data-content",
        {"template_id": template, "data": "headline\nHi there", "format": "REPLAY"},
    )
    document = json.loads(stored(client, filled[0]["urls"][0]))
    assert document["variables"] == {"headline": "Hi there"}


def opened_video(data: bytes) -> tuple[float, tuple[int, int]]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert container.duration is not None
        return container.duration / av.time_base, (stream.width, stream.height)


@pytest.mark.parametrize(
    ("chosen", "check"),
    [
        ("PDF", lambda data: picture_in_pdf(data).size == (240, 160)),
        ("JPG", lambda data: Image.open(io.BytesIO(data)).format == "JPEG"),
        ("MP4", lambda data: opened_video(data) == (1.0, (240, 160))),
        ("REPLAY", lambda data: json.loads(data)["variables"] == {"headline": "Hi"}),
    ],
)
def test_each_content_format_is_the_file_it_names(
    client: Client, clock: FakeClock, chosen: str, check: Callable[[bytes], bool]
) -> None:
    template = replay(client, clock)["id"]
    body = {"template_id": template, "data": "headline\nHi", "format": chosen}
    (item,) = collect(client, clock, "export/variable-data-content", body)
    assert check(stored(client, item["urls"][0]))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"template_url": TEMPLATE}, "the sandbox's replays are stand-ins"),
        ({"template": (io.BytesIO(b'{"replay": 1}'), "r.json")}, "not a replay of this sandbox"),
        ({"template_id": "0" * 32}, "is unknown"),
    ],
    ids=["a url it cannot fetch", "a file it did not make", "an id it does not know"],
)
def test_a_replay_the_sandbox_did_not_make_is_refused_before_paying(
    client: Client, data: dict[str, Any], reason: str
) -> None:
    before = client.get("/__sandbox/state").get_json()["credits"]
    answer = client.post(VD + "variable-data-content/describe", headers=HEADERS, data=data)
    assert answer.status_code == 422
    assert reason in answer.get_json()["detail"]
    assert client.get("/__sandbox/state").get_json()["credits"] == before


def test_a_mapping_to_a_variable_the_replay_lacks_is_refused(
    client: Client, clock: FakeClock
) -> None:
    template = replay(client, clock)["id"]
    answer = client.post(
        VD + "export/variable-data-content",
        headers=HEADERS,
        data={"template_id": template, "data": "x\n1", "mapping": "x:price"},
    )
    assert answer.status_code == 422
    assert "mapping names price" in answer.get_json()["detail"]


def test_the_vd_host_is_served_under_its_own_prefix_with_its_balance(client: Client) -> None:
    assert EMULATED_HOSTS["vd-api.picsart.io"] == VD
    assert sandbox_path("vd-api.picsart.io", "/v1/balance") == VD + "balance"
    for path in (VD + "balance", "/hosts/vd-api.picsart.io/v1/balance", "/video/v1/balance"):
        answer = client.get(path, headers=HEADERS)
        assert answer.status_code == 200, path
        assert isinstance(answer.get_json()["credits"], int)


def picture_in_pdf(pdf: bytes) -> Image.Image:
    """The one picture Pillow's PDF writer embeds (a JPEG stream), opened by Pillow."""
    start = pdf.index(b"/DCTDecode")
    stream = pdf.index(b"stream", start) + len(b"stream")
    stream += 2 if pdf[stream : stream + 2] == b"\r\n" else 1
    end = pdf.index(b"endstream", stream)
    return Image.open(io.BytesIO(pdf[stream:end]))


def test_a_data_file_the_sandbox_cannot_fetch_is_refused(client: Client, clock: FakeClock) -> None:
    template = replay(client, clock)["id"]
    answer = client.post(
        VD + "export/variable-data-content",
        headers=HEADERS,
        data={"template_id": template, "data_file_url": "https://example.com/rows.csv"},
    )
    assert answer.status_code == 422
    assert "give the rows as data" in answer.get_json()["detail"]


def test_the_vd_fault_group_reaches_the_vd_api_only(make_client: MakeClient) -> None:
    client, _ = make_client(faults="503:path=vd")
    assert client.get(VD + "balance", headers=HEADERS).status_code == 503
    assert client.get("/video/v1/balance", headers=HEADERS).status_code == 200
    assert client.get("/tools/1.0/balance", headers=HEADERS).status_code == 200
