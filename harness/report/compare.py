"""Paired comparison of two models on the documents both summarized, metric by metric."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.report.data import ModelResult
from harness.scoring import Declarations, Metric, value_at
from harness.stats import paired_differences

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
    return compare_all([(a, b)], metrics, samples, confidence, seed)[0]


def compare_all(
    pairs: Sequence[tuple[ModelResult, ModelResult]], metrics: Sequence[tuple[str, Metric]], samples: int, confidence: float, seed: int
) -> list[Comparison]:
    """Every pair compared on every metric with one resampling of the documents the pairs share (a document
    a pair lacks, or a metric value one side lacks, is left out of that pair's and metric's means)."""
    docs = list(dict.fromkeys(d for a, b in pairs for d in a.scores if d in b.scores))
    values: dict[str, np.ndarray] = {}  # model -> documents x metrics, NaN where missing or failed
    for model in {id(m): m for pair in pairs for m in pair}.values():
        values[model.key] = metric_grid(model, docs, metrics)
    shared = [sum(1 for d in docs if _ok(a, d) and _ok(b, d)) for a, b in pairs]
    columns = np.hstack([values[a.key] - values[b.key] for a, b in pairs]) if pairs and metrics else np.empty((len(docs), 0))
    # no document shared by any pair (a model with no score rows): every pair's metrics have n = 0 and are left out,
    # and each verdict says "0 shared documents"
    stats = paired_differences(columns, samples, confidence, seed) if docs else [{"n": 0}] * columns.shape[1]
    comparisons = []
    for p, (a, b) in enumerate(pairs):
        differences = []
        for m, (scorer, metric) in enumerate(metrics):
            stat = stats[p * len(metrics) + m]
            if not stat["n"]:
                continue
            # a metric where lower is better wins for the model with the smaller mean
            sign = 1.0 if metric.higher_is_better else -1.0
            differences.append(Difference(f"{scorer}.{metric.key}", metric.label, stat["n"], stat["mean"], stat["low"], stat["high"], stat["p"], metric.scale, sign))
        comparisons.append(Comparison(a.key, b.key, shared[p], tuple(differences), verdict(a.key, b.key, shared[p], differences)))
    return comparisons


def metric_grid(model: ModelResult, docs: Sequence[str], metrics: Sequence[tuple[str, Metric]]) -> np.ndarray:
    """A model's metric values, documents x metrics (NaN where it has none or failed); one pass over its rows."""
    grid = np.full((len(docs), len(metrics)), np.nan)
    paths = [(m, scorer, metric.path) for m, (scorer, metric) in enumerate(metrics)]
    for i, d in enumerate(docs):
        row = model.scores.get(d)
        if row is None or row.get("error"):
            continue
        for m, scorer, path in paths:
            value: Any = row.get(scorer)
            for part in path:  # value_at, inlined: this loop runs documents x models x metrics times
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                grid[i, m] = value
    return grid


def _ok(model: ModelResult, doc_id: str) -> bool:
    row = model.scores.get(doc_id)
    return row is not None and not row.get("error")


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
