"""Run one export's rendering and signing in a child process that exits afterwards.

WeasyPrint keeps fonts, layout caches and fragmented heap after a large document; a
worker that rendered a 300-page dossier stays large. The child takes the memory and time
an export may use (``DOSSIER_MEMORY_MB`` of address space, ``DOSSIER_TIME_LIMIT``
seconds), reports progress through a pipe and is gone when the export is done: the worker
process is, in effect, recycled after each export. The child never touches the database
and does not set Django up: ``fn`` and its arguments must be importable and picklable
without it (audits/dossiers/pdf/__init__.py).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
import traceback
from collections.abc import Callable
from typing import Any

Progress = Callable[[int, str], None]


class ExportLimit(Exception):
    """The export went past a limit, or its process died (a message for people)."""


def _child(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any, memory_mb: int) -> None:
    try:
        if memory_mb > 0:
            limit = memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        def progress(percent: int, stage: str) -> None:
            conn.send(("progress", (percent, stage)))

        conn.send(("done", fn(*args, progress=progress)))
    except MemoryError:
        conn.send(("memory", ""))
    except BaseException as exc:  # everything goes back to the parent as a message
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"))
    finally:
        conn.close()
        # No atexit handlers, no flushing of the parent's inherited buffers or sockets.
        os._exit(0)


def run(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    progress: Progress,
    timeout: int,
    memory_mb: int,
    isolate: bool = True,
) -> Any:
    """``fn(*args, progress=...)`` in a forked child (or in this process when ``isolate``
    is off), with its progress relayed to ``progress``."""
    if not isolate:
        return fn(*args, progress=progress)
    # A fresh interpreter, not a fork: the caller may have threads (a web server, the
    # browser tests' event loop) whose locks a forked child would inherit held.
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(fn, args, send, memory_mb), daemon=True)
    child.start()
    send.close()
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ExportLimit(
                    f"The export took longer than {timeout} s (DOSSIER_TIME_LIMIT). "
                    "Raise the limit, or export a review with fewer audit groups."
                )
            if not receive.poll(min(remaining, 0.5)):
                if not child.is_alive() and not receive.poll(0):
                    raise ExportLimit(
                        f"The export process stopped unexpectedly (exit code {child.exitcode})."
                    )
                continue
            try:
                kind, payload = receive.recv()
            except EOFError as exc:
                raise ExportLimit(
                    f"The export process stopped unexpectedly (exit code {child.exitcode})."
                ) from exc
            if kind == "progress":
                progress(*payload)
            elif kind == "done":
                return payload
            elif kind == "memory":
                raise ExportLimit(
                    f"The export needed more than {memory_mb} MB (DOSSIER_MEMORY_MB). Raise "
                    "the limit, or export a review with fewer audit groups."
                )
            else:
                raise ExportLimit(f"The export failed: {payload.splitlines()[0]}")
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
