"""Whether the Hugging Face hub can be reached: models and datasets go offline at once when it cannot."""

from __future__ import annotations

import concurrent.futures
import functools
import os
import socket
from urllib.parse import urlparse

_TRUE = {"1", "ON", "YES", "TRUE"}


def hub_offline() -> bool:
    """Whether offline mode is on (`--offline` or HF_HUB_OFFLINE=1), read now: the CLI may set it after
    huggingface_hub read it at import."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in _TRUE:
        return True
    try:
        from huggingface_hub import constants
    except ImportError:  # without the hf or datasets extra nothing talks to the hub
        return True
    return bool(constants.HF_HUB_OFFLINE)


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the hub's host name resolves, in at most `timeout` seconds; False in offline mode.

    Without a network, transformers and datasets retry the hub for ~25 s before they fall back to their
    caches; a failed lookup here lets them go to the cache at once.
    """
    return not hub_offline() and _resolves(timeout)


@functools.lru_cache(maxsize=1)
def _resolves(timeout: float) -> bool:
    """Whether the hub's host name resolves: cheap proof of being online (asked once per process)."""
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 (any failure to resolve means offline)
        return False
    finally:
        pool.shutdown(wait=False)
