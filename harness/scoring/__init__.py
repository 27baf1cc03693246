"""Scorers and their registry: a scorer is one module plus one line here.

Everything else loops over the scorers: `build_scorers` validates each scorer's options where the config
names them, `score_rows` runs them over summaries in batches, and `aggregate` computes every declared
metric's mean and bootstrap interval and sums every declared count, the same code for every scorer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.config import Config
from harness.documents import Document
from harness.scoring.base import Count, Declarations, Gate, Metric, Scorer, ScoreResult, ScorerOptions, Signature, Statistics, set_at, value_at
from harness.scoring.bertscore import BertScorer
from harness.scoring.extractive import ExtractiveScorer
from harness.scoring.facts import FactScorer
from harness.scoring.nli import NLIScorer
from harness.scoring.rouge import RougeScorer
from harness.stats import mean_ci

SCORERS: dict[str, type[Scorer]] = {cls.name: cls for cls in (RougeScorer, FactScorer, ExtractiveScorer, BertScorer, NLIScorer)}

__all__ = [
    "SCORERS", "Count", "Declarations", "Gate", "Metric", "ScoreResult", "Scorer", "ScorerOptions", "Signature", "Statistics",
    "aggregate", "build_scorers", "score_rows", "scorers_from", "statistics_of", "value_at",
]  # fmt: skip


def statistics_of(config: Config) -> Statistics:
    """The config's one set of bootstrap settings."""
    return Statistics(config.statistics.bootstrap, config.statistics.confidence, config.seed)


def enabled(metrics: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(scorer name, options) for the scorers a `metrics:` mapping switches on, in registry order then config order."""
    chosen = [(name, {}) for name, cls in SCORERS.items() if cls.default_on and name not in metrics]
    chosen += [(name, dict(options)) for name, options in metrics.items() if options is not None]
    order = {name: index for index, name in enumerate(SCORERS)}
    return sorted(chosen, key=lambda item: order.get(item[0], len(order)))


def build_scorers(config: Config) -> list[Scorer]:
    """The scorers a config switches on, with their options validated; errors point at the config's line."""
    scorers = []
    context = {"base_dir": config.source.parent if config.source else Path.cwd()}  # a model folder is relative to the config
    for name, options in enabled(config.metrics):
        if name not in SCORERS:
            known = ", ".join(sorted(SCORERS))
            raise config.error(("metrics", name), f"unknown scorer '{name}' (known: {known})")
        cls = SCORERS[name]
        try:
            validated = cls.Options.model_validate(options, context=context)
        except ValidationError as error:
            raise config.invalid(error, ("metrics", name), cls.Options) from None
        scorers.append(cls(validated, statistics_of(config)))
    return scorers


def scorers_from(metrics: Mapping[str, Mapping[str, Any]], statistics: Statistics, base_dir: Path | None = None) -> list[Scorer]:
    """Scorers rebuilt from options already validated on the driver (a worker process or a Ray task does this)."""
    context = {"base_dir": base_dir or Path.cwd()}
    return [SCORERS[name](SCORERS[name].Options.model_validate(dict(options), context=context), statistics) for name, options in metrics.items()]


def score_rows(scorers: Sequence[Scorer], summaries: Sequence[str], documents: Sequence[Document]) -> list[dict[str, Any]]:
    """Each scorer's fields for each (summary, document), every scorer given the whole batch at once."""
    rows: list[dict[str, Any]] = [{} for _ in summaries]
    for scorer in scorers:
        for row, result in zip(rows, scorer.score_batch(summaries, documents)):
            row.update(scorer.fields(result))
    return rows


def aggregate(scorer: Scorer, results: Sequence[Mapping[str, Any] | None]) -> dict[str, Any]:
    """One model's corpus figures for a scorer: each metric's mean (with interval), each count's sum, the extras."""
    present = [result for result in results if result is not None]
    stats = scorer.statistics
    figures: dict[str, Any] = {"n": len(present)}
    for metric in scorer.metrics():
        values = [v for v in (value_at(result, metric.path) for result in present) if isinstance(v, (int, float))]
        if metric.interval:
            set_at(figures, metric.path, mean_ci(values, stats.bootstrap, stats.confidence, stats.seed))
        else:
            set_at(figures, metric.path, sum(values) / len(values) if values else None)
    for count in scorer.counts():
        figures[count.name] = sum(int(value_at(result, (count.source or count.name,)) or 0) for result in present)
    figures.update(scorer.extra_aggregate(present))
    return figures
