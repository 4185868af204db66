"""Where Remove background and upscale do their pixel work: in the serving process, or in
worker processes.

The work is a pure function of bytes and options (decode, work, encode), so it can run in
another process while limits, credits, the store and the log stay with the server. In the
serving process requests take turns at it: it holds the interpreter lock nearly throughout, and
threads taking turns get more of it done than threads interleaving. In worker processes it runs
beside the server's own work, on other cores.

A failure comes back as a ``Failure`` (which input, and why) rather than as an exception, so
that the caller words it the same way whichever process did the work.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from . import imaging


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Failure:
    """``input`` is ``"image"``, ``"background"`` (could not be opened) or ``"work"``."""

    input: Literal["image", "background", "work"]
    unsupported: bool
    reason: str


Outcome = Encoded | Failure


def cutout(
    data: bytes,
    background: bytes | None,
    params: imaging.RemoveBackgroundParams,
    max_pixels: int,
) -> Outcome:
    image = opened(data, "image", imaging.REMOVEBG_INPUT_FORMATS, max_pixels)
    if isinstance(image, Failure):
        return image
    backdrop = None
    if background is not None:
        opened_background = opened(
            background, "background", imaging.REMOVEBG_INPUT_FORMATS, max_pixels
        )
        if isinstance(opened_background, Failure):
            return opened_background
        backdrop = opened_background
    return _work(lambda: imaging.remove_background(image, params, bg_image=backdrop), params.format)


def enlarged(data: bytes, factor: int, ultra: bool, output_format: str, max_pixels: int) -> Outcome:
    image = opened(data, "image", imaging.UPSCALE_INPUT_FORMATS, max_pixels)
    if isinstance(image, Failure):
        return image
    scale = imaging.upscale_ultra if ultra else imaging.upscale
    return _work(lambda: scale(image, factor), output_format)


def opened(
    data: bytes,
    which: Literal["image", "background"],
    formats: frozenset[str],
    max_pixels: int,
) -> Image.Image | Failure:
    """The decoded image, or why it cannot be: ``unsupported`` for no image or the wrong kind."""
    try:
        return imaging.open_image(data, formats, max_pixels=max_pixels)
    except (imaging.NotAnImageError, imaging.UnsupportedFormatError) as error:
        return Failure(which, True, str(error))
    except imaging.ImagingError as error:
        return Failure(which, False, str(error))


def _work(make: Callable[[], Image.Image], output_format: str) -> Outcome:
    try:
        data, content_type = imaging.encode(make(), output_format)
    except imaging.ImagingError as error:
        return Failure("work", False, str(error))
    return Encoded(data, content_type)


class WorkerLost(Exception):
    """A worker process ended (killed, out of memory) before it answered."""


class ImageWork:
    """Runs ``cutout`` and ``enlarged``: with ``processes`` 0 here, one request at a time;
    otherwise in that many worker processes, started at the first call."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._turns = threading.Lock()
        self._pool: Executor | None = None
        self._pool_lock = threading.Lock()

    def run(self, work: Callable[..., Outcome], *args: object) -> Outcome:
        """The outcome of ``work(*args)``; ``WorkerLost`` when a worker process died doing it
        (the next call starts new ones)."""
        if not self.processes:
            with self._turns:
                return work(*args)
        pool = self._workers()
        try:
            return pool.submit(work, *args).result()
        except BrokenProcessPool:
            with self._pool_lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerLost from None

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _workers(self) -> Executor:
        with self._pool_lock:
            if self._pool is None:
                # Not fork: the server has threads, which fork() would copy mid-lock. Windows
                # has no forkserver.
                methods = multiprocessing.get_all_start_methods()
                method = "forkserver" if "forkserver" in methods else "spawn"
                context = multiprocessing.get_context(method)
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=context, initializer=_end_with_the_server
                )
            return self._pool


def _end_with_the_server() -> None:
    """In a worker: exit as soon as the server's process has ended, however it ended.

    A worker waits on a queue whose every end it holds itself, so it would never see the server
    go; the parent's sentinel does.
    """
    server = multiprocessing.parent_process()
    if server is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([server.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="end-with-the-server", daemon=True).start()
