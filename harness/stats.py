"""Seeded bootstrap over documents: confidence intervals (Efron & Tibshirani, 1993) and the paired
bootstrap test for two systems scored on the same documents (Koehn, 2004; Berg-Kirkpatrick et al., 2012)."""

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


def paired_difference(a: Sequence[float], b: Sequence[float], samples: int, confidence: float, seed: int) -> dict[str, float | int | None]:
    """Mean of a - b over paired documents, its bootstrap interval, and a two-sided p-value.

    The p-value is the share of resampled differences at least as far from the observed one as the
    observed one is from zero, i.e. how often chance alone moves the mean difference by that much
    (the shifted paired bootstrap; add-one smoothed so it is never 0). None when there are fewer
    than two documents: one document cannot support significance.
    """
    diffs = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if diffs.size == 0:
        return {"n": 0, "mean": None, "low": None, "high": None, "p": None}
    observed = float(diffs.mean())
    if diffs.size < 2 or samples <= 0:
        return {"n": int(diffs.size), "mean": observed, "low": None, "high": None, "p": None}
    means = diffs[resample_indices(diffs.size, samples, seed)].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    extreme = int(np.sum(np.abs(means - observed) >= abs(observed) - 1e-12))
    return {"n": int(diffs.size), "mean": observed, "low": float(low), "high": float(high), "p": (extreme + 1) / (samples + 1)}
