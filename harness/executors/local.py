"""The local executor: this machine, with a process pool for CPU-bound work.

Summarizers run in-process exactly as they always have, except those that declare themselves `parallel`
(pure CPU work on each article, such as the extractive baselines): their documents are split into shards
run by `workers` processes, each rebuilding the summarizer once from the model's plain spec. Scoring
shards go to the same processes. `workers: 1` starts no process at all.

The processes are forked from a clean server process (multiprocessing's "forkserver"), not from the
driver: the driver has threads (the progress bar, HTTP clients) and may have torch's OpenMP pool, and a
fork of a threaded process can deadlock in the child. Measured on this 2-core machine: a pool's first
result after 15 ms with fork, 0.6-0.75 s with forkserver (the server imports harness once) and
0.7-1.5 s with spawn. The pool is therefore started once per process and kept for later runs (as
joblib's loky does), so a test session or a notebook pays the start-up once.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.context
import os
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import popen_forkserver, spawn
from typing import Any

from harness.config import ModelSpec
from harness.documents import Document
from harness.errors import HarnessError
from harness.executors.base import (
    BatchResult,
    Executor,
    ExecutorOptions,
    ModelJob,
    Output,
    Result,
    Shard,
    WorkerSummarizers,
    portable,
    reraise,
    summarize_batch,
)
from harness.summarizers.base import Summarizer

_PRELOAD = ["harness.runner", "harness.executors.local"]  # imported once in the fork server, not per worker


class LocalOptions(ExecutorOptions):
    """The local executor has no options of its own: the run's `workers:` sizes its process pool."""


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalExecutor(Executor):
    """In-process generation, with parallel-safe summarizers and scoring shards spread over processes."""

    name = "local"
    Options = LocalOptions

    @property
    def workers(self) -> int:
        """The run's workers, default the number of cores."""
        return self.requested_workers or default_workers()

    def generate(self, summarizer: Summarizer, spec: ModelSpec, documents: Sequence[Document]) -> Iterator[Output]:
        """In-process; a parallel summarizer's shards on the process pool, yielded as each shard finishes."""
        size = self.shard_size(len(documents))
        # A class defined in the driver's __main__ cannot be rebuilt in a worker (which does not run that script).
        if self.workers <= 1 or not summarizer.parallel or len(documents) <= size or type(summarizer).__module__ == "__main__":
            yield from summarizer.summarize_documents(documents)
            return
        job = ModelJob.of(summarizer, spec)
        shards = [range(start, min(start + size, len(documents))) for start in range(0, len(documents), size)]
        pool = _pool(self.workers)
        pending: set[Future[BatchResult]] = set()
        try:
            for shard in shards:  # a worker may die on an early shard while later ones are still being handed out
                pending.add(_submit(pool, _summarize_shard, _GenerationShard(job, [documents[i] for i in shard], list(shard))))
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = _result(future)
                    yield from result.outputs
                    reraise(result)  # the summarizer raised in a worker: the model stops, as it would here
        except KeyboardInterrupt:
            # Stopped here rather than by the runner's stop(), so that queued shards are not cancelled first: the
            # stopped pool fails them itself, and cancelling them too trips Python 3.11's pool
            _stop_workers(pool)
            pending = set()
            raise
        finally:
            for future in pending:  # the model stopped or the caller went away: queued shards are not run
                future.cancel()

    def stop(self) -> None:
        """On Ctrl-C: end the pool's workers now (the next run starts a new pool)."""
        if _shared is not None:
            _stop_workers(_shared[1])

    def map(self, fn: Callable[[Shard], Result], shards: Sequence[Shard]) -> list[Result]:
        """fn over shards on the process pool (in-process with one worker or one shard)."""
        if self.workers <= 1 or len(shards) <= 1:
            return [fn(shard) for shard in shards]
        pool = _pool(self.workers)
        futures = [_submit(pool, fn, shard) for shard in shards]
        return [_result(future) for future in futures]  # Ctrl-C: the runner stops the workers (stop())


@dataclass(frozen=True)
class _GenerationShard:
    job: ModelJob
    documents: list[Document]
    indices: list[int]


_HELD = WorkerSummarizers()  # in a worker process: the summarizer of the model it works on


def _summarize_shard(shard: _GenerationShard) -> BatchResult:
    """In a worker: summarize one shard with the (cached) summarizer of its model."""
    try:
        summarizer = _HELD.get(shard.job)
    except Exception as error:  # noqa: BLE001 (the driver built it fine: a bug, sent back with its traceback)
        return BatchResult([], portable(error), traceback.format_exc())
    return summarize_batch(summarizer, shard.documents, shard.indices)


