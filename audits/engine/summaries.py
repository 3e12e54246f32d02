"""Summary metrics with bootstrap intervals, significance tests, size warnings and the
NYC Local Law 144 impact-ratio table of one dimension.

The summary metrics are exactly ``names.SUMMARY_METRICS``, in that order: the list is the
single source that launch gates, pages and this module iterate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import metrics as m
from .bootstrap import Resamples
from .config import AuditConfig
from .counts import MISSING, Counts
from .groups import Dimension, num
from .names import SUMMARY_METRICS, SummaryMetric
from .stats import basic_bootstrap_interval, holm, n_for_power, two_proportion_test

SMALL_CATEGORY_SHARE = 0.02  # NYC LL144 rules allow leaving out categories under 2 %
FOUR_FIFTHS = 0.8
# A selection-rate gap below one percentage point is not a disparity worth a power warning.
MATERIAL_GAP = 0.01


def summaries(
    dim: Dimension,
    r: dict[str, np.ndarray],
    ref_idx: int,
    resamples: Resamples | None,
    config: AuditConfig,
    impact: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Every summary metric of ``names.SUMMARY_METRICS``, in its order, each computed by the
    definition of its source (Fairlearn, AIF360 or NYC LL144); intervals from the
    dimension's bootstrap ``resamples`` (bootstrap.py), as basic bootstrap intervals
    (stats.basic_bootstrap_interval), which always hold the value."""
    point = m.fairlearn_summaries(r)
    aif = m.aif360_values(r, ref_idx)
    boot_fair = resamples.fairlearn if resamples is not None else None
    boot_aif = resamples.aif360 if resamples is not None else None
    out: dict[str, dict[str, Any]] = {}
    for metric in SUMMARY_METRICS:
        name = metric.name
        if metric.source == "fairlearn":
            value = num(point[name])
            out[name] = {
                "value": value,
                "group": None,
                "ci": _interval(boot_fair, metric, value, config) if boot_fair else None,
                "definition": "fairlearn between_groups",
            }
        elif metric.source == "aif360":
            out[name] = _aif360_summary(metric, aif[name], dim, ref_idx, boot_aif, config)
        elif metric.source == "nyc_ll144":
            out[name] = {
                "value": impact["min_impact_ratio"],
                "group": impact["min_group"],
                "ci": None,
                "definition": "lowest impact ratio over categories (NYC Local Law 144)",
            }
        else:  # pragma: no cover - names.py and this module change together
            raise ValueError(f"No definition for summary metric {name!r} ({metric.source})")
    return out


def _aif360_summary(
    metric: SummaryMetric,
    values: np.ndarray,
    dim: Dimension,
    ref_idx: int,
    boot: dict[str, np.ndarray] | None,
    config: AuditConfig,
) -> dict[str, Any]:
    name, positive_is = metric.name, config.positive_is
    dist = m.distance_from_parity(name, values)
    dist[ref_idx] = -1.0
    worst = int(np.argmax(dist))
    if dist[worst] < 0:
        return {"value": None, "group": None, "ci": None, "by_group": {}}
    by_group = {dim.labels[i]: num(values[i]) for i in range(len(dim.labels)) if i != ref_idx}
    # The disadvantaged side: fewer positives when positive is beneficial, more when
    # harmful (AIF360's sign convention: group − reference, group ÷ reference).
    directional = [(v, g) for g, v in by_group.items() if v is not None]
    disadvantaged = None
    if directional:
        pick = min if positive_is == "beneficial" else max
        disadvantaged = (
            pick(directional)[1] if name != "predictive_parity_difference" else min(directional)[1]
        )
    value = num(values[worst])
    return {
        "value": value,
        "group": dim.labels[worst],
        "reference": dim.labels[ref_idx],
        "ci": _interval(boot, metric, value, config) if boot else None,
        "by_group": by_group,
        "most_disadvantaged_group": disadvantaged,
        "definition": "aif360 vs reference; value furthest from parity",
    }


def _interval(
    boot: dict[str, np.ndarray], metric: SummaryMetric, value: float | None, config: AuditConfig
) -> list[float | None]:
    low, high = basic_bootstrap_interval(boot[metric.name], value, config.confidence, metric.bounds)
    return [num(low), num(high)]


