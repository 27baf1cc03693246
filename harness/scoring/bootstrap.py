"""Seeded bootstrap confidence intervals over documents (Efron & Tibshirani, 1993; Koehn, 2004)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def resample_indices(n: int, samples: int, seed: int) -> np.ndarray:
    """`samples` x n document indices drawn with replacement; the same seed gives the same draws."""
    return np.random.default_rng(seed).integers(0, n, size=(samples, n))


def mean_ci(values: Sequence[float], samples: int, confidence: float, seed: int) -> dict[str, float | None]:
    """Mean of values with a percentile bootstrap interval; low/high are None without resamples."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return {"mean": None, "low": None, "high": None}
    mean = float(data.mean())
    if samples <= 0:
        return {"mean": mean, "low": None, "high": None}
    means = data[resample_indices(data.size, samples, seed)].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return {"mean": mean, "low": float(low), "high": float(high)}
