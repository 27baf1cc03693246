"""A deadline for a whole HTTP exchange: connect, send, headers and body together.

httpx's timeouts bound each network operation: a server that trickles one byte every half second never
trips a 2 s read timeout, and keeps a request open for as long as it likes. Here every socket operation's
timeout is clipped to what is left of the request's deadline, so a request ends by its deadline however
the server spreads its bytes. The deadline is set per request with `deadline(seconds)`, in the thread that
sends it (a context variable, so concurrent requests each keep their own).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

log = logging.getLogger(__name__)

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("harness_http_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Requests sent inside the block, from this thread, end within `seconds` from now (httpx.TimeoutException)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _clip(timeout: float | None, expired: type[Exception]) -> float | None:
    """The operation's timeout, cut to what is left of the deadline; raises `expired` once it has passed."""
    end = _DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the deadline for the whole reply has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> _Stream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _clip(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _Stream:
        stream = self._backend.connect_tcp(host, port, _clip(timeout, httpcore.ConnectTimeout), local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> _Stream:
        return _Stream(self._backend.connect_unix_socket(path, _clip(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_client(timeout: float, headers: dict[str, str], connections: int) -> httpx.Client:
    """An httpx.Client whose requests honour `deadline()`, with `timeout` for each operation as well."""
    client = httpx.Client(
        timeout=httpx.Timeout(timeout), headers=headers, limits=httpx.Limits(max_connections=max(connections, 1))
    )
    # httpx offers no public way to choose httpcore's network backend: wrap the one each pool holds (the
    # direct transport and any proxy mounts). The openai tests' trickling server proves it still takes.
    wrapped = 0
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = _Backend(pool._network_backend)
            wrapped += 1
    if not wrapped:
        log.warning("this httpx version hides its network backend: `timeout` bounds each read, not the whole reply")
    return client
