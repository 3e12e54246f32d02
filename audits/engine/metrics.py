"""Metrics from confusion counts. Definitions follow Fairlearn (between-groups summaries)
and AIF360 (reference-group summaries); see docs/audit-json.md."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any, Literal, overload

import numpy as np

from .counts import FN, FP, TN, TP

ALL = (TN, FP, FN, TP)
# name → (numerator outcomes, denominator outcomes)
RATES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "base_rate": ((FN, TP), ALL),
    "selection_rate": ((FP, TP), ALL),
    "tpr": ((TP,), (TP, FN)),
    "fpr": ((FP,), (FP, TN)),
    "tnr": ((TN,), (TN, FP)),
    "fnr": ((FN,), (FN, TP)),
    "ppv": ((TP,), (TP, FP)),
    "npv": ((TN,), (TN, FN)),
    "fdr": ((FP,), (FP, TP)),
    "for": ((FN,), (FN, TN)),
    "accuracy": ((TP, TN), ALL),
}
GROUP_METRICS = ["n", "share", *RATES, "f1"]


def _sum(arr: np.ndarray, outcomes: tuple[int, ...]) -> np.ndarray:
    total: np.ndarray = arr[..., list(outcomes)].sum(axis=-1)
    return total


def rates(w: np.ndarray, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Per-group rates from weighted counts ``w`` (…, 4), every one or those ``names``;
    NaN where undefined."""
    wanted = set(GROUP_METRICS if names is None else names)
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (num, den) in RATES.items():
            if name in wanted:
                d = _sum(w, den)
                out[name] = np.where(d > 0, _sum(w, num) / d, np.nan)
        if "f1" in wanted:
            d = 2 * w[..., TP] + w[..., FP] + w[..., FN]
            out["f1"] = np.where(d > 0, 2 * w[..., TP] / d, np.nan)
    return out


def between_groups(values: np.ndarray) -> tuple[float, float]:
    """(max − min, min / max) over groups where the metric is defined (Fairlearn's
    ``difference`` and ``ratio`` with method='between_groups')."""
    v = values[~np.isnan(values)]
    if len(v) == 0:
        return np.nan, np.nan
    hi, lo = v.max(), v.min()
    return float(hi - lo), float(lo / hi) if hi > 0 else np.nan


def between_groups_batch(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``between_groups`` over the first axis (bootstrap resamples)."""
    # nanmax/nanmin warn on resamples where a group has no defined value; those give NaN.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        hi = np.nanmax(values, axis=-1)
        lo = np.nanmin(values, axis=-1)
        return hi - lo, np.where(hi > 0, lo / hi, np.nan)


@overload
def fairlearn_summaries(
    r: dict[str, np.ndarray], batch: Literal[False] = False
) -> dict[str, float]: ...


@overload
def fairlearn_summaries(
    r: dict[str, np.ndarray], batch: Literal[True]
) -> dict[str, np.ndarray]: ...


def fairlearn_summaries(r: dict[str, np.ndarray], batch: bool = False) -> dict[str, Any]:
    """demographic parity, equalized odds and equal opportunity, difference and ratio:
    numbers, or with ``batch`` one array per summary over the bootstrap resamples."""
    fn: Callable[[np.ndarray], tuple[Any, Any]] = between_groups_batch if batch else between_groups
    dp_d, dp_r = fn(r["selection_rate"])
    tpr_d, tpr_r = fn(r["tpr"])
    fpr_d, fpr_r = fn(r["fpr"])
    return {
        "demographic_parity_difference": dp_d,
        "demographic_parity_ratio": dp_r,
        # Fairlearn: the larger of the TPR and FPR differences; the smaller of the ratios.
        "equalized_odds_difference": np.fmax(tpr_d, fpr_d) if batch else _nanmax(tpr_d, fpr_d),
        "equalized_odds_ratio": np.fmin(tpr_r, fpr_r) if batch else _nanmin(tpr_r, fpr_r),
        "equal_opportunity_difference": tpr_d,
        "equal_opportunity_ratio": tpr_r,
    }


def _nanmax(a: float, b: float) -> float:
    return float(np.nanmax([a, b])) if not (np.isnan(a) and np.isnan(b)) else np.nan


def _nanmin(a: float, b: float) -> float:
    return float(np.nanmin([a, b])) if not (np.isnan(a) and np.isnan(b)) else np.nan


def aif360_values(r: dict[str, np.ndarray], ref: int) -> dict[str, np.ndarray]:
    """Each group against the reference group (AIF360's ClassificationMetric definitions)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sel = r["selection_rate"]
        sel_ref = sel[..., ref : ref + 1]
        return {
            "statistical_parity_difference": sel - sel_ref,
            "disparate_impact_ratio": np.where(sel_ref > 0, sel / sel_ref, np.nan),
            "average_odds_difference": (
                (r["fpr"] - r["fpr"][..., ref : ref + 1])
                + (r["tpr"] - r["tpr"][..., ref : ref + 1])
            )
            / 2,
            "predictive_parity_difference": r["ppv"] - r["ppv"][..., ref : ref + 1],
        }


def distance_from_parity(name: str, values: np.ndarray) -> np.ndarray:
    """How far each value is from parity: |x| for differences, |log x| for ratios (so 0.5
    and 2 are equally far); undefined values are nowhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.abs(np.log(values)) if name.endswith("_ratio") else np.abs(values)
    return np.where(np.isnan(values), -1.0, dist)


def auc_from_hist(hist: np.ndarray) -> np.ndarray:
    """ROC AUC per group from score histograms (…, 2, B): the Mann–Whitney statistic,
    counting pairs in the same bin as half (exact when each bin holds one score value)."""
    neg, pos = hist[..., 0, :], hist[..., 1, :]
    below = np.cumsum(neg, axis=-1) - neg
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        num = (pos * (below + 0.5 * neg)).sum(axis=-1)
        den = pos.sum(axis=-1) * neg.sum(axis=-1)
        return np.where(den > 0, num / den, np.nan)
