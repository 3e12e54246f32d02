"""Evaluate a launch gate against an audit result. Pure Python.

A gate passes or fails on the point estimate, unless the evidence is too thin to say:
the summary's confidence interval straddles the threshold, the metric is undefined, or a
group in the audited dimension is below the minimum size. Then the verdict is
"insufficient".
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

from .errors import AuditInputError
from .names import SUMMARY_METRIC_NAMES, label

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class GateSpec:
    """A gate's rule; refused (``AuditInputError`` naming the field) unless the engine can
    judge it: a summary metric it produces, a known comparator, a finite threshold."""

    metric: str
    comparator: str
    threshold: float
    sensitive_feature: str = ""

    def __post_init__(self) -> None:
        if self.metric not in SUMMARY_METRIC_NAMES:
            raise AuditInputError(f"Unknown metric {self.metric!r}.", field="metric")
        if self.comparator not in COMPARE:
            raise AuditInputError("Comparator is one of >=, >, <=, <.", field="comparator")
        if not math.isfinite(self.threshold):
            raise AuditInputError("The threshold is a finite number.", field="threshold")


@dataclass(frozen=True)
class GateOutcome:
    verdict: str  # pass | fail | insufficient
    value: float | None
    ci: tuple[float | None, float | None]
    reason: str
    dimension: str | None

    def as_fields(self) -> dict[str, Any]:
        """The verdict as stored (a GateVerdict's fields)."""
        low, high = self.ci
        return dict(
            verdict=self.verdict, value=self.value, ci_low=low, ci_high=high, reason=self.reason
        )


def _dimension(result: dict[str, Any], feature: str) -> dict[str, Any] | None:
    dims = {d["name"]: d for d in result["dimensions"]}
    if feature:
        return dims.get(feature)
    return dims.get("intersection") or (result["dimensions"][0] if len(dims) == 1 else None)


def evaluate(gate: GateSpec, result: dict[str, Any]) -> GateOutcome:
    dim = _dimension(result, gate.sensitive_feature)
    if dim is None:
        audited = ", ".join(d["name"] for d in result["dimensions"])
        return GateOutcome(
            "insufficient",
            None,
            (None, None),
            f"The audit has no dimension {gate.sensitive_feature!r} (it audited {audited}).",
            None,
        )
    summary = dim["summary"].get(gate.metric)
    value = summary.get("value") if summary else None
    ci = tuple((summary or {}).get("ci") or (None, None))
    rule = f"{label(gate.metric)} on {dim['name']} {gate.comparator} {gate.threshold:g}"
    if value is None:
        return GateOutcome(
            "insufficient",
            None,
            ci,
            f"{rule}: the metric is undefined for this data (a denominator is zero).",
            dim["name"],
        )
    small = [
        w["group"]
        for w in result.get("warnings", [])
        if w["code"] == "small_group" and w["dimension"] == dim["name"]
    ]
    if small:
        return GateOutcome(
            "insufficient",
            value,
            ci,
            f"{rule}: value {value:.4g}, but group(s) {', '.join(small)} are "
            "below the minimum size.",
            dim["name"],
        )
    low, high = ci
    if low is not None and high is not None and low < gate.threshold < high:
        return GateOutcome(
            "insufficient",
            value,
            ci,
            f"{rule}: value {value:.4g}, but its interval [{low:.4g}, {high:.4g}] "
            "straddles the threshold.",
            dim["name"],
        )
    ok = COMPARE[gate.comparator](value, gate.threshold)
    return GateOutcome(
        "pass" if ok else "fail",
        value,
        ci,
        f"{rule}: value {value:.4g} {'meets' if ok else 'breaks'} the threshold.",
        dim["name"],
    )
