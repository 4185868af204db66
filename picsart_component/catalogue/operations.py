"""Every Picsart operation, one row each: the facts of Picsart's API that the component and the
sandbox both need, under one name.

A row's ``name`` is the component's name for the operation: the action that runs it where one
does (``removeBackground``), else a name of its own (``imageBalance``). ``target`` is the short
name the sandbox's fault specs and request counts take (``removebg``): the path's own words, as
Picsart's documents say them. Everything else is what Picsart's OpenAPI files say of the
operation, except where ``differences.py`` says why not; ``tests/catalogue`` checks each row
against the vendored files.

``price`` is what the sandbox charges, in credits, and is made up: Picsart publishes no per-call
price. It is per call, or per result where the call takes a ``count`` (2 for each generated image,
sticker or logo; 1 for each painting result). The image API's edits, effects, masks, patterns and
analyses cost 1; what a generative model does at Picsart costs 2 (Ultra Upscale, Ultra Enhance,
face enhancement, AI effects, style transfer, the vectorizer, surface maps); a design import 5, a
generated video 10. The video API's edits of a video (trim, crop, fit, edit, adjust, effects,
watermark, concatenation, highlights, CTV encoding) and an audio adjustment or a transcription
cost 3; what runs a model on every frame (FPS upscale, video background removal) 5; a set
thumbnail or an extracted sound 2; metadata and thumbnail extraction 1. The Variable Data API's
export of a replay costs 2, a description or content export of one 1. Previews cost 1 a call,
however many names they list. Polls, balances, the lists of effects, upload (of every API) and
``GET /image/{id}`` are free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Api = Literal["image", "genai", "video", "vd"]
Method = Literal["GET", "POST"]
Runs = Literal["at once", "as a job", "either"]
BodyKind = Literal["json", "multipart", "none"]
ResultKind = Literal[
    "object", "list", "previews", "text", "credits", "names", "analysis", "colors", "lookup"
]
"""What a 200's ``data`` holds: one file (``object``), files (``list``), files each named
(``previews``), a reply (``text``), no ``data`` but the balance (``credits``), ``[{name}]``
(``names``), findings (``analysis``), colour codes (``colors``), or one stored file found by the
id that ends the path (``lookup``)."""
ResultShape = Literal["list", "object", "text", "value"]
"""The same, as an action's output has it: files, a file, a text, or a value holding no file."""


@dataclass(frozen=True)
class PicsartApi:
    """One of Picsart's APIs: its production base URL, how its jobs are named, and where the
    sandbox serves it: all APIs share the sandbox's one port, and the GenAI, video and Variable
    Data (``vd``) APIs all start their paths with ``/v1/`` at Picsart, so the sandbox serves the
    video API under ``/video/v1/`` (and, in sandbox mode, ``https://video-api.picsart.io/v1/trim``
    there) and the VD API under ``/vd/v1/``."""

    name: Api
    host: str
    prefix: str
    job_id_field: str
    openapi_file: str
    sandbox_prefix: str

    @property
    def base_url(self) -> str:
        return f"https://{self.host}{self.prefix}"


APIS: Mapping[Api, PicsartApi] = MappingProxyType(
    {
        "image": PicsartApi(
            "image",
            "api.picsart.io",
            "/tools/1.0/",
            "transaction_id",
            "picsart-image-tools-openapi.yml",
            "/tools/1.0/",
        ),
        "genai": PicsartApi(
            "genai",
            "genai-api.picsart.io",
            "/v1/",
            "inference_id",
            "picsart-genai-openapi.yml",
            "/v1/",
        ),
        "video": PicsartApi(
            "video",
            "video-api.picsart.io",
            "/v1/",
            "transaction_id",
            "picsart-video-openapi.yml",
            "/video/v1/",
        ),
        "vd": PicsartApi(
            "vd",
            "vd-api.picsart.io",
            "/v1/",
            "transaction_id",
            "picsart-vd-openapi.yml",
            "/vd/v1/",
        ),
    }
)


