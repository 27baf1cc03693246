"""Several servers behind one model: requests spread over replicas, a replica that refuses set aside.

The `openai` backend's `base_url` may be a list of replicas serving the same model (vLLM or TGI on
several machines or GPUs). Each request goes to the replica with the fewest requests outstanding (ties:
the one used least recently), which keeps a slow replica from collecting a queue. A replica that refuses
connections is set aside for SET_ASIDE seconds, doubled each time it refuses again (at most MAX_SET_ASIDE),
then tried again; its first answer brings it back. When every replica is set aside, the one due back
soonest is tried, so a single server behaves as it did before.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence

log = logging.getLogger(__name__)

SET_ASIDE = 5.0
MAX_SET_ASIDE = 120.0


def replica_urls(base_url: str | Sequence[str]) -> list[str]:
    """The replicas a base_url option names (one URL or a list)."""
    return [base_url] if isinstance(base_url, str) else list(base_url)


class ReplicaPool:
    """Chooses a replica for each request and learns which ones refuse connections."""

    def __init__(
        self, urls: Sequence[str], refused: tuple[type[BaseException], ...] = (ConnectionRefusedError,), clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.urls = list(urls)
        self._refused_types = refused
        self._clock = clock
        self._lock = threading.Lock()
        self._outstanding = dict.fromkeys(self.urls, 0)
        self._back_at = dict.fromkeys(self.urls, 0.0)  # set aside until this time
        self._refusals = dict.fromkeys(self.urls, 0)  # in a row
        self._last_used = dict.fromkeys(self.urls, 0)
        self._ticks = itertools.count(1)
        self.answered = dict.fromkeys(self.urls, 0)  # requests each replica completed (for tests and logs)

    @contextlib.contextmanager
    def lease(self) -> Iterator[str]:
        """A replica for one request; a refused connection raised inside sets that replica aside."""
        url = self._acquire()
        try:
            yield url
        except self._refused_types:
            self._set_aside(url)
            raise
        else:
            with self._lock:
                self._refusals[url], self._back_at[url] = 0, 0.0
                self.answered[url] += 1
        finally:
            with self._lock:
                self._outstanding[url] -= 1

    def available(self) -> list[str]:
        """Replicas not set aside now."""
        now = self._clock()
        with self._lock:
            return [url for url in self.urls if self._back_at[url] <= now]

    def _acquire(self) -> str:
        now = self._clock()
        with self._lock:
            ready = [url for url in self.urls if self._back_at[url] <= now]
            candidates = ready or [min(self.urls, key=self._back_at.__getitem__)]
            url = min(candidates, key=lambda u: (self._outstanding[u], self._last_used[u]))
            self._outstanding[url] += 1
            self._last_used[url] = next(self._ticks)
            return url

    def _set_aside(self, url: str) -> None:
        with self._lock:
            wait = min(SET_ASIDE * 2 ** self._refusals[url], MAX_SET_ASIDE)
            self._refusals[url] += 1
            self._back_at[url] = self._clock() + wait
            others = len(self.urls) - 1
        if others:
            log.warning("replica %s refuses connections; set aside for %.0f s (requests go to the other %d)", url, wait, others)
