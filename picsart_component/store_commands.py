"""``picsart-flow store``: see and tidy the local attachment store.

Demo runs, ``attach``, folder inputs and "Download result" all put files there; these commands
list them, show one, remove some, and prune the old ones, so that nothing piles up out of sight.
"""

from __future__ import annotations

import datetime
import re
import sys
import time
from typing import TYPE_CHECKING

import click

from .console import EXIT_FAILED, EXIT_OK, emit_json, environment, usage_error

if TYPE_CHECKING:
    from .lib.store import LocalStore, StoreEntry

_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _local_store() -> LocalStore:
    from .lib.store import LocalStore, store_for

    store = store_for(environment())
    if not isinstance(store, LocalStore):
        usage_error(
            "the store commands manage the local store; with ELASTICIO_OBJECT_STORAGE_URI set, "
            "files go to the platform's object storage, which the platform manages"
        )
    return store


def _describe(entry: StoreEntry) -> dict[str, object]:
    modified = datetime.datetime.fromtimestamp(entry.modified, tz=datetime.timezone.utc)
    return {
        "name": entry.name,
        "url": entry.url,
        "size": entry.size,
        "content-type": entry.content_type,
        "modified": modified.isoformat(timespec="seconds"),
    }


def _size(size: float) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _age(seconds: float) -> str:
    for unit, length in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= length:
            return f"{seconds / length:.0f}{unit}"
    return f"{seconds:.0f}s"


def parse_age(text: str) -> float:
    """Seconds from ``30d``, ``12h``, ``45m``, ``90s`` or ``2w``; ``ValueError`` otherwise."""
    found = _AGE.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(f"{text!r} is not an age; write it as 30d, 12h, 45m, 90s or 2w")
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2)]


@click.group(
    "store", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
def store() -> None:
    """See and tidy the local attachment store (PICSART_ATTACHMENTS_DIR).

    Files there are named after their content, so the same image is stored once.

    \b
    Examples:
      picsart-flow store list
      picsart-flow store prune --older-than 30d
    """


@store.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON object per file, not a table.")
def list_files(as_json: bool) -> None:
    """List the files, oldest first: name, size, type and age.

    \b
    Example:
      picsart-flow store list
    """
    local = _local_store()
    entries = local.entries()
    now = time.time()
    for entry in entries:
        if as_json:
            emit_json(_describe(entry))
        else:
            click.echo(
                f"{entry.name}  {_size(entry.size):>9}  {entry.content_type:<24}  "
                f"{_age(now - entry.modified)} old"
            )
    total = sum(entry.size for entry in entries)
    click.echo(f"{len(entries)} file(s), {_size(total)} in {local.directory}", err=True)


@store.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show one file: its URL, path, size, type, age and, for an image, its size in pixels.

    NAME is the file's name, its name without extension, its file:// URL, or a file on this
    machine (its stored copy is found by its content).

    \b
    Example:
      picsart-flow store show picsart-demo/portrait.png
    """
    from PIL import Image, UnidentifiedImageError

    entry = _local_store().find(name)
    if entry is None:
        click.echo(f"picsart-flow: no file {name!r} in the store", err=True)
        sys.exit(EXIT_FAILED)
    shown = {**_describe(entry), "path": str(entry.path)}
    try:
        with Image.open(entry.path) as image:
            shown["width"], shown["height"] = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    emit_json(shown)


@store.command("rm")
@click.argument("names", nargs=-1, required=True)
def remove(names: tuple[str, ...]) -> None:
    """Remove files by name, id, URL or the file they are a copy of. Exits 1 if one of them is
    not in the store.

    \b
    Example:
      picsart-flow store rm picsart-demo/portrait.png
    """
    local = _local_store()
    missing = False
    for name in names:
        entry = local.find(name)
        if entry is None:
            click.echo(f"picsart-flow: no file {name!r} in the store", err=True)
            missing = True
            continue
        local.remove(entry)
        click.echo(f"removed {entry.name}")
    sys.exit(EXIT_FAILED if missing else EXIT_OK)


@store.command("prune")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="AGE",
    help="Remove files last written or used longer ago than AGE: 30d, 12h, 45m, 90s or 2w.",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def prune(older_than: str, dry_run: bool) -> None:
    """Remove the files older than an age.

    \b
    Example:
      picsart-flow store prune --older-than 30d
    """
    try:
        seconds = parse_age(older_than)
    except ValueError as error:
        usage_error(f"--older-than: {error}")
    local = _local_store()
    cutoff = time.time() - seconds
    old = [entry for entry in local.entries() if entry.modified < cutoff]
    for entry in old:
        if not dry_run:
            local.remove(entry)
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"{verb} {len(old)} file(s), {_size(sum(entry.size for entry in old))}, older than "
        f"{older_than} from {local.directory}"
    )
