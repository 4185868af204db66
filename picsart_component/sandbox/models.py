"""The AI models each GenAI operation (and the image API's car classification) accepts in
``model``, identifiers as Picsart spells them.

The sandbox runs none of them; a name outside its list is answered 422, as the OpenAPI file's
enums say. ``tests/sandbox/test_openapi_conformance.py`` checks these lists against the file.
"""

from __future__ import annotations

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
"""For chat completions."""

TEXT2IMAGE_MODELS = (
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
"""For text2image, text2sticker and logo."""

LASER_ENGRAVING_MODELS = (
    "urn:air:sdxl:model:fluxai:flux_kontext_max@1",
    "urn:air:sdxl:model:fluxai:flux_kontext_pro@1",
)
"""For laser engraving."""

IMAGE2IMAGE_MODELS = (
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
"""For edit with a prompt."""

TEXT2VIDEO_MODELS = (
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
"""For text2video."""

IMAGE2VIDEO_MODELS = (
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
"""For image2video."""

SPEECH_MODELS = (
    "urn:air:openai:model:openai:tts-1@1",
    "urn:air:elevenlabs:model:elevenlabs:eleven-v3@1",
    "urn:air:async:model:async:async-flash-v1.0@1",
)
"""For text2speech."""

SOUND_MODELS = (
    "urn:air:elevenlabs:model:elevenlabs:elevenlabs-sound-effects-v2@1",
    "urn:air:kling:model:kling:kling-text-to-audio@1",
)
"""For text2sound."""

CAR_CLASSIFICATION_MODELS = (
    "urn:air:openai:model:openai:gpt-5@1",
    "urn:air:openai:model:openai:gpt-5.1@1",
    "urn:air:openai:model:openai:gpt-5.1-chat@1",
    "urn:air:openai:model:openai:gpt-5.2@1",
    "urn:air:openai:model:openai:gpt-5-mini@1",
    "urn:air:openai:model:openai:gpt-4o@1",
    "urn:air:openai:model:openai:gpt-4o-mini@1",
    "urn:air:openai:model:openai:gpt-4-turbo@1",
    "urn:air:openai:model:openai:gpt-4.1@1",
    "urn:air:openai:model:openai:gpt-4.1-mini@1",
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
)
"""For the image API's car classification (``/cars/classify``)."""
