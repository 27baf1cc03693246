"""Whether the Hugging Face hub can be reached: models and datasets go offline at once when it cannot."""

from __future__ import annotations

import concurrent.futures
import functools
import socket
from urllib.parse import urlparse


@functools.lru_cache(maxsize=1)
def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the hub's host name resolves: cheap proof of being online, in at most `timeout` seconds.

    Without a network, transformers and datasets retry the hub for ~25 s before they fall back to their
    caches; a failed lookup here lets them go to the cache at once.
    """
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 (any failure to resolve means offline)
        return False
    finally:
        pool.shutdown(wait=False)
