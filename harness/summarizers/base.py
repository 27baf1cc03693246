"""The Summarizer contract every backend implements, and its plain output type."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ConfigDict

import harness
from harness.configmodel import ConfigModel
from harness.documents import Document
from harness.errors import HarnessError, OptionError  # noqa: F401 - OptionError is part of this module's API
from harness.runtime import installed
from harness.store import Generation


@dataclass(frozen=True)
class SummaryOutput:
    """What a backend returns for one article."""

    summary: str
    seconds: float | None  # None where nothing was generated here (precomputed summaries)
    tokens_in: int | None = None
    tokens_out: int | None = None
    truncated: bool = False
    meta: dict[str, Any] | None = None  # backend details worth keeping: finish reason, retries, served model

    def to_generation(self, model: str, doc_id: str, cached: bool) -> Generation:
        """The generations.jsonl row of this output: the one conversion between what a backend returns and what a run records."""
        return Generation(model, doc_id, self.summary, self.seconds, self.tokens_in, self.tokens_out, self.truncated, cached=cached, meta=self.meta)


@dataclass(frozen=True)
class SummaryError:
    """One article a backend could not summarize: the run marks that document failed and goes on."""

    message: str
    seconds: float | None = None


class BackendOptions(ConfigModel):
    """Options of one backend, validated from the model's entry in a config."""

    # allow_inf_nan: "inf" and "nan" are no setting a model means, and JSON cannot carry them to a server.
    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=(), allow_inf_nan=False)


class Summarizer(ABC):
    """A summarization model: turns articles into summaries.

    Construction is cheap and never loads weights; `prepare()` checks the model can be had, `summarize()`
    loads it on first use, and `close()` frees it. Everything that changes the output is in
    `fingerprint()`, which keys the generation cache.
    """

    backend: ClassVar[str]
    description: ClassVar[str]
    Options: ClassVar[type[BackendOptions]]
    # Options that change how fast the output comes, not what it is: left out of the cache key.
    execution_options: ClassVar[frozenset[str]] = frozenset()
    # False for backends whose output is already stored elsewhere (precomputed files): no cache rows.
    cacheable: ClassVar[bool] = True
    # The pip extra that brings the modules this backend imports (None: the core install has them).
    extra: ClassVar[str | None] = None
    extra_modules: ClassVar[tuple[str, ...]] = ()
    # True for CPU-bound backends whose output depends only on (options, documents): the local executor may
    # then rebuild them in worker processes and split the documents between them.
    parallel: ClassVar[bool] = False

    def __init__(self, name: str, options: BackendOptions, *, seed: int = 0, base_dir: Path | None = None) -> None:
        self.name = name
        self.options = options
        self.seed = seed
        self.base_dir = base_dir or Path.cwd()

    @classmethod
    def expand(cls, spec: Any, base_dir: Path) -> list[Any]:
        """The model entries one config entry stands for: itself, unless a backend expands it (precomputed `each:`)."""
        return [spec]

    def fingerprint(self) -> dict[str, Any]:
        """Everything that determines the summaries: backend, output-relevant options, harness version."""
        return {
            "backend": self.backend,
            "options": self.options.model_dump(mode="json", exclude=set(self.execution_options)),
            "harness": harness.__version__,
        }

    def check(self) -> None:
        """Check what needs no model run (installed extras, files, keys); raise OptionError or HarnessError.

        `harness validate` and every run call it for every model; subclasses extend it (super().check() first).
        """
        missing = [module for module in self.extra_modules if not installed(module)]
        if missing:
            raise OptionError(
                f"model '{self.name}': backend {self.backend} needs {' and '.join(missing)}, which "
                f'{"is" if len(missing) == 1 else "are"} not installed: pip install "summarization-harness[{self.extra}]"',
                "backend",
            )

    def check_documents(self, documents: Sequence[Document]) -> None:
        """Check, once the documents are read, what fits them or not (a precomputed file's ids); raise OptionError if not."""

    def prepare(self) -> None:
        """Check the model itself can be had (may ask the hub); raise HarnessError if not.

        `harness validate` calls it for every model, a run only for models with work left (not all cached).
        """
        self.check()

    @abstractmethod
    def summarize(self, articles: Sequence[str]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Summarize articles, yielding (index into articles, output) as each one is done, in any order.

        A SummaryError fails that one article; an exception fails the rest of the model's articles.
        """

    def summarize_documents(self, documents: Sequence[Document]) -> Iterator[tuple[int, SummaryOutput | SummaryError]]:
        """Summarize documents; the runner calls this, and backends that need more than the article override it."""
        return self.summarize([document.article for document in documents])

    def close(self) -> None:
        """Free whatever the model holds (weights, devices)."""
