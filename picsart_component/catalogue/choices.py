"""The lists of names Picsart's APIs take: the AI models of each GenAI operation (with the one
Picsart uses when none is chosen, which is why nothing is sent by default), the effects, AI
effects and masks of the image API, and the models that classify cars. The component offers them
as each field's choices; the sandbox accepts exactly them. Where a field's type is the list
itself, the list is a ``Literal`` (the type the action's model declares) and its tuple is read
off it."""

from __future__ import annotations

from typing import Literal, get_args

CHAT_MODELS = (
    "urn:air:openai:model:openai:gpt-5@1",
    "urn:air:openai:model:openai:gpt-5-search-api@1",
    "urn:air:openai:model:openai:gpt-5.1@1",
    "urn:air:openai:model:openai:gpt-5.1-chat@1",
    "urn:air:openai:model:openai:gpt-5.2@1",
    "urn:air:openai:model:openai:gpt-5-mini@1",
    "urn:air:openai:model:openai:gpt-5-nano@1",
    "urn:air:openai:model:openai:gpt-4o@1",
    "urn:air:openai:model:openai:gpt-4o-mini@1",
    "urn:air:openai:model:openai:gpt-4o-search-preview@1",
    "urn:air:openai:model:openai:gpt-4-turbo@1",
    "urn:air:openai:model:openai:gpt-4.1@1",
    "urn:air:openai:model:openai:gpt-4.1-mini@1",
    "urn:air:openai:model:openai:gpt-4.1-nano@1",
    "urn:air:openai:model:openai:gpt-3.5-turbo@1",
    "urn:air:anthropic:model:anthropic:claude-sonnet-4-5-latest@1",
    "urn:air:anthropic:model:anthropic:claude-sonnet-4-6@1",
    "urn:air:google:model:google:gemini-2.0-flash-001@1",
    "urn:air:google:model:google:gemini-2.0-flash-lite@1",
    "urn:air:google:model:google:gemini-2.5-pro@1",
    "urn:air:google:model:google:gemini-2.5-flash@1",
    "urn:air:google:model:google:gemini-3-pro-preview@1",
)
CHAT_DEFAULT = "urn:air:openai:model:openai:gpt-4o-mini@1"

TEXT_TO_IMAGE_MODELS = (
    "urn:air:sdxl:model:fluxai:flux_kontext_max@1",
    "urn:air:sdxl:model:fluxai:flux_kontext_pro@1",
    "urn:air:fluxai:model:fluxai:flux-2-flex@1",
    "urn:air:fluxai:model:fluxai:flux-2-pro@1",
    "urn:air:fluxai:model:fluxai:flux-2-max@1",
    "urn:air:google:model:google:gemini-2.5-flash-image@1",
    "urn:air:google:model:google:gemini-3-pro-image-preview@1",
    "urn:air:google:model:google:gemini-3.1-flash-image-preview@1",
    "urn:air:google:model:google:gemini-3.1-pro-preview@1",
    "urn:air:hunyuan:model:hunyuan:hunyuan-image@3",
    "urn:air:ideogram:model:ideogram:ideogram@1",
    "urn:air:ideogram:model:ideogram:ideogram@2",
    "urn:air:ideogram:model:ideogram:ideogram-turbo@1",
    "urn:air:ideogram:model:ideogram:ideogram-turbo@2",
    "urn:air:ideogram:model:ideogram:ideogram-2a@1",
    "urn:air:ideogram:model:ideogram:ideogram-2a-turbo@1",
    "urn:air:ideogram:model:ideogram:ideogram@3",
    "urn:air:google:model:google:imagen-4.0-generate-001@1",
    "urn:air:google:model:google:imagen-4.0-ultra-generate-001@1",
    "urn:air:google:model:google:imagen-4.0-fast-generate-001@1",
    "urn:air:openai:model:openai:dall-e-3@1",
    "urn:air:openai:model:openai:gpt-image-1@1",
    "urn:air:openai:model:openai:gpt-image-1.5@1",
    "urn:air:qwen:model:qwen:qwen-image-2.5@1",
    "urn:air:reve:model:reve:reve@1",
    "urn:air:runway:model:runway:gen4-image-ref@1",
    "urn:air:seedream:model:seedream:seedream@4.0",
    "urn:air:seedream:model:seedream:seedream@4.5",
    "urn:air:seedream:model:seedream:seedream@5.0-lite",
)
TEXT_TO_IMAGE_DEFAULT = "urn:air:sdxl:model:fluxai:flux_kontext_max@1"

