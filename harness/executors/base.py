"""The Executor contract: run a summarizer over documents, and functions over shards, somewhere.

The runner plans (cache look-ups) and records (cache writes, rows, failures, progress) on the driver;
an executor only computes. It gets the driver's summarizer (to run it in-process) and the model's plain
spec (to rebuild it elsewhere: a worker process, a Ray actor), and streams `(index, output)` back in any
order as work finishes, so the driver records each result at once.
"""

from __future__ import annotations

import math
import pickle
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ConfigDict

from harness.config import ModelSpec
from harness.configmodel import ConfigModel
from harness.documents import Document
from harness.errors import OptionError
from harness.summarizers.base import Summarizer, SummaryError, SummaryOutput

Shard = TypeVar("Shard")
Result = TypeVar("Result")
Output = tuple[int, SummaryOutput | SummaryError]

# Fewer items than this are done in one shard, in-process: starting workers (0.6 s and more for a process
# pool on a busy machine, seconds for Ray) would cost more than it saves (a summary or score row: 5-50 ms).
MIN_SHARDED_ITEMS = 16
MAX_SHARD = 64  # items per shard at most: progress moves smoothly and a lost shard is small
SHARDS_PER_WORKER = 4  # more shards than workers, so a slow shard does not leave the others idle


class ExecutorUnavailable(OptionError):
    """The executor cannot run at all (its cluster cannot be reached): no model could, so the run stops with the
    config's file, line and executor.FIELD in front, instead of failing model after model."""


class ExecutorOptions(ConfigModel):
    """Options of one executor, validated from the config's `executor:` mapping (its `type` aside)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Executor(ABC):
    """Runs summarizers over documents and functions over shards: in-process, on processes, on a cluster."""

    name: ClassVar[str]
    Options: ClassVar[type[ExecutorOptions]]

    def __init__(self, options: ExecutorOptions, *, workers: int | None = None) -> None:
        self.options = options
        self.requested_workers = workers  # the run's `workers:` / --workers; None: the executor decides

    @classmethod
    def check_available(cls) -> None:
        """Raise a one-line HarnessError if this executor cannot run here (a missing extra)."""

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many workers share the work."""

    @abstractmethod
    def generate(self, summarizer: Summarizer, spec: ModelSpec, documents: Sequence[Document]) -> Iterator[Output]:
        """Summarize documents, yielding (index into documents, output) as each is done, in any order.

        A SummaryError fails one document; an exception stops the model (what was yielded is kept).
        """

    @abstractmethod
    def map(self, fn: Callable[[Shard], Result], shards: Sequence[Shard]) -> list[Result]:
        """fn over every shard, results in shard order; fn is a top-level (picklable) function."""

    def shard_size(self, items: int) -> int:
        """Items per shard: about SHARDS_PER_WORKER shards per worker, at most MAX_SHARD each; few items, one shard."""
        if items < MIN_SHARDED_ITEMS:
            return max(items, 1)
        return max(1, min(MAX_SHARD, math.ceil(items / (max(self.workers, 1) * SHARDS_PER_WORKER))))

    def describe(self) -> dict[str, Any]:
        """What run.json records about how the run was executed."""
        return {"type": self.name, "workers": self.workers, **self.options.model_dump(mode="json", exclude_none=True)}

    def close(self) -> None:
        """Release workers and connections."""

    def stop(self) -> None:
        """On Ctrl-C: end the work in flight now rather than when it finishes (by default, close)."""
        self.close()


@dataclass(frozen=True)
class ModelJob:
    """Everything a worker needs to rebuild a summarizer: its class (pickled by reference) and plain data."""

    cls: type[Summarizer]
    spec: ModelSpec
    seed: int
    base_dir: Path

    @classmethod
    def of(cls, summarizer: Summarizer, spec: ModelSpec) -> ModelJob:
        """The job that rebuilds this driver-side summarizer elsewhere."""
        return cls(type(summarizer), spec, summarizer.seed, summarizer.base_dir)

    def build(self) -> Summarizer:
        """A fresh summarizer, as create_summarizer makes it (the class comes from the driver's registry)."""
        return self.cls(self.spec.name, self.cls.Options.model_validate(self.spec.params), seed=self.seed, base_dir=self.base_dir)

    @property
    def key(self) -> str:
        """Identity of the model within a worker's cache."""
        return f"{self.cls.__module__}.{self.cls.__qualname__}|{self.spec.model_dump_json()}|{self.seed}|{self.base_dir}"


class WorkerSummarizers:
    """The summarizer a worker holds: built once per model, the previous one closed (one model in memory)."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._summarizer: Summarizer | None = None

    def get(self, job: ModelJob) -> Summarizer:
        """The job's summarizer, built on first use."""
        if self._key != job.key:
            self.close()
            self._summarizer, self._key = job.build(), job.key
        assert self._summarizer is not None
        return self._summarizer

    def close(self) -> None:
        """Free the held model."""
        if self._summarizer is not None:
            self._summarizer.close()
        self._summarizer = self._key = None


@dataclass(frozen=True)
class BatchResult:
    """What a worker sends back for a batch: the outputs it made, and the error that stopped it, if any."""

    outputs: list[Output]
    error: BaseException | None = None
    traceback: str | None = None


def summarize_batch(summarizer: Summarizer, documents: Sequence[Document], indices: Sequence[int]) -> BatchResult:
    """Run summarizer over documents; outputs carry the caller's indices, and an exception is returned, not raised."""
    outputs: list[Output] = []
    try:
        for position, output in summarizer.summarize_documents(documents):
            outputs.append((indices[position], output))
    except Exception as error:  # noqa: BLE001 (sent back with what was made; the driver stops the model)
        return BatchResult(outputs, portable(error), traceback.format_exc())
    return BatchResult(outputs)


def portable(error: BaseException) -> BaseException:
    """error itself if it survives pickling, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 (exceptions with custom constructors may not unpickle)
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


class RemoteTraceback(Exception):
    """The traceback of an error raised in a worker, chained to the error the driver re-raises."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def reraise(result: BatchResult) -> None:
    """Raise the error a worker sent back, with its traceback chained (the runner records it)."""
    if result.error is not None:
        if result.traceback:
            result.error.__cause__ = RemoteTraceback(f'\n"""\n{result.traceback}"""')
        raise result.error
