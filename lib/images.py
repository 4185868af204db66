"""The files a request uploads: each one fetched, checked by its bytes and, where a rule needs
its size, measured, as a part of a multipart form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from .body import FilePart
from .context import PicsartContext
from .formats import DESIGN_FORMATS, IMAGE, kind_accepting


@dataclass
class Gathered:
    """A form's file parts, and the sizes of the images that were measured, by field."""

    parts: list[FilePart] = field(default_factory=list)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)


@contextmanager
def fetched_parts(
    sources: Mapping[str, tuple[str, str]],
    context: PicsartContext,
    *,
    api_base_url: str,
    accepted_formats: frozenset[str],
    measure: bool = False,
) -> Iterator[Gathered]:
    """Each file of ``sources`` (by the field that names it: its URL and the multipart part it
    becomes) fetched into a temporary file and checked, as a part of a form.

    The formats a field accepts say what it takes: a field that accepts a video or sound (the
    video API's Upload files) is fetched as one, under ``PICSART_MAX_VIDEO_MB``; any other as an
    image. With ``measure`` the images' sizes are read (from the header only; a design file has
    none), for the rules that depend on them. The temporary files go when the block ends.
    """
    kind = kind_accepting(accepted_formats)
    media = kind != IMAGE
    files = context.files
    images = files.video_sources(api_base_url, kind) if media else files.image_sources(api_base_url)
    gathered = Gathered()
    with ExitStack() as temporary_files:
        for name, (url, part_name) in sources.items():
            local = temporary_files.enter_context(images.fetch(url, f"$.{name}", accepted_formats))
            if measure and not media and local.format not in DESIGN_FORMATS:
                gathered.sizes[name] = local.dimensions()
            gathered.parts.append(local.part(part_name))
        yield gathered
