"""Process-level helpers for large runs."""

from __future__ import annotations

import contextlib
import gc
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
