"""``picsart-flow designer``: serve the designer on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import sys
import threading
import webbrowser
from pathlib import Path

import click

from ..console import (
    configure_logging,
    environment,
    merge_cfg,
    stop_cleanly_on_sigterm,
    usage_error,
    verbose_option,
)
from ..frontend_settings import FrontEndSettings


@click.command("designer")
@click.argument("flow_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port (default: a free one)."
)
@click.option("--no-open", is_flag=True, help="Do not open a browser; only print the address.")
@verbose_option
def designer(flow_file: Path | None, port: int, no_open: bool, verbose: bool) -> None:
    """Build, map, try and run flows in a browser: a page served on 127.0.0.1.

    Prints one line with the address (it carries a token that signs the browser in) and opens
    it. Without PICSART_API_KEY the embedded sandbox answers and nothing leaves this machine; a
    key typed into the page stays in this process's memory. The page reaches only this folder
    and FLOW_FILE's. Ctrl-C stops it.

    \b
    Examples:
      picsart-flow designer
      picsart-flow designer examples/cutout-then-upscale.yaml --no-open --port 8765
    """
    from .serving import make_designer

    configure_logging(verbose)
    cfg = merge_cfg(settings=environment())
    if flow_file is not None and flow_file.exists() and not flow_file.is_file():
        usage_error(f"FLOW_FILE: {flow_file} is not a file")
    try:
        running = make_designer(Path.cwd(), flow_file, port=port, cfg=cfg)
    except OSError as error:
        usage_error(f"--port: cannot listen on 127.0.0.1:{port}: {error.strerror}")
    restore = stop_cleanly_on_sigterm()
    click.echo(f"picsart-flow designer: {running.url}")
    sys.stdout.flush()
    if not no_open:
        if FrontEndSettings.from_environ().desktop:
            # In a thread: the server must already answer when the browser asks.
            launch = running.launch_url()
            threading.Thread(target=webbrowser.open, args=(launch,), daemon=True).start()
        else:
            click.echo(
                "picsart-flow designer: no display to open a browser on; open the address above "
                "in a browser on this machine",
                err=True,
            )
    try:
        running.serve_forever()
    finally:
        running.stop()
        restore()
        click.echo("picsart-flow designer: stopped", err=True)