def tests(
    dim: Dimension, rows: np.ndarray, ref_idx: int, config: AuditConfig
) -> list[dict[str, Any]]:
    """Selection rate and TPR of each group against the reference, Holm-adjusted within
    each (dimension, metric) family. Row counts (not weights) enter the tests."""
    results: list[dict[str, Any]] = []
    # metric → (numerator, denominator) of one group's row counts per outcome (TN, FP, FN, TP)
    specs: dict[str, tuple[Callable[[np.ndarray], Any], Callable[[np.ndarray], Any]]] = {
        "selection_rate": (lambda c: c[1] + c[3], lambda c: c.sum()),
        "tpr": (lambda c: c[3], lambda c: c[2] + c[3]),
    }
    for metric, (numerator, denominator) in specs.items():
        family: list[dict[str, Any]] = []
        for i, label in enumerate(dim.labels):
            if i == ref_idx:
                continue
            p, method = two_proportion_test(
                int(numerator(rows[i])),
                int(denominator(rows[i])),
                int(numerator(rows[ref_idx])),
                int(denominator(rows[ref_idx])),
            )
            family.append(
                {
                    "metric": metric,
                    "group": label,
                    "reference": dim.labels[ref_idx],
                    "p_value": num(p),
                    "method": method,
                }
            )
        adjusted = holm([f["p_value"] if f["p_value"] is not None else math.nan for f in family])
        for entry, p_adj in zip(family, adjusted, strict=True):
            entry["p_holm"] = num(p_adj)
            entry["significant"] = bool(p_adj < 0.05) if math.isfinite(p_adj) else False
        results.extend(family)
    return results


def size_warnings(
    dim: Dimension,
    rows: np.ndarray,
    r: dict[str, np.ndarray],
    ref_idx: int,
    config: AuditConfig,
    warnings: list[dict[str, Any]],
) -> None:
    n_rows = rows.sum(axis=1)
    p_ref = r["selection_rate"][ref_idx]
    for i, label in enumerate(dim.labels):
        if n_rows[i] < config.min_group_size:
            warnings.append(
                {
                    "code": "small_group",
                    "dimension": dim.name,
                    "group": label,
                    "message": f"{label!r} in {dim.name} has {int(n_rows[i])} rows, under the "
                    f"minimum of {config.min_group_size}: its rates are unreliable.",
                }
            )
            continue
        p = r["selection_rate"][i]
        if i == ref_idx or np.isnan(p) or np.isnan(p_ref) or abs(p - p_ref) < MATERIAL_GAP:
            continue
        needed = n_for_power(float(p), float(p_ref))
        if n_rows[i] < needed:
            warnings.append(
                {
                    "code": "underpowered",
                    "dimension": dim.name,
                    "group": label,
                    "message": f"{label!r} in {dim.name} has {int(n_rows[i])} rows; detecting its "
                    f"selection-rate gap of {abs(p - p_ref):.3f} to the reference with "
                    f"80% power needs about {math.ceil(needed)}.",
                }
            )


def impact_ratios(
    dim: Dimension,
    counts: Counts,
    selection_rate: np.ndarray,
    n: np.ndarray,
    *,
    scored: bool = True,
) -> dict[str, Any]:
    """NYC Local Law 144 bias-audit table: selection (or, for ``scored`` counts with score
    histograms, scoring) rate per category and its ratio to the highest rate; categories
    under 2 % of rows are flagged and left out of the four-fifths verdict."""
    median: float | None = None
    if scored and counts.hist is not None and counts.bins is not None:  # hist comes with bins
        groups = len(dim.keys)
        # Two passes over the groups' histograms, a block of groups at a time: the overall
        # median first, then each group's weight above it.
        overall = np.zeros(counts.hist.bins)
        for _lo, block in counts.hist.group_blocks(dim.member, groups):
            overall += block.sum(axis=1).sum(axis=0)
        cum = np.cumsum(overall)
        median_bin = int(np.searchsorted(cum, cum[-1] / 2))
        above = np.zeros(groups)
        for lo, block in counts.hist.group_blocks(dim.member, groups):
            above[lo : lo + len(block)] = block.sum(axis=1)[:, median_bin + 1 :].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(n > 0, above / n, np.nan)
        rate_name = "scoring_rate"
        median = num(counts.bins.upper_edges()[median_bin])
    else:
        rate = selection_rate
        rate_name = "selection_rate"
    share = n / n.sum()
    small = share < SMALL_CATEGORY_SHARE
    with np.errstate(divide="ignore", invalid="ignore"):
        top = np.nanmax(rate) if np.isfinite(rate).any() else np.nan
        ratio = rate / top if top and top > 0 else np.full_like(rate, np.nan)
    rows = [
        {
            "category": dim.labels[i],
            "values": dim.values[i],
            "n": num(n[i]),
            "share": num(share[i]),
            "rate": num(rate[i]),
            "impact_ratio": num(ratio[i]),
            "small": bool(small[i]),
            "missing": MISSING in dim.values[i].values(),
        }
        for i in range(len(dim.labels))
    ]
    counted = [i for i in range(len(rows)) if not small[i] and np.isfinite(ratio[i])]
    min_i = min(counted, key=lambda i: ratio[i]) if counted else None
    verdict = None
    if counted:
        verdict = "pass" if all(ratio[i] >= FOUR_FIFTHS for i in counted) else "fail"
    return {
        "rate": rate_name,
        "median_score": median,
        "rows": rows,
        "missing_rows": num(sum(n[i] for i in range(len(rows)) if rows[i]["missing"])),
        "min_impact_ratio": num(ratio[min_i]) if min_i is not None else None,
        "min_group": dim.labels[min_i] if min_i is not None else None,
        "four_fifths": verdict,
        "excluded_small": [dim.labels[i] for i in np.flatnonzero(small)],
    }
