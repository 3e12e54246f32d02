"""Compliance reads, each scoped by the access policy: checklists with their items'
effective status (a person's assessment, or what controls imply through the crosswalk),
machine and linked evidence with freshness, progress, readiness blockers and the
statement of applicability."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from audits.models import AuditRun, RunStatus
from reviews.controls.selectors import inferences
from reviews.frameworks import selectors as fw_selectors
from reviews.frameworks.facts import MachineEvidence, machine_evidence
from reviews.frameworks.inference import Inference
from reviews.models import Review

from . import evidence as kinds
from .models import (
    Assessment,
    AssessmentStatus,
    Basis,
    Checklist,
    Evidence,
    ReadinessRule,
)

User = AbstractBaseUser | AnonymousUser


def checklists_for(user: User) -> QuerySet[Checklist]:
    return Checklist.objects.for_user(user).select_related("framework", "review")


def assessments_for(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.for_user(user).select_related(
        "requirement__framework", "checklist__review", "owner", "signed_off_by"
    )


def evidence_for(user: User) -> QuerySet[Evidence]:
    return Evidence.objects.for_user(user).select_related("assessment__checklist")


def checklists_of(review: Review) -> QuerySet[Checklist]:
    return Checklist.objects.filter(review=review).select_related("framework")


# --- Evidence and inference ----------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    evidence: Evidence
    label: str
    url: str
    stale: str  # why it is stale ("" if fresh)
    in_force: bool = True  # a risk acceptance still in force


def evidence_view(
    ev: Evidence, freshness_days: int | None, today: datetime.date, accepted: set[int] | None
) -> EvidenceView:
    kind = kinds.KINDS.get(ev.kind)
    url, stale, in_force = ev.url, "", True
    if ev.expires_on and ev.expires_on < today:
        stale = f"expired on {ev.expires_on}"
    if kind is not None and kind.model is not None:
        target = kinds.target_of(kind, ev.target_id, ev.organization_id)
        if target is None:
            return EvidenceView(ev, ev.label, "", "no longer exists", False)
        url = kind.url(target) if kind.url else ""
        dated = kind.dated(target) if kind.dated else None
        if dated and freshness_days and (timezone.now() - dated).days > freshness_days:
            stale = f"older than {freshness_days} days"
        if ev.kind == "risk_acceptance":
            in_force = (
                target.pk in accepted
                if accepted is not None
                else target.revoked_at is None and target.expires_on >= today
            )
            if not in_force:
                stale = "no longer in force"
        return EvidenceView(ev, kind.describe(target), url, stale, in_force)
    if ev.file:
        url = ev.file.url
    return EvidenceView(ev, ev.label, url, stale)


@dataclass
class Item:
    assessment: Assessment
    status: str  # effective: a status, "met_inferred", "partially_met_inferred", "not_applicable"
    label: str
    inference: Inference | None
    inference_text: str
    machine: MachineEvidence | None
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def freshness_days(self) -> int | None:
        a = self.assessment
        return a.freshness_days or a.requirement.freshness_days

    @property
    def red(self) -> bool:
        """Missing or stale evidence shown in red."""
        machine_bad = self.machine is not None and (self.machine.missing or self.machine.stale)
        return machine_bad or any(e.stale for e in self.evidence)

    @property
    def accepted(self) -> bool:
        return any(e.evidence.kind == "risk_acceptance" and e.in_force for e in self.evidence)


STATUS_LABELS = dict(AssessmentStatus.choices) | {
    "met_inferred": "Met (inferred)",
    "partially_met_inferred": "Partially met (inferred)",
    "not_applicable": "Not applicable",
}


def effective_status(a: Assessment, inference: Inference | None) -> str:
    if not a.applicable:
        return "not_applicable"
    if a.status != AssessmentStatus.NOT_STARTED or a.basis == Basis.CONFIRMED:
        return a.status
    if inference is not None:
        return f"{inference.status}_inferred"
    return a.status


def items_of(
    checklist: Checklist,
    *,
    archived: bool = False,
    accepted: set[int] | None = None,
    graph_inferences: dict[str, Inference] | None = None,
    runs: list[Any] | None = None,
) -> list[Item]:
    today = timezone.localdate()
    now = timezone.now()
    found = (
        graph_inferences if graph_inferences is not None else inferences(checklist.organization_id)
    )
    if runs is None:
        runs = succeeded_runs(checklist.review)
    rows = (
        checklist.assessments.filter(archived_at__isnull=not archived)
        .select_related("requirement", "owner", "signed_off_by")
        .prefetch_related("evidence")
        .order_by("requirement__order")
    )
    names = fw_selectors.names(
        [s.urn for i in found.values() for s in i.path] + [i.source_urn for i in found.values()]
    )
    out = []
    for a in rows:
        q = a.requirement
        inference = found.get(q.urn)
        status = effective_status(a, inference)
        freshness = a.freshness_days or q.freshness_days
        machine = machine_evidence(q.computed, runs, freshness, now) if q.computed else None
        out.append(
            Item(
                a,
                status,
                STATUS_LABELS[status],
                inference,
                inference.describe(names) if inference else "",
                machine,
                [evidence_view(e, freshness, today, accepted) for e in a.evidence.all()],
            )
        )
    return out


def succeeded_runs(review: Review) -> list[AuditRun]:
    runs = AuditRun.objects.filter(review=review, status=RunStatus.SUCCEEDED)
    return list(runs.order_by("-finished_at", "-id")[:20])


# --- Progress and readiness ------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]
    applicable: int
    done: int  # met, or partially met / not met with a decision (not inferred only)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.applicable) if self.applicable else 100


def progress(items: list[Item]) -> Progress:
    counts = Counter(i.status for i in items)
    applicable = sum(n for s, n in counts.items() if s != "not_applicable")
    done = sum(counts[s] for s in ("met", "partially_met", "not_met"))
    return Progress(dict(counts), applicable, done)


@dataclass(frozen=True)
class ChecklistView:
    checklist: Checklist
    items: list[Item]
    progress: Progress
    upgrades: list[Any]


def review_checklists(review: Review, accepted: set[int] | None = None) -> list[ChecklistView]:
    found = inferences(review.organization_id)
    runs = succeeded_runs(review)
    out = []
    for c in checklists_of(review):
        items = items_of(c, accepted=accepted, graph_inferences=found, runs=runs)
        out.append(ChecklistView(c, items, progress(items), fw_selectors.upgrades_for(c.framework)))
    return out


def overall(views: list[ChecklistView]) -> Progress:
    return progress([i for v in views for i in v.items])


def readiness_blockers(views: list[ChecklistView]) -> list[tuple[str, str]]:
    """(message, anchor) for each checklist whose readiness rule the review breaks;
    ``views``: review_checklists read with the ids of the acceptances in force."""
    out = []
    for view in views:
        rule = view.checklist.readiness_rule
        if rule == ReadinessRule.OFF:
            continue
        name = view.checklist.framework.name
        unaccepted = [i for i in view.items if i.status == "not_met" and not i.accepted]
        if unaccepted:
            refs = ", ".join(i.assessment.requirement.ref for i in unaccepted[:5])
            out.append(
                (
                    f"{name}: {len(unaccepted)} item{'s' if len(unaccepted) != 1 else ''} "
                    f"“not met” without a risk acceptance in force ({refs}).",
                    f"checklist-{view.checklist.pk}",
                )
            )
        if rule == ReadinessRule.ALL_RESOLVED:
            open_ = [
                i
                for i in view.items
                if i.status not in ("met", "partially_met", "not_met", "not_applicable")
            ]
            if open_:
                out.append(
                    (
                        f"{name}: {len(open_)} applicable item{'s' if len(open_) != 1 else ''} "
                        "not yet assessed (inferred results need confirming).",
                        f"checklist-{view.checklist.pk}",
                    )
                )
    return out


# --- Statement of applicability ----------------------------------------------------------

SOA_HEADER = [
    "framework",
    "framework_version",
    "ref",
    "requirement",
    "urn",
    "applicable",
    "justification",
    "status",
    "inferred_from",
    "owner",
    "due_date",
    "signed_off_by",
    "signed_off_at",
    "evidence",
    "machine_evidence",
]


def statement_of_applicability(review: Review) -> list[dict[str, Any]]:
    rows = []
    for view in review_checklists(review):
        fw = view.checklist.framework
        for i in view.items:
            a = i.assessment
            m = i.machine
            machine = ""
            if m is not None:
                machine = (
                    "missing"
                    if m.missing
                    else f"audit #{m.run_id} sha256 {m.sha256} ({m.summary})"
                    + (" STALE" if m.stale else "")
                )
            rows.append(
                {
                    "framework": fw.name,
                    "framework_version": fw.version,
                    "ref": a.requirement.ref,
                    "requirement": a.requirement.name,
                    "urn": a.requirement.urn,
                    "applicable": a.applicable,
                    "justification": a.justification,
                    "status": i.label,
                    "inferred_from": i.inference_text,
                    "owner": a.owner.get_username() if a.owner else "",
                    "due_date": a.due_date.isoformat() if a.due_date else "",
                    "signed_off_by": a.signed_off_by.get_username() if a.signed_off_by else "",
                    "signed_off_at": a.signed_off_at.isoformat() if a.signed_off_at else "",
                    "evidence": "; ".join(
                        e.label + (f" [{e.stale}]" if e.stale else "") for e in i.evidence
                    ),
                    "machine_evidence": machine,
                }
            )
    return rows
