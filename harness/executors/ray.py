"""The Ray executor: summarizers in Ray actors across a cluster, scoring shards as Ray tasks.

Each worker is an actor that rebuilds the summarizer once from the model's plain spec (the model loads
once per worker, not per batch). Documents go out in batches, one batch in flight per worker; results
come back as they finish (ray.wait) and the driver records them at once, so the cache and resume work as
with the local executor. A worker that dies loses only its batch in flight, which is sent to another
worker up to `max_retries` times and then marked failed for that model alone.

Ray is an optional extra (`pip install "summarization-harness[ray]"`) and is imported only when a run
uses this executor.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import re
import socket
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator

import harness
from harness.config import MAX_WORKERS, WORKERS_LIMIT, ModelSpec
from harness.documents import Document
from harness.errors import HarnessError, first_line
from harness.executors.base import (
    BatchResult,
    Executor,
    ExecutorOptions,
    ExecutorUnavailable,
    ModelJob,
    Output,
    Result,
    Shard,
    WorkerSummarizers,
    portable,
    reraise,
    summarize_batch,
)
from harness.summarizers.base import Summarizer, SummaryError

log = logging.getLogger(__name__)

INSTALL = 'pip install "summarization-harness[ray]"'
CONNECT_TIMEOUT = 10.0  # seconds to open a TCP connection to the cluster's address
START_TIMEOUT = 300.0  # seconds for the workers to start (an autoscaling cluster may add nodes first)


class RayOptions(ExecutorOptions):
    """Options of the Ray executor: which cluster, how many workers, what each reserves, batch size."""

    address: str | None = Field(
        None, description="auto (the cluster `ray start` made on this machine), ray://HOST:10001 or HOST:PORT; unset starts a local Ray"
    )
    workers: int | None = Field(
        None, gt=0, description="actors running summarizers; default: the run's workers, else as many as the cluster has room for"
    )
    num_cpus: float = Field(1, ge=0, description="CPUs each worker reserves")
    num_gpus: float = Field(0, ge=0, description="GPUs each worker reserves: 1 puts one model on each GPU, 0.5 two per GPU")
    batch_size: int = Field(8, gt=0, description="documents sent to a worker at a time (a worker that dies loses at most these)")
    max_retries: int = Field(2, ge=0, description="times a batch whose worker died is sent to another worker before it fails")

    @field_validator("address")
    @classmethod
    def _known_form(cls, address: str | None) -> str | None:
        if address is not None and address != "auto" and not re.fullmatch(r"(ray://)?[^\s/]+:\d+", address):
            raise ValueError("use auto, ray://HOST:10001 or HOST:PORT (the head's GCS port, 6379 by default)")
        return address

    @field_validator("workers")
    @classmethod
    def _workers_limit(cls, workers: int | None) -> int | None:
        if workers is not None and workers > MAX_WORKERS:  # as the run's workers: one limit, one message
            raise ValueError(WORKERS_LIMIT)
        return workers


class RayExecutor(Executor):
    """Ray actors for generation, Ray tasks for scoring; the driver keeps the cache and the records."""

    name = "ray"
    Options = RayOptions
    options: RayOptions

    def __init__(self, options: RayOptions, *, workers: int | None = None) -> None:
        super().__init__(options, workers=workers)
        self._ray: Any = None
        self._started_ray = False
        self._actors: list[Any] = []
        self._workers: int | None = None
        self.retried_batches = 0

    @classmethod
    def check_available(cls) -> None:
        """Ray must be installed (the `ray` extra)."""
        if importlib.util.find_spec("ray") is None:
            raise HarnessError(f"the ray executor needs Ray, which is not installed: {INSTALL}")

    @property
    def workers(self) -> int:
        """Actors: executor.workers, else the run's workers, else what the cluster has room for."""
        if self._workers is None:
            self._workers = self.options.workers or self.requested_workers or self._room()
        return self._workers

    def describe(self) -> dict[str, Any]:
        """Options, workers (when known: a run whose summaries were all cached starts none) and batches retried."""
        workers = self._workers or self.options.workers or self.requested_workers
        options = self.options.model_dump(mode="json", exclude_none=True)
        return {"type": self.name, "workers": workers, **options, "retried_batches": self.retried_batches}

    def generate(self, summarizer: Summarizer, spec: ModelSpec, documents: Sequence[Document]) -> Iterator[Output]:
        """Batches over the actors, one in flight each; outputs yielded as each batch comes back."""
        if not summarizer.cacheable:  # precomputed summaries: files on this machine, read here
            yield from summarizer.summarize_documents(documents)
            return
        if not documents:
            return
        ray = self._connect()
        from ray.exceptions import RayActorError

        job = ModelJob.of(summarizer, spec)
        size = self.options.batch_size
        batches: deque[_Batch] = deque(_Batch(list(range(s, min(s + size, len(documents))))) for s in range(0, len(documents), size))
        idle = list(self._start_actors())
        in_flight: dict[Any, tuple[Any, _Batch]] = {}

        def dispatch() -> None:
            while idle and batches:
                actor, batch = idle.pop(0), batches.popleft()
                ref = actor.summarize.remote(job, [documents[i] for i in batch.indices], batch.indices)
                in_flight[ref] = (actor, batch)

        dispatch()
        while in_flight:
            [ref], _ = ray.wait(list(in_flight), num_returns=1)
            actor, batch = in_flight.pop(ref)
            try:
                result: BatchResult = ray.get(ref)
            except RayActorError as error:
                self._actors = [a for a in self._actors if a is not actor]
                failed = self._retry_or_fail(batch, error, spec.name, batches)
                if not self._actors:  # every worker is gone: start new ones for what is left
                    idle = list(self._start_actors())
                dispatch()
                yield from ((index, failed) for index in batch.indices if failed is not None)
                continue
            idle.append(actor)
            dispatch()  # before yielding: the worker gets its next batch while the driver records this one
            yield from result.outputs
            reraise(result)  # the summarizer raised: the model stops, as it would in-process

    def _retry_or_fail(self, batch: _Batch, error: Exception, model: str, batches: deque[_Batch]) -> SummaryError | None:
        """Requeue a lost batch first in line, or the error its documents get once retries are spent."""
        batch.attempts += 1
        why = first_line(error) or type(error).__name__
        if batch.attempts > self.options.max_retries:
            log.warning("%s: a Ray worker died with %d document(s) in flight, for the %s time; they are marked failed",
                        model, len(batch.indices), _ordinal(batch.attempts))
            return SummaryError(f"the Ray worker died {batch.attempts} time(s) on this batch: {why}")
        self.retried_batches += 1
        log.warning("%s: a Ray worker died with %d document(s) in flight (%s); retrying them on another worker (attempt %d of %d)",
                    model, len(batch.indices), why, batch.attempts + 1, self.options.max_retries + 1)
        batches.appendleft(batch)
        return None

    def map(self, fn: Callable[[Shard], Result], shards: Sequence[Shard]) -> list[Result]:
        """fn over shards as Ray tasks (one CPU each), results in shard order; one shard runs here."""
        if len(shards) <= 1:  # a Ray task would add a worker's start-up to a few milliseconds of work
            return [fn(shard) for shard in shards]
        ray = self._connect()
        self._stop_actors()  # generation is over: the actors' reserved CPUs go to the tasks
        task = ray.remote(num_cpus=1)(fn)
        return ray.get([task.remote(shard) for shard in shards])

    def close(self) -> None:
        """Stop the actors; end the local Ray (or the connection to a cluster) if this executor made it."""
        self._stop_actors()
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray, self._ray = False, None

    def _connect(self) -> Any:
        if self._ray is not None:
            return self._ray
        import ray

        if not ray.is_initialized():  # an already connected driver (a notebook, the test suite) is used as it is
            where = self.options.address
            _check_reachable(where)
            try:
                if where is None:
                    ray.init(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=True)
                else:
                    ray.init(address=where, logging_level=logging.WARNING, log_to_driver=True)
            except (ConnectionError, RuntimeError, ValueError) as error:
                if where is None:
                    raise ExecutorUnavailable(f"cannot start a local Ray: {first_line(error)}", "type") from None
                target = "a Ray cluster on this machine (auto)" if where == "auto" else f"the Ray cluster at {where}"
                why = first_line(error).rstrip(".")
                raise ExecutorUnavailable(f"cannot connect to {target}: {why}; {_FIX}", "address") from None
            self._started_ray = True  # a local Ray, or a connection to a cluster: ours to end
        self._check_room(ray)  # before self._ray is set: every later call checks again rather than wait for room
        self._ray = ray
        return ray

    def _room(self) -> int:
        """How many workers of this shape fit in the whole cluster."""
        resources = self._connect().cluster_resources()
        fits = []
        if self.options.num_cpus > 0:
            fits.append(math.floor(resources.get("CPU", 0) / self.options.num_cpus + 1e-9))
        if self.options.num_gpus > 0:
            fits.append(math.floor(resources.get("GPU", 0) / self.options.num_gpus + 1e-9))
        return max(1, min(fits)) if fits else 1

    def _check_room(self, ray: Any) -> None:
        resources = ray.cluster_resources()
        for name, wanted in (("GPU", self.options.num_gpus), ("CPU", self.options.num_cpus)):
            if wanted > resources.get(name, 0):
                raise HarnessError(
                    f"executor.num_{name.lower()}s: each worker asks for {wanted:g} {name}(s) but the Ray cluster has "
                    f"{resources.get(name, 0):g} in all (start the nodes with GPUs, or lower num_{name.lower()}s)"
                )

    def _start_actors(self) -> list[Any]:
        if self._actors:
            return self._actors
        ray = self._ray
        from ray.exceptions import GetTimeoutError, RayActorError

        shape = {"num_cpus": self.options.num_cpus, "num_gpus": self.options.num_gpus, "max_restarts": 0}
        worker_class = ray.remote(_Worker)
        run = uuid.uuid4().hex[:8]  # named, so a user (or a test) can find a run's workers in `ray list actors`
        actors = [worker_class.options(name=f"harness-{run}-{i}", **shape).remote() for i in range(self.workers)]
        try:
            versions = ray.get([actor.ready.remote() for actor in actors], timeout=START_TIMEOUT)
        except GetTimeoutError:
            for actor in actors:
                ray.kill(actor)
            raise HarnessError(
                f"executor: {self.workers} Ray worker(s) of {self.options.num_cpus:g} CPU and {self.options.num_gpus:g} GPU "
                f"did not start within {START_TIMEOUT:g} s: the cluster has no room for them (lower workers, or add nodes)"
            ) from None
        except RayActorError as error:
            raise HarnessError(
                f"executor: the Ray workers could not start (is summarization-harness installed on every node?): {first_line(error)}"
            ) from None
        if any(found != harness.__version__ for found in versions):
            raise HarnessError(
                f"executor: the Ray workers run summarization-harness {sorted(set(versions))}, this driver {harness.__version__}; "
                "install the same version on every node"
            )
        self._actors = actors
        return actors

    def _stop_actors(self) -> None:
        if self._ray is not None:
            for actor in self._actors:
                self._ray.kill(actor)
        self._actors = []


