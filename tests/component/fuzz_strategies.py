"""Hypothesis strategies derived from the actions' committed draft-03 in-schemas.

The fuzz tests must follow the schemas, not a copy of them, so that a field added to a model (and
so to ``schemas/<action>.in.json``) is fuzzed without touching the tests. Two layers:

1. **The schema walker** (``values`` for valid values, ``PROPERTY_BREAKERS`` for invalid ones
   and ``mutations``, which applies them): reads ``type``, ``enum``, ``const``,
   ``minimum``/``maximum``, ``minLength``/``maxLength``, ``format: uri``, ``required: true`` and
   ``additionalProperties`` from each property, and nothing else.
2. **The knowledge layer** (``Rules``, ``MODEL_RULES`` and ``KNOWLEDGE``): the few rules the
   schemas cannot say, which the models check in ``cross_field_problems``: exactly one image
   source, at most one background, colour syntax, offsets required by a custom shadow, http(s)
   only for ``*_url`` fields. It also says which fields are downloaded (so valid bodies can point
   them at files of a local store) and that Make Raw Request's ``url`` is a path. ``rules_for``
   reads an action's rules off its model: those of the ``lib`` input classes it is built on
   (``MODEL_RULES``), and a row of ``KNOWLEDGE`` only where its own model adds rules; an action
   such as Upscale, a copy of it, or a generative one needs no row. It is kept small on purpose;
   ``test_the_knowledge_layer_names_only_fields_of_the_schemas`` stops it from rotting when a
   field is renamed.

Text is surrogate-free unless a mutation adds an unpaired surrogate on purpose; integers the schema
leaves unbounded are drawn within JSON's exact range (±2**53), except where a mutation wants a
number too large to print.
"""

from __future__ import annotations

import functools
import json
import math
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import webcolors
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy
from pydantic import BaseModel

from picsart_component.lib.fields import ImageSourceInput
from picsart_component.lib.genai_fields import MaskSourceInput, WatermarkInput
from picsart_component.lib.tool_fields import (
    OverlaySourceInput,
    ReferenceSourceInput,
    SurfaceSourcesInput,
)
from picsart_component.lib.video_fields import FIT_BACKGROUNDS, VideoInput
from picsart_component.runtime.manifest import COMPONENT_ROOT, load_manifest, load_schema
from picsart_component.runtime.models import InputModel

Schema = Mapping[str, Any]
Body = dict[str, Any]

JSON_SAFE = 2**53
HUGE = 100_000
UNPRINTABLE_NUMBER = 10**5000
"""Over Python's 4300-digit limit: ``str()`` of it raises, as jsonschema's messages once did."""

# ---------------------------------------------------------------------------------------------
# The schemas


def action_keys() -> list[str]:
    """Every action of ``component.json``, so that a new action is fuzzed too."""
    return sorted(load_manifest(COMPONENT_ROOT).actions)


def in_schema(action: str) -> Schema:
    """The committed in-schema the executor validates against, found as it finds it."""
    relative = load_manifest(COMPONENT_ROOT).action(action).metadata.in_
    assert relative, f"{action} has no in-schema"
    return load_schema(COMPONENT_ROOT, relative)


def types_of(schema: Schema) -> list[str]:
    kind = schema.get("type", "any")
    return [kind] if isinstance(kind, str) else list(kind)


def is_required(schema: Schema) -> bool:
    return schema.get("required") is True


# ---------------------------------------------------------------------------------------------
# Plain JSON and hostile text

_scalars: SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-JSON_SAFE, JSON_SAFE),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values: SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
json_objects: SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.text(max_size=10), json_values, max_size=5
)

ODD_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u200b",
    "\ufeff",
    "مرحبا بالعالم",
    "שלום\u202e",
    "🦄🏳️‍🌈",
    "null",
    "None",
    "true",
    "0",
    "\r\n",
)