TEXT_TO_STICKER_MODELS = TEXT_TO_IMAGE_MODELS
TEXT_TO_STICKER_DEFAULT = "urn:air:sdxl:model:fluxai:flux_kontext_max@1"

LASER_ENGRAVING_MODELS = (
    "urn:air:sdxl:model:fluxai:flux_kontext_max@1",
    "urn:air:sdxl:model:fluxai:flux_kontext_pro@1",
)
LASER_ENGRAVING_DEFAULT = "urn:air:sdxl:model:fluxai:flux_kontext_max@1"

LOGO_MODELS = TEXT_TO_IMAGE_MODELS
LOGO_DEFAULT = "urn:air:ideogram:model:ideogram:ideogram@2"

IMAGE_TO_IMAGE_MODELS = (
    "urn:air:sdxl:model:fluxai:flux_kontext_max-image-to-image@1",
    "urn:air:sdxl:model:fluxai:flux_kontext_pro-image-to-image@1",
    "urn:air:fluxai:model:fluxai:flux-2-flex-image-to-image@1",
    "urn:air:fluxai:model:fluxai:flux-2-pro-image-to-image@1",
    "urn:air:fluxai:model:fluxai:flux-2-max-image-to-image@1",
    "urn:air:seedream:model:seedream:seedream-4.0-image-to-image@1",
    "urn:air:seedream:model:seedream:seedream-4.5-image-to-image@1",
    "urn:air:seedream:model:seedream:seedream-5.0-lite-image-to-image@1",
    "urn:air:google:model:google:gemini-2.5-flash-image-image-to-image@1",
    "urn:air:google:model:google:gemini-3-pro-image-preview-image-to-image@1",
    "urn:air:google:model:google:gemini-3.1-flash-image-preview-image-to-image@1",
    "urn:air:google:model:google:gemini-3.1-pro-preview-image-to-image@1",
    "urn:air:openai:model:openai:gpt-image-1-image-to-image@1",
    "urn:air:reve:model:reve:reve-edit-image-to-image@1",
    "urn:air:runway:model:runway:gen4-image-ref-image-to-image@1",
    "urn:air:qwen:model:qwen:qwen-image-image-to-image@1",
    "urn:air:qwen:model:qwen:qwen-image-edit-plus-image-to-image@1",
    "urn:air:xai:model:xai:grok-imagine-image-edit-image-to-image@1",
)
IMAGE_TO_IMAGE_DEFAULT = "urn:air:sdxl:model:fluxai:flux_kontext_max-image-to-image@1"

TEXT_TO_VIDEO_MODELS = (
    "urn:air:seedance:model:seedance:seedance-1.0-pro-text-to-video@1",
    "urn:air:seedance:model:seedance:seedance-1.0-pro-fast-text-to-video@1",
    "urn:air:seedance:model:seedance:seedance-1.5-pro-text-to-video@1",
    "urn:air:pika:model:pika:pika-text-to-video-v2.2@1",
    "urn:air:kling:model:kling:kling-v2-master-text-to-video@1",
    "urn:air:kling:model:kling:kling-v2-1-master-text-to-video@1",
    "urn:air:kling:model:kling:kling-v2-5-turbo-text-to-video@1",
    "urn:air:kling:model:kling:kling-v2-6-text-to-video@1",
    "urn:air:kling:model:kling:kling-v3-text-to-video@1",
    "urn:air:runway:model:runway:gen4.5-text-to-video@1",
    "urn:air:minimax:model:minimax:hailuo-02-pro-text-to-video@1",
    "urn:air:ltxv:model:ltxv:ltxv-2-text-to-video@1",
    "urn:air:ltxv:model:ltxv:ltxv-2-text-to-video-fast@1",
    "urn:air:ovi:model:ovi:ovi-text-to-video@1",
    "urn:air:xai:model:xai:grok-imagine-video-text-to-video@1",
    "urn:air:google:model:google:veo-2.0-text-to-video@1",
    "urn:air:google:model:google:veo-2.0-exp-text-to-video@1",
    "urn:air:google:model:google:veo-3.1-text-to-video@1",
    "urn:air:google:model:google:veo-3.1-fast-text-to-video@1",
    "urn:air:google:model:google:veo-3.1-preview-text-to-video@1",
    "urn:air:google:model:google:veo-3.1-fast-preview-text-to-video@1",
    "urn:air:wan:model:wan:wan-2.7-text-to-video@1",
)
TEXT_TO_VIDEO_DEFAULT = "urn:air:wan:model:wan:wan-2.7-text-to-video@1"

