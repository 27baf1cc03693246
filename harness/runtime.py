"""Process-level helpers for large runs."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a large run is built or written.

    With a CNN/DM-sized run in memory (11,490 documents x several models: millions of small dicts of claims and
    scores) each full pass of the collector walks every one of them, again and again as objects pile up; that
    made writing a run several times slower. Runs make no reference cycles worth collecting (reference counting
    frees everything), so the collector is paused and put back as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def installed(module: str) -> bool:
    """Whether a module can be imported, found without importing it (torch takes seconds)."""
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
