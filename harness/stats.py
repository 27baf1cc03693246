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


def paired_differences(diffs: np.ndarray, samples: int, confidence: float, seed: int) -> list[dict[str, float | int | None]]:
    """paired_difference for many columns at once: `diffs` is documents x columns of a - b, NaN where a
    document has no pair for that column (a failed summary, a metric it lacks).

    The documents are resampled once for every column (as sacrebleu's paired bootstrap resamples segments
    once for all systems), and each resample's mean of a column is over the documents present in it; with
    nothing missing a column gets exactly paired_difference's draws. One matrix product computes every
    column's resampled means, which is what keeps the comparisons of a 10,000-document run under a second.
    """
    diffs = np.asarray(diffs, dtype=float).reshape(len(diffs), -1)
    present = ~np.isnan(diffs)
    values = np.where(present, diffs, 0.0)
    counts = present.sum(axis=0)
    results: list[dict[str, float | int | None]] = []
    resampled = None
    if samples > 0 and np.any(counts >= 2):
        n = diffs.shape[0]
        draws = resample_indices(n, samples, seed)
        offsets = (draws + np.arange(samples)[:, None] * n).ravel()
        weights = np.bincount(offsets, minlength=samples * n).reshape(samples, n).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            resampled = (weights @ values) / (weights @ present.astype(float))
    tail = (1 - confidence) / 2 * 100
    for column in range(diffs.shape[1]):
        n_present = int(counts[column])
        if n_present == 0:
            results.append({"n": 0, "mean": None, "low": None, "high": None, "p": None})
            continue
        observed = float(values[present[:, column], column].mean())
        if n_present < 2 or resampled is None:
            results.append({"n": n_present, "mean": observed, "low": None, "high": None, "p": None})
            continue
        means = resampled[:, column]
        means = means[~np.isnan(means)]
        low, high = np.percentile(means, [tail, 100 - tail])
        extreme = int(np.sum(np.abs(means - observed) >= abs(observed) - 1e-12))
        results.append({"n": n_present, "mean": observed, "low": float(low), "high": float(high), "p": (extreme + 1) / (means.size + 1)})
    return results
