"""Plan and record: the driver's side of generation, around whatever executor runs the models.

Plan looks each model x document pair up in the generation cache; record takes outputs as they stream
back (in any order, from any worker) and writes the cache row, the generation, the failure and the
progress at once. Both run on the driver only, so the cache has one writer and a run killed with -9
resumes from every summary it had finished.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from harness.cache import GenerationCache, cache_key
from harness.config import ModelSpec
from harness.documents import Document
from harness.errors import HarnessError
from harness.store import Generation
from harness.summarizers import Summarizer, SummaryError, SummaryOutput


class RunObserver(Protocol):
    """Receives progress while a run works (the CLI draws a progress bar from it)."""

    def model_started(self, model: str, total: int, cached: int) -> None:
        """A model begins: `total` documents, `cached` of them already done."""

    def generated(self, model: str, count: int) -> None:
        """`count` more documents done for model."""

    def model_failed(self, model: str, error: str) -> None:
        """A model stopped with an error; its remaining documents are marked failed."""


class Silent:
    """An observer that ignores everything."""

    def model_started(self, model: str, total: int, cached: int) -> None:
        """Nothing to show."""

    def generated(self, model: str, count: int) -> None:
        """Nothing to show."""

    def model_failed(self, model: str, error: str) -> None:
        """Nothing to show."""


@dataclass
class Plan:
    """One model's work: its cache keys, what the cache already holds, and the documents still to do."""

    summarizer: Summarizer
    spec: ModelSpec
    fingerprint: dict[str, Any]
    keys: list[str]
    hits: dict[str, dict[str, Any]]
    todo: list[int]


def plan(summarizer: Summarizer, spec: ModelSpec, documents: Sequence[Document], cache: GenerationCache) -> Plan:
    """Look every document up in the cache for this model."""
    fingerprint = summarizer.fingerprint()
    keys = [cache_key(fingerprint, document.article) for document in documents]
    hits = cache.get_many(keys) if summarizer.cacheable else {}
    return Plan(summarizer, spec, fingerprint, keys, hits, [i for i, key in enumerate(keys) if key not in hits])


class Recorder:
    """Records one model's outputs as they arrive: cache row, generation, failure, progress."""

    def __init__(self, plan: Plan, documents: Sequence[Document], cache: GenerationCache, observer: RunObserver) -> None:
        self.plan, self.documents, self.cache, self.observer = plan, documents, cache, observer
        self.name = plan.summarizer.name
        self.done: dict[int, Generation] = {
            i: SummaryOutput(**plan.hits[key]).to_generation(self.name, documents[i].doc_id, cached=True)
            for i, key in enumerate(plan.keys)
            if key in plan.hits
        }
        self.failures: list[dict[str, Any]] = []
        self._failed_documents: list[str] = []
        self._fingerprint, self._store_keys, self._refreshed = plan.fingerprint, plan.keys, False
        observer.model_started(self.name, len(documents), len(self.done))

    def record(self, index: int, output: SummaryOutput | SummaryError) -> None:
        """One document's output: cached (unless an error: errors are never cached) and counted."""
        document = self.documents[index]
        if isinstance(output, SummaryError):  # one article failed
            self.done[index] = Generation(self.name, document.doc_id, None, seconds=output.seconds, error=output.message)
            self._failed_documents.append(f"{document.doc_id}: {output.message}")
            self.observer.generated(self.name, 1)
            return
        summarizer = self.plan.summarizer
        if not self._refreshed:
            # Loading can pin down what the fingerprint could not know before (the downloaded commit).
            self._refreshed, self._fingerprint = True, summarizer.fingerprint()
            if self._fingerprint != self.plan.fingerprint:
                self._store_keys = [cache_key(self._fingerprint, d.article) for d in self.documents]
        if summarizer.cacheable:
            self.cache.put(self._store_keys[index], self.name, asdict(output), self._fingerprint)
        self.done[index] = output.to_generation(self.name, document.doc_id, cached=False)
        self.observer.generated(self.name, 1)

    def stop(self, error: Exception) -> None:
        """The model stopped: keep what it made, mark the rest failed (one failure entry for all of it)."""
        one_line = str(error) if isinstance(error, HarnessError) else f"{type(error).__name__}: {error}"
        message = (one_line.strip().splitlines() or [type(error).__name__])[0].removeprefix(f"model '{self.name}': ")
        missing = [i for i in self.plan.todo if i not in self.done]
        for index in missing:
            self.done[index] = Generation(self.name, self.documents[index].doc_id, None, error=message)
        failure: dict[str, Any] = {"model": self.name, "error": message, "documents": len(missing) + len(self._failed_documents)}
        if not isinstance(error, HarnessError):  # a HarnessError is the whole story; anything else may be a bug
            failure["traceback"] = "".join(traceback.format_exception(error))
        self.failures.append(failure)
        self.observer.model_failed(self.name, message)
        self._failed_documents = []

    def finish(self) -> list[Generation]:
        """The model's generations in document order; failed documents become one failure entry."""
        if self._failed_documents:
            self.failures.append({
                "model": self.name,
                "error": f"{len(self._failed_documents)} document(s) failed; first: {self._failed_documents[0]}",
                "documents": len(self._failed_documents),
            })
            self.observer.model_failed(self.name, self._failed_documents[0])
        return [self.done[i] for i in range(len(self.documents))]

    @property
    def made(self) -> int:
        """Summaries this run made for the model (not read from the cache, not failed)."""
        return sum(1 for g in self.done.values() if not g.cached and g.error is None)
