"""Intervals, tests and power. Formulas cited inline."""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import stats


def wilson(
    successes: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001) for p = successes / n.

    With weights, ``n`` is Kish's effective sample size and ``successes`` = p · n."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        # The interval always holds p; rounding can put a bound a hair past it (a lower
        # bound of 3.5e-18 over p = 0), which charts would draw as a negative error bar.
        low = np.where(n > 0, np.minimum(np.clip(centre - half, 0, 1), p), np.nan)
        high = np.where(n > 0, np.maximum(np.clip(centre + half, 0, 1), p), np.nan)
    return low, high


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, str]:
    """Two-sided test of p1 == p2: Fisher's exact test when any expected cell count is
    below 5 (Cochran's rule), else the pooled two-proportion z-test."""
    if n1 == 0 or n2 == 0:
        return math.nan, "none"
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    if (expected < 5).any():
        return _fisher(x1, n1, x2, n2), "fisher"
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0, "z"
    z = (x1 / n1 - x2 / n2) / se
    return float(2 * stats.norm.sf(abs(z))), "z"


@functools.lru_cache(maxsize=1 << 16)
def _fisher(x1: int, n1: int, x2: int, n2: int) -> float:
    """Fisher's exact two-sided p-value. Cached: an intersection of thousands of small groups
    repeats the same few tables against one reference, and each costs about a millisecond."""
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=int)
    return float(stats.fisher_exact(table)[1])


def holm(p_values: list[float]) -> list[float]:
    """Holm–Bonferroni step-down adjusted p-values (Holm 1979); NaN stays NaN."""
    indexed = [(p, i) for i, p in enumerate(p_values) if not math.isnan(p)]
    indexed.sort()
    m = len(indexed)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def n_for_power(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Rows per group a two-sided two-proportion z-test needs to detect p1 vs p2
    (Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions, eq. 4.14)."""
    if p1 == p2:
        return math.inf
    z_a = stats.norm.ppf(1 - alpha / 2)
    z_b = stats.norm.ppf(power)
    pbar = (p1 + p2) / 2
    top = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    rows: float = (top / (p1 - p2)) ** 2
    return rows