IMAGE_TO_VIDEO_MODELS = (
    "urn:air:seedance:model:seedance:seedance-1.0-pro-image-to-video@1",
    "urn:air:seedance:model:seedance:seedance-1.0-pro-fast-image-to-video@1",
    "urn:air:seedance:model:seedance:seedance-1.5-pro-image-to-video@1",
    "urn:air:kling:model:kling:kling-v2-master-image-to-video@1",
    "urn:air:kling:model:kling:kling-v2-1-master-image-to-video@1",
    "urn:air:kling:model:kling:kling-v2-1-image-to-video@1",
    "urn:air:kling:model:kling:kling-v2-5-turbo-image-to-video@1",
    "urn:air:kling:model:kling:kling-v2-6-image-to-video@1",
    "urn:air:kling:model:kling:kling-v3-image-to-video@1",
    "urn:air:runway:model:runway:gen4.5-image-to-video@1",
    "urn:air:luma:model:luma:ray-1-6-image-to-video@1",
    "urn:air:luma:model:luma:ray-2-image-to-video@1",
    "urn:air:luma:model:luma:ray-flash-2-image-to-video@1",
    "urn:air:luma:model:luma:photon-1-image-to-video@1",
    "urn:air:luma:model:luma:photon-flash-1-image-to-video@1",
    "urn:air:google:model:google:veo-2.0-image-to-video@1",
    "urn:air:google:model:google:veo-2.0-exp-image-to-video@1",
    "urn:air:google:model:google:veo-3.1-image-to-video@1",
    "urn:air:google:model:google:veo-3.1-fast-image-to-video@1",
    "urn:air:google:model:google:veo-3.1-preview-image-to-video@1",
    "urn:air:google:model:google:veo-3.1-fast-preview-image-to-video@1",
    "urn:air:wan:model:wan:wan-2.5-image-to-video@1",
    "urn:air:wan:model:wan:wan-2.6-image-to-video@1",
    "urn:air:wan:model:wan:wan-2.7-image-to-video@1",
    "urn:air:minimax:model:minimax:hailuo-02-pro-image-to-video@1",
    "urn:air:ovi:model:ovi:ovi-image-to-video@1",
    "urn:air:xai:model:xai:grok-imagine-video-image-to-video@1",
)
IMAGE_TO_VIDEO_DEFAULT = "urn:air:wan:model:wan:wan-2.7-image-to-video@1"

TEXT_TO_SPEECH_MODELS = (
    "urn:air:openai:model:openai:tts-1@1",
    "urn:air:elevenlabs:model:elevenlabs:eleven-v3@1",
    "urn:air:async:model:async:async-flash-v1.0@1",
)
TEXT_TO_SPEECH_DEFAULT = "urn:air:openai:model:openai:tts-1@1"

TEXT_TO_SOUND_MODELS = (
    "urn:air:elevenlabs:model:elevenlabs:elevenlabs-sound-effects-v2@1",
    "urn:air:kling:model:kling:kling-text-to-audio@1",
)
TEXT_TO_SOUND_DEFAULT = "urn:air:elevenlabs:model:elevenlabs:elevenlabs-sound-effects-v2@1"

