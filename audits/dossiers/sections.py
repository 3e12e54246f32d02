"""The dossier's sections about the review itself: each a provider that reads one
capability through its selectors and returns plain data (strings, numbers, lists, dicts),
or ``None`` when the review does not use that part, which then is left out of the PDF and
of dossier.json alike. Never a model object: what a provider returns is what the PDF shows
and what dossier.json carries."""

from __future__ import annotations

from collections import Counter
from typing import Any

from audits import selectors as audit_selectors
from reviews import readiness
from reviews.harms import selectors as harm_selectors
from reviews.harms.models import HarmStatus, MitigationStatus, StakeholderKind
from reviews.models import Review
from reviews.workshops import selectors as workshop_selectors

Data = dict[str, Any]


def person(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())


def day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: Any) -> str | None:
    return value.replace(microsecond=0).isoformat() if value is not None else None


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


# --- Harms, computed once and shared by several sections ---------------------------------


def harm_rows(review: Review) -> list[Data]:
    """Every harm of the review with its aggregate ratings, never who raised it."""
    rows = harm_selectors.register_rows(
        harm_selectors.harms_of(review).order_by("created_at", "id")
    )
    out = []
    for number, row in enumerate(rows, start=1):
        harm, agg = row.harm, row.agg
        cell = agg.cell
        out.append(
            {
                "ref": f"H{number}",
                "title": harm.title,
                "description": harm.description,
                "category": harm.category.name,
                "family": harm.category.family_name,
                "source": harm.get_source_display(),
                "status": harm.get_status_display(),
                "status_note": harm.status_note,
                "stakeholders": sorted(s.name for s in harm.stakeholders.all()),
                "raters": agg.raters,
                "severity": agg.severity,
                "likelihood": agg.likelihood,
                "scale": agg.scale,
                "risk": agg.risk,
                "cell": list(cell) if cell else None,
                "severity_iqr": agg.severity_iqr,
                "likelihood_iqr": agg.likelihood_iqr,
                "contested": agg.contested,
                "votes": agg.votes,
                "mitigations": [
                    {
                        "action": m.action,
                        "owner": person(m.owner),
                        "due_date": day(m.due_date),
                        "status": m.get_status_display(),
                        "disposition": m.get_disposition_display(),
                        "justification": m.justification,
                        "evidence_url": m.evidence_url,
                    }
                    for m in row.mitigations
                ],
            }
        )
    return out


# --- Providers -----------------------------------------------------------------------------


def summary(review: Review, ctx: Data) -> Data:
    harms = ctx["harms"]
    threshold = review.organization.mitigation_risk_threshold
    blockers = readiness.open_blockers(review)
    states = readiness.acceptance_states(review)
    latest = audit_selectors.latest_run(review)
    verdicts = audit_selectors.latest_verdicts(review)
    gates = []
    for gate in audit_selectors.launch_gates_of(review).order_by("created_at", "id"):
        verdict = verdicts.get(gate.pk)
        gates.append(
            {
                "gate": f"{gate.get_metric_display()} on "
                f"{gate.sensitive_feature or 'all features'} "
                f"{gate.get_comparator_display()} {gate.threshold:g}",
                "action": gate.get_action_display(),
                "verdict": verdict.get_verdict_display() if verdict else "Not audited yet",
                "value": _round(verdict.value) if verdict else None,
                "reason": verdict.reason if verdict else "",
            }
        )
    mitigations = [m for h in harms for m in h["mitigations"]]
    outstanding = [
        m
        for m in mitigations
        if m["status"] in (MitigationStatus.PLANNED.label, MitigationStatus.IN_PROGRESS.label)
    ]
    return {
        "status": review.get_status_display(),
        "round": review.round,
        "risk_threshold": threshold,
        "harms": len(harms),
        "open_high_risks": sum(
            1
            for h in harms
            if h["risk"] is not None
            and h["risk"] >= threshold
            and h["status"] == HarmStatus.OPEN.label
        ),
        "contested": sum(1 for h in harms if h["contested"]),
        "blockers": [{"kind": b.kind, "message": b.message} for b in blockers],
        "acceptances_in_force": sum(1 for s in states if s.in_force),
        "gates": gates,
        "latest_audit": ctx.get("latest_audit_headline"),
        "latest_audit_run": latest.pk if latest else None,
        "mitigations": len(mitigations),
        "outstanding_mitigations": len(outstanding),
        # Filled by later providers (checklists, feedback) when the review uses them.
        "extra": [],
    }


