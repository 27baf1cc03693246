"""Extractive fragment statistics (Grusky, Naaman & Artzi, 2018, "Newsroom"): how much a summary copies.

The summary's tokens are covered greedily by the longest shared fragments of the article. Coverage is
the share of summary words inside a fragment (1.0: every word comes from the article), density the
mean squared fragment length per summary word (high: long copied spans), compression the ratio of
article to summary words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import harness
from harness.documents import Document
from harness.scoring.base import Metric, Scorer, ScoreResult, Signature
from harness.text import words

STATS = ("coverage", "density", "compression")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, as the fragment matching compares them."""
    return [word.lower() for word in words(text)]


def fragments(summary: Sequence[str], article: Sequence[str]) -> list[int]:
    """Lengths of the greedy longest shared fragments covering the summary (Grusky et al.'s algorithm)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, token in enumerate(article):
        positions[token].append(index)
    found = []
    i = 0
    while i < len(summary):
        best = 0
        for j in positions.get(summary[i], ()):
            length = 0
            while i + length < len(summary) and j + length < len(article) and summary[i + length] == article[j + length]:
                length += 1
            best = max(best, length)
        if best:
            found.append(best)
        i += max(best, 1)
    return found


def fragment_stats(summary: str, article: str) -> dict[str, float | None]:
    """Coverage, density and compression of a summary against its article."""
    summary_tokens, article_tokens = tokens(summary), tokens(article)
    if not summary_tokens:
        return {"coverage": None, "density": None, "compression": None}
    lengths = fragments(summary_tokens, article_tokens)
    n = len(summary_tokens)
    return {
        "coverage": sum(lengths) / n,
        "density": sum(length * length for length in lengths) / n,
        "compression": len(article_tokens) / n,
    }


@dataclass(frozen=True)
class ExtractiveResult(ScoreResult):
    """How much one summary copies from its article (None values for an empty summary)."""

    coverage: float | None
    density: float | None
    compression: float | None


class ExtractiveScorer(Scorer):
    """Coverage, density and compression of each summary against its article."""

    name = "extractive"
    description = "extractive fragment statistics against the article (Grusky et al., 2018)"
    default_on = True

    def signature(self) -> Signature:
        """extractive|stats:coverage,density,compression|tok:...|harness:..."""
        return Signature("extractive", (("stats", ",".join(STATS)), ("tok", "lowercase-words"), ("harness", harness.__version__)))

    def score(self, summary: str, document: Document) -> ExtractiveResult:
        """Coverage, density and compression of the summary against the document's article."""
        return ExtractiveResult(**fragment_stats(summary, document.article))

    def metrics(self) -> list[Metric]:
        """Means per model; these describe the summaries, they are not quality scores: not compared or gated by default."""
        return [
            Metric(("coverage",), "coverage", scale=1.0, compare=False, column=False, interval=False),
            Metric(("density",), "density", scale=1.0, compare=False, column=False, interval=False),
            Metric(("compression",), "compression", scale=1.0, compare=False, column=False, interval=False),
        ]