def huge_text() -> SearchStrategy[str]:
    """A 100 000-character string, built by repetition so that drawing it is cheap."""
    return st.text(min_size=1, max_size=4).map(lambda s: (s * (HUGE // len(s) + 1))[:HUGE])


def nasty_text() -> SearchStrategy[str]:
    """Any surrogate-free text, with NUL, RTL, emoji and 100k-character strings made likely."""
    return st.one_of(st.text(), st.sampled_from(ODD_TEXT), huge_text())


def with_unpaired_surrogate() -> SearchStrategy[str]:
    """Text no UTF-8 can carry, as ``json.loads('"\\\\ud800"')`` produces."""
    return st.tuples(st.text(max_size=5), st.sampled_from(["\ud800", "\udbff", "\udc00"])).map(
        "".join
    )


# ---------------------------------------------------------------------------------------------
# Valid values, from a property's schema


def choices(schema: Schema) -> list[Any] | None:
    """The values a property is limited to: its ``enum``, or its ``const`` (a ``Literal`` of one
    value), which draft 3 does not know but the model checks."""
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def values(schema: Schema) -> SearchStrategy[Any]:
    """Values that ``schema`` accepts."""
    limited = choices(schema)
    if limited is not None:
        return st.sampled_from(limited)
    return st.one_of([_values_of_type(kind, schema) for kind in types_of(schema)])


def _values_of_type(kind: str, schema: Schema) -> SearchStrategy[Any]:
    if kind == "string":
        return strings(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum", -JSON_SAFE), schema.get("maximum", JSON_SAFE))
    if kind == "number":
        return st.floats(
            schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", 4), max(low, 4))
        return st.lists(
            values(schema.get("items", {})),
            min_size=low,
            max_size=high,
            unique=bool(schema.get("uniqueItems")),
        )
    if kind == "object":
        return objects(schema)
    return json_values  # "any"


PATTERNS = {
    r"\S": lambda text: bool(text.strip()),
    r"^\S+$": lambda text: bool(text) and not any(c.isspace() for c in text),
    r"^[A-Za-z0-9._-]+$": lambda text: bool(re.fullmatch(r"[A-Za-z0-9._-]+", text)),
}
"""The patterns the schemas use (not blank; no white space at all), as checks on drawn text."""


def strings(schema: Schema) -> SearchStrategy[str]:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if schema.get("format") == "uri":
        # Every uri field of this component takes http(s) URLs; other schemes are per-field.
        return http_urls(high)
    plain = st.text(min_size=low, max_size=high if high is not None else max(low, 40))
    if high is not None:
        plain = plain | st.text(min_size=high, max_size=high)  # the boundary itself
    pattern = schema.get("pattern")
    if pattern is None:
        return plain
    accepts = PATTERNS[pattern]
    word = st.text(st.characters(blacklist_categories=("Z", "Cc", "Cs")), min_size=1, max_size=12)
    if pattern == r"^[A-Za-z0-9._-]+$":
        word = st.from_regex(r"[A-Za-z0-9._-]{1,24}", fullmatch=True)
    return (plain.filter(accepts) | word).filter(accepts)


def objects(schema: Schema) -> SearchStrategy[dict[str, Any]]:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if not properties and isinstance(extra, dict):
        return st.dictionaries(st.text(max_size=10), values(extra), max_size=4)
    if not properties:
        return st.just({}) if extra is False else json_objects
    required = {name: values(p) for name, p in properties.items() if is_required(p)}
    optional = {name: values(p) for name, p in properties.items() if not is_required(p)}
    return st.fixed_dictionaries(required, optional=optional)


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_hosts = st.one_of(
    st.builds(
        lambda labels, tld: ".".join([*labels, tld]),
        st.lists(_label, min_size=1, max_size=3),
        st.from_regex(r"[a-z]{2,6}", fullmatch=True),
    ),
    st.ip_addresses(v=4).map(str),
)


@st.composite
def http_urls(draw: DrawFn, max_length: int | None = None) -> str:
    """http(s) URLs valid under RFC 3986 (every character that needs it percent-encoded)."""
    port = draw(st.none() | st.integers(1, 65535))
    prefix = f"{draw(st.sampled_from(['http', 'https']))}://{draw(_hosts)}"
    prefix += f":{port}" if port is not None else ""
    segments = draw(st.lists(st.text(max_size=12).map(lambda s: quote(s, safe="")), max_size=4))
    rest = "/" + "/".join(segments)
    if draw(st.booleans()):
        rest += "?" + quote(draw(st.text(max_size=20)), safe="=&")
    if draw(st.booleans()):
        rest += "#" + quote(draw(st.text(max_size=10)), safe="")
    url = prefix + rest
    if max_length is not None:
        padding = max_length - len(url) - 1
        if padding < 0:
            url = prefix + "/"
        elif draw(st.integers(0, 9)) == 0:  # now and then exactly as long as allowed
            url = prefix + "/" + "a" * padding + rest
    return url


# ---------------------------------------------------------------------------------------------
# Values that break a property's own schema


_KIND_VALUES: dict[str, SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(),
    "number": st.floats(allow_nan=False, allow_infinity=False),  # 3.0 included: not a draft-3 int
    "string": nasty_text(),
    "array": st.lists(json_values, max_size=3),
    "object": json_objects,
}
_ACCEPTS = {
    "null": {"null"},
    "boolean": {"boolean"},
    "integer": {"integer"},
    "number": {"integer", "number"},
    "string": {"string"},
    "array": {"array"},
    "object": {"object"},
    "any": set(_KIND_VALUES),
}


def wrong_types(schema: Schema) -> SearchStrategy[Any] | None:
    """Values of every JSON type ``schema`` refuses, or None when it takes any."""
    accepted = set().union(*(_ACCEPTS[kind] for kind in types_of(schema)))
    refused = [strategy for kind, strategy in _KIND_VALUES.items() if kind not in accepted]
    return st.one_of(refused) if refused else None


def out_of_range(schema: Schema) -> SearchStrategy[int | float] | None:
    sides: list[SearchStrategy[int | float]] = []
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None:
        sides += [st.integers(max_value=math.ceil(low) - 1), st.just(-UNPRINTABLE_NUMBER)]
        if isinstance(low, float) and not low.is_integer():
            sides.append(
                st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False)
            )
    if high is not None:
        sides += [st.integers(min_value=math.floor(high) + 1), st.just(UNPRINTABLE_NUMBER)]
    return st.one_of(sides) if sides else None


def not_in_enum(schema: Schema) -> SearchStrategy[Any] | None:
    """Values of the enum's (or const's) own types that are not in it: near misses first."""
    enum = choices(schema)
    if not enum:
        return None
    texts = [str(v) for v in enum if isinstance(v, str)]
    near: list[SearchStrategy[Any]] = []
    if texts:
        # Another case of a choice is that choice (Picsart takes png for PNG): only a space or a
        # letter more makes it another word.
        variants = {f(t) for t in texts for f in (" {}".format, "{}s".format, "{} ".format)}
        near += [st.sampled_from(sorted(variants - set(texts))), nasty_text()]
    if any(isinstance(v, int) and not isinstance(v, bool) for v in enum):
        near += [st.integers(), st.just(UNPRINTABLE_NUMBER)]
    lowered = {text.lower() for text in texts}
    return st.one_of(near).filter(
        lambda v: v not in enum and not (isinstance(v, str) and v.lower() in lowered)
    )


def too_long(schema: Schema) -> SearchStrategy[str] | None:
    high = schema.get("maxLength")
    if high is None:
        return None
    if high > 1000:
        # Hypothesis draws long text slowly (and refuses minimum sizes this large): repeat a short
        # one to just past the limit.
        just_over = st.tuples(st.text(min_size=1, max_size=4), st.integers(1, 40)).map(
            lambda drawn: (drawn[0] * (high + 1))[: high + drawn[1]]
        )
        return just_over | huge_text()
    return st.text(min_size=high + 1, max_size=high + 40) | huge_text()


def too_short(schema: Schema) -> SearchStrategy[str] | None:
    low = schema.get("minLength", 0)
    return st.text(max_size=low - 1) if low > 0 else None


def not_a_uri(schema: Schema) -> SearchStrategy[str] | None:
    """Text without a ``:`` has no scheme, so it is no URI (RFC 3986 section 3)."""
    if schema.get("format") != "uri":
        return None
    return nasty_text().map(lambda s: s.replace(":", ""))


def with_surrogate(schema: Schema) -> SearchStrategy[str] | None:
    return with_unpaired_surrogate() if "string" in types_of(schema) else None


def blank(schema: Schema) -> SearchStrategy[str] | None:
    """Text that breaks a ``pattern``: only white space, or (for ``^\\S+$``) a space inside."""
    pattern = schema.get("pattern")
    if pattern is None:
        return None
    spaces = st.text(alphabet=" \t\n\u00a0\u2003", min_size=1, max_size=5)
    inner = st.tuples(st.text(min_size=1, max_size=4), spaces, st.text(max_size=4)).map("".join)
    return (spaces | inner).filter(lambda text: not PATTERNS[pattern](text))


PropertyBreaker = Callable[[Schema], "SearchStrategy[Any] | None"]
PROPERTY_BREAKERS: dict[str, PropertyBreaker] = {
    "wrong type": wrong_types,
    "null": lambda schema: None if {"null", "any"} & set(types_of(schema)) else st.none(),
    "out of range": out_of_range,
    "not in enum": not_in_enum,
    "too long": too_long,
    "too short": too_short,
    "not a uri": not_a_uri,
    "unpaired surrogate": with_surrogate,
    "blank": blank,
}
"""Each way one value can break its property's schema, derived from the keywords it has."""


# ---------------------------------------------------------------------------------------------
# The knowledge layer: rules the schemas cannot express


@dataclass(frozen=True)
class Rules:
    """An action's cross-field rules, as its model's ``cross_field_problems`` checks them."""

    exactly_one: tuple[tuple[str, ...], ...] = ()
    at_most_one: tuple[tuple[str, ...], ...] = ()
    colours: Mapping[str, bool] = field(default_factory=dict)
    """Colour fields, each with whether its ``#`` is optional (``lib/colors.py``)."""
    required_when: tuple[tuple[str, Any, tuple[str, ...]], ...] = ()
    """(field, value, fields that value makes required)."""
    http_only: tuple[str, ...] = ()
    """``format: uri`` fields that must be http(s) URLs with a host (Picsart fetches them)."""
    downloads: tuple[str, ...] = ()
    """Fields whose file the component fetches and uploads as the multipart part of that name."""
    paths: tuple[str, ...] = ()
    """Fields holding a path relative to the API base URL (or a complete Picsart URL)."""
    custom: Mapping[str, SearchStrategy[Any]] = field(default_factory=dict)
    """Valid values of fields whose rules are more than their schema says (header names)."""
    conflicts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(field, fields it cannot be sent with): one request has one body."""
    left_out: tuple[str, ...] = ()
    """Optional fields valid bodies leave out, because their values need files offline tests
    do not serve; the unit tests cover them."""

    def __add__(self, other: Rules) -> Rules:
        """Both rule sets: groups and fields of ``self`` first."""
        return Rules(
            exactly_one=(*self.exactly_one, *other.exactly_one),
            at_most_one=(*self.at_most_one, *other.at_most_one),
            colours={**self.colours, **other.colours},
            required_when=(*self.required_when, *other.required_when),
            http_only=(*self.http_only, *other.http_only),
            downloads=(*self.downloads, *other.downloads),
            paths=(*self.paths, *other.paths),
            custom={**self.custom, **other.custom},
            conflicts=(*self.conflicts, *other.conflicts),
            left_out=(*self.left_out, *other.left_out),
        )

    def fields(self) -> set[str]:
        named = {name for group in (*self.exactly_one, *self.at_most_one) for name in group}
        for trigger, _, needed in self.required_when:
            named |= {trigger, *needed}
        for name, others in self.conflicts:
            named |= {name, *others}
        named |= set(self.custom) | set(self.left_out)
        return named | set(self.colours) | {*self.http_only, *self.downloads, *self.paths}


IMAGE_SOURCES = ("image", "image_url", "image_id")
BACKGROUNDS = ("bg_image", "bg_image_url", "bg_image_id", "bg_color")
MASKS = ("mask_image", "mask_image_url", "mask_image_id")
REFERENCES = ("reference_image", "reference_image_url", "reference_image_id")
OVERLAYS = ("overlay_image", "overlay_image_url", "overlay_image_id")
SURFACE_MASKS = ("mask", "mask_url", "mask_id")
STICKERS = ("sticker", "sticker_url", "sticker_id")
_HEADER_NAMES = st.from_regex(r"X-[A-Za-z0-9-]{1,12}", fullmatch=True)
_HEADER_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20).map(
    str.strip
)
_FORM_NAMES = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
_FORM_VALUES = st.one_of(st.text(max_size=12), st.integers(-1000, 1000), st.booleans())


def sources(group: tuple[str, ...], *, required: bool = True) -> Rules:
    """One file given by exactly (or at most) one of: a file to download, a URL[, an id]."""
    return Rules(
        exactly_one=(group,) if required else (),
        at_most_one=() if required else (group,),
        http_only=(group[1],),
        downloads=(group[0],),
    )


def class_key(cls: type) -> str:
    """A class by its place in the component (``lib.fields.ImageSourceInput``), the same for the
    bundled component and a copy of it, which is mounted under another package name."""
    return f"{cls.__module__.partition('.')[2]}.{cls.__qualname__}"


MODEL_RULES: dict[str, Callable[[Any], Rules]] = {
    class_key(InputModel): lambda model: Rules(),
    class_key(ImageSourceInput): lambda model: sources(IMAGE_SOURCES),
    class_key(MaskSourceInput): lambda model: sources(MASKS, required=model.mask_is_required()),
    class_key(ReferenceSourceInput): lambda model: sources(REFERENCES),
    class_key(OverlaySourceInput): lambda model: sources(OVERLAYS),
    class_key(SurfaceSourcesInput): lambda model: sources(SURFACE_MASKS) + sources(STICKERS),
    class_key(WatermarkInput): lambda model: Rules(http_only=("watermark_url",)),
    class_key(VideoInput): lambda model: Rules(http_only=("video_url",)),
}
"""The rules of each input class of ``lib`` that checks cross-field rules (by ``class_key``),
so that an action built on them (Upscale and most others) needs no row of its own."""

KNOWLEDGE: dict[str, Rules] = {
    # Each row is what the action's own ``cross_field_problems`` adds to its input classes'
    # rules (``MODEL_RULES``); an action whose model adds none has no row.
    "makeRawRequest": Rules(
        paths=("url",),
        custom={
            "headers": st.dictionaries(_HEADER_NAMES, _HEADER_VALUES, max_size=3),
            "form": st.dictionaries(_FORM_NAMES, _FORM_VALUES, max_size=3),
        },
        conflicts=(("data", ("form",)),),
        # Its files are fetched while the request is built; the unit tests cover them.
        left_out=("files",),
    ),
    "removeBackground": Rules(
        at_most_one=(BACKGROUNDS,),
        colours={"bg_color": False, "stroke_color": True},
        required_when=(("shadow", "custom", ("shadow_offset_x", "shadow_offset_y")),),
        http_only=("bg_image_url",),
        downloads=("bg_image",),
    ),
    "trimVideo": Rules(http_only=("video_url",), custom={"start": st.integers(0, 999)}),
    "generateLogo": Rules(
        at_most_one=(REFERENCES,),
        http_only=("reference_image_url",),
        downloads=("reference_image",),
    ),
    "laserEngraving": Rules(colours={"engrave_color": False, "background_color": False}),
    "laserEngravingEffect": Rules(colours={"engrave_color": False, "background_color": False}),
    "transformImage": Rules(required_when=(("mode", "crop", ("width", "height")),)),
    "addWatermark": sources(("watermark", "watermark_url")),
    "uploadImage": sources(("image", "image_url")),
    "designToReplay": sources(("file", "file_url")),
    # issue 28, group A (crop, fit, edit, adjust, effects, watermark)
    "fitVideo": Rules(
        at_most_one=(FIT_BACKGROUNDS,),
        colours={"bg_color": False},
        http_only=("bg_image_url", "bg_video_url"),
        conflicts=(("bg_color", ("bg_blur",)),),
    ),
    "editVideo": Rules(custom={"fit": st.deferred(lambda: _video_fits)}),
    "adjustVideo": Rules(http_only=("audio_url",)),
    "addVideoWatermark": sources(("watermark", "watermark_url")),
    "exportReplay": Rules(http_only=("file_url",)),
    "describeReplayVariables": Rules(
        exactly_one=(("template_id", "template_url"),), http_only=("template_url",)
    ),
    "exportVariableDataContent": Rules(
        exactly_one=(("template_id", "template_url"), ("data", "data_file_url")),
        http_only=("template_url", "data_file_url"),
        custom={"data": st.just("caption,picture\nSummer sale,https://example.com/sun.png")},
    ),
    # issue 28, group B (concat, highlights, CTV, FPS upscale, remove background, upload)
    "concatVideos": Rules(
        http_only=("bg_audio_url",), custom={"items": st.deferred(lambda: _concat_items)}
    ),
    "videoHighlights": Rules(custom={"trim_segments": st.deferred(lambda: _segments)}),
    "removeVideoBackground": Rules(
        at_most_one=(("bg_color", "bg_image_url"),),
        colours={"bg_color": False},
        http_only=("bg_image_url",),
    ),
    "uploadVideo": Rules(downloads=("file",)),
    # issue 28, group C (metadata, thumbnails, audio adjust, extract audio, transcribe)
    "extractVideoThumbnail": Rules(
        # container takes no timestamps: valid bodies keep to auto and timestamp.
        custom={"source": st.sampled_from(["auto", "timestamp"])},
        required_when=(("source", "timestamp", ("timestamps",)),),
    ),
    "setVideoThumbnail": Rules(http_only=("image_url",)),
    "adjustAudio": Rules(http_only=("audio_url",)),
    "transcribeAudio": Rules(http_only=("file_url",)),
}


def rules_for(action: str, model: type[BaseModel]) -> Rules:
    """The rules of ``action`` whose ``Input`` is ``model``: its input classes' (``MODEL_RULES``)
    and its own row of ``KNOWLEDGE``, which it needs when its model adds rules of its own."""
    owners = [cls for cls in reversed(model.__mro__) if "cross_field_problems" in cls.__dict__]
    rules = Rules()
    for cls in owners:
        if class_key(cls) in MODEL_RULES:
            rules += MODEL_RULES[class_key(cls)](model)
        elif action not in KNOWLEDGE:
            raise LookupError(
                f"{action}: {cls.__qualname__}.cross_field_problems has rules of its own, which "
                "the schema cannot say: write them as a row of KNOWLEDGE in "
                "tests/component/fuzz_strategies.py"
            )
    return rules + KNOWLEDGE[action] if action in KNOWLEDGE else rules


COLOUR_NAMES = frozenset(webcolors.names(webcolors.CSS3)) | {"transparent"}
_HEX_LENGTHS = (3, 4, 6, 8)


def is_colour(text: str, *, hash_optional: bool) -> bool:
    """The README's colour rule, written out again so the component's check is tested against it.

    Surrounding whitespace is refused: it is sent as it is, and Picsart promises nothing for it.
    """
    if text.lower() in COLOUR_NAMES:
        return True
    digits = text[1:] if text.startswith("#") else text
    if not (hash_optional or text.startswith("#")):
        return False
    return len(digits) in _HEX_LENGTHS and all(c in string.hexdigits for c in digits)


def colours(*, hash_optional: bool) -> SearchStrategy[str]:
    hexes = st.sampled_from(_HEX_LENGTHS).flatmap(
        lambda n: st.text(alphabet=string.hexdigits, min_size=n, max_size=n)
    )
    prefix = st.sampled_from(["#", ""]) if hash_optional else st.just("#")
    names = st.sampled_from(sorted(COLOUR_NAMES))
    return st.one_of(st.tuples(prefix, hexes).map("".join), names, names.map(str.upper))


def not_colours(*, hash_optional: bool) -> SearchStrategy[str]:
    near = st.sampled_from(
        ["82d5fa", "#12345", "#1234567", "#ggg", "##fff", "bluee", "rgb(0,0,0)", "#", "0x00ff00"]
    )
    return st.one_of(near, nasty_text()).filter(
        lambda s: not is_colour(s, hash_optional=hash_optional)
    )


NOT_HTTP = (
    "ftp://images.example.com/a.png",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "mailto:someone@example.com",
    "data:image/png;base64,iVBORw0KGgo=",
    "https:",
    "http:/images.example.com/a.png",
    "https:///a.png",
    "http://:80/a.png",
    "http://images.example.com:99999/a.png",
)


def not_http_urls() -> SearchStrategy[str]:
    """Valid URIs that are no http(s) URL Picsart could fetch: another scheme, or no host."""
    schemes = st.from_regex(r"[a-z][a-z0-9+.-]{0,8}", fullmatch=True).filter(
        lambda s: s not in ("http", "https")
    )
    return st.sampled_from(NOT_HTTP) | st.tuples(schemes, http_urls()).map(
        lambda pair: pair[0] + pair[1][pair[1].index(":") :]
    )


@st.composite
def relative_paths(draw: DrawFn) -> str:
    """A path of safe segments, with the stray slashes users type, or a complete Picsart URL."""
    segments = draw(st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), min_size=1))
    path = segments[0]
    for segment in segments[1:]:
        path += draw(st.sampled_from(["/", "/", "//"])) + segment
    if draw(st.integers(0, 3)) == 0:
        host = draw(st.sampled_from(["api", "genai-api", "upload"]))
        return f"https://{host}.picsart.io/{path}"
    path = draw(st.sampled_from(["", "/"])) + path + draw(st.sampled_from(["", "/"]))
    if draw(st.booleans()):
        path += "?" + draw(st.from_regex(r"[a-z]{1,5}=[A-Za-z0-9]{0,8}", fullmatch=True))
    return path


# ---------------------------------------------------------------------------------------------
# Whole bodies


def field_values(
    schema: Schema, rules: Rules, name: str, stored: SearchStrategy[str] | None = None
) -> SearchStrategy[Any]:
    """Valid values for one field: the schema's, narrowed by the knowledge layer."""
    if name in rules.downloads and stored is not None:
        return stored
    if name in rules.colours:
        return colours(hash_optional=rules.colours[name])
    if name in rules.paths:
        return relative_paths()
    if name in rules.custom:
        return rules.custom[name]
    return _values_once(json.dumps(schema["properties"][name], sort_keys=True))


@functools.cache
def _values_once(schema_text: str) -> SearchStrategy[Any]:
    """``values`` of a property's schema, built once per schema."""
    return values(json.loads(schema_text))


@st.composite
def valid_bodies(
    draw: DrawFn, schema: Schema, rules: Rules, stored: SearchStrategy[str] | None = None
) -> Body:
    """Bodies the action must accept. ``stored`` gives URLs for download fields, when fetched."""

    def value(name: str) -> Any:
        return draw(field_values(schema, rules, name, stored))

    properties: Mapping[str, Schema] = schema["properties"]
    body: Body = {}
    for group in rules.exactly_one:
        chosen = draw(st.sampled_from(group))
        body[chosen] = value(chosen)
    for group in rules.at_most_one:
        maybe = draw(st.none() | st.sampled_from(group))
        if maybe is not None:
            body[maybe] = value(maybe)
    grouped = {name for group in (*rules.exactly_one, *rules.at_most_one) for name in group}
    for name, prop in properties.items():
        if name in grouped or name in rules.left_out:
            continue
        if is_required(prop) or draw(st.booleans()):
            body[name] = value(name)
    for name, others in rules.conflicts:
        if name in body:
            for other in others:
                body.pop(other, None)
    for trigger, trigger_value, needed in rules.required_when:
        if body.get(trigger) == trigger_value:
            for name in needed:
                if name not in body:
                    body[name] = value(name)
    return body


@dataclass(frozen=True)
class Breakage:
    """One rule broken on purpose, and the fields an error may name for it (one at least)."""

    rule: str
    fields: tuple[str, ...]
    claims: frozenset[str] = frozenset()
    """Fields later mutations must leave alone, so that this breakage stays broken."""
    alone: bool = False
    """A value no JSON can hold, which the executor reports without checking the rest."""


Mutation = Callable[[DrawFn, Body], Breakage]


def mutations(
    schema: Schema, rules: Rules, body: Body, claimed: set[str]
) -> dict[str, list[Mutation]]:
    """Every way to break ``body`` further without touching fields already broken, by kind.

    Grouped by kind so that a kind with one target (an unknown key, no image source) is drawn as
    often as one with twenty (a wrong type).
    """
    properties: Mapping[str, Schema] = schema["properties"]
    found: dict[str, list[Mutation]] = {}

    def add(kind: str, mutation: Mutation) -> None:
        found.setdefault(kind, []).append(mutation)

    for name in (name for name in properties if name not in claimed):
        for rule, strategy in property_breakers(properties[name]):
            add(rule, _setting(rule, name, strategy))
        if is_required(properties[name]) and name in body:
            add("required", _removing("required", (name,)))
        if name in rules.colours:
            strategy = not_colours(hash_optional=rules.colours[name])
            add("not a colour", _setting("not a colour", name, strategy))
        if name in rules.http_only:
            add("not http", _setting("not http", name, not_http_urls()))
    if schema.get("additionalProperties") is False:
        add("unknown key", _adding_unknown_key(properties))
    for group in rules.exactly_one:
        if not claimed & set(group):
            add("none of exactly one", _removing("none of", group))
            add("more than one", _filling(schema, rules, group))
    for group in rules.at_most_one:
        if not claimed & set(group):
            add("more than one", _filling(schema, rules, group))
    for trigger, trigger_value, needed in rules.required_when:
        if not claimed & {trigger, *needed}:
            add("required when", _triggering_without(trigger, trigger_value, needed))
    for name, others in rules.conflicts:
        if not claimed & {name, *others}:
            add("conflict", _conflicting(schema, rules, name, others))
    return found


def property_breakers(schema: Schema) -> list[tuple[str, SearchStrategy[Any]]]:
    """Each way to break a value of ``schema`` (``PROPERTY_BREAKERS``' that apply), built once
    per schema: a strategy does not change once built, and building them was most of a draw."""
    return _property_breakers(json.dumps(schema, sort_keys=True))


@functools.cache
def _property_breakers(schema_text: str) -> list[tuple[str, SearchStrategy[Any]]]:
    schema = json.loads(schema_text)
    found = [(rule, breaker(schema)) for rule, breaker in PROPERTY_BREAKERS.items()]
    return [(rule, strategy) for rule, strategy in found if strategy is not None]


def _setting(rule: str, name: str, strategy: SearchStrategy[Any]) -> Mutation:
    def mutate(draw: DrawFn, body: Body) -> Breakage:
        body[name] = draw(strategy)
        return Breakage(rule, (name,), frozenset({name}), alone=not is_json(body[name]))

    return mutate


def _removing(rule: str, names: tuple[str, ...]) -> Mutation:
    def mutate(draw: DrawFn, body: Body) -> Breakage:
        for name in names:
            body.pop(name, None)
        return Breakage(rule + " " + "/".join(names), names, frozenset(names))

    return mutate


def _adding_unknown_key(properties: Mapping[str, Schema]) -> Mutation:
    def mutate(draw: DrawFn, body: Body) -> Breakage:
        key = draw(nasty_text().filter(lambda k: k not in properties and k not in body))
        body[key] = draw(json_values)
        return Breakage("unknown key", (key,), frozenset({key}))

    return mutate


def _filling(schema: Schema, rules: Rules, group: tuple[str, ...]) -> Mutation:
    """Two or more of a group that allows at most one."""

    def mutate(draw: DrawFn, body: Body) -> Breakage:
        for name in draw(st.lists(st.sampled_from(group), min_size=2, unique=True)):
            body[name] = draw(field_values(schema, rules, name))
        present = tuple(name for name in group if body.get(name) is not None)
        return Breakage("more than one of " + "/".join(group), present, frozenset(group))

    return mutate


def _conflicting(schema: Schema, rules: Rules, name: str, others: tuple[str, ...]) -> Mutation:
    """A field and one it cannot be sent with, both set (and not empty)."""

    def mutate(draw: DrawFn, body: Body) -> Breakage:
        other = draw(st.sampled_from(others))
        body[name] = draw(field_values(schema, rules, name))
        body[other] = draw(field_values(schema, rules, other).filter(bool))
        return Breakage(f"{name} with {other}", (name, other), frozenset({name, *others}))

    return mutate


def _triggering_without(trigger: str, trigger_value: Any, needed: tuple[str, ...]) -> Mutation:
    def mutate(draw: DrawFn, body: Body) -> Breakage:
        body[trigger] = trigger_value
        missing = tuple(draw(st.lists(st.sampled_from(needed), min_size=1, unique=True)))
        for name in missing:
            body.pop(name, None)
        rule = f"{trigger} {trigger_value} without {'/'.join(missing)}"
        return Breakage(rule, missing, frozenset({trigger, *needed}))

    return mutate


_SURROGATE = re.compile("[\ud800-\udfff]")


def is_json(value: Any) -> bool:
    """Whether a JSON document can hold ``value``: no NaN, no lone surrogate, no 5000 digits."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is None
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        try:
            str(value)
        except ValueError:  # over Python's 4300-digit limit
            return False
        return True
    if isinstance(value, list):
        return all(is_json(item) for item in value)
    if isinstance(value, dict):
        return all(is_json(k) and is_json(v) for k, v in value.items())
    return value is None or isinstance(value, bool)


@st.composite
def invalid_bodies(draw: DrawFn, schema: Schema, rules: Rules) -> tuple[Body, list[Breakage]]:
    """A valid body with one to three rules broken, and what each breakage must be named by."""
    body = dict(draw(valid_bodies(schema, rules)))
    claimed: set[str] = set()
    breakages: list[Breakage] = []
    for _ in range(draw(st.integers(1, 3))):
        options = mutations(schema, rules, body, claimed)
        if not options:
            break
        kind = draw(st.sampled_from(sorted(options)))
        breakage = draw(st.sampled_from(options[kind]))(draw, body)
        breakages.append(breakage)
        claimed |= breakage.claims
    assert breakages, "a schema with nothing to break"
    return body, breakages


def not_objects() -> SearchStrategy[Any]:
    """Bodies that are no JSON object at all, down to values no JSON can hold."""
    odd = st.sampled_from([UNPRINTABLE_NUMBER, float("nan"), float("inf"), "\ud800"])
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        nasty_text(),
        odd,
        st.lists(json_values | odd, max_size=4),
        st.lists(json_objects, min_size=1, max_size=2),
    )


# issue 28, group A: Edit video's ``fit`` object, whose rules (one background, a colour not
# blurred) the schema of a nested object cannot say.
_video_fits: SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {},
    optional={
        "ratio": st.floats(0.1, 10),
        "width": st.integers(16, 4096),
        "height": st.integers(16, 4096),
    },
).flatmap(
    lambda fit: st.one_of(
        st.just(fit),
        st.integers(0, 100).map(lambda blur: {**fit, "bg_blur": blur}),
        colours(hash_optional=False).map(lambda colour: {**fit, "bg_color": colour}),
        http_urls().map(lambda url: {**fit, "bg_video_url": url}),
    )
)


# issue 28, group B: Concatenate's items (exactly one of a video and an image URL each, its own
# fields by kind) and Video highlights' segments (each ending after it starts).
_video_or_photo_urls = st.from_regex(r"https://example\.com/[a-z]{1,8}\.(mp4|jpg)", fullmatch=True)
_transitions = st.sampled_from(["none", "fade", "zoom_in", "spin", "fly_out_to_top"])
_concat_items: SearchStrategy[list[dict[str, Any]]] = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"video_url": _video_or_photo_urls},
            optional={"volume": st.integers(0, 100), "transition": _transitions},
        ),
        st.fixed_dictionaries(
            {"image_url": _video_or_photo_urls},
            optional={
                "scale": st.sampled_from(["fit", "fill"]),
                "duration": st.integers(1, 5000),
                "transition": _transitions,
            },
        ),
    ),
    min_size=1,
    max_size=10,
)
_segments: SearchStrategy[list[dict[str, Any]]] = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(1, 10_000), _transitions).map(
        lambda drawn: {"start": drawn[0], "end": drawn[0] + drawn[1], "transition": drawn[2]}
    ),
    min_size=2,
    max_size=10,
)
