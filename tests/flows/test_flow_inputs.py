"""Inputs: JSONL lines, CSV rows and a folder's files, each with a key that survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from picsart_component.flows.inputs import (
    InputSourceError,
    folder_item_input,
    open_input,
)
from picsart_component.lib.store import LocalStore
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import TWO_STEPS, invoke, png, results, summary


def test_jsonl_items_are_keyed_by_line_number(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"url": "a"}\n\n  \n"just text"\n{"url": \n[1, 2]\n{"n": NaN}\n\xff\n'
    )
    items = open_input(path).read()
    assert [item.key for item in items] == [1, 4, 5, 6, 7, 8]
    assert items[0].value == {"url": "a"}
    assert items[1].value == "just text"
    assert items[2].problem is not None
    assert items[2].problem.startswith("line 5 is not valid JSON: ")
    assert items[3].value == [1, 2]
    assert items[4].problem == "line 7 is not valid JSON: NaN is not a JSON number"
    assert items[5].problem == "line 8 is not UTF-8 (byte 0)"


def test_csv_rows_are_items_with_the_columns_as_keys(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        '\ufeffsku,url\nA,https://x.test/a.png\n\nB,"https://x.test/b,c.png"\n'
        'C\nD,"two\nlines"\nE,x,extra\n',
        encoding="utf-8",
    )
    items = open_input(path).read()
    assert [item.key for item in items] == [1, 2, 3, 4, 5]
    assert items[0].value == {"sku": "A", "url": "https://x.test/a.png"}
    assert items[1].value == {"sku": "B", "url": "https://x.test/b,c.png"}
    assert items[2].problem == "row 3 (line 5) has 1 values, but the header has 2 columns"
    assert items[3].value == {"sku": "D", "url": "two\nlines"}
    assert items[4].problem == "row 5 (line 8) has 3 values, but the header has 2 columns"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("sku,,url", "column 2 of the header has no name"),
        ("url,sku,url", "the header names the column 'url' twice"),
    ],
)
def test_a_csv_header_that_cannot_name_keys_is_refused(
    tmp_path: Path, header: str, message: str
) -> None:
    path = tmp_path / "items.csv"
    path.write_text(header + "\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputSourceError, match=message):
        open_input(path).read()


def test_a_folder_gives_one_item_per_file_keyed_by_its_relative_path(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    (folder / ".cache").mkdir()
    for name in ("b.png", "a.jpg", "sub/c.png", ".DS_Store", ".cache/x.png", "results.jsonl"):
        (folder / name).write_bytes(b"x")
    source = open_input(folder, exclude=[folder / "results.jsonl"])
    assert [item.key for item in source.read()] == ["a.jpg", "b.png", "sub/c.png"]
    before = source.fingerprint()
    (folder / "d.png").write_bytes(b"y")
    assert source.fingerprint() != before


def test_a_folder_file_is_copied_into_the_store_when_its_item_starts(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "mug.png").write_bytes(png())
    (item,) = open_input(folder).read()
    store = LocalStore(tmp_path / "store")
    item_input = folder_item_input(item, store)
    assert item_input["file"] == "mug.png"
    assert item_input["image"].endswith(".png")
    with store.read(item_input["image"]) as chunks:
        assert b"".join(chunks) == png()


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("items.txt", None, "cannot tell what kind of input items.txt is"),
        ("items.txt", "folder", "is a file, not a folder"),
        ("missing.jsonl", None, "does not exist"),
    ],
)
def test_an_input_of_unknown_kind_is_refused(
    tmp_path: Path, name: str, kind: str | None, message: str
) -> None:
    path = tmp_path / name
    if name != "missing.jsonl":
        path.write_text("x", encoding="utf-8")
    with pytest.raises(InputSourceError, match=message):
        open_input(path, kind)


def test_input_format_overrides_the_name(tmp_path: Path) -> None:
    path = tmp_path / "items.txt"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    assert open_input(path, "jsonl").read()[0].value == {"a": 1}


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(TWO_STEPS, encoding="utf-8")
    return path


def test_a_jsonl_batch_runs_end_to_end(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str, flow_file: Path
) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        f'{{"url": "{photo_url}a.png"}}\n\nnot json\n{{"url": "{photo_url}b.png"}}\n',
        encoding="utf-8",
    )
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow_file), "--input", str(items), "--out", str(out))
    assert result.exit_code == 1
    lines = {line["item"]: line for line in results(out)}
    assert sorted(lines) == [1, 3, 4]
    assert lines[1]["status"] == lines[4]["status"] == "done"
    assert lines[4]["input"] == {"url": f"{photo_url}b.png"}
    assert lines[4]["steps"]["large"]["data"]["url"].startswith(sandbox.root_url + "results/")
    assert lines[3]["error"] == {
        "step": "input",
        "name": "InputError",
        "message": "line 3 is not valid JSON: Expecting value: line 1 column 1 (char 0)",
    }
    assert summary(result)["done"] == 2
    assert summary(result)["failed"] == 1


def test_a_csv_batch_runs_end_to_end(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str, flow_file: Path
) -> None:
    items = tmp_path / "items.csv"
    items.write_text(f"sku,url\nA,{photo_url}a.png\nB,{photo_url}b.png\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow_file), "--input", str(items), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    lines = sorted(results(out), key=lambda line: line["item"])
    assert [line["item"] for line in lines] == [1, 2]
    assert lines[1]["input"] == {"sku": "B", "url": f"{photo_url}b.png"}
    assert all(line["status"] == "done" for line in lines)


def test_a_folder_batch_uploads_each_file_through_the_store(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "mug.png").write_bytes(png((40, 30), "red"))
    (folder / "lamp.png").write_bytes(png((44, 33), "blue"))
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        TWO_STEPS.replace('"image_url": input.url', '"image": input.image'), encoding="utf-8"
    )
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow), "--input", str(folder), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    lines = {line["item"]: line for line in results(out)}
    assert sorted(lines) == ["lamp.png", "mug.png"]
    stored = lines["mug.png"]["input"]
    assert stored["file"] == "mug.png"
    assert stored["image"].startswith((tmp_path / "store").as_uri())
    uploads = [e for e in sandbox.request_log() if e["path"] == "/tools/1.0/removebg"]
    assert sorted(e["files"][0]["size"] for e in uploads) == sorted(
        len(png(size, color)) for size, color in (((40, 30), "red"), ((44, 33), "blue"))
    )
