"""Helpers the sandbox tests share: the test key, a hand-moved clock, small real images, a small
valid call of each GenAI operation and Ultra Upscale, and one of each other image API operation."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from werkzeug.test import Client, TestResponse

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


def mask_bytes(size: tuple[int, int] = (48, 36)) -> bytes:
    """A mask: black, with the area to paint (the middle) white."""
    mask = Image.new("L", size, 0)
    mask.paste(255, (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4))
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    return buffer.getvalue()


def rgba_bytes(size: tuple[int, int] = (48, 36)) -> bytes:
    """A small PNG with a transparent hole in the middle (single-image inpainting)."""
    image = Image.new("RGBA", size, (40, 120, 200, 255))
    hole = Image.new("RGBA", (size[0] // 3, size[1] // 3), (0, 0, 0, 0))
    image.paste(hole, (size[0] // 3, size[1] // 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "chat": ("json", {"messages": [{"role": "user", "content": "name a mug shop"}]}),
    "text2image": ("json", {"prompt": "a red mug", "width": 64, "height": 64, "count": 1}),
    "text2sticker": ("json", {"prompt": "a fox", "width": 64, "height": 64, "count": 1}),
    "laserengraving": ("json", {"prompt": "an owl", "width": 64, "height": 64, "count": 1}),
    "logo": ("form", {"brand_name": "Mugs", "business_description": "coffee mugs", "count": "1"}),
    "edit": ("image", {"prompt": "at sunset", "count": "1"}),
    "inpaint": ("image+mask", {"prompt": "flowers", "count": "1"}),
    "outpaint": ("image+mask", {"prompt": "a meadow", "count": "1"}),
    "remove-object": ("image+mask", {}),
    "replace-background": ("image", {"prompt": "a beach", "count": "1"}),
    "expand": ("image", {"prompt": "the sea", "count": "1", "width": "64", "height": "48"}),
    "bleed": ("image", {"bleed_size": "4"}),
    "text2video": ("json", {"prompt": "waves", "width": 64, "height": 64, "length": 1}),
    "image2video": ("image", {"prompt": "zoom", "width": "64", "height": "64", "length": "1"}),
    "text2speech": ("json", {"text": "Hello mugs."}),
    "text2sound": ("json", {"prompt": "rain", "duration": 0.5}),
    "ultra": ("image", {"upscale_factor": "2"}),
}
"""A small valid call of each new operation: its body kind and fields."""
PATHS = {
    "chat": "/v1/text2text/chat/completions",
    "laserengraving": "/v1/text2sticker/laserengraving",
    "edit": "/v1/painting/edit",
    "inpaint": "/v1/painting/inpaint",
    "outpaint": "/v1/painting/outpaint",
    "remove-object": "/v1/painting/remove-object",
    "replace-background": "/v1/painting/replace-background",
    "expand": "/v1/painting/expand",
    "bleed": "/v1/painting/bleed",
    "ultra": "/tools/1.0/upscale/ultra",
}


POLLS = {
    "text2image": "/v1/text2image/inferences/",
    "text2sticker": "/v1/text2sticker/inferences/",
    "laserengraving": "/v1/text2sticker/inferences/",
    "logo": "/v1/logo/inferences/",
    "text2video": "/v1/video/",
    "image2video": "/v1/video/",
    "text2speech": "/v1/audio/",
    "text2sound": "/v1/audio/",
    "ultra": "/tools/1.0/upscale/ultra/",
}
"""Where each operation's jobs are polled; the painting operations' at ``/v1/painting/``."""


def operation_path(name: str) -> str:
    return PATHS.get(name, f"/v1/{name}")


def call_kwargs(name: str, drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """``Client.post`` keywords for a valid call of ``name``, with ``fields`` changed and ``drop``
    left out; in a form, a ``bytes`` value is sent as a file part."""
    kind, base = BODIES[name]
    values = {key: value for key, value in {**base, **fields}.items() if key not in drop}
    if kind == "json":
        return {"json": values}
    data: dict[str, Any] = {
        key: (io.BytesIO(value), f"{key}.png") if isinstance(value, bytes) else value
        for key, value in values.items()
    }
    if kind.startswith("image") and "image" not in drop:
        data.setdefault("image", (io.BytesIO(png_bytes()), "photo.png"))
    if kind.endswith("+mask") and "mask_image" not in drop:
        data.setdefault("mask_image", (io.BytesIO(mask_bytes()), "mask.png"))
    return {"data": data}


def send(client: Client, name: str, prefer: str | None = None, **fields: Any) -> TestResponse:
    headers = {**HEADERS, "Prefer": prefer} if prefer else HEADERS
    return client.post(operation_path(name), headers=headers, **call_kwargs(name, **fields))


def poll_path(name: str, job_id: str) -> str:
    return POLLS.get(name, "/v1/painting/") + job_id


def job_id(response: TestResponse) -> str:
    body = response.get_json()
    found = body.get("inference_id", body.get("transaction_id"))
    assert isinstance(found, str)
    return found


SVG_DESIGN = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'
    b'<g id="shapes"><rect width="10" height="10"/><circle r="4"/></g>'
    b'<path id="line" d="M0 0 L10 10"/><text x="1" y="9">Mugs</text></svg>'
)
"""A design of 6 elements: svg, g, rect, circle, path, text; 3 top-level layers."""

AI_DESIGN = (
    b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
"""An Illustrator file as modern ones are: a PDF of 2 pages and 4 objects."""

TOOLS_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "upscale-enhance": ("upscale/enhance", {"upscale_factor": "2"}),
    "enhance-face": ("enhance/face", {}),
    "effects": ("effects", {"effect_name": "apr1", "fade": "20"}),
    "effects-previews": ("effects/previews", {"effect_names": "apr1, blur", "preview_size": "50"}),
    "effects-laserengraving": ("effects/laserengraving", {"engrave_color": "#004"}),
    "effects-ai": ("effects/ai", {"effect_name": "cartoon1"}),
    "adjust": ("adjust", {"brightness": "20", "hue": "-100", "vignette": "30"}),
    "selective-blur": ("selective-blur", {"segment": "background", "blur": "10"}),
    "color-transfer": ("color-transfer", {"reference_image": "<reference>"}),
    "styletransfer": ("styletransfer", {"reference_image": "<reference>", "level": "L3"}),
    "masks": ("masks", {"mask": "lace1", "blend": "overlay", "mask_flip": "mirror vertical"}),
    "masks-previews": ("masks/previews", {"mask": "lace1,rpl3", "preview_size": "60"}),
    "background-texture": ("background/texture", {"width": "64", "height": "40"}),
    "background-pattern": ("background/pattern", {"width": "64", "height": "40", "scale": "1.5"}),
    "vectorizer": ("vectorizer", {}),
    "design2replay": ("design2replay", {"file": SVG_DESIGN}),
    "surfacemap": ("surfacemap", {"mask": "<mask>", "sticker": "<reference>"}),
    "watermark": ("watermark", {"anchor_point": "pattern", "watermark_opacity": "80"}),
    "basic-edit": ("edit", {"mode": "resize", "width": "32", "height": "24"}),
    "smart-crop": ("smart-crop", {"segment": "foreground", "ratio": "1:1"}),
    "blend": ("blend", {"overlay_image": "<reference>", "blend_mode": "multiply"}),
    "zoom": ("zoom", {"scale_factor": "2", "anchor_point": "ai"}),
    "multi-matting": ("multi-matting", {"segmentation_class": "foreground"}),
    "tags": ("tags", {}),
    "describe": ("describe", {}),
    "cars-classify": ("cars/classify", {}),
    "extract-colors": ("extract-colors", {}),
}
"""A small valid call of each image API operation added after the first five: its path under
``/tools/1.0/`` and its fields. ``"<reference>"`` and ``"<mask>"`` stand for a second picture
and a mask of the image's size, sent as file parts; ``bytes`` are sent as files too."""
TOOLS_IMAGE_SIZE = (64, 48)


def tools_kwargs(name: str, drop: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """``Client.post`` keywords for a valid call of the image API operation ``name``, with
    ``fields`` changed and ``drop`` left out (``image`` too, to send none)."""
    _, base = TOOLS_CALLS[name]
    values = {key: value for key, value in {**base, **fields}.items() if key not in drop}
    pictures = {
        "<reference>": png_bytes(TOOLS_IMAGE_SIZE, "navy"),
        "<mask>": mask_bytes(TOOLS_IMAGE_SIZE),
    }
    data: dict[str, Any] = {}
    for key, given in values.items():
        value = pictures.get(given, given) if isinstance(given, str) else given
        data[key] = (io.BytesIO(value), f"{key}.png") if isinstance(value, bytes) else value
    if name != "design2replay" and "image" not in drop:
        data.setdefault("image", (io.BytesIO(png_bytes(TOOLS_IMAGE_SIZE)), "photo.png"))
    return {"data": data}


def send_tool(client: Client, name: str, drop: tuple[str, ...] = (), **fields: Any) -> TestResponse:
    path = "/tools/1.0/" + TOOLS_CALLS[name][0]
    return client.post(path, headers=HEADERS, **tools_kwargs(name, drop, **fields))
