"""Extractive fragment statistics (Grusky, Naaman & Artzi, 2018, "Newsroom"): how much a summary copies.

The summary's tokens are covered greedily by the longest shared fragments of the article. Coverage is
the share of summary words inside a fragment (1.0: every word comes from the article), density the
mean squared fragment length per summary word (high: long copied spans), compression the ratio of
article to summary words.
"""

from __future__ import annotations

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
    # Grusky et al. compare every article position holding the summary's token and extend each match word by
    # word: cubic on repetitive text (an article of one word repeated 40,000 times took minutes). A suffix
    # automaton accepts exactly the substrings of what it is built over (here the article's runs that can hold
    # a fragment of two or more words), so the longest fragment starting at a summary position is a walk from
    # its root. Each walk costs its fragment's length plus one and fragments do not overlap, so the summary
    # costs linear time, and the automaton linear time to build.
    shared_words = set(summary).intersection(article)
    transitions = _suffix_automaton(_copied_runs(summary, article))
    found = []
    i, n = 0, len(summary)
    while i < n:
        state, end = transitions[0], i
        while end < n:
            following = state.get(summary[end])
            if following is None:
                break
            state, end = transitions[following], end + 1
        best = end - i
        if not best and summary[i] in shared_words:
            best = 1  # a word the article has only outside the runs: a one-word fragment
        if best:
            found.append(best)
        i += max(best, 1)
    return found


def _copied_runs(summary: Sequence[str], article: Sequence[str]) -> list[str | None]:
    """The article's runs of two or more words whose every adjacent pair is also adjacent in the summary.

    Runs are separated by None, which no summary token equals. A fragment of two or more words has every
    adjacent pair in both texts, so it lies inside one run; one-word fragments are looked up in the shared
    words. On news text this leaves the automaton a small part of the article.
    """
    pairs = set(zip(summary, summary[1:]))
    runs: list[str | None] = []
    inside = False
    for previous, token in zip(article, article[1:]):
        if (previous, token) in pairs:
            if not inside:
                if runs:
                    runs.append(None)
                runs.append(previous)
                inside = True
            runs.append(token)
        else:
            inside = False
    return runs


def _suffix_automaton(sequence: Sequence[str | None]) -> list[dict[str | None, int]]:
    """Transitions of the suffix automaton of the sequence (state 0 is the root; Blumer et al., 1985)."""
    transitions: list[dict[str | None, int]] = [{}]
    link, length = [-1], [0]
    last = 0
    for token in sequence:
        current = len(transitions)
        transitions.append({})
        link.append(0)
        length.append(length[last] + 1)
        state = last
        while state != -1 and token not in transitions[state]:
            transitions[state][token] = current
            state = link[state]
        if state != -1:
            target = transitions[state][token]
            if length[state] + 1 == length[target]:
                link[current] = target
            else:
                clone = len(transitions)
                transitions.append(dict(transitions[target]))
                link.append(link[target])
                length.append(length[state] + 1)
                while state != -1 and transitions[state].get(token) == target:
                    transitions[state][token] = clone
                    state = link[state]
                link[target] = link[current] = clone
        last = current
    return transitions


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