@dataclass(frozen=True)
class Poll:
    """Where an operation's jobs are polled: ``path`` holds ``{id}``. ``data`` is how a finished
    job gives its results (``list``, or ``object`` for one); ``item_status`` adds each item's
    status, as the inference polls do."""

    target: str
    api: Api
    path: str
    data: Literal["list", "object"]
    item_status: bool = False

    @property
    def prefix(self) -> str:
        """The path before the id: ``painting/``."""
        return self.path.removesuffix("{id}")


@dataclass(frozen=True)
class Operation:
    """One call of Picsart's API. ``runs`` says which answers its OpenAPI file offers: a 200
    with the result (``at once``), a 202 with a job id (``as a job``), or both (``either``: the
    action's Execution field chooses). ``poll`` is where its jobs are polled (none for an
    operation that answers at once); ``video`` marks what the sandbox renders with its video
    extra."""

    name: str
    title: str
    api: Api
    method: Method
    path: str
    runs: Runs
    body: BodyKind
    result: ResultKind
    price: int
    target: str
    poll: Poll | None = None
    video: bool = False

    @property
    def sync(self) -> bool:
        return self.runs != "as a job"

    @property
    def asynchronous(self) -> bool:
        return self.runs != "at once"

    @property
    def chooses_execution(self) -> bool:
        return self.runs == "either"

    @property
    def job_id_field(self) -> str:
        return APIS[self.api].job_id_field

    @property
    def poll_path(self) -> str:
        """Where a job is polled, ``{id}`` standing for its id; empty when it makes no jobs."""
        return self.poll.path if self.poll else ""

    def poll_url(self, job_id: str) -> str:
        return self.poll_path.format(id=job_id)

    @property
    def shape(self) -> ResultShape:
        """The result as an action's output holds it."""
        return _SHAPES[self.result]

    @property
    def id_in_path(self) -> bool:
        return self.path.endswith("{id}")


_SHAPES: Mapping[ResultKind, ResultShape] = {
    "object": "object",
    "lookup": "object",
    "list": "list",
    "previews": "list",
    "text": "text",
    "credits": "value",
    "names": "value",
    "analysis": "value",
    "colors": "value",
}

_TEXT2IMAGE = Poll("poll-text2image", "genai", "text2image/inferences/{id}", "list", True)
_TEXT2STICKER = Poll("poll-text2sticker", "genai", "text2sticker/inferences/{id}", "list", True)
_LOGO = Poll("poll-logo", "genai", "logo/inferences/{id}", "list", True)
_PAINTING = Poll("poll-painting", "genai", "painting/{id}", "list")
_VIDEO = Poll("poll-video", "genai", "video/{id}", "object")
_AUDIO = Poll("poll-audio", "genai", "audio/{id}", "object")
_ULTRA = Poll("poll-ultra", "image", "upscale/ultra/{id}", "object")
_DESIGN2REPLAY = Poll("poll-design2replay", "image", "design2replay/{id}", "object")
_VIDEO_API_RESULT = Poll("video-poll", "video", "video/{id}", "object")
# issue 28, group A (crop, fit, edit, adjust, effects, watermark)
# issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
_FPS_UPSCALE = Poll("video-upscale-fps-poll", "video", "upscale/fps/{id}", "object")
# issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
_VIDEO_API_AUDIO = Poll("video-audio-poll", "video", "audio/{id}", "object")
_VIDEO_API_THUMBNAIL = Poll("video-thumbnail-poll", "video", "metadata/thumbnail/{id}", "object")
_VIDEO_API_TRANSCRIPT = Poll("video-transcribe-poll", "video", "audio/transcribe/{id}", "object")
# issue 28, group D (the Variable Data API)
_VD_REPLAY = Poll("vd-replay-poll", "vd", "export/replay/{id}", "object")
_VD_CONTENT = Poll("vd-content-poll", "vd", "export/variable-data-content/{id}", "list")
POLLS: tuple[Poll, ...] = (
    _TEXT2IMAGE, _TEXT2STICKER, _LOGO, _PAINTING, _VIDEO, _AUDIO, _ULTRA, _DESIGN2REPLAY,
    _VIDEO_API_RESULT,
    # issue 28, group A (crop, fit, edit, adjust, effects, watermark)
    # issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
    _FPS_UPSCALE,
    # issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
    _VIDEO_API_AUDIO, _VIDEO_API_THUMBNAIL, _VIDEO_API_TRANSCRIPT,
    # issue 28, group D (the Variable Data API)
    _VD_REPLAY, _VD_CONTENT,
)  # fmt: skip

