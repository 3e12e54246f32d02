"""Sequential judging of a launch gate on production batches: ok, watch or breach, with a
false-alarm rate that holds however often the gate is looked at. Pure Python + numpy/scipy.

The method (docs/monitoring.md, "How alerts are decided"):

1. A gate's metric is a function of per-group rates (Fairlearn's between-groups
   definitions): a demographic parity difference is the highest minus the lowest
   selection rate, an equalized odds ratio the smaller of the lowest-over-highest ratios of
   true and false positive rates, and so on (``SEQUENTIAL_METRICS``).
2. At the k-th look (k = 1, 2, …: one per batch) the monitor spends ``alpha_k = alpha /
   (k (k + 1))`` of its false-alarm budget; these sum to ``alpha`` over an unbounded
   number of looks. That share is split evenly (Bonferroni) over the group rates the
   metric uses, and each rate gets an exact Clopper–Pearson interval at level ``1 −
   alpha_k / m`` from the counts of the look's window (the last ``window`` batches; 0 means
   every batch so far).
3. Interval arithmetic turns the rate intervals into an interval for the metric: every
   value the metric can take when each rate lies in its interval.
4. State: **breach** when the whole metric interval is on the wrong side of the threshold
   (confidently past); **watch** when the point estimate is past it but the interval is
   not; **ok** otherwise (including "no data for a group yet").

False alarms: suppose the model really meets the gate at every look. A breach at any look
needs the metric interval to exclude the true value, so some rate interval missed its true
rate at that look. By the union bound, the chance of that ever happening, over all looks,
groups and rates, is at most Σ_k alpha_k = alpha. This holds for any number of looks and
any stopping rule (an always-valid guarantee), at the price of being conservative; the
simulation tests measure both the false-alarm rate and the delay to detect a shift.
Weighted counts use Kish's effective sample size (Σw)² / Σw², an approximation.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .counts import FN, FP, TN, TP

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
OK, WATCH, BREACH = "ok", "watch", "breach"
STATES = (OK, WATCH, BREACH)

# rate → (numerator outcomes, denominator outcomes); as engine/metrics.py RATES.
_RATES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "selection_rate": ((FP, TP), (TN, FP, FN, TP)),
    "tpr": ((TP,), (TP, FN)),
    "fpr": ((FP,), (FP, TN)),
}
# metric → (rates it combines, "difference" or "ratio")
SEQUENTIAL_METRICS: dict[str, tuple[tuple[str, ...], str]] = {
    "demographic_parity_difference": (("selection_rate",), "difference"),
    "demographic_parity_ratio": (("selection_rate",), "ratio"),
    "equalized_odds_difference": (("tpr", "fpr"), "difference"),
    "equalized_odds_ratio": (("tpr", "fpr"), "ratio"),
    "equal_opportunity_difference": (("tpr",), "difference"),
    "equal_opportunity_ratio": (("tpr",), "ratio"),
}


def alpha_at(look: int, alpha: float) -> float:
    """The share of the false-alarm budget spent at look ``look`` (1-based)."""
    if look < 1:
        raise ValueError("Looks are counted from 1.")
    return alpha / (look * (look + 1))


def clopper_pearson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact two-sided binomial intervals at ``level`` for x successes in n trials (n may be
    an effective, non-integer size); [0, 1] where n is 0."""
    from scipy.stats import beta

    a = 1 - level
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, beta.ppf(a / 2, x, n - x + 1), 0.0)
        high = np.where(x < n, beta.ppf(1 - a / 2, x + 1, n - x), 1.0)
    empty = n <= 0
    return np.where(empty, 0.0, np.nan_to_num(low)), np.where(
        empty, 1.0, np.nan_to_num(high, nan=1.0)
    )


@dataclass(frozen=True)
class Look:
    """One look at a gate: its state, the window's point estimate and interval, and the
    per-batch estimate (the batch alone, no interval)."""

    state: str
    value: float | None
    low: float | None
    high: float | None
    batch_value: float | None
    look: int
    alpha_spent: float
    groups: list[str] = field(default_factory=list)  # the groups furthest apart
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "batch_value": self.batch_value,
            "look": self.look,
            "alpha_spent": self.alpha_spent,
            "groups": self.groups,
            "reason": self.reason,
        }


