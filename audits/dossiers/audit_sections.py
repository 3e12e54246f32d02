"""The dossier's audit sections: every succeeded audit run of the review with its
per-group tables, summary metrics, NYC LL144 impact ratios and warnings, and what a third
party needs to rerun it (the input's SHA-256 and the recorded configuration)."""

from __future__ import annotations

from typing import Any

from audits import selectors as audit_selectors
from audits.engine.names import label
from audits.models import AuditRun, RunStatus
from reviews.models import Review

from .sections import Data, moment

# A dimension's group table in the PDF shows at most this many groups (the largest, and
# the reference); dossier.json carries them all.
MAX_GROUP_ROWS = 40
GROUP_METRICS = ("selection_rate", "tpr", "fpr", "ppv", "accuracy")
HEADLINE = ("demographic_parity_ratio", "equalized_odds_difference", "min_impact_ratio")


def _value(metric: Any) -> Data:
    if not isinstance(metric, dict):
        return {"value": metric, "ci": None}
    return {"value": metric.get("value"), "ci": metric.get("ci")}


def _dimension(dim: Data) -> Data:
    groups = [
        {
            "group": g["group"],
            "rows": g["rows"],
            "share": g["metrics"].get("share"),
            "reference": g["group"] == dim["reference"],
            **{m: _value(g["metrics"].get(m)) for m in GROUP_METRICS},
        }
        for g in dim["groups"]
    ]
    shown = sorted(groups, key=lambda g: (not g["reference"], -g["rows"]))[:MAX_GROUP_ROWS]
    order = {g["group"]: i for i, g in enumerate(groups)}
    shown.sort(key=lambda g: order[g["group"]])
    ratios = dim.get("impact_ratios") or {}
    return {
        "name": dim["name"],
        "features": dim.get("features", []),
        "reference": dim["reference"],
        "reference_source": dim.get("reference_source", ""),
        "groups": groups,
        "groups_shown": [g["group"] for g in shown],
        "summary": [
            {
                "metric": name,
                "label": label(name),
                "value": s.get("value"),
                "ci": s.get("ci"),
                "group": s.get("group"),
            }
            for name, s in dim["summary"].items()
        ],
        "impact_ratios": {
            "rate": ratios.get("rate"),
            "rate_label": label(ratios.get("rate") or "selection_rate"),
            "rows": [
                {
                    "category": r["category"],
                    "n": r["n"],
                    "rate": r["rate"],
                    "impact_ratio": r["impact_ratio"],
                    "small": r["small"],
                    "unknown": r.get("missing", False),
                }
                for r in ratios.get("rows", [])
            ],
            # LL144 asks that people of unknown category be counted, not dropped.
            "unknown_rows": ratios.get("missing_rows", 0),
            "min_impact_ratio": ratios.get("min_impact_ratio"),
            "min_group": ratios.get("min_group"),
            "four_fifths": ratios.get("four_fifths"),
            "excluded_small": ratios.get("excluded_small", []),
        },
    }


def run_data(run: AuditRun) -> Data:
    result = run.result or {}
    return {
        "run": run.pk,
        "dataset": run.dataset.name,
        "finished_at": moment(run.finished_at),
        "rows": result.get("rows"),
        "mode": result.get("mode"),
        "positive_is": result.get("positive_is"),
        "input": result.get("input", {}),
        "config": run.config,
        "versions": result.get("versions", {}),
        "warnings": [
            {"code": w.get("code", ""), "label": label(w.get("code", "")), "message": w["message"]}
            for w in result.get("warnings", [])
        ],
        "verdicts": [
            {
                "gate": str(v.gate),
                "verdict": v.get_verdict_display(),
                "value": v.value,
                "ci": [v.ci_low, v.ci_high] if v.ci_low is not None else None,
                "reason": v.reason,
            }
            for v in run.verdicts.select_related("gate").order_by("gate_id")
        ],
        "dimensions": [_dimension(d) for d in result.get("dimensions", [])],
    }


def succeeded_runs(review: Review) -> list[AuditRun]:
    runs = audit_selectors.runs_of(review).filter(status=RunStatus.SUCCEEDED)
    return list(runs.select_related("dataset").order_by("finished_at", "id"))


def headline(run: Data) -> Data:
    """The latest audit's numbers for the executive summary."""
    dims = []
    for d in run["dimensions"]:
        values = {s["metric"]: s["value"] for s in d["summary"]}
        dims.append(
            {
                "name": d["name"],
                **{m: values.get(m) for m in HEADLINE},
                "four_fifths": d["impact_ratios"]["four_fifths"],
            }
        )
    return {"run": run["run"], "dataset": run["dataset"], "rows": run["rows"], "dimensions": dims}


def audits(review: Review, ctx: Data) -> Data | None:
    runs = ctx["audit_runs"]
    if not runs:
        return None
    return {"runs": runs, "labels": {m: label(m) for m in (*GROUP_METRICS, *HEADLINE)}}
