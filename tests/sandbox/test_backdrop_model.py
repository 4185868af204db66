"""Remove background's segmentation, vectorised with numpy for speed, gives the masks of the
pure-Python form the quality tests in ``test_imaging.py`` were reviewed with. That form is kept
here, as it was, so that a change of speed can never quietly change a cutout."""

from __future__ import annotations

import math
import operator
import random
import re
from collections.abc import Sequence
from statistics import median

import pytest
from PIL import Image, ImageChops, ImageOps

from picsart_component.sandbox import imaging
from picsart_component.sandbox.samples import SAMPLE_NAMES, sample_image

SIZES = [(8, 6), (96, 72), (480, 360), (33, 250), (700, 520)]

Run = tuple[int, int, int]


def _dot(first: Sequence[float], second: Sequence[float]) -> float:
    return float(sum(map(operator.mul, first, second)))


def _terms(u: float, v: float) -> tuple[float, ...]:
    x, y = u - 0.5, v - 0.5
    return (1.0, x, y, x * x, x * y, y * y)


def _solve(matrix: list[list[float]], target: list[float]) -> tuple[float, ...]:
    size = len(target)
    rows = [[*matrix[row], target[row]] for row in range(size)]
    for pivot in range(size):
        best = max(range(pivot, size), key=lambda row: abs(rows[row][pivot]))
        rows[pivot], rows[best] = rows[best], rows[pivot]
        for row in range(pivot + 1, size):
            factor = rows[row][pivot] / rows[pivot][pivot]
            for column in range(pivot, size + 1):
                rows[row][column] -= factor * rows[pivot][column]
    solution = [0.0] * size
    for row in reversed(range(size)):
        known = sum(rows[row][column] * solution[column] for column in range(row + 1, size))
        solution[row] = (rows[row][size] - known) / rows[row][row]
    return tuple(solution)


def _fit_quadratic(terms: list[tuple[float, ...]], colours: list[bytes]) -> list[tuple[float, ...]]:
    columns = list(zip(*terms, strict=True))
    normal = [
        [_dot(first, second) + (1e-6 if i == j else 0.0) for j, second in enumerate(columns)]
        for i, first in enumerate(columns)
    ]
    values = [tuple(float(v) for v in channel) for channel in zip(*colours, strict=True)]
    return [_solve(normal, [_dot(column, channel) for column in columns]) for channel in values]


def _border_samples(rgb: Image.Image) -> tuple[list[tuple[float, float]], list[bytes]]:
    width, height = rgb.size
    depth = min(imaging._BORDER_DEPTH, width, height)
    across = min(imaging._BORDER_SAMPLES, width)
    down = min(imaging._BORDER_SAMPLES, height)
    edges = (
        ((0, 0, width, depth), (across, 1), lambda t: (t, 0.0)),
        ((0, height - depth, width, height), (across, 1), lambda t: (t, 1.0)),
        ((0, 0, depth, height), (1, down), lambda t: (0.0, t)),
        ((width - depth, 0, width, height), (1, down), lambda t: (1.0, t)),
    )
    positions: list[tuple[float, float]] = []
    colours: list[bytes] = []
    for box, shape, position in edges:
        data = rgb.crop(box).resize(shape, Image.Resampling.BOX).tobytes()
        count = len(data) // 3
        positions.extend(position((index + 0.5) / count) for index in range(count))
        colours.extend(data[index : index + 3] for index in range(0, len(data), 3))
    return positions, colours


def plain_backdrop_model(rgb: Image.Image) -> Image.Image:
    positions, colours = _border_samples(rgb)
    terms = [_terms(u, v) for u, v in positions]
    centre = [median(colour[channel] for colour in colours) for channel in range(3)]
    residuals = [max(abs(c - m) for c, m in zip(colour, centre, strict=True)) for colour in colours]
    coefficients: list[tuple[float, ...]] = []
    for _ in range(imaging._FIT_ROUNDS):
        limit = max(imaging._OUTLIER_FLOOR, 2.5 * median(residuals))
        inliers = [index for index, residual in enumerate(residuals) if residual <= limit]
        coefficients = _fit_quadratic([terms[i] for i in inliers], [colours[i] for i in inliers])
        residuals = [
            max(
                abs(value - _dot(channel, sample))
                for value, channel in zip(colour, coefficients, strict=True)
            )
            for sample, colour in zip(terms, colours, strict=True)
        ]
    width, height = min(rgb.width, imaging._FIELD_GRID), min(rgb.height, imaging._FIELD_GRID)
    cells = [
        _terms((column + 0.5) / width, (row + 0.5) / height)
        for row in range(height)
        for column in range(width)
    ]
    values = bytes(
        max(0, min(255, round(_dot(channel, cell)))) for cell in cells for channel in coefficients
    )
    return Image.frombytes("RGB", (width, height), values).resize(
        rgb.size, Image.Resampling.BILINEAR
    )


