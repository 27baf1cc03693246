"""Test-only backends: a lead summarizer that counts its calls, can crash, or can be slow."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from harness.errors import HarnessError
from harness.summarizers.base import BackendOptions, Summarizer, SummaryError, SummaryOutput
from harness.summarizers.extractive import ExtractiveOptions, Lead


class CountingOptions(ExtractiveOptions):
    sleep: float = 0.0
    log: str | None = Field(None, description="append one line per summarized article to this file")


class CountingLead(Lead):
    """Lead-k that records every article it is asked to summarize."""

    backend = "counting-lead"
    Options = CountingOptions
    calls: ClassVar[list[str]] = []
    crash_on: ClassVar[str | None] = None  # not an option: "fixing" the model must not change its cache key
    parallel = False  # calls and crash_on live in this process: keep it off the worker processes

    def summarize(self, articles):
        for index, output in super().summarize(articles):
            article = articles[index]
            if CountingLead.crash_on and article.startswith(CountingLead.crash_on):
                raise RuntimeError("model crashed on this article\nsecond line of detail")
            time.sleep(self.options.sleep)
            CountingLead.calls.append(article[:40])
            if self.options.log:
                with open(self.options.log, "a", encoding="utf-8") as log:
                    log.write(article[:40].replace("\n", " ") + "\n")
                    log.flush()
                    os.fsync(log.fileno())
            yield index, output


class FixedOptions(BackendOptions):
    text: str = Field(description="the summary returned for every article")
    refuse: str | None = Field(None, description="articles containing this text get a SummaryError")
    give_up_after: int | None = Field(None, description="raise a HarnessError after this many articles")


class FixedSummary(Summarizer):
    """Returns the same text for every article: hostile or wrong summaries on demand."""

    backend = "fixed"
    description = "test backend: one fixed summary"
    Options = FixedOptions

    def summarize(self, articles):
        for index, article in enumerate(articles):
            if self.options.give_up_after is not None and index >= self.options.give_up_after:
                raise HarnessError(f"model '{self.name}': the server went away")
            if self.options.refuse and self.options.refuse in article:
                yield index, SummaryError("refused: too long for this model", seconds=0.5)
            else:
                yield index, SummaryOutput(summary=self.options.text, seconds=0.0)


def register() -> None:
    """Add the test backends to the registry (one line each, as for any new backend)."""
    from harness.summarizers import BACKENDS

    BACKENDS[CountingLead.backend] = CountingLead
    BACKENDS[FixedSummary.backend] = FixedSummary


if __name__ == "__main__":  # python tests/backends.py ARGS: the harness CLI with the test backends
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    register()
    from harness.cli import main

    sys.exit(main(sys.argv[1:]))
