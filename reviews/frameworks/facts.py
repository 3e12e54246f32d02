"""Computed facts (machine evidence): requirements that ask for a computed fact (``computed`` in the
library) are answered by the review's latest succeeded audit run that holds that fact,
shown with its input hash and age; it is stale past the item's freshness policy, and
missing (red) when no run has it. Pure functions of the run's stored result."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

FACT_LABELS = {
    "audit_age": "Date of the latest audit",
    "impact_ratios": "Selection or scoring rates and impact ratios by group",
    "subgroup_performance": "Performance by group",
    "unknown_category_counts": "Rows with an unknown category",
}


@dataclass(frozen=True)
class MachineEvidence:
    fact: str
    run_id: int | None
    finished_at: datetime.datetime | None
    sha256: str
    summary: str
    age_days: int | None
    freshness_days: int | None

    @property
    def missing(self) -> bool:
        return self.run_id is None

    @property
    def stale(self) -> bool:
        return (
            self.age_days is not None
            and self.freshness_days is not None
            and self.age_days > self.freshness_days
        )

    @property
    def label(self) -> str:
        return FACT_LABELS.get(self.fact, self.fact)


def fact_summary(fact: str, result: dict[str, Any]) -> str | None:
    """What the result says about the fact, or None if it does not hold it."""
    dims = result.get("dimensions") or []
    if fact == "audit_age":
        return f"{result.get('rows', '?')} rows audited"
    if fact == "impact_ratios":
        parts = []
        for d in dims:
            ratios = d.get("impact_ratios") or {}
            rows = [r for r in ratios.get("rows", []) if r.get("impact_ratio") is not None]
            if rows:
                low = min(rows, key=lambda r: r["impact_ratio"])
                parts.append(f"{d['name']}: lowest {low['impact_ratio']:.2f} ({low['category']})")
        return "; ".join(parts) or None
    if fact == "subgroup_performance":
        groups = sum(len(d.get("groups") or []) for d in dims)
        if not groups:
            return None
        return f"{groups} groups over {', '.join(d['name'] for d in dims)}"
    if fact == "unknown_category_counts":
        missing = result.get("missing")
        if not isinstance(missing, dict):
            return None
        return ", ".join(f"{k}: {v}" for k, v in missing.items()) or "no sensitive features"
    return None


def machine_evidence(
    fact: str,
    runs: list[Any],
    freshness_days: int | None,
    now: datetime.datetime,
) -> MachineEvidence:
    """From succeeded runs, newest first (each with ``result``, ``pk``, ``finished_at``)."""
    for run in runs:
        summary = fact_summary(fact, run.result or {})
        if summary is None:
            continue
        sha = ((run.result or {}).get("input") or {}).get("sha256") or ""
        age = (now - run.finished_at).days if run.finished_at else None
        return MachineEvidence(fact, run.pk, run.finished_at, sha, summary, age, freshness_days)
    return MachineEvidence(
        fact, None, None, "", "no succeeded audit holds it", None, freshness_days
    )
