"""Where the sandbox follows the text of Picsart's OpenAPI files (issue 26, items 1 to 3): the
deprecated ``mode=async`` asks for a job when no ``Prefer`` decides, Edit's width and height past
the image's mean its own size, and a refused request is answered with the status its operation's
file lists (400 where it lists no 422).

Every answer here also goes through the OpenAPI checks (``conftest.CheckedClient``, ``http``).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from PIL import Image
from werkzeug.test import Client, TestResponse

from picsart_component.sandbox import SandboxState
from tests.sandbox.conftest import MakeClient, StartSandbox
from tests.sandbox.support import (
    HEADERS,
    call_kwargs,
    job_id,
    mask_bytes,
    operation_path,
    png_bytes,
    poll_path,
    send,
    send_tool,
)

EITHER = ("edit", "inpaint", "outpaint", "remove-object", "replace-background", "expand", "ultra")
"""The operations that answer either way; each has the deprecated ``mode`` in its file."""


# 1. The deprecated mode field


@pytest.mark.parametrize("name", EITHER)
def test_mode_async_without_prefer_starts_a_job(
    client: Client, state: SandboxState, name: str
) -> None:
    accepted = send(client, name, mode="async")
    assert accepted.status_code == 202, accepted.get_json()
    assert "Preference-Applied" not in accepted.headers  # no Prefer was sent
    id_field = "transaction_id" if name == "ultra" else "inference_id"
    assert accepted.get_json() == {"status": "processing", id_field: job_id(accepted)}
    assert len(state.jobs) == 1
    done = client.get(poll_path(name, job_id(accepted)), headers=HEADERS)
    assert done.status_code == 200
    assert done.get_json()["status"] == "success"


def test_prefer_wins_over_mode_and_other_modes_answer_at_once(client: Client) -> None:
    def status(prefer: str | None, mode: str) -> tuple[int, str | None]:
        answer = send(client, "inpaint", prefer, mode=mode)
        return answer.status_code, answer.headers.get("Preference-Applied")

    assert status("respond-async", "sync") == (202, "respond-async")
    assert status("wait=100", "async") == (200, None)
    assert status("respond-async, wait=100", "async") == (200, None)  # the job is quick enough
    assert status(None, "ASYNC") == (202, None)  # enums in any case, as everywhere
    assert status(None, "sync") == (200, None)
    auto = send(client, "remove-object", mode="auto")
    assert auto.status_code == 200
    ultra = client.post(
        operation_path("ultra"), headers=HEADERS, **call_kwargs("ultra", mode="auto")
    )
    assert ultra.status_code == 200


def test_mode_means_nothing_where_an_operation_answers_one_way(client: Client) -> None:
    assert send(client, "bleed", mode="async").status_code == 200
    edited = send_tool(client, "basic-edit", mode="crop")
    assert edited.status_code == 200


def test_mode_async_over_sockets(start: StartSandbox, http: requests.Session) -> None:
    sandbox = start(quiet=True)
    files = {"image": ("photo.png", png_bytes()), "mask_image": ("mask.png", mask_bytes())}
    data = {"prompt": "a meadow", "count": "1", "mode": "async"}
    answer = http.post(sandbox.root_url + "v1/painting/outpaint", data=data, files=files)
    assert answer.status_code == 202
    assert "Preference-Applied" not in answer.headers
    polled = http.get(sandbox.root_url + "v1/painting/" + answer.json()["inference_id"])
    assert polled.status_code == 200


# 2. Edit: a width or height past the image's is its own


def _edit(client: Client, **fields: str) -> TestResponse:
    """Edits a 480x360 picture with only ``fields`` set."""
    data: dict[str, Any] = {"image": (io.BytesIO(png_bytes((480, 360))), "photo.png"), **fields}
    return client.post("/tools/1.0/edit", headers=HEADERS, data=data)


def _edited_size(client: Client, **fields: str) -> tuple[int, int]:
    answer = _edit(client, **fields)
    assert answer.status_code == 200, answer.get_json()
    result = client.get(answer.get_json()["data"]["url"].split("localhost", 1)[1])
    with Image.open(io.BytesIO(result.data)) as opened:
        return int(opened.width), int(opened.height)


@pytest.mark.parametrize(
    ("fields", "size"),
    [
        ({"mode": "crop", "width": "512", "height": "512"}, (480, 360)),
        ({"mode": "crop", "width": "512", "height": "100"}, (480, 100)),
        ({"mode": "resize", "width": "2000", "height": "2000"}, (480, 360)),
        ({"mode": "resize", "width": "2000"}, (480, 360)),
        ({"mode": "resize", "size": "2000"}, (480, 360)),
        ({"width": "1000", "height": "180"}, (480, 180)),
        ({"mode": "resize", "width": "240"}, (240, 180)),
    ],
)
def test_a_width_or_height_past_the_image_means_its_own(
    client: Client, fields: dict[str, str], size: tuple[int, int]
) -> None:
    assert _edited_size(client, **fields) == size


def test_a_crop_at_a_position_still_keeps_inside_the_image(client: Client) -> None:
    assert _edited_size(client, mode="crop", width="100", height="50", crop_x="0", crop_y="0") == (
        100,
        50,
    )
    fields = {"mode": "crop", "width": "512", "height": "512", "crop_x": "10", "crop_y": "0"}
    outside = _edit(client, **fields)
    assert outside.status_code == 422
    assert "reaches outside" in outside.get_json()["detail"]


# 3. A refusal is answered with a status its operation's file lists


def test_a_genai_refusal_is_400_and_an_image_api_refusal_422(
    client: Client, state: SandboxState
) -> None:
    genai = send(client, "text2image", count=0)
    assert genai.status_code == 400
    assert genai.get_json()["code"] == 400
    assert genai.get_json()["message"] == "Bad Request"
    assert "count must be from 1 to 10" in genai.get_json()["detail"]
    work = send(client, "inpaint", mask_image=png_bytes((20, 20)))
    assert work.status_code == 400  # refused by the work, after the parameters
    watermark = send_tool(client, "watermark", watermark_opacity="101")
    assert watermark.status_code == 400
    ultra = send(client, "ultra", upscale_factor="1")
    assert ultra.status_code == 422
    edit = send_tool(client, "basic-edit", rotate="181")
    assert edit.status_code == 422
    assert state.credits == 1000


def test_a_fault_still_answers_the_status_it_names(make_client: MakeClient) -> None:
    client, _ = make_client(faults="422:next=1,path=text2image")
    assert send(client, "text2image").status_code == 422
    assert send(client, "text2image").status_code == 202