Op = Operation
OPERATIONS: tuple[Operation, ...] = (
    # name, title, API, method, path, how it runs, body, result, price, sandbox target, poll
    Op("textToImage", "Text to image", "genai", "POST", "text2image", "as a job", "json", "list",
      2, "text2image", _TEXT2IMAGE),
    Op("textToSticker", "Text to sticker", "genai", "POST", "text2sticker", "as a job", "json",
      "list", 2, "text2sticker", _TEXT2STICKER),
    Op("laserEngraving", "Text to laser engraving", "genai", "POST",
      "text2sticker/laserengraving", "as a job", "json", "list", 2, "laserengraving",
      _TEXT2STICKER),
    Op("generateLogo", "Generate logo", "genai", "POST", "logo", "as a job", "multipart", "list",
      2, "logo", _LOGO),
    Op("editImage", "Edit image with a prompt", "genai", "POST", "painting/edit", "either",
      "multipart", "list", 1, "edit", _PAINTING),
    Op("inpaint", "Inpaint", "genai", "POST", "painting/inpaint", "either", "multipart", "list",
      1, "inpaint", _PAINTING),
    Op("outpaint", "Outpaint", "genai", "POST", "painting/outpaint", "either", "multipart", "list",
      1, "outpaint", _PAINTING),
    Op("smartBackground", "Smart background", "genai", "POST", "painting/replace-background",
      "either", "multipart", "list", 1, "replace-background", _PAINTING),
    Op("expandImage", "Expand image", "genai", "POST", "painting/expand", "either", "multipart",
      "list", 1, "expand", _PAINTING),
    Op("removeObject", "Remove object", "genai", "POST", "painting/remove-object", "either",
      "multipart", "object", 1, "remove-object", _PAINTING),
    Op("generateBleed", "Generate bleed", "genai", "POST", "painting/bleed", "at once",
      "multipart", "object", 1, "bleed"),
    Op("textToVideo", "Text to video", "genai", "POST", "text2video", "as a job", "json", "object",
      10, "text2video", _VIDEO, video=True),
    Op("imageToVideo", "Image to video", "genai", "POST", "image2video", "as a job", "multipart",
      "object", 10, "image2video", _VIDEO, video=True),
    Op("textToSpeech", "Text to speech", "genai", "POST", "text2speech", "as a job", "json",
      "object", 1, "text2speech", _AUDIO),
    Op("textToSound", "Text to sound", "genai", "POST", "text2sound", "as a job", "json", "object",
      1, "text2sound", _AUDIO),
    Op("chatCompletions", "Chat completions", "genai", "POST", "text2text/chat/completions",
      "at once", "json", "text", 1, "chat"),
    Op("genaiBalance", "GenAI balance", "genai", "GET", "balance", "at once", "none", "credits",
      0, "genai-balance"),
    Op("removeBackground", "Remove background", "image", "POST", "removebg", "at once",
      "multipart", "object", 1, "removebg"),
    Op("upscale", "Upscale", "image", "POST", "upscale", "at once", "multipart", "object", 1,
      "upscale"),
    Op("uploadImage", "Upload image", "image", "POST", "upload", "at once", "multipart", "object",
      0, "upload"),
    Op("imageBalance", "Image API balance", "image", "GET", "balance", "at once", "none",
      "credits", 0, "balance"),
    Op("ultraUpscale", "Ultra upscale", "image", "POST", "upscale/ultra", "either", "multipart",
      "object", 2, "ultra", _ULTRA),
    Op("upscaleEnhance", "Ultra enhance", "image", "POST", "upscale/enhance", "at once",
      "multipart", "object", 2, "upscale-enhance"),
    Op("enhanceFace", "Enhance face", "image", "POST", "enhance/face", "at once", "multipart",
      "object", 2, "enhance-face"),
    Op("listEffects", "List effects", "image", "GET", "effects", "at once", "none", "names", 0,
      "effects-list"),
    Op("applyEffect", "Effect", "image", "POST", "effects", "at once", "multipart", "object", 1,
      "effects"),
    Op("effectPreviews", "Effect previews", "image", "POST", "effects/previews", "at once",
      "multipart", "previews", 1, "effects-previews"),
    Op("laserEngravingEffect", "Laser engraving effect", "image", "POST",
      "effects/laserengraving", "at once", "multipart", "object", 1, "effects-laserengraving"),
    Op("listAiEffects", "List AI effects", "image", "GET", "effects/ai", "at once", "none",
      "names", 0, "effects-ai-list"),
    Op("applyAiEffect", "AI effect", "image", "POST", "effects/ai", "at once", "multipart",
      "object", 2, "effects-ai"),
    Op("adjustImage", "Adjust", "image", "POST", "adjust", "at once", "multipart", "object", 1,
      "adjust"),
    Op("selectiveBlur", "Selective blur", "image", "POST", "selective-blur", "at once",
      "multipart", "object", 1, "selective-blur"),
    Op("colorTransfer", "Color transfer", "image", "POST", "color-transfer", "at once",
      "multipart", "object", 1, "color-transfer"),
    Op("styleTransfer", "Style transfer", "image", "POST", "styletransfer", "at once",
      "multipart", "object", 2, "styletransfer"),
    Op("applyMask", "Mask", "image", "POST", "masks", "at once", "multipart", "object", 1,
      "masks"),
    Op("maskPreviews", "Mask previews", "image", "POST", "masks/previews", "at once", "multipart",
      "previews", 1, "masks-previews"),
    Op("backgroundTexture", "Background texture (deprecated)", "image", "POST",
      "background/texture", "at once", "multipart", "object", 1, "background-texture"),
    Op("backgroundPattern", "Background pattern", "image", "POST", "background/pattern",
      "at once", "multipart", "object", 1, "background-pattern"),
    Op("vectorizeImage", "Vectorize", "image", "POST", "vectorizer", "at once", "multipart",
      "object", 2, "vectorizer"),
    Op("designToReplay", "Design to replay", "image", "POST", "design2replay", "as a job",
      "multipart", "object", 5, "design2replay", _DESIGN2REPLAY),
    Op("surfaceMap", "Surface map", "image", "POST", "surfacemap", "at once", "multipart",
      "object", 2, "surfacemap"),
    Op("addWatermark", "Add watermark", "image", "POST", "watermark", "at once", "multipart",
      "object", 1, "watermark"),
    Op("getImage", "Get image", "image", "GET", "image/{id}", "at once", "none", "lookup", 0,
      "image"),
    Op("transformImage", "Edit: resize, crop, flip, rotate", "image", "POST", "edit", "at once",
      "multipart", "object", 1, "basic-edit"),
    Op("smartCrop", "Smart crop", "image", "POST", "smart-crop", "at once", "multipart", "object",
      1, "smart-crop"),
    Op("blendImages", "Blend", "image", "POST", "blend", "at once", "multipart", "object", 1,
      "blend"),
    Op("zoomImage", "Zoom", "image", "POST", "zoom", "at once", "multipart", "object", 1, "zoom"),
    Op("multiMatting", "Multi matting", "image", "POST", "multi-matting", "at once", "multipart",
      "object", 1, "multi-matting"),
    Op("tagImage", "Tags", "image", "POST", "tags", "at once", "multipart", "analysis", 1, "tags"),
    Op("describeImage", "Describe", "image", "POST", "describe", "at once", "multipart",
      "analysis", 1, "describe"),
    Op("classifyCar", "Classify car", "image", "POST", "cars/classify", "at once", "multipart",
      "analysis", 1, "cars-classify"),
    Op("extractColors", "Extract colors", "image", "POST", "extract-colors", "at once",
      "multipart", "colors", 1, "extract-colors"),
    Op("trimVideo", "Trim video", "video", "POST", "trim", "as a job", "json", "object", 3,
      "video-trim", _VIDEO_API_RESULT, video=True),
    # issue 28, group A (crop, fit, edit, adjust, effects, watermark)
    Op("cropVideo", "Crop video", "video", "POST", "crop", "as a job", "json", "object", 3,
      "video-crop", _VIDEO_API_RESULT, video=True),
    Op("fitVideo", "Fit video", "video", "POST", "fit", "as a job", "json", "object", 3,
      "video-fit", _VIDEO_API_RESULT, video=True),
    Op("editVideo", "Edit video", "video", "POST", "edit", "as a job", "json", "object", 3,
      "video-edit", _VIDEO_API_RESULT, video=True),
    Op("adjustVideo", "Adjust video", "video", "POST", "adjust", "as a job", "json", "object", 3,
      "video-adjust", _VIDEO_API_RESULT, video=True),
    Op("applyVideoEffect", "Video effects", "video", "POST", "effects", "as a job", "json",
      "object", 3, "video-effects", _VIDEO_API_RESULT, video=True),
    Op("addVideoWatermark", "Add watermark to video", "video", "POST", "watermark", "as a job",
      "multipart", "object", 3, "video-watermark", _VIDEO_API_RESULT, video=True),
    # issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
    Op("concatVideos", "Concatenate videos and images", "video", "POST", "concat", "as a job",
      "json", "object", 3, "video-concat", _VIDEO_API_RESULT, video=True),
    Op("videoHighlights", "Video highlights", "video", "POST", "concat/highlights", "as a job",
      "json", "object", 3, "video-concat-highlights", _VIDEO_API_RESULT, video=True),
    Op("makeVideoCtvCompatible", "Make video CTV-compatible", "video", "POST", "encode/ctv",
      "as a job", "json", "object", 3, "video-encode-ctv", _VIDEO_API_RESULT, video=True),
    Op("upscaleVideoFps", "Upscale video FPS", "video", "POST", "upscale/fps", "as a job",
      "multipart", "object", 5, "video-upscale-fps", _FPS_UPSCALE, video=True),
    Op("removeVideoBackground", "Remove video background", "video", "POST", "remove-background",
      "as a job", "multipart", "object", 5, "video-remove-background", _VIDEO_API_RESULT,
      video=True),
    Op("uploadVideo", "Upload video or audio", "video", "POST", "upload", "at once", "multipart",
      "object", 0, "video-upload"),
    # issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
    Op("videoMetadata", "Get video metadata", "video", "POST", "metadata", "at once", "json",
      "analysis", 1, "video-metadata", video=True),
    Op("extractVideoThumbnail", "Extract video thumbnail", "video", "POST",
      "metadata/thumbnail/extract", "at once", "json", "list", 1, "video-thumbnail-extract",
      video=True),
    Op("setVideoThumbnail", "Set video thumbnail", "video", "POST", "metadata/thumbnail",
      "as a job", "json", "object", 2, "video-thumbnail", _VIDEO_API_THUMBNAIL, video=True),
    Op("adjustAudio", "Adjust audio", "video", "POST", "audio/adjust", "as a job", "json",
      "object", 3, "video-audio-adjust", _VIDEO_API_AUDIO, video=True),
    Op("extractAudio", "Extract audio", "video", "POST", "export/audio", "as a job", "json",
      "object", 2, "video-export-audio", _VIDEO_API_AUDIO, video=True),
    Op("transcribeAudio", "Transcribe audio", "video", "POST", "audio/transcribe", "as a job",
      "json", "object", 3, "video-transcribe", _VIDEO_API_TRANSCRIPT, video=True),
    # issue 28, group D (the Variable Data API)
    Op("exportReplay", "Export replay", "vd", "POST", "export/replay", "as a job", "multipart",
      "object", 2, "vd-export-replay", _VD_REPLAY),
    Op("describeReplayVariables", "Describe replay variables", "vd", "POST",
      "variable-data-content/describe", "at once", "multipart", "analysis", 1, "vd-describe"),
    Op("exportVariableDataContent", "Export variable data content", "vd", "POST",
      "export/variable-data-content", "as a job", "multipart", "list", 1, "vd-export-content",
      _VD_CONTENT),
    Op("videoBalance", "Video API balance", "video", "GET", "balance", "at once", "none",
      "credits", 0, "video-balance"),
    Op("vdBalance", "Variable Data API balance", "vd", "GET", "balance", "at once", "none",
      "credits", 0, "vd-balance"),
)  # fmt: skip
del Op

BY_NAME: Mapping[str, Operation] = MappingProxyType({op.name: op for op in OPERATIONS})
BY_TARGET: Mapping[str, Operation] = MappingProxyType({op.target: op for op in OPERATIONS})
