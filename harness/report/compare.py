"""Paired comparison of two models on the documents both summarized, metric by metric."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.report.data import ModelResult
from harness.scoring import Declarations, Metric, value_at
from harness.stats import paired_difference

ALPHA = 0.05


def compared_metrics(scorers: Sequence[Declarations]) -> list[tuple[str, Metric]]:
    """(scorer name, metric) for every metric a scorer declares for paired comparison."""
    return [(scorer.name, metric) for scorer in scorers for metric in scorer.metrics if metric.compare]


@dataclass(frozen=True)
class Difference:
    """A - B on one metric over paired documents, with its interval and p-value."""

    metric: str
    label: str
    n: int
    mean: float | None
    low: float | None
    high: float | None
    p: float | None
    scale: float
    sign: float = 1.0  # -1 for metrics where lower is better

    @property
    def significant(self) -> bool:
        """Whether the paired bootstrap rejects 'no difference' at the 5% level."""
        return self.p is not None and self.p < ALPHA and self.mean not in (None, 0.0)


@dataclass(frozen=True)
class Comparison:
    """Two models compared on every metric, and a one-line verdict."""

    a: str
    b: str
    documents: int
    differences: tuple[Difference, ...]
    verdict: str


def metric_value(row: dict[str, Any], scorer: str, metric: Metric) -> float | None:
    """One document's value of a scorer's metric in a score row, if it has one."""
    value = value_at(row.get(scorer), metric.path)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compare(a: ModelResult, b: ModelResult, metrics: Sequence[tuple[str, Metric]], samples: int, confidence: float, seed: int) -> Comparison:
    """Paired bootstrap differences A - B on each metric, over the documents where both have a value."""
    shared = [doc for doc in a.scores if doc in b.scores and "error" not in a.scores[doc] and "error" not in b.scores[doc]]
    differences = []
    for scorer, metric in metrics:
        pairs = [(metric_value(a.scores[d], scorer, metric), metric_value(b.scores[d], scorer, metric)) for d in shared]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        if not pairs:
            continue
        stat = paired_difference([x for x, _ in pairs], [y for _, y in pairs], samples, confidence, seed)
        # a metric where lower is better wins for the model with the smaller mean
        sign = 1.0 if metric.higher_is_better else -1.0
        differences.append(Difference(f"{scorer}.{metric.key}", metric.label, stat["n"], stat["mean"], stat["low"], stat["high"], stat["p"], metric.scale, sign))
    return Comparison(a.key, b.key, len(shared), tuple(differences), verdict(a.key, b.key, len(shared), differences))


def verdict(a: str, b: str, documents: int, differences: list[Difference]) -> str:
    """"A > B on ROUGE-L (+2.1, p=0.010); B > A on key-fact recall (...)", or why nothing can be said.

    One document cannot support significance: then the differences are shown without a test.
    """
    if documents < 2:
        return f"{a} vs {b}: {documents} shared document{'s' if documents != 1 else ''}, no significance test"
    wins = {a: [], b: []}
    for d in differences:
        if d.significant:
            winner = a if d.mean * d.sign > 0 else b
            wins[winner].append(f"{d.label} ({d.mean * d.scale:+.1f}, p={d.p:.3f})")
    parts = [f"{w} > {a if w == b else b} on {', '.join(items)}" for w, items in wins.items() if items]
    if not parts:
        return f"no significant difference between {a} and {b} on any metric (paired bootstrap, {documents} documents, p >= {ALPHA})"
    return "; ".join(parts)