class _WorkerPopen(popen_forkserver.Popen):
    """forkserver's process start, without re-running the driver's __main__ script in each worker.

    multiprocessing imports the parent's main script in every spawned or forkserver child (so that
    functions defined there unpickle); a user script that calls harness.run() without an
    `if __name__ == "__main__":` guard would then run again in each worker. Workers here need only
    importable harness code (and summarizer classes from importable modules: see LocalExecutor.generate).
    """

    def _launch(self, process_obj: Any) -> None:
        with _launching:
            original = spawn.get_preparation_data

            def without_main(name: str) -> dict[str, Any]:
                data = original(name)
                data.pop("init_main_from_path", None)
                data.pop("init_main_from_name", None)
                return data

            spawn.get_preparation_data = without_main
            try:
                super()._launch(process_obj)
            finally:
                spawn.get_preparation_data = original


class _WorkerProcess(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _WorkerPopen:
        return _WorkerPopen(process_obj)


class _WorkerContext(multiprocessing.context.ForkServerContext):
    Process = _WorkerProcess


_launching = threading.Lock()


def _watch_driver(driver: int) -> None:
    """In a worker: exit as soon as the driver ends, even by kill -9, so that no worker outlives it.

    A pool's workers do not notice on their own: they wait on a queue whose write end they hold too, and
    (under forkserver) they keep the fork server alive in turn.

    Ctrl-C reaches every process of the terminal's group: a worker ignores it, so that none prints a
    traceback, and the driver, which says what was interrupted, ends the workers (`_stop_workers`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        try:
            handle = os.pidfd_open(driver)
        except (AttributeError, OSError):  # no pidfd (not Linux, or an old kernel): poll
            while _alive(driver):
                time.sleep(1.0)
        else:
            select.select([handle], [], [])  # readable once the driver has exited
        os._exit(1)

    threading.Thread(target=watch, name="watch-driver", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user (the pid was reused)
        return False
    return True


def _result(future: Future[Result]) -> Result:
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise _died(error) from None


def _submit(pool: ProcessPoolExecutor, fn: Callable[[Any], Any], item: Any) -> Future[Any]:
    with _interrupt_held():
        try:
            return pool.submit(fn, item)
        except BrokenProcessPool as error:  # a worker died on an earlier item and the pool refuses more work
            raise _died(error) from None


@contextlib.contextmanager
def _interrupt_held() -> Iterator[None]:
    """Ctrl-C held back while a submit starts workers, and raised after: a worker is then registered with
    the pool, for `_stop_workers` to end, before the run unwinds. SIGINT is also blocked in this thread,
    and a blocked signal stays blocked across fork and exec, so the fork server (which imports harness
    before it ignores Ctrl-C itself) and the workers it forks print no traceback for it."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _died(error: BrokenProcessPool) -> HarnessError:
    return HarnessError(f"a worker process died (killed, or out of memory?): {error}")


_lock = threading.Lock()
_shared: tuple[int, ProcessPoolExecutor] | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of `workers` processes, started on first use and kept for later runs."""
    global _shared
    with _lock:
        if _shared is not None and (_shared[0] != workers or getattr(_shared[1], "_broken", False)):
            _shared[1].shutdown(wait=False, cancel_futures=True)
            _shared = None
        if _shared is None:
            context = _WorkerContext()
            context.set_forkserver_preload(_PRELOAD)
            pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_watch_driver, initargs=(os.getpid(),))
            _shared = (workers, pool)
        return _shared[1]


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """On Ctrl-C: end the pool's workers now, rather than have the exit wait for the shards they are on
    (a model's shard can take minutes); the next run starts a new pool."""
    global _shared
    with _lock:
        if _shared is not None and _shared[1] is pool:
            _shared = None
    # Python 3.11's pool fails the work it still holds when its workers die, and its manager thread crashes
    # on work already cancelled (InvalidStateError): such work is dropped first (private, hence guarded).
    held = getattr(pool, "_pending_work_items", None)
    if isinstance(held, dict):
        for key, item in list(held.items()):
            if item.future.done():
                held.pop(key, None)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def shutdown_pool() -> None:
    """Stop the shared worker processes (they stop by themselves when this process exits)."""
    global _shared
    with _lock:
        if _shared is not None:
            _shared[1].shutdown(wait=True, cancel_futures=True)
            _shared = None


atexit.register(shutdown_pool)
