"""Scorers and their registry: a scorer is one module plus one line here."""

from __future__ import annotations

from harness.config import MetricsConfig
from harness.scoring.base import Scorer, Signature
from harness.scoring.extractive import ExtractiveScorer
from harness.scoring.facts import FactScorer
from harness.scoring.rouge import RougeScorer

SCORERS: dict[str, type[Scorer]] = {cls.name: cls for cls in (RougeScorer, FactScorer, ExtractiveScorer)}

__all__ = ["SCORERS", "Scorer", "Signature", "build_scorers"]


def build_scorers(metrics: MetricsConfig, seed: int = 0) -> list[Scorer]:
    """The scorers a config switches on, with their options."""
    return [SCORERS[name](options, seed=seed) for name, options in metrics if options is not None]
