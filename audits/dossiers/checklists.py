"""Regulation checklists and the statement of applicability in the dossier: each checklist
(reviews/compliance) with its items' status and evidence, and per item whether it applies
and why. Here rather than in reviews/compliance, which is at its size limit. Freshness
("older than 90 days", "expired") is judged on the day of the export, like acceptances."""

from __future__ import annotations

from reviews.compliance import selectors as compliance
from reviews.models import Review

from .sections import Data, day, moment, person


def _machine(item: compliance.Item) -> str | None:
    m = item.machine
    if m is None:
        return None
    if m.missing:
        return "missing"
    return f"audit #{m.run_id} sha256 {m.sha256} ({m.summary})" + (" STALE" if m.stale else "")


def _item(item: compliance.Item) -> Data:
    a = item.assessment
    return {
        "ref": a.requirement.ref,
        "requirement": a.requirement.name,
        "applicable": a.applicable,
        "justification": a.justification,
        "status": item.label,
        "inferred_from": item.inference_text,
        "owner": person(a.owner),
        "due_date": day(a.due_date),
        "signed_off_by": person(a.signed_off_by),
        "signed_off_at": moment(a.signed_off_at),
        "evidence": [{"label": e.label, "url": e.url, "stale": e.stale} for e in item.evidence],
        "machine_evidence": _machine(item),
    }


def checklists(review: Review, shared: Data) -> Data | None:
    views = compliance.review_checklists(review)
    if not views:
        shared["checklists"] = None
        return None
    out: list[Data] = []
    for view in views:
        fw, p = view.checklist.framework, view.progress
        out.append(
            {
                "framework": fw.name,
                "framework_version": fw.version,
                "provider": fw.provider,
                "readiness_rule": view.checklist.get_readiness_rule_display(),
                "applicable": p.applicable,
                "done": p.done,
                "percent": p.percent,
                "counts": {compliance.STATUS_LABELS[s]: n for s, n in sorted(p.counts.items())},
                "items": [_item(i) for i in view.items],
            }
        )
    data: Data = {
        "checklists": out,
        "statement_of_applicability": [
            {"framework": c["framework"], "framework_version": c["framework_version"]}
            | {k: i[k] for k in ("ref", "requirement", "applicable", "justification", "status")}
            for c in out
            for i in c["items"]
        ],
    }
    shared["checklists"] = data
    return data


def summary_lines(review: Review, shared: Data) -> list[Data]:
    data = shared["checklists"] if "checklists" in shared else checklists(review, shared)
    return [
        {
            "label": f"Checklist completion: {c['framework']} items done",
            "value": f"{c['done']} of {c['applicable']}",
        }
        for c in (data or {}).get("checklists", [])
    ]
