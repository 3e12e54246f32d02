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
