"""The long lists of names the image API takes, as its OpenAPI file gives them: effects, AI
effects, and the models that classify cars. Offered as each field's choices."""

from __future__ import annotations

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