EFFECT_NAMES = (
    "1972", "apr1", "apr2", "apr3", "blur", "gblur", "lensblur", "motionblur", "smartblur",
    "pixelize", "brl1", "brnz1", "brnz2", "brnz3", "brnz4", "cyber1", "cyber2", "dodger",
    "fattal2", "food1", "food2", "icy1", "icy2", "icy3", "light1", "light2", "light3", "light4",
    "light5", "light6", "light7", "light8", "light9", "light10", "light11", "light12",
    "light13", "light14", "light15", "light16", "light17", "light18", "light19", "light20",
    "mnch1", "mnch2", "mnch3", "nature1", "nature2", "noise", "ntrl1", "ntrl2", "popart",
    "saturation", "sft1", "sft2", "sft3", "sft4", "shadow1", "shadow2", "sketch1", "sketch2",
    "sketch3", "sketcher1", "sketcher2", "spc1", "tl1", "tl2", "urban1", "urban2", "water1",
    "water2",
)  # fmt: skip
AI_EFFECT_NAMES = (
    "winterblues", "wispy", "geode", "744", "sketchy", "dystopia", "libtest2", "pastel",
    "moonlight", "rainbow", "money", "popsketch", "hintofyellow", "badlands", "letitsnow",
    "flora", "staygold", "holidayparty", "galaxy", "crushedmarble", "pow", "shades_of_gray",
    "haze", "shamrock", "815", "flare", "prettyinpink", "rosegold", "wonderland", "whiteice",
    "nightcore", "pleinair34_120", "soul", "rosequartz", "animation", "feast", "undead",
    "highlight", "neopop", "midnight", "colorbright", "cartoon1", "cartoon2",
)  # fmt: skip
CAR_MODELS = (
    "urn:air:openai:model:openai:gpt-5@1", "urn:air:openai:model:openai:gpt-5.1@1",
    "urn:air:openai:model:openai:gpt-5.1-chat@1", "urn:air:openai:model:openai:gpt-5.2@1",
    "urn:air:openai:model:openai:gpt-5-mini@1", "urn:air:openai:model:openai:gpt-4o@1",
    "urn:air:openai:model:openai:gpt-4o-mini@1", "urn:air:openai:model:openai:gpt-4-turbo@1",
    "urn:air:openai:model:openai:gpt-4.1@1", "urn:air:openai:model:openai:gpt-4.1-mini@1",
    "urn:air:openai:model:openai:gpt-o3@1",
    "urn:air:anthropic:model:anthropic:claude-sonnet-4-0@1",
    "urn:air:anthropic:model:anthropic:claude-opus-4-0@1",
    "urn:air:anthropic:model:anthropic:claude-3-7-sonnet-latest@1",
    "urn:air:anthropic:model:anthropic:claude-3-5-sonnet-latest@1",
    "urn:air:anthropic:model:anthropic:claude-sonnet-4-5@1",
    "urn:air:anthropic:model:anthropic:claude-sonnet-4-5-latest@1",
    "urn:air:anthropic:model:anthropic:claude-3-5-haiku-latest@1",
    "urn:air:anthropic:model:anthropic:claude-haiku-4-5@1",
    "urn:air:anthropic:model:anthropic:claude-sonnet-4-6@1",
    "urn:air:google:model:google:gemini-2.0-flash-001@1",
    "urn:air:google:model:google:gemini-2.0-flash-lite@1",
    "urn:air:google:model:google:gemini-2.5-pro@1",
    "urn:air:google:model:google:gemini-2.5-flash@1",
    "urn:air:google:model:google:gemini-3-pro-preview@1",
)  # fmt: skip
CAR_MODELS_DEFAULT = "urn:air:openai:model:openai:gpt-5.1-chat@1"
MaskName = Literal[
    "lace1", "lace2", "lace3", "lace4", "shdw2", "shdw17", "rpl3", "rpl5", "prsm3", "prsm9",
    "prsm10",
]  # fmt: skip
MaskBlend = Literal["normal", "screen", "overlay", "multiply", "darken", "lighten", "add"]
MaskFlip = Literal["left", "right", "mirror horizontal", "mirror vertical", "turnaround"]
StyleLevel = Literal["l1", "l2", "l3", "l4", "l5"]
MASK_NAMES: tuple[MaskName, ...] = get_args(MaskName)
MASK_BLENDS: tuple[MaskBlend, ...] = get_args(MaskBlend)
MASK_FLIPS: tuple[MaskFlip, ...] = get_args(MaskFlip)
STYLE_LEVELS: tuple[StyleLevel, ...] = get_args(StyleLevel)

