"""The image API's analyses, derived from the image's real content: tags, a description, key
colours and segmentation masks; and a clearly simulated car classification.

Tags and descriptions read what can be measured honestly (the key colours, brightness,
contrast, colourfulness, warmth, size, orientation, transparency, a subject on a plain
backdrop); they name no objects, since nothing here recognises any. The masks beyond
foreground, background and sky are colour-range heuristics inside the subject: an
approximation, good on a clear portrait and no more. Pillow only; no per-pixel Python loops.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

from .imaging import grow, split_alpha, subject_mask

SEGMENTATION_CLASSES = (
    "hair", "skin", "lips", "teeth", "eyes", "clothes", "glasses", "background", "foreground",
    "sky",
)  # fmt: skip
CAR_VIEWS = (
    "front", "rear", "left-side", "right-side", "34-front-right", "34-front-left",
    "34-rear-right", "34-rear-left", "top", "interior", "engine", "detail",
)  # fmt: skip
MAX_COLORS = 5
SAMPLE_SIDE = 128  # colours are clustered on a copy at most this many pixels a side

Colour = tuple[int, int, int]

_CANDIDATES = 8  # clusters found before near-duplicates merge
_SAME_COLOUR = 28  # largest channel difference of two colours counted as one
_PLAIN_DETAIL = 3.0  # mean fine detail (levels) of a backdrop still called plain
_GREYS = ((0.12, "black"), (0.35, "darkgray"), (0.65, "gray"), (0.88, "lightgray"), (1.01, "white"))
_HUES = (
    (15, "red"), (40, "orange"), (68, "yellow"), (160, "green"), (195, "teal"), (255, "blue"),
    (290, "purple"), (335, "pink"), (361, "red"),
)  # fmt: skip


def _binary(mask: Image.Image, limit: int = 128) -> Image.Image:
    return mask.point([255 if value >= limit else 0 for value in range(256)])


def _band(channel: Image.Image, low: int, high: int) -> Image.Image:
    return channel.point([255 if low <= value <= high else 0 for value in range(256)])


def _both(*masks: Image.Image) -> Image.Image:
    result = masks[0]
    for mask in masks[1:]:
        result = ImageChops.darker(result, mask)
    return result


def _shrink(mask: Image.Image, radius: float) -> Image.Image:
    return ImageOps.invert(grow(ImageOps.invert(mask), radius))


def _share(mask: Image.Image) -> float:
    return ImageStat.Stat(mask).mean[0] / 255


# Colours


def _sample(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """A small copy for clustering (nearest-neighbour, so its colours are the image's own)."""
    picture, alpha = split_alpha(image)
    scale = min(1.0, SAMPLE_SIDE / max(picture.size))
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    if size != picture.size:
        picture = picture.resize(size, Image.Resampling.NEAREST)
        alpha = None if alpha is None else alpha.resize(size, Image.Resampling.NEAREST)
    return picture, alpha


def _key_colours(image: Image.Image, count: int, *, kmeans: int = 3) -> list[tuple[int, Colour]]:
    """Up to ``count`` (pixels, colour) clusters, most used first, near-duplicates merged.

    Median cut on the opaque pixels (see-through ones are painted the opaque mean first, then
    left out of the counts), refined by ``kmeans`` rounds of k-means.
    """
    picture, alpha = _sample(image)
    opaque = None if alpha is None else _binary(alpha)
    if opaque is not None:
        if opaque.getbbox() is None:
            return []
        mean = tuple(round(value) for value in ImageStat.Stat(picture, mask=opaque).mean)
        picture = Image.composite(picture, Image.new("RGB", picture.size, mean), opaque)
    indexed = picture.quantize(
        _CANDIDATES, Image.Quantize.MEDIANCUT, kmeans=kmeans, dither=Image.Dither.NONE
    )
    if opaque is not None:
        indexed.paste(255, mask=ImageOps.invert(opaque))
    palette = indexed.getpalette() or []
    clusters = sorted(
        (
            (pixels, tuple(palette[3 * index : 3 * index + 3]))
            for pixels, index in indexed.getcolors(256) or []
            if isinstance(index, int) and index != 255
        ),
        reverse=True,
    )
    merged: list[tuple[int, Colour]] = []
    for pixels, colour in clusters:
        red, green, blue = colour
        for place, (kept_pixels, kept) in enumerate(merged):
            if (
                max(abs(a - b) for a, b in zip(kept, (red, green, blue), strict=True))
                <= _SAME_COLOUR
            ):
                merged[place] = (kept_pixels + pixels, kept)
                break
        else:
            merged.append((pixels, (red, green, blue)))
    merged.sort(key=lambda cluster: -cluster[0])
    return merged[:count]


def extract_colors(image: Image.Image, *, count: int = 5, kmeans: int = 3) -> list[str]:
    """Up to ``count`` (1-5) distinct key colours as ``#rrggbb``, most used first, found by real
    clustering (median cut or k-means on a downscaled copy).

    Median cut refined by ``kmeans`` rounds of k-means (0: median cut alone) on a copy at most
    128 pixels a side; clusters within
    ``_SAME_COLOUR`` levels of a more used one count as that one. See-through pixels are not
    counted; a fully transparent image has no colours.
    """
    if not 1 <= count <= MAX_COLORS:
        raise ValueError(f"count must be from 1 to {MAX_COLORS}, not {count}")
    return [
        f"#{red:02x}{green:02x}{blue:02x}"
        for _, (red, green, blue) in _key_colours(image, count, kmeans=kmeans)
    ]


def _colour_name(colour: Colour) -> str:
    """A plain name for a colour: a grey by its lightness, else a hue family (brown for dark
    oranges, beige for pale ones)."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(value / 255 for value in colour))
    chroma = (max(colour) - min(colour)) / 255
    if chroma < 0.12 or saturation < 0.12:
        return next(name for limit, name in _GREYS if lightness < limit)
    degrees = hue * 360
    name = next(name for limit, name in _HUES if degrees < limit)
    if name in ("orange", "red", "yellow") and lightness < 0.4 and degrees < 50:
        return "brown"
    if name in ("orange", "yellow") and lightness > 0.75 and saturation < 0.6:
        return "beige"
    return name


# Profile


@dataclass(frozen=True)
class _Profile:
    """What the tags and the description are made from."""

    width: int
    height: int
    colours: tuple[str, ...]
    brightness: float
    contrast: float
    colourfulness: float
    warmth: float
    transparent: bool
    plain_backdrop: bool
    subject_share: float

    @property
    def orientation(self) -> str:
        if abs(self.width - self.height) <= 0.05 * max(self.width, self.height):
            return "square"
        return "landscape" if self.width > self.height else "portrait"


def _profile(image: Image.Image) -> _Profile:
    picture, alpha = split_alpha(image)
    mask = None if alpha is None else _binary(alpha)
    if mask is not None and mask.getbbox() is None:
        mask = None
    names: list[str] = []
    for _, colour in _key_colours(image, MAX_COLORS):
        name = _colour_name(colour)
        if name not in names:
            names.append(name)
    small, _ = _sample(picture)
    small_mask = None if mask is None else mask.resize(small.size, Image.Resampling.NEAREST)
    grey = ImageStat.Stat(small.convert("L"), mask=small_mask)
    saturation = ImageStat.Stat(small.convert("HSV").getchannel("S"), mask=small_mask)
    red, _, blue = ImageStat.Stat(small, mask=small_mask).mean
    plain, share = _backdrop(small) if alpha is None else (False, 0.0)
    return _Profile(
        width=picture.width,
        height=picture.height,
        colours=tuple(names),
        brightness=grey.mean[0] / 255,
        contrast=grey.stddev[0] / 255,
        colourfulness=saturation.mean[0] / 255,
        warmth=(red - blue) / 255,
        transparent=alpha is not None,
        plain_backdrop=plain,
        subject_share=share,
    )


def _backdrop(small: Image.Image) -> tuple[bool, float]:
    """Whether a subject stands on a plain backdrop (the part removebg would remove is smooth:
    little fine detail, as on a seamless paper or a gradient), and the subject's share."""
    if min(small.size) < 8:
        return False, 0.0
    subject = _binary(subject_mask(small))
    share = _share(subject)
    backdrop = _shrink(ImageOps.invert(subject), 2)
    if not 0.02 <= share <= 0.9 or backdrop.getbbox() is None:
        return False, share
    detail = ImageChops.difference(small, small.filter(ImageFilter.GaussianBlur(2)))
    return max(ImageStat.Stat(detail, mask=backdrop).mean) < _PLAIN_DETAIL, share


def _size_word(profile: _Profile) -> str:
    pixels = profile.width * profile.height
    if pixels >= 3840 * 2160:
        return "4k"
    if pixels >= 1920 * 1080:
        return "hd"
    return "lowres" if pixels < 320 * 240 else "web"


def tags(image: Image.Image) -> dict[str, Any]:
    """``{"tags": ["#blue", "#bright", "#portrait", ...]}``: hashtags from what the pixels
    really are (dominant colour names, brightness, contrast, orientation, transparency, size).

    The key colours' names come first, the dominant one leading.
    """
    profile = _profile(image)
    words = list(profile.colours[:3])
    if profile.brightness > 0.7:
        words.append("bright")
    elif profile.brightness < 0.3:
        words.append("dark")
    else:
        words.append("midtones")
    if profile.contrast > 0.28:
        words.append("highcontrast")
    elif profile.contrast < 0.1:
        words.append("lowcontrast")
    if profile.colourfulness > 0.45:
        words.append("colorful")
    elif profile.colourfulness < 0.08:
        words.append("monochrome")
    else:
        words.append("muted")
    if profile.warmth > 0.08:
        words.append("warm")
    elif profile.warmth < -0.08:
        words.append("cool")
    words.append(profile.orientation)
    if profile.transparent:
        words.extend(("transparent", "cutout"))
    if profile.plain_backdrop:
        words.extend(("minimal", "subject", "plainbackground"))
    words.append(_size_word(profile))
    return {"tags": [f"#{word}" for word in dict.fromkeys(words)]}


def describe(image: Image.Image) -> str:
    """A sentence or two describing the image from its real content (size and orientation,
    main colours, brightness, a subject found on a plain backdrop, transparency)."""
    profile = _profile(image)
    article = "An" if profile.orientation[0] in "aeiou" else "A"
    first = f"{article} {profile.orientation} {profile.width}x{profile.height} image"
    if profile.colours:
        colours = [
            name.replace("dark", "dark ").replace("light", "light ") for name in profile.colours
        ]
        first += f", mostly {colours[0]}"
        if len(colours) > 1:
            first += f" with {_listed(colours[1:3])}"
    light = (
        "bright"
        if profile.brightness > 0.7
        else "dark"
        if profile.brightness < 0.3
        else "evenly lit"
    )
    tone = (
        "colourful" if profile.colourfulness > 0.45
        else "nearly monochrome" if profile.colourfulness < 0.08
        else "softly coloured"
    )  # fmt: skip
    sentences = [f"{first}.", f"It is {light} and {tone}, with {_contrast_words(profile)}."]
    if profile.plain_backdrop:
        sentences.append(
            f"A single subject stands on a plain backdrop, filling about "
            f"{round(profile.subject_share * 100)}% of the frame."
        )
    if profile.transparent:
        sentences.append("Parts of it are transparent, as in a cutout.")
    return " ".join(sentences)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _contrast_words(profile: _Profile) -> str:
    if profile.contrast > 0.28:
        return "strong contrast"
    return "low contrast" if profile.contrast < 0.1 else "moderate contrast"


# Matting


def _ycbcr_ranges(
    picture: Image.Image, luma: tuple[int, int], blue: tuple[int, int], red: tuple[int, int]
) -> Image.Image:
    y, cb, cr = picture.convert("YCbCr").split()
    return _both(_band(y, *luma), _band(cb, *blue), _band(cr, *red))


def _row_band(size: tuple[int, int], top: int, bottom: int) -> Image.Image:
    band = Image.new("L", size, 0)
    if bottom > top:
        band.paste(255, (0, max(0, top), size[0], min(size[1], bottom)))
    return band


def matting(image: Image.Image, segmentation_class: str) -> Image.Image:
    """A greyscale mask (the image's size) of the class: foreground/background from the subject
    cut-out; sky from bright blue upper regions; skin, lips, hair, clothes, eyes, teeth and
    glasses from colour ranges inside the subject (an honest approximation).

    The face is the skin's region with its holes closed; eyes, teeth and glasses are found in
    bands of it (dark, bright, and the eye band's non-skin pixels), hair is dark subject above
    the face's lower part, clothes the subject below the face that is neither skin nor hair.
    """
    if segmentation_class not in SEGMENTATION_CLASSES:
        raise ValueError(
            f"segmentation_class must be one of {', '.join(SEGMENTATION_CLASSES)}, "
            f"not {segmentation_class!r}"
        )
    picture, alpha = split_alpha(image)
    subject = subject_mask(picture)
    if alpha is not None:
        subject = ImageChops.darker(subject, alpha)
    if segmentation_class == "foreground":
        return subject
    if segmentation_class == "background":
        return ImageOps.invert(subject)
    if segmentation_class == "sky":
        return _sky(picture, subject)
    return _binary(_part(picture, _binary(subject), segmentation_class))


def _sky(picture: Image.Image, subject: Image.Image) -> Image.Image:
    """Blue or pale-overcast pixels, fading out below the upper 60 %, less the subject.

    The subject is left out only when it stands inside the frame: one that reaches the top
    edge is most likely the sky itself taken for a subject (the segmentation models the
    backdrop from the borders, and a horizon defeats it).
    """
    hue, saturation, value = picture.convert("HSV").split()
    blue = _both(_band(hue, 125, 190), _band(saturation, 35, 255), _band(value, 110, 255))
    overcast = _both(_band(saturation, 0, 30), _band(value, 200, 255))
    colour = ImageChops.lighter(blue, overcast)
    fade = [255 if level < 153 else max(0, round(255 * (230 - level) / 77)) for level in range(256)]
    upper = Image.linear_gradient("L").resize((1, 256)).point(fade)
    sky = ImageChops.darker(colour, upper.resize(picture.size, Image.Resampling.BILINEAR))
    box = _binary(subject).getbbox()
    if box is not None and box[1] > 0:
        sky = ImageChops.darker(sky, ImageOps.invert(subject))
    return sky


def _part(picture: Image.Image, subject: Image.Image, name: str) -> Image.Image:
    size = picture.size
    unit = max(1, min(size))
    skin = _both(_ycbcr_ranges(picture, (70, 255), (77, 127), (133, 173)), subject)
    skin = grow(_shrink(skin, 1), 1)  # specks along other edges are not skin
    if name == "skin":
        return skin
    lips = _both(_ycbcr_ranges(picture, (40, 200), (90, 135), (158, 210)), subject)
    close = max(1.0, unit / 40)
    face = _shrink(grow(skin, close), close)
    face_box = face.getbbox()
    if name == "lips":
        return lips if face_box is None else _both(lips, face)
    dark = _both(_ycbcr_ranges(picture, (0, 60), (0, 255), (0, 255)), subject)
    if name in ("hair", "clothes"):
        return _hair_or_clothes(name, subject, skin, dark, face, face_box)
    if face_box is None:
        return Image.new("L", size, 0)
    core = _shrink(face, close / 2)
    face_top, face_height = face_box[1], face_box[3] - face_box[1]
    eye_band = _row_band(size, face_top + face_height // 5, face_top + face_height * 3 // 5)
    inner = ImageChops.subtract(core, skin)
    if name == "eyes":
        return _both(inner, dark, eye_band)
    if name == "teeth":
        bright = _ycbcr_ranges(picture, (170, 255), (108, 148), (108, 150))
        mouth = _row_band(size, face_top + face_height * 3 // 5, face_box[3])
        return _both(core, bright, mouth)
    glasses = _both(ImageChops.subtract(inner, lips), eye_band)
    return grow(glasses, max(1.0, unit / 200))


def _hair_or_clothes(
    name: str,
    subject: Image.Image,
    skin: Image.Image,
    dark: Image.Image,
    face: Image.Image,
    face_box: tuple[int, int, int, int] | None,
) -> Image.Image:
    """Hair: dark subject above the face's lower third. Clothes: the subject below the face
    (below its middle when there is no face) that is not skin."""
    size = subject.size
    if name == "hair":
        bottom = (
            size[1] // 2 if face_box is None else face_box[1] + (face_box[3] - face_box[1]) * 2 // 3
        )
        return ImageChops.subtract(_both(dark, _row_band(size, 0, bottom)), face)
    subject_box = subject.getbbox() or (0, 0, *size)
    top = (subject_box[1] + subject_box[3]) // 2 if face_box is None else face_box[3]
    return ImageChops.subtract(_both(subject, _row_band(size, top, size[1])), skin)


# Cars (simulated)


def classify_car(image: Image.Image) -> dict[str, Any]:
    """``{"class": one of CAR_VIEWS, "vin": None, "odo": None}``, chosen deterministically from
    the image's content (simulated: no model runs).

    A mirror-symmetric picture is read as a front or rear view, a wide one as a side or
    three-quarter view, a dark one as the interior; a hash of a small copy of the pixels picks
    within those, so the same picture always gets the same answer.
    """
    picture, _ = split_alpha(image)
    small = picture.resize((16, 16), Image.Resampling.BOX)
    digest = hashlib.sha256(small.tobytes()).digest()
    symmetry = max(ImageStat.Stat(ImageChops.difference(small, ImageOps.mirror(small))).mean)
    brightness = ImageStat.Stat(small.convert("L")).mean[0]
    wide = picture.width >= 1.4 * picture.height
    if brightness < 45:
        views: tuple[str, ...] = ("interior",)
    elif symmetry < 6:
        views = ("front", "rear")
    elif wide:
        views = tuple(view for view in CAR_VIEWS if "side" in view or view.startswith("34-"))
    else:
        views = (
            "34-front-right",
            "34-front-left",
            "34-rear-right",
            "34-rear-left",
            "top",
            "engine",
            "detail",
        )
    return {"class": views[digest[0] % len(views)], "vin": None, "odo": None}