def _rate(w: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    num, den = _RATES[name]
    return w[:, list(num)].sum(axis=1), w[:, list(den)].sum(axis=1)


def point_value(metric: str, w: np.ndarray) -> float | None:
    """The metric from per-group weighted counts (G, 4), or None when undefined."""
    rates, kind = SEQUENTIAL_METRICS[metric]
    values = []
    for name in rates:
        x, n = _rate(w, name)
        defined = n > 0
        if defined.sum() < 2:
            return None
        r = x[defined] / n[defined]
        if kind == "difference":
            values.append(float(r.max() - r.min()))
        else:
            values.append(float(r.min() / r.max()) if r.max() > 0 else math.nan)
    if any(math.isnan(v) for v in values):
        return None
    return max(values) if kind == "difference" else min(values)


def _bounds(kind: str, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """Every value max−min (or min/max) takes over rates in the box [lo, hi]."""
    if kind == "difference":
        return max(0.0, float(lo.max() - hi.min())), float(hi.max() - lo.min())
    low = float(lo.min() / hi.max()) if hi.max() > 0 else 0.0
    high = 1.0 if lo.max() <= 0 else min(1.0, float(hi.min() / lo.max()))
    return low, high


def metric_interval(
    metric: str, w: np.ndarray, w2: np.ndarray, level: float
) -> tuple[float, float] | None:
    """The metric's interval at ``level`` (shared by all its rate intervals, Bonferroni),
    or None when fewer than two groups have data."""
    rates, kind = SEQUENTIAL_METRICS[metric]
    pieces = []
    defined_rates = []
    for name in rates:
        x, n = _rate(w, name)
        _, n2 = _rate(w2, name)
        keep = n > 0
        if keep.sum() < 2:
            return None
        defined_rates.append((x[keep], n[keep], n2[keep]))
    m = sum(len(x) for x, _, _ in defined_rates)
    each = 1 - (1 - level) / m
    for x, n, n2 in defined_rates:
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(n2 > 0, n * n / n2, 0.0)
            x_eff = np.where(n > 0, x / n, 0.0) * n_eff
        lo, hi = clopper_pearson(x_eff, n_eff, each)
        pieces.append(_bounds(kind, lo, hi))
    if kind == "difference":  # max over rates of each rate's gap
        return max(p[0] for p in pieces), max(p[1] for p in pieces)
    return min(p[0] for p in pieces), min(p[1] for p in pieces)


def _extremes(metric: str, w: np.ndarray, labels: Sequence[str]) -> list[str]:
    rates, _kind = SEQUENTIAL_METRICS[metric]
    x, n = _rate(w, rates[0])
    keep = np.flatnonzero(n > 0)
    if len(keep) < 2:
        return []
    r = x[keep] / n[keep]
    return [labels[int(keep[int(np.argmin(r))])], labels[int(keep[int(np.argmax(r))])]]


def judge(
    *,
    metric: str,
    comparator: str,
    threshold: float,
    labels: Sequence[str],
    w: np.ndarray,
    w2: np.ndarray,
    look: int,
    alpha: float,
    batch_w: np.ndarray | None = None,
) -> Look:
    """The gate's state at look ``look`` from the window's per-group weighted counts ``w``
    and squared weights ``w2`` (G, 4) (outcome order TN, FP, FN, TP)."""
    if metric not in SEQUENTIAL_METRICS:
        raise ValueError(f"{metric!r} cannot be watched sequentially.")
    if not 0 < alpha < 1:
        raise ValueError("alpha is between 0 and 1.")
    spent = alpha_at(look, alpha)
    passes = COMPARE[comparator]
    value = point_value(metric, w)
    batch_value = point_value(metric, batch_w) if batch_w is not None else None
    interval = metric_interval(metric, w, w2, 1 - spent)
    groups = _extremes(metric, w, labels)
    side = "below" if comparator in (">=", ">") else "above"
    if value is None or interval is None:
        return Look(
            OK, None, None, None, batch_value, look, spent, groups,
            "Fewer than two groups have data for this metric yet.",
        )  # fmt: skip
    low, high = interval
    if passes(value, threshold):
        state, why = OK, f"estimate {value:.3g} meets the threshold ({comparator} {threshold:g})"
    else:
        # Confidently past: even the most favourable value in the interval fails.
        best = high if comparator in (">=", ">") else low
        if passes(best, threshold):
            state = WATCH
            why = (
                f"estimate {value:.3g} is {side} the threshold {threshold:g}, but its "
                f"interval [{low:.3g}, {high:.3g}] still reaches it"
            )
        else:
            state = BREACH
            why = (
                f"the whole interval [{low:.3g}, {high:.3g}] is {side} the threshold {threshold:g}"
            )
    return Look(state, value, low, high, batch_value, look, spent, groups, why)


def watchable(metric: str) -> bool:
    return metric in SEQUENTIAL_METRICS