OutputFormat = Literal["JPG", "PNG", "WEBP"]
"""The formats an image result may be asked in."""
EngravingFormat = Literal["JPG", "PNG", "WEBP", "SVG"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
ENGRAVING_FORMATS: tuple[EngravingFormat, ...] = get_args(EngravingFormat)
TOOL_INPUT_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP", "MPO", "BMP"})
"""The input images the image API's catalogue operations take, by the name Pillow reads from
their bytes (Picsart also takes HEIC and MJPEG, which cannot be recognised that way)."""
REMOVEBG_INPUT_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP", "MPO"})
UPSCALE_INPUT_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP"})
AnchorPoint = Literal[
    "left-top", "left-middle", "left-bottom", "center-top", "center-middle", "center-bottom",
    "right-top", "right-middle", "right-bottom",
]  # fmt: skip
"""Where a watermark, a sticker or a zoom is placed."""
WatermarkAnchor = Literal[AnchorPoint, "pattern"]
ZoomAnchor = Literal[AnchorPoint, "ai"]
CropAnchor = Literal["center", "top-left", "top-right", "bottom-left", "bottom-right"]
Ratio = Literal["1:1", "4:3", "3:2", "16:9", "21:9", "4:5", "9:16", "2:3", "5:4"]
BlendMode = Literal[
    "normal", "darken", "multiply", "lighten", "screen", "color_dodge", "overlay", "soft_light",
    "hard_light", "hue", "saturation", "color", "luminosity",
]  # fmt: skip
ANCHOR_POINTS: tuple[AnchorPoint, ...] = get_args(AnchorPoint)
WATERMARK_ANCHORS: tuple[WatermarkAnchor, ...] = get_args(WatermarkAnchor)
ZOOM_ANCHORS: tuple[ZoomAnchor, ...] = get_args(ZoomAnchor)
CROP_ANCHORS: tuple[CropAnchor, ...] = get_args(CropAnchor)
WATERMARK_ANCHOR_ALIASES: dict[str, WatermarkAnchor] = {
    "top-left": "left-top", "top-middle": "center-top", "top-right": "right-top",
    "middle-left": "left-middle", "center": "center-middle", "middle-right": "right-middle",
    "bottom-left": "left-bottom", "bottom-middle": "center-bottom", "bottom-right": "right-bottom",
    "tile": "pattern",
}  # fmt: skip
"""The watermark anchors as Picsart's n8n node names them (vertical, then horizontal; ``center``
for the middle, ``tile`` for ``pattern``), each with the file's name (horizontal, then
vertical), which is what is sent. Production takes both; the sandbox and the component do too."""
RATIOS: tuple[Ratio, ...] = get_args(Ratio)
BLEND_MODES: tuple[BlendMode, ...] = get_args(BlendMode)
REMOVEBG_MODELS = (
    "urn:air:picsart:model:picsart:sod@8.2",
    "urn:air:picsart:model:picsart:sod@10",
    "urn:air:picsart:model:picsart:sod@10.1",
    "urn:air:picsart:model:picsart:sod@11",
)
"""Remove background's models (the component does not offer the field: its product spec has
none, see ``differences.py``)."""
UpscaleFactor = Literal[2, 4, 6, 8]
UPSCALE_FACTORS: tuple[UpscaleFactor, ...] = get_args(UpscaleFactor)
ULTRA_FACTORS = tuple(range(2, 17))
"""Ultra Upscale's and Ultra Enhance's factors."""
MAX_UPSCALE_OUTPUT_SIDE = 4800
"""Upscale's results are at most 4800x4800 pixels (16 Mpx)."""
PREVIEW_SIZES = (50, 240)
"""The smallest and largest side of an effect or mask preview, in pixels."""