@dataclass
class _Batch:
    indices: list[int]
    attempts: int = 0


class _Worker:
    """A Ray actor (decorated at run time): holds one model at a time and summarizes batches with it."""

    def __init__(self) -> None:
        self._held = WorkerSummarizers()

    def ready(self) -> str:
        """The harness version this worker runs (it must be the driver's)."""
        return harness.__version__

    def summarize(self, job: ModelJob, documents: list[Document], indices: list[int]) -> BatchResult:
        """One batch with the job's summarizer, built on first use."""
        try:
            summarizer = self._held.get(job)
        except Exception as error:  # noqa: BLE001 (sent back: the driver stops this model)
            return BatchResult([], portable(error), traceback.format_exc())
        return summarize_batch(summarizer, documents, indices)


def _check_reachable(address: str | None) -> None:
    """Fail at once on a HOST:PORT nobody listens on, or one where something other than Ray answers (the
    dashboard's 8265, a web server): Ray's own client retries either for minutes before giving up."""
    if address is None or address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT) as connection:
            answer = _grpc_answer(connection)
    except OSError as error:
        why = error.strerror or str(error) or type(error).__name__  # a timeout has no strerror
        raise ExecutorUnavailable(
            f"cannot reach the Ray cluster at {address} (a TCP connection to {host} port {port}: {why}); {_FIX}", "address"
        ) from None
    if answer is not None:
        raise ExecutorUnavailable(
            f"{address} answers, but not as a Ray cluster ({answer}); a cluster is reached at its head's GCS port "
            "(HOST:6379 by default) or its client port (ray://HOST:10001), not the dashboard's (8265)", "address"
        )


