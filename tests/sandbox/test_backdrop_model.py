"""The backdrop model behind Remove background's masks, written out for speed, gives exactly the
pixels of its plain form (a dot product per term), which the quality tests in
``test_imaging.py`` were reviewed with: a change of speed must not change a mask."""

from __future__ import annotations

from statistics import median

import pytest
from PIL import Image, ImageOps

from picsart_component.sandbox import imaging
from picsart_component.sandbox.samples import SAMPLE_NAMES, sample_image

SIZES = [(8, 6), (96, 72), (480, 360), (33, 250)]


def plain_backdrop_model(rgb: Image.Image) -> Image.Image:
    """``imaging._backdrop_model`` as it was reviewed, with ``_dot`` for every value."""
    positions, colours = imaging._border_samples(rgb)
    terms = [imaging._terms(u, v) for u, v in positions]
    centre = [median(colour[channel] for colour in colours) for channel in range(3)]
    residuals = [max(abs(c - m) for c, m in zip(colour, centre, strict=True)) for colour in colours]
    coefficients: list[tuple[float, ...]] = []
    for _ in range(imaging._FIT_ROUNDS):
        limit = max(imaging._OUTLIER_FLOOR, 2.5 * median(residuals))
        inliers = [index for index, residual in enumerate(residuals) if residual <= limit]
        coefficients = imaging._fit_quadratic(
            [terms[i] for i in inliers], [colours[i] for i in inliers]
        )
        residuals = [
            max(
                abs(value - imaging._dot(channel, sample))
                for value, channel in zip(colour, coefficients, strict=True)
            )
            for sample, colour in zip(terms, colours, strict=True)
        ]
    grid = (min(rgb.width, imaging._FIELD_GRID), min(rgb.height, imaging._FIELD_GRID))
    values = bytes(
        max(0, min(255, round(imaging._dot(channel, cell))))
        for cell in imaging._grid_terms(grid)
        for channel in coefficients
    )
    return Image.frombytes("RGB", grid, values).resize(rgb.size, Image.Resampling.BILINEAR)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_fast_backdrop_model_gives_the_reviewed_pixels(
    name: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    images = [sample_image(name, size), ImageOps.mirror(sample_image(name, size))]
    fast = [imaging._backdrop_model(image).tobytes() for image in images]
    masks = [imaging._subject_alpha(image).tobytes() for image in images]
    monkeypatch.setattr(imaging, "_backdrop_model", plain_backdrop_model)
    assert fast == [plain_backdrop_model(image).tobytes() for image in images]
    assert masks == [imaging._subject_alpha(image).tobytes() for image in images]
