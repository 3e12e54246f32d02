"""Run an audit: file or frame → additive counts → metrics, intervals, tests, warnings →
a JSON-ready dict in the documented ``forethought.audit/1`` schema (docs/audit-json.md)."""

from __future__ import annotations

import hashlib
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import metrics as m
from . import names
from .bootstrap import Resamples, bootstrap
from .columns import MISSING
from .config import AuditConfig
from .counts import TP, Accumulator, Counts, check_counts, scan_scores
from .errors import AuditInputError
from .groups import Dimension, canonical, num
from .histograms import ScoreBins
from .reading import file_format, iter_file, iter_frame, row_count
from .stats import wilson
from .summaries import impact_ratios, size_warnings, summaries, tests

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = "forethought.audit/1"
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
    if config.y_score is None:
        raise ValueError("Score bins need a score column.")
    low, high, integer = scan_scores(iter_file(path, config), config)
    if not math.isfinite(low):
        raise AuditInputError("The file has a header but no rows.", field="file")
    return ScoreBins.for_range(low, high, integer, config.score_bins)


def count_frame(frame: pd.DataFrame, config: AuditConfig) -> Counts:
    bins = None
    if config.y_score:
        low, high, integer = scan_scores(iter_frame(frame, config), config)
        if not math.isfinite(low):
            raise AuditInputError("The data has no rows.", field="file")
        bins = ScoreBins.for_range(low, high, integer, config.score_bins)
    acc = Accumulator(config, bins)
    for batch in iter_frame(frame, config):
        acc.add(batch)
    return acc.result()


def audit_file(path: Path, config: AuditConfig, progress: Progress | None = None) -> dict[str, Any]:
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


def audit_frame(frame: pd.DataFrame, config: AuditConfig) -> dict[str, Any]:
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


def compute(counts: Counts, config: AuditConfig) -> dict[str, Any]:
    t0 = time.perf_counter()
    # Counts read by this engine are within the limits already; counts added up from the
    # parts of a split run are checked here, before anything is built from them.
    check_counts(counts, config)
    counts = canonical(counts)
    warnings: list[dict[str, Any]] = []
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
        counts.score_min is not None
        and counts.score_max is not None
        and counts.score_min >= 0
        and counts.score_max <= 1
    )
    rng = np.random.default_rng(config.seed)
    boot = bootstrap(counts, dims, [references[d.name][0] for d in dims], config.bootstrap, rng)
    t1 = time.perf_counter()
    out_dims = [
        _dimension_result(
            dim,
            counts,
            config,
            references[dim.name],
            boot[i] if boot is not None else None,
            scores_in_unit,
            warnings,
        )
        for i, dim in enumerate(dims)
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
        bins = f"{counts.bins.count} equal-width score bins"
        if counts.bins.edges is not None:
            bins = f"the {counts.bins.count} score bins of the counts"
        warnings.append(
            {
                "code": "auc_binned",
                "dimension": None,
                "group": None,
                "message": f"AUC and the score median use {bins}; pairs of scores in one bin "
                "count as ties.",
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
        "score_range": [num(counts.score_min), num(counts.score_max)]
        if counts.score_min is not None
        else None,
        "rows": counts.total_rows,
        "weighted_rows": num(counts.w.sum()),
        "missing": missing,
        "dimensions": out_dims,
        "warnings": warnings,
        "versions": _versions(),
        "timings": {"bootstrap_draws_s": round(t1 - t0, 4), "metrics_s": round(t2 - t1, 4)},
    }


def _code(counts: Counts, feature: int, label: str) -> int:
    return counts.labels[feature].index(label)


def _references(
    dims: list[Dimension], counts: Counts, config: AuditConfig
) -> dict[str, tuple[int, str]]:
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


def _dimension_result(
    dim: Dimension,
    counts: Counts,
    config: AuditConfig,
    ref: tuple[int, str],
    resamples: Resamples | None,
    scores_in_unit: bool,
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:
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
                    "message": f"{names.label(metric_name)} ({metric_name}) is undefined for "
                    f"{label!r} in {dim.name} (its denominator is zero); reported as null.",
                }
            )
    intervals = {}
    for name, (_num_o, den_o) in m.RATES.items():
        den_w = w[:, list(den_o)].sum(axis=1)
        den_w2 = w2[:, list(den_o)].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            n_eff = np.where(den_w2 > 0, den_w * den_w / den_w2, 0.0)
        intervals[name] = wilson(r[name] * n_eff, n_eff, ci_level)
    auc = brier = cal = None
    if counts.hist is not None:
        auc = np.concatenate(
            [
                m.auc_from_hist(block)
                for _, block in counts.hist.group_blocks(dim.member, len(dim.keys))
            ]
        )
    if counts.brier is not None and counts.cal is not None and scores_in_unit:
        with np.errstate(divide="ignore", invalid="ignore"):
            brier = dim.sum(counts.brier) / n
        cal = dim.sum(counts.cal)
    for i, label in enumerate(dim.labels):
        metrics: dict[str, Any] = {"n": num(n[i]), "share": num(n[i] / total)}
        for name in m.RATES:
            lo, hi = intervals[name]
            metrics[name] = {"value": num(r[name][i]), "ci": [num(lo[i]), num(hi[i])]}
        metrics["f1"] = {"value": num(r["f1"][i]), "ci": None}
        group = {
            "group": label,
            "values": dim.values[i],
            "rows": int(rows[i].sum()),
            "metrics": metrics,
        }
        if auc is not None:
            group["auc"] = num(auc[i])
        if brier is not None and cal is not None:
            group["brier"] = num(brier[i])
            group["calibration"] = [
                {
                    "bin": [b / 10, (b + 1) / 10],
                    "weight": num(cal[i, b, 0]),
                    "mean_score": num(cal[i, b, 1] / cal[i, b, 0]) if cal[i, b, 0] else None,
                    "observed_rate": num(cal[i, b, 2] / cal[i, b, 0]) if cal[i, b, 0] else None,
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
                    "difference": num(values[i] - base),
                    "ratio": num(values[i] / base) if base else None,
                }
                for i, label in enumerate(dim.labels)
            }
    # LL144's scoring rate is for a score column; decisions keep their selection rate even
    # when a counts batch also carries score bins.
    scored = config.y_score is not None
    impact = impact_ratios(dim, counts, r["selection_rate"], n, scored=scored)
    summary = summaries(dim, r, ref_idx, resamples, config, impact)
    group_tests = tests(dim, rows, ref_idx, config)
    size_warnings(dim, rows, r, ref_idx, config, warnings)
    return {
        "name": dim.name,
        "features": dim.features,
        "reference": dim.labels[ref_idx],
        "reference_source": ref_source,
        "groups": groups,
        "disparities": disparities,
        "summary": summary,
        "tests": group_tests,
        "impact_ratios": impact,
    }


def _versions() -> dict[str, str]:
    # Versions from the installed metadata: importing pandas and scipy only to read their
    # version would cost a command-line audit most of its start-up time.
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:  # pragma: no cover
            return "unknown"

    return {
        "forethought": _package_version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": of("pandas"),
        "pyarrow": of("pyarrow"),
        "scipy": of("scipy"),
    }


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("forethought")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


__all__ = ["SCHEMA", "audit_file", "audit_frame", "compute", "count_file", "count_frame", "TP"]
