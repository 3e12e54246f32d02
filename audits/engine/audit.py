"""Run an audit: file or frame → additive counts → metrics, intervals, tests, warnings →
a JSON-ready dict in the documented ``forethought.audit/1`` schema (docs/audit-json.md)."""

from __future__ import annotations

import hashlib
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import metrics as m
from .config import AuditConfig
from .counts import (
    MISSING,
    TP,
    Accumulator,
    Counts,
    ScoreBins,
    file_format,
    iter_file,
    iter_frame,
    row_count,
    scan_scores,
)
from .errors import AuditInputError
from .stats import holm, n_for_power, two_proportion_test, wilson

SCHEMA = "forethought.audit/1"
SMALL_CATEGORY_SHARE = 0.02  # NYC LL144 rules allow leaving out categories under 2 %
FOUR_FIFTHS = 0.8
# A selection-rate gap below one percentage point is not a disparity worth a power warning.
MATERIAL_GAP = 0.01
INTERSECTION = "intersection"

Progress = Callable[[int], None]


# --- Entry points ------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_file(
    path: Path,
    config: AuditConfig,
    *,
    bins: ScoreBins | None = None,
    row_range: tuple[int, int] | None = None,
    progress: Progress | None = None,
) -> Counts:
    """Counts for a file, or for rows [start, stop) of it (for splitting work)."""
    path = Path(path)
    if config.y_score and bins is None:
        bins = score_bins_for_file(path, config)
    acc = Accumulator(config, bins)
    first, last = row_range if row_range else (0, row_count(path) if progress else 0)
    offset = 0
    for batch in iter_file(path, config):
        start, stop = offset, offset + batch.num_rows
        offset = stop
        if row_range:
            lo, hi = max(start, row_range[0]), min(stop, row_range[1])
            if hi <= lo:
                if start >= row_range[1]:
                    break
                continue
            batch = batch.slice(lo - start, hi - lo)
        acc.add(batch)
        if progress:
            done = min(offset, last) - first
            progress(min(99, int(100 * done / max(1, last - first))))
    return acc.result()


def score_bins_for_file(path: Path, config: AuditConfig) -> ScoreBins:
    low, high, integer = scan_scores(iter_file(path, config), config.y_score)
    if not math.isfinite(low):
        raise AuditInputError("The file has a header but no rows.", field="file")
    return ScoreBins.for_range(low, high, integer, config.score_bins)


def count_frame(frame, config: AuditConfig) -> Counts:
    bins = None
    if config.y_score:
        low, high, integer = scan_scores(iter_frame(frame, config), config.y_score)
        if not math.isfinite(low):
            raise AuditInputError("The data has no rows.", field="file")
        bins = ScoreBins.for_range(low, high, integer, config.score_bins)
    acc = Accumulator(config, bins)
    for batch in iter_frame(frame, config):
        acc.add(batch)
    return acc.result()


def audit_file(path: Path, config: AuditConfig, progress: Progress | None = None) -> dict:
    path = Path(path)
    started = time.perf_counter()
    counts = count_file(path, config, progress=progress)
    read_s = time.perf_counter() - started
    result = compute(counts, config)
    result["input"] = {
        "name": path.name,
        "format": file_format(path),
        "sha256": sha256_of(path),
        "rows": counts.total_rows,
        "bytes": path.stat().st_size,
    }
    result["timings"]["read_and_count_s"] = round(read_s, 4)
    result["timings"]["total_s"] = round(time.perf_counter() - started, 4)
    return result


def audit_frame(frame, config: AuditConfig) -> dict:
    started = time.perf_counter()
    counts = count_frame(frame, config)
    read_s = time.perf_counter() - started
    result = compute(counts, config)
    result["input"] = {
        "name": "(in-memory frame)",
        "format": "frame",
        "sha256": None,
        "rows": counts.total_rows,
        "bytes": None,
    }
    result["timings"]["read_and_count_s"] = round(read_s, 4)
    result["timings"]["total_s"] = round(time.perf_counter() - started, 4)
    return result


# --- Computing ---------------------------------------------------------------------------