# Ray's GCS and client servers speak gRPC, so HTTP/2: to the client preface and an empty SETTINGS frame
# (RFC 9113, sections 3.4 and 6.5) the server answers with its own SETTINGS frame, frame type 4.
_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
_FRAME_HEADER, _SETTINGS = 9, 4


def _grpc_answer(connection: socket.socket) -> str | None:
    """None when the server answers an HTTP/2 preface as gRPC servers do; otherwise what it did instead."""
    try:
        connection.sendall(_HTTP2_PREFACE)
        data = b""
        while len(data) < _FRAME_HEADER:
            chunk = connection.recv(_FRAME_HEADER - len(data))
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        return f"no reply to an HTTP/2 greeting within {CONNECT_TIMEOUT:g} s"
    except OSError as error:
        return f"the connection failed: {error.strerror or type(error).__name__}"
    if len(data) == _FRAME_HEADER and data[3] == _SETTINGS:
        return None
    if not data:
        return "it closed the connection on an HTTP/2 greeting"
    shown = data.decode("ascii", "replace").split("\n", 1)[0].strip()
    return f"it replied {shown!r} to an HTTP/2 greeting" if shown.isprintable() and shown else "it replied with no HTTP/2 frame"


_FIX = "start one there with `ray start --head`, or drop executor.address to run on a local Ray"


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")