def _connected_runs(mask: Image.Image, value: int, *, diagonal: bool) -> list[list[Run]]:
    width, height = mask.size
    data = mask.tobytes()
    pattern = re.compile(re.escape(bytes([value])) + b"+")
    reach = 1 if diagonal else 0
    runs: list[Run] = []
    parent: list[int] = []

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    previous: list[int] = []
    for row in range(height):
        offset = row * width
        current: list[int] = []
        first = 0
        for match in pattern.finditer(data, offset, offset + width):
            start, end = match.start() - offset, match.end() - offset
            index = len(runs)
            runs.append((row, start, end))
            parent.append(index)
            while first < len(previous) and runs[previous[first]][2] + reach <= start:
                first += 1
            for above in previous[first:]:
                if runs[above][1] >= end + reach:
                    break
                parent[root(above)] = root(index)
            current.append(index)
        previous = current
    pieces: dict[int, list[Run]] = {}
    for index, run in enumerate(runs):
        pieces.setdefault(root(index), []).append(run)
    return list(pieces.values())


def _paint(size: tuple[int, int], runs: list[Run]) -> Image.Image:
    width, height = size
    pixels = bytearray(width * height)
    for row, start, end in runs:
        pixels[row * width + start : row * width + end] = b"\xff" * (end - start)
    return Image.frombytes("L", size, bytes(pixels))


def plain_regions(core: Image.Image) -> tuple[Image.Image, Image.Image, int]:
    cell = max(1, math.ceil(max(core.size) / imaging._REGION_SIDE))
    cells = (core.reduce(cell) if cell > 1 else core).point([0] + [255] * 255)
    width, height = cells.size
    backdrop_runs = [
        run
        for piece in _connected_runs(cells, 0, diagonal=False)
        if any(row in (0, height - 1) or start == 0 or end == width for row, start, end in piece)
        for run in piece
    ]
    backdrop = _paint(cells.size, backdrop_runs)
    pieces = _connected_runs(ImageChops.invert(backdrop), 255, diagonal=True)
    areas = [sum(end - start for _, start, end in piece) for piece in pieces]
    biggest = max(areas, default=0)
    subject_runs = [
        run
        for piece, area in zip(pieces, areas, strict=True)
        if area >= imaging._MIN_PIECE_SHARE * biggest
        for run in piece
    ]
    subject = _paint(cells.size, subject_runs)
    return (
        backdrop.resize(core.size, Image.Resampling.NEAREST),
        subject.resize(core.size, Image.Resampling.NEAREST),
        cell,
    )


def _photos(name: str, size: tuple[int, int]) -> list[Image.Image]:
    return [sample_image(name, size), ImageOps.mirror(sample_image(name, size))]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_vectorised_segmentation_gives_the_reviewed_masks(
    name: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    photos = _photos(name, size)
    fast_models = [imaging._backdrop_model(photo).tobytes() for photo in photos]
    fast_masks = [imaging._subject_alpha(photo).tobytes() for photo in photos]
    monkeypatch.setattr(imaging, "_backdrop_model", plain_backdrop_model)
    monkeypatch.setattr(imaging, "_regions", plain_regions)
    assert fast_models == [plain_backdrop_model(photo).tobytes() for photo in photos]
    assert fast_masks == [imaging._subject_alpha(photo).tobytes() for photo in photos]


@pytest.mark.parametrize("seed", range(12))
def test_the_vectorised_regions_match_the_reviewed_ones_on_ragged_masks(seed: int) -> None:
    """Random specks, holes and diagonal touches: where connectivity code goes wrong."""
    chooser = random.Random(seed)
    width, height = chooser.randint(1, 90), chooser.randint(1, 70)
    share = chooser.choice([0.2, 0.5, 0.8])
    pixels = bytes(255 if chooser.random() < share else 0 for _ in range(width * height))
    core = Image.frombytes("L", (width, height), pixels)
    fast = imaging._regions(core)
    plain = plain_regions(core)
    assert fast[2] == plain[2]
    assert fast[0].tobytes() == plain[0].tobytes()
    assert fast[1].tobytes() == plain[1].tobytes()