def _num(x) -> float | None:
    """JSON number or null: NaN and ±inf never leak as fill values."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


class Dimension:
    """Groups of one sensitive feature, or of the intersection of all of them."""

    def __init__(self, counts: Counts, name: str, feature_idx: list[int]):
        self.name = name
        self.features = [counts.features[i] for i in feature_idx]
        keys = [tuple(row) for row in counts.cells[:, feature_idx].tolist()]

        def label_of(key):
            return tuple(counts.labels[f][c] for f, c in zip(feature_idx, key, strict=True))

        # Groups in label order, so the output does not depend on the order of the rows.
        order = sorted(set(keys), key=label_of)
        index = {k: i for i, k in enumerate(order)}
        self.member = np.array([index[k] for k in keys], dtype=np.int64)  # cell → group
        self.keys = order
        self.labels = [
            " & ".join(counts.labels[f][code] for f, code in zip(feature_idx, key, strict=True))
            for key in order
        ]
        self.values = [
            {
                counts.features[f]: counts.labels[f][code]
                for f, code in zip(feature_idx, key, strict=True)
            }
            for key in order
        ]
        g = len(order)
        self.matrix = np.zeros((g, len(keys)))
        self.matrix[self.member, np.arange(len(keys))] = 1.0

    def sum(self, cell_values: np.ndarray) -> np.ndarray:
        out = np.zeros((len(self.keys), *cell_values.shape[1:]))
        np.add.at(out, self.member, cell_values)
        return out


def canonical(counts: Counts) -> Counts:
    """Cells sorted by their labels: bootstrap draws then follow the data, not row order."""
    labels = [
        tuple(counts.labels[f][c] for f, c in enumerate(row)) for row in counts.cells.tolist()
    ]
    order = np.array(sorted(range(len(labels)), key=labels.__getitem__), dtype=np.int64)

    def pick(arr):
        return None if arr is None else arr[order]

    return Counts(
        features=counts.features,
        labels=counts.labels,
        cells=counts.cells[order],
        rows=counts.rows[order],
        w=counts.w[order],
        w2=counts.w2[order],
        brier=pick(counts.brier),
        cal=pick(counts.cal),
        hist=pick(counts.hist),
        bins=counts.bins,
        score_min=counts.score_min,
        score_max=counts.score_max,
        total_rows=counts.total_rows,
    )


def compute(counts: Counts, config: AuditConfig) -> dict:
    t0 = time.perf_counter()
    counts = canonical(counts)
    warnings: list[dict] = []
    dims = [Dimension(counts, f, [i]) for i, f in enumerate(counts.features)]
    if len(counts.features) > 1:
        dims.append(Dimension(counts, INTERSECTION, list(range(len(counts.features)))))
    for dim in dims[: len(counts.features)]:
        if len(dim.keys) < 2:
            raise AuditInputError(
                f"Sensitive feature {dim.name!r} has a single group "
                f"({dim.labels[0]!r}); an audit compares groups.",
                field=dim.name,
            )
    references = _references(dims, counts, config)
    scores_in_unit = (
        counts.score_min is not None and counts.score_min >= 0 and counts.score_max <= 1
    )
    rng = np.random.default_rng(config.seed)
    draws = _poisson_draws(counts, config.bootstrap, rng)
    t1 = time.perf_counter()
    out_dims = [
        _dimension_result(
            dim, counts, config, references[dim.name], draws, scores_in_unit, warnings
        )
        for dim in dims
    ]
    t2 = time.perf_counter()
    missing = {
        f: int(counts.rows[counts.cells[:, i] == _code(counts, i, MISSING)].sum())
        if MISSING in counts.labels[i]
        else 0
        for i, f in enumerate(counts.features)
    }
    for feature, rows in missing.items():
        if rows:
            warnings.append(
                {
                    "code": "missing_values",
                    "dimension": feature,
                    "group": MISSING,
                    "message": f"{rows} row(s) have no value for {feature!r}; they form the "
                    f"group {MISSING!r} rather than being dropped.",
                }
            )
    if counts.score_min is not None and not scores_in_unit:
        warnings.append(
            {
                "code": "scores_not_probabilities",
                "dimension": None,
                "group": None,
                "message": f"Scores range from {counts.score_min:g} to {counts.score_max:g}, not "
                "[0, 1]: Brier score and calibration are not reported.",
            }
        )
    if counts.bins is not None and not counts.bins.integer and counts.score_min is not None:
        warnings.append(
            {
                "code": "auc_binned",
                "dimension": None,
                "group": None,
                "message": f"AUC and the score median use {counts.bins.count} equal-width score "
                "bins; pairs of scores in one bin count as ties.",
            }
        )
    return {
        "schema": SCHEMA,
        "config": config.as_dict(),
        "column_mapping": {
            "y_true": config.y_true,
            "y_pred": config.y_pred,
            "y_score": config.y_score,
            "sensitive": list(config.sensitive),
            "weight": config.weight,
        },
        "seed": config.seed,
        "positive_is": config.positive_is,
        "mode": "score" if config.y_score else "prediction",
        "score_range": [_num(counts.score_min), _num(counts.score_max)]
        if counts.score_min is not None
        else None,
        "rows": counts.total_rows,
        "weighted_rows": _num(counts.w.sum()),
        "missing": missing,
        "dimensions": out_dims,
        "warnings": warnings,
        "versions": _versions(),
        "timings": {"bootstrap_draws_s": round(t1 - t0, 4), "metrics_s": round(t2 - t1, 4)},
    }


def _code(counts: Counts, feature: int, label: str) -> int:
    return counts.labels[feature].index(label)


def _references(dims: list[Dimension], counts: Counts, config: AuditConfig) -> dict:
    refs: dict[str, tuple[int, str]] = {}
    for dim in dims:
        sizes = dim.sum(counts.w.sum(axis=1))
        largest = int(np.argmax(sizes))
        if dim.name == INTERSECTION:
            wanted = {f: dims[i].labels[refs[f][0]] for i, f in enumerate(dim.features)}
            match = [i for i, v in enumerate(dim.values) if v == wanted]
            refs[dim.name] = (match[0], "combined") if match else (largest, "largest")
            continue
        given = config.reference.get(dim.name)
        if given is not None:
            if str(given) not in dim.labels:
                raise AuditInputError(
                    f"Reference group {given!r} is not a value of {dim.name!r} "
                    f"(values: {', '.join(dim.labels)}).",
                    field="reference",
                )
            refs[dim.name] = (dim.labels.index(str(given)), "given")
        else:
            refs[dim.name] = (largest, "largest")
    return refs


def _poisson_draws(counts: Counts, b: int, rng: np.random.Generator) -> np.ndarray | None:
    """Weighted counts under the Poisson bootstrap (Hanley & MacGibbon 2006): each row's
    resampling weight is Poisson(1), so the rows of one (cell, outcome) resample as
    Poisson(rows), scaled by that bin's mean weight. No groupby is re-run."""
    if b == 0:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_w = np.where(counts.rows > 0, counts.w / counts.rows, 0.0)
    return rng.poisson(counts.rows, size=(b, *counts.rows.shape)) * mean_w