def system(review: Review, ctx: Data) -> Data:
    s = review.system
    return {
        "name": s.name,
        "purpose": s.purpose,
        "domain": s.get_domain_display(),
        "decision_type": s.decision_type,
        "deployment_context": s.deployment_context,
        "owner": person(s.owner),
        "version": review.system_version,
        "review_lead": person(review.lead),
        "due_date": day(review.due_date),
    }


def stakeholders(review: Review, ctx: Data) -> Data | None:
    people = list(harm_selectors.stakeholders_of(review).order_by("kind", "name"))
    workshops = list(workshop_selectors.workshops_of(review).order_by("created_at", "id"))
    if not people and not workshops:
        return None
    affected = Counter(name for h in ctx["harms"] for name in h["stakeholders"])
    by_kind = []
    for kind in StakeholderKind:
        members = [
            {
                "name": s.name,
                "description": s.description,
                "vulnerable": s.vulnerable,
                "harms": affected.get(s.name, 0),
            }
            for s in people
            if s.kind == kind
        ]
        if members:
            by_kind.append({"kind": kind.label, "stakeholders": members})
    return {
        "count": len(people),
        "by_kind": by_kind,
        "workshops": [
            {
                "title": w.title,
                "format": w.get_format_display(),
                "status": w.get_status_display(),
                "coverage_warnings": workshop_selectors.coverage_warnings(w),
            }
            for w in workshops
        ],
    }


def harm_register(review: Review, ctx: Data) -> Data | None:
    harms = ctx["harms"]
    if not harms:
        return None
    cells: dict[str, list[str]] = {}
    for h in harms:
        if h["cell"]:
            cells.setdefault(f"{h['cell'][0]}-{h['cell'][1]}", []).append(h["ref"])
    by_status = Counter(h["status"] for h in harms)
    return {
        "harms": harms,
        "matrix": dict(sorted(cells.items())),
        "unrated": sum(1 for h in harms if h["cell"] is None),
        "by_status": dict(sorted(by_status.items())),
    }


def contested(review: Review, ctx: Data) -> Data | None:
    rows = [h for h in ctx["harms"] if h["contested"]]
    if not rows:
        return None
    return {
        "harms": [
            {
                "ref": h["ref"],
                "title": h["title"],
                "raters": h["raters"],
                "severity": h["severity"],
                "severity_iqr": h["severity_iqr"],
                "likelihood": h["likelihood"],
                "likelihood_iqr": h["likelihood_iqr"],
            }
            for h in rows
        ]
    }


def mitigation_plan(review: Review, ctx: Data) -> Data | None:
    rows = [
        {"ref": h["ref"], "harm": h["title"], "risk": h["risk"], **m}
        for h in ctx["harms"]
        for m in h["mitigations"]
    ]
    if not rows:
        return None
    rows.sort(key=lambda r: (r["due_date"] is None, r["due_date"] or "", r["ref"]))
    return {"mitigations": rows}


def acceptances(review: Review, ctx: Data) -> Data | None:
    states = readiness.acceptance_states(review)
    if not states:
        return None
    return {
        "acceptances": [
            {
                "target": s.acceptance.target_label,
                "kind": s.acceptance.get_target_type_display(),
                "justification": s.acceptance.justification,
                "conditions": s.acceptance.conditions,
                "accepted_by": person(s.acceptance.accepted_by),
                "accepted_at": moment(s.acceptance.accepted_at),
                "expires_on": day(s.acceptance.expires_on),
                "status": s.status,
                "reason": s.reason,
            }
            for s in sorted(states, key=lambda s: (s.acceptance.accepted_at, s.acceptance.pk))
        ]
    }


def signoffs(review: Review, ctx: Data) -> Data | None:
    rows = list(review.signoffs.select_related("user").order_by("round", "signed_at", "id"))
    if not rows:
        return None
    return {
        "current_round": review.round,
        "required": list(review.organization.required_signoff_roles),
        "missing": readiness.missing_signoffs(review) if review.round else [],
        "signoffs": [
            {
                "round": s.round,
                "person": person(s.user),
                "role": s.get_role_at_signing_display(),
                "decision": s.get_decision_display(),
                "comment": s.comment,
                "signed_at": moment(s.signed_at),
            }
            for s in rows
        ],
    }
