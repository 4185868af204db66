"""The status each operation's OpenAPI file gives a request it refuses for what it holds.

The image API's file lists 422 for every operation but Add watermark; the GenAI file defines a
422 but lists it for no path, and lists 400 for a request it refuses; the video file lists no
422 for any of its operations but FPS upscale and the balance, and the Variable Data file lists
422 for each of its operations. The sandbox answers a refused request as its operation's file does
(``refusal_status``), and ``tests/catalogue`` checks ``LISTS_NO_422`` against the vendored
files, so that the set stays what they say.
"""

from __future__ import annotations

LISTS_NO_422: frozenset[str] = frozenset(
    (
        "textToImage", "textToSticker", "laserEngraving", "generateLogo", "editImage",
        "inpaint", "outpaint", "smartBackground", "expandImage", "removeObject",
        "generateBleed", "textToVideo", "imageToVideo", "textToSpeech", "textToSound",
        "chatCompletions", "genaiBalance", "addWatermark", "trimVideo",
        "concatVideos", "videoHighlights", "makeVideoCtvCompatible", "removeVideoBackground",
        "uploadVideo", "cropVideo", "fitVideo", "editVideo", "adjustVideo", "applyVideoEffect",
        "addVideoWatermark", "videoMetadata", "extractVideoThumbnail", "setVideoThumbnail",
        "adjustAudio", "extractAudio", "transcribeAudio",
    )
)  # fmt: skip
"""The catalogue's operations whose file lists no 422 among their answers."""


def refusal_status(operation: str) -> int:
    """The status for a request to ``operation`` (the catalogue's name) refused for its fields
    or its files: 422 where the operation's file lists it, else 400, which every file lists."""
    return 400 if operation in LISTS_NO_422 else 422