def _dimension_result(
    dim: Dimension,
    counts: Counts,
    config: AuditConfig,
    ref: tuple[int, str],
    draws,
    scores_in_unit: bool,
    warnings: list[dict],
) -> dict:
    ref_idx, ref_source = ref
    w = dim.sum(counts.w)
    rows = dim.sum(counts.rows)
    w2 = dim.sum(counts.w2)
    r = m.rates(w)
    n = w.sum(axis=1)
    total = n.sum()
    ci_level = config.confidence
    groups = []
    for metric_name, values in r.items():
        undefined = [dim.labels[i] for i in np.flatnonzero(np.isnan(values))]
        for label in undefined:
            warnings.append(
                {
                    "code": "undefined_metric",
                    "dimension": dim.name,
                    "group": label,
                    "message": f"{metric_name} is undefined for {label!r} in {dim.name} (its "
                    "denominator is zero); reported as null.",
                }
            )
    intervals = {}
    for name, (_num_o, den_o) in m.RATES.items():
        den_w = w[:, list(den_o)].sum(axis=1)
        den_w2 = w2[:, list(den_o)].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(den_w2 > 0, den_w * den_w / den_w2, 0.0)
        intervals[name] = wilson(r[name] * n_eff, n_eff, ci_level)
    auc = brier = cal = None
    if counts.hist is not None:
        auc = m.auc_from_hist(dim.sum(counts.hist))
    if counts.brier is not None and scores_in_unit:
        with np.errstate(divide="ignore", invalid="ignore"):
            brier = dim.sum(counts.brier) / n
        cal = dim.sum(counts.cal)
    for i, label in enumerate(dim.labels):
        metrics: dict = {"n": _num(n[i]), "share": _num(n[i] / total)}
        for name in m.RATES:
            lo, hi = intervals[name]
            metrics[name] = {"value": _num(r[name][i]), "ci": [_num(lo[i]), _num(hi[i])]}
        metrics["f1"] = {"value": _num(r["f1"][i]), "ci": None}
        group = {
            "group": label,
            "values": dim.values[i],
            "rows": int(rows[i].sum()),
            "metrics": metrics,
        }
        if auc is not None:
            group["auc"] = _num(auc[i])
        if brier is not None:
            group["brier"] = _num(brier[i])
            group["calibration"] = [
                {
                    "bin": [b / 10, (b + 1) / 10],
                    "weight": _num(cal[i, b, 0]),
                    "mean_score": _num(cal[i, b, 1] / cal[i, b, 0]) if cal[i, b, 0] else None,
                    "observed_rate": _num(cal[i, b, 2] / cal[i, b, 0]) if cal[i, b, 0] else None,
                }
                for b in range(cal.shape[1])
            ]
        groups.append(group)
    disparities = {}
    for name in [*m.RATES, "f1"]:
        values = r[name]
        base = values[ref_idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            disparities[name] = {
                label: {
                    "difference": _num(values[i] - base),
                    "ratio": _num(values[i] / base) if base else None,
                }
                for i, label in enumerate(dim.labels)
            }
    summary = _summaries(dim, r, ref_idx, draws, config)
    tests = _tests(dim, rows, ref_idx, config)
    _size_warnings(dim, rows, r, ref_idx, config, warnings)
    impact = _impact_ratios(dim, counts, r["selection_rate"], n)
    summary["min_impact_ratio"] = {
        "value": impact["min_impact_ratio"],
        "group": impact["min_group"],
        "ci": None,
        "definition": "lowest impact ratio over categories (NYC Local Law 144)",
    }
    return {
        "name": dim.name,
        "features": dim.features,
        "reference": dim.labels[ref_idx],
        "reference_source": ref_source,
        "groups": groups,
        "disparities": disparities,
        "summary": summary,
        "tests": tests,
        "impact_ratios": impact,
    }


def _summaries(dim: Dimension, r: dict, ref_idx: int, draws, config: AuditConfig) -> dict:
    point = m.fairlearn_summaries(r)
    aif = m.aif360_values(r, ref_idx)
    boot_fair = boot_aif = None
    if draws is not None:
        gw = np.einsum("gc,bco->bgo", dim.matrix, draws)
        br = m.rates(gw)
        boot_fair = m.fairlearn_summaries(br, batch=True)
        boot_aif = {k: _furthest_batch(k, v) for k, v in m.aif360_values(br, ref_idx).items()}
    alpha = (1 - config.confidence) / 2
    out: dict = {}
    for name, value in point.items():
        out[name] = {
            "value": _num(value),
            "group": None,
            "ci": _percentile(boot_fair[name], alpha) if boot_fair else None,
            "definition": "fairlearn between_groups",
        }
    beneficial = config.positive_is == "beneficial"
    for name, values in aif.items():
        dist = m.distance_from_parity(name, values)
        dist[ref_idx] = -1.0
        worst = int(np.argmax(dist))
        if dist[worst] < 0:
            out[name] = {"value": None, "group": None, "ci": None, "by_group": {}}
            continue
        by_group = {dim.labels[i]: _num(values[i]) for i in range(len(dim.labels)) if i != ref_idx}
        # The disadvantaged side: fewer positives when positive is beneficial, more when
        # harmful (AIF360's sign convention: group − reference, group ÷ reference).
        directional = [(v, g) for g, v in by_group.items() if v is not None]
        if directional:
            pick = min if beneficial else max
            disadvantaged = (
                pick(directional)[1]
                if name != "predictive_parity_difference"
                else min(directional)[1]
            )
        else:
            disadvantaged = None
        out[name] = {
            "value": _num(values[worst]),
            "group": dim.labels[worst],
            "reference": dim.labels[ref_idx],
            "ci": _percentile(boot_aif[name], alpha) if boot_aif else None,
            "by_group": by_group,
            "most_disadvantaged_group": disadvantaged,
            "definition": "aif360 vs reference; value furthest from parity",
        }
    return out


def _furthest_batch(name: str, values: np.ndarray) -> np.ndarray:
    dist = m.distance_from_parity(name, values)
    idx = np.argmax(dist, axis=-1)
    picked = np.take_along_axis(values, idx[:, None], axis=-1)[:, 0]
    return np.where(np.take_along_axis(dist, idx[:, None], axis=-1)[:, 0] < 0, np.nan, picked)


def _percentile(samples: np.ndarray, alpha: float) -> list[float | None]:
    finite = samples[np.isfinite(samples)]
    if len(finite) < max(10, len(samples) // 2):
        return [None, None]
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return [_num(lo), _num(hi)]


def _tests(dim: Dimension, rows: np.ndarray, ref_idx: int, config: AuditConfig) -> list[dict]:
    """Selection rate and TPR of each group against the reference, Holm-adjusted within
    each (dimension, metric) family. Row counts (not weights) enter the tests."""
    results = []
    specs = {
        "selection_rate": (lambda c: c[1] + c[3], lambda c: c.sum()),
        "tpr": (lambda c: c[3], lambda c: c[2] + c[3]),
    }
    for metric, (num, den) in specs.items():
        family = []
        for i, label in enumerate(dim.labels):
            if i == ref_idx:
                continue
            p, method = two_proportion_test(
                int(num(rows[i])),
                int(den(rows[i])),
                int(num(rows[ref_idx])),
                int(den(rows[ref_idx])),
            )
            family.append(
                {
                    "metric": metric,
                    "group": label,
                    "reference": dim.labels[ref_idx],
                    "p_value": _num(p),
                    "method": method,
                }
            )
        adjusted = holm([f["p_value"] if f["p_value"] is not None else math.nan for f in family])
        for entry, p_adj in zip(family, adjusted, strict=True):
            entry["p_holm"] = _num(p_adj)
            entry["significant"] = bool(p_adj < 0.05) if math.isfinite(p_adj) else False
        results.extend(family)
    return results


def _size_warnings(dim, rows, r, ref_idx, config, warnings) -> None:
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


def _impact_ratios(
    dim: Dimension, counts: Counts, selection_rate: np.ndarray, n: np.ndarray
) -> dict:
    """NYC Local Law 144 bias-audit table: selection (or scoring) rate per category and its
    ratio to the highest rate; categories under 2 % of rows are flagged and left out of the
    four-fifths verdict."""
    if counts.hist is not None:
        hist = dim.sum(counts.hist).sum(axis=1)  # (G, B) over both labels
        overall = hist.sum(axis=0)
        cum = np.cumsum(overall)
        median_bin = int(np.searchsorted(cum, cum[-1] / 2))
        above = hist[:, median_bin + 1 :].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(n > 0, above / n, np.nan)
        rate_name = "scoring_rate"
        median = float(counts.bins.upper_edges()[median_bin])
    else:
        rate = selection_rate
        rate_name = "selection_rate"
        median = None
    share = n / n.sum()
    small = share < SMALL_CATEGORY_SHARE
    with np.errstate(divide="ignore", invalid="ignore"):
        top = np.nanmax(rate) if np.isfinite(rate).any() else np.nan
        ratio = rate / top if top and top > 0 else np.full_like(rate, np.nan)
    rows = [
        {
            "category": dim.labels[i],
            "values": dim.values[i],
            "n": _num(n[i]),
            "share": _num(share[i]),
            "rate": _num(rate[i]),
            "impact_ratio": _num(ratio[i]),
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
        "missing_rows": _num(sum(n[i] for i in range(len(rows)) if rows[i]["missing"])),
        "min_impact_ratio": _num(ratio[min_i]) if min_i is not None else None,
        "min_group": dim.labels[min_i] if min_i is not None else None,
        "four_fifths": verdict,
        "excluded_small": [dim.labels[i] for i in np.flatnonzero(small)],
    }


def _versions() -> dict:
    import pandas
    import pyarrow
    import scipy

    return {
        "forethought": _package_version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "scipy": scipy.__version__,
    }


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("forethought")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


__all__ = ["SCHEMA", "audit_file", "audit_frame", "compute", "count_file", "count_frame", "TP"]
