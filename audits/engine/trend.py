"""Summary metrics of one dimension across a system's audits, oldest first.

A run that did not audit the chosen dimension is a gap, never another dimension's numbers
under its name: runs of one system may audit different features."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .names import SUMMARY_METRIC_NAMES

INTERSECTION = "intersection"


@dataclass(frozen=True)
class TrendPoint:
    run: int
    label: str
    value: float | None
    low: float | None
    high: float | None
    audited: bool  # False: the run did not audit the dimension (a gap)


@dataclass(frozen=True)
class Trend:
    dimension: str
    dimensions: list[str]  # every dimension any of the runs audited
    series: dict[str, list[TrendPoint]]  # summary metric → one point per run
    gaps: list[str]  # "run #12 did not audit race", per run that did not


def trend(runs: Sequence[tuple[int, str, dict[str, Any]]], dimension: str | None) -> Trend:
    """``runs`` are (run id, label, result), oldest first. Without a ``dimension``, the
    intersection when a run audited one, else the latest run's first dimension."""
    names: set[str] = set()
    for _, _, result in runs:
        names.update(d["name"] for d in result["dimensions"])
    if not dimension:
        if INTERSECTION in names or not runs:
            dimension = INTERSECTION
        else:
            dimension = runs[-1][2]["dimensions"][0]["name"]
    series: dict[str, list[TrendPoint]] = {name: [] for name in SUMMARY_METRIC_NAMES}
    gaps = []
    for run_id, label, result in runs:
        dim = next((d for d in result["dimensions"] if d["name"] == dimension), None)
        if dim is None:
            gaps.append(f"run #{run_id} did not audit {dimension}")
        for name, points in series.items():
            summary = dim["summary"].get(name) if dim is not None else None
            ci = (summary or {}).get("ci") or [None, None]
            value = (summary or {}).get("value")
            points.append(TrendPoint(run_id, label, value, ci[0], ci[1], dim is not None))
    return Trend(dimension, sorted(names), series if runs else {}, gaps)


def summary_of(result: dict[str, Any]) -> dict[str, Any]:
    """What list pages and the trend read of a result, kept beside it when a run finishes:
    the row count, the mode, the number of warnings and each dimension's summary metrics
    (value and interval). A few kilobytes, where the full result can take megabytes."""
    return {
        "rows": result.get("rows"),
        "mode": result.get("mode"),
        "warnings": len(result.get("warnings") or []),
        "dimensions": [
            {
                "name": d["name"],
                "summary": {
                    name: {"value": (m or {}).get("value"), "ci": (m or {}).get("ci")}
                    for name, m in (d.get("summary") or {}).items()
                },
            }
            for d in result.get("dimensions") or []
        ],
    }
