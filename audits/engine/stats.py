"""Intervals, tests and power. Formulas cited inline."""

from __future__ import annotations

import functools
import math
import statistics

import numpy as np

# The normal distribution from the standard library: importing scipy.stats costs about half
# a second of a command-line audit's start, and only Fisher's exact test needs it (lazily).
_NORMAL = statistics.NormalDist()


def wilson(
    successes: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001) for p = successes / n.

    With weights, ``n`` is Kish's effective sample size and ``successes`` = p · n."""
    z = _NORMAL.inv_cdf(0.5 + confidence / 2)
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
    return math.erfc(abs(z) / math.sqrt(2)), "z"  # = 2 · (1 − Φ(|z|))


@functools.lru_cache(maxsize=1 << 16)
def _fisher(x1: int, n1: int, x2: int, n2: int) -> float:
    """Fisher's exact two-sided p-value. Cached: an intersection of thousands of small groups
    repeats the same few tables against one reference, and each costs about a millisecond."""
    from scipy import stats

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
    z_a = _NORMAL.inv_cdf(1 - alpha / 2)
    z_b = _NORMAL.inv_cdf(power)
    pbar = (p1 + p2) / 2
    top = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    rows: float = (top / (p1 - p2)) ** 2
    return rows


def basic_bootstrap_interval(
    resamples: np.ndarray,
    estimate: float | None,
    confidence: float,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> list[float | None]:
    """The basic (reverse-percentile) bootstrap interval (Davison & Hinkley, Bootstrap
    Methods and their Application, 1997, §5.2.1, eq. 5.6):
    [2θ̂ − θ*₍₁₋α/₂₎, 2θ̂ − θ*₍α/₂₎].

    It estimates the distribution of θ̂ − θ by that of θ* − θ̂, so an estimate biased away
    from the truth moves the interval back towards it. The percentile interval
    [θ*₍α/₂₎, θ*₍₁₋α/₂₎] moves it further away: the max − min of noisy group rates is
    biased upward, the max − min of resampled rates more so, and on an intersection of small
    groups the percentile interval sat wholly above its estimate (e.g. [0.616, 0.716]
    around 0.608). We chose this over the bias-corrected percentile interval (Efron 1987):
    in a simulation of max − min over small groups (tests/audits/test_intervals.py) BC's
    correction pushes both bounds into the lowest tail of the resamples, and its coverage of
    the true difference fell to 0–4 % where the basic interval kept 51–96 %.

    Where the method still excludes the estimate (when fewer than α/2 of the resamples fall
    on one side of it, as at a boundary), the bound is clamped to the estimate, and both
    bounds are clamped to the metric's range ``bounds`` (a difference of rates stays within
    [−1, 1]): lower ≤ estimate ≤ upper always. ``None`` when there is no estimate or fewer
    than half the resamples (and fewer than 10) are defined."""
    finite = resamples[np.isfinite(resamples)]
    if estimate is None or not math.isfinite(estimate):
        return [None, None]
    if len(finite) < max(10, len(resamples) // 2):
        return [None, None]
    alpha = (1 - confidence) / 2
    q_low, q_high = np.quantile(finite, [alpha, 1 - alpha])
    low = max(bounds[0], min(2 * estimate - float(q_high), estimate))
    high = min(bounds[1], max(2 * estimate - float(q_low), estimate))
    return [low, high]
