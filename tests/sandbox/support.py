"""Helpers the sandbox tests share: the test key, a hand-moved clock, small real images."""

from __future__ import annotations

import io

from PIL import Image

KEY = "sandbox-test-key-0123456789abcdef"
HEADERS = {"X-Picsart-API-Key": KEY, "Accept": "application/json"}
START = 1_800_000_000.0


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def png_bytes(size: tuple[int, int] = (48, 36), color: str = "red", fmt: str = "PNG") -> bytes:
    """A small real image: a coloured square on a white backdrop."""
    image = Image.new("RGB", size, "white")
    image.paste(Image.new("RGB", (size[0] // 2, size[1] // 2), color), (size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()
