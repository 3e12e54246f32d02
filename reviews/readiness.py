"""What stands between a review and its next step, and what it holds: the one place where
the capabilities meet. It asks each capability (harms, workshops, audits) through its
selectors; none of them imports this module or anything that leads back to it.
(Compliance pages read the acceptances in force from here; compliance selectors never do.)

A blocker is lifted by doing what it asks (a mitigation, an audit, a sign-off) or, for a
high-risk harm or a failing launch gate that blocks launch, by a recorded risk acceptance
(``RiskAcceptance``) that is still in force."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from audits import selectors as audit_selectors
from audits.incidents import selectors as incident_selectors
from audits.models import GateAction, LaunchGate, Verdict
from reviews.compliance import selectors as compliance_selectors
from reviews.harms import selectors as harm_selectors
from reviews.workshops import selectors as workshop_selectors

from .models import Decision, Review, ReviewStatus, RiskAcceptance, RiskTarget

# What lifts a harm blocker, said the same way everywhere.
HARM_REMEDY = (
    "a mitigation that is planned, in progress or done (not \u201cwon't do\u201d), or a "
    "recorded risk acceptance"
)


@dataclass(frozen=True)
class Blocker:
    kind: str  # harm | gate | audit | compliance | incident | signoff | rejection
    message: str
    url: str = ""
    target_type: str = ""
    target_id: int | None = None
    label: str = ""
    subject: str = ""  # the harm's title, the gate as it reads
    risk: float | None = None

    @property
    def acceptable(self) -> bool:
        """A risk acceptance can lift it (harms and gates)."""
        return bool(self.target_type)


@dataclass(frozen=True)
class AcceptanceState:
    acceptance: RiskAcceptance
    status: str  # in force | expired | lapsed | withdrawn
    reason: str = ""

    @property
    def in_force(self) -> bool:
        return self.status == "in force"


def missing_signoffs(review: Review) -> list[str]:
    """Required roles still lacking an approving sign-off in the current round.

    Each required entry needs its own person: ["owner", "reviewer", "reviewer"] needs one
    owner and two different reviewers. A person holds one role per organization, so
    counting approvals per role already counts different people.
    """
    required = Counter(review.organization.required_signoff_roles)
    approvals = Counter(
        review.signoffs.filter(round=review.round, decision=Decision.APPROVE).values_list(
            "role_at_signing", flat=True
        )
    )
    missing: list[str] = []
    for role, count in required.items():
        missing.extend([role] * max(0, count - approvals[role]))
    return missing


# --- Risk acceptances ----------------------------------------------------------------------


def acceptance_states(review: Review) -> list[AcceptanceState]:
    """Every acceptance of the review with whether it is still in force, and why not."""
    today = timezone.localdate()
    verdicts = audit_selectors.latest_verdicts(review)
    out = []
    for acceptance in review.acceptances.select_related("accepted_by").order_by("-accepted_at"):
        if acceptance.revoked_at is not None:
            out.append(AcceptanceState(acceptance, "withdrawn"))
        elif acceptance.expires_on < today:
            out.append(AcceptanceState(acceptance, "expired", f"on {acceptance.expires_on}"))
        elif acceptance.target_type == RiskTarget.LAUNCH_GATE and _gate_moved(acceptance, verdicts):
            out.append(
                AcceptanceState(acceptance, "lapsed", "a newer audit gave the gate another verdict")
            )
        else:
            out.append(AcceptanceState(acceptance, "in force"))
    return out


def _gate_moved(acceptance: RiskAcceptance, verdicts: dict[int, Any]) -> bool:
    verdict = verdicts.get(acceptance.target_id)
    accepted = acceptance.basis.get("verdict")
    return verdict is None or verdict.verdict != accepted


def _accepted(review: Review, states: list[AcceptanceState] | None = None) -> set[tuple[str, int]]:
    return {
        (s.acceptance.target_type, s.acceptance.target_id)
        for s in (acceptance_states(review) if states is None else states)
        if s.in_force
    }


def acceptable_target(
    review: Review, target_type: str, target_id: int
) -> tuple[str, dict[str, Any]]:
    """The label and basis of a harm or launch gate of this review that may be accepted
    (it blocks now); raises LookupError otherwise."""
    for blocker in _risk_blockers(review, accepted=set()):
        if blocker.target_type == target_type and blocker.target_id == target_id:
            basis: dict[str, Any] = {}
            if target_type == RiskTarget.LAUNCH_GATE:
                verdicts = audit_selectors.latest_verdicts(review)
                verdict = verdicts.get(target_id)
                basis = {
                    "run": verdict.run_id if verdict else None,
                    "verdict": verdict.verdict if verdict else None,
                }
            else:
                basis = {"risk": blocker.risk}
            return blocker.label, basis
    raise LookupError("not a blocker of this review")


# --- Blockers ------------------------------------------------------------------------------


def _risk_blockers(review: Review, accepted: set[tuple[str, int]]) -> list[Blocker]:
    """High-risk harms without a live mitigation, and failing gates that block launch."""
    out: list[Blocker] = []
    threshold = review.organization.mitigation_risk_threshold
    register = reverse("harm_register", args=[review.pk])
    for harm, risk in harm_selectors.uncovered_harms(review):
        if (RiskTarget.HARM, harm.pk) in accepted:
            continue
        out.append(
            Blocker(
                "harm",
                f"\u201c{harm.title}\u201d has risk {risk:g} (\u2265 {threshold:g}) and needs "
                f"{HARM_REMEDY}.",
                f"{register}#harm-{harm.pk}",
                RiskTarget.HARM,
                harm.pk,
                f"Harm \u201c{harm.title}\u201d (risk {risk:g})",
                harm.title,
                risk,
            )
        )
    verdicts = audit_selectors.latest_verdicts(review)
    gates_url = reverse("launch_gates", args=[review.pk])
    gates = LaunchGate.objects.filter(review=review, action=GateAction.BLOCK_LAUNCH)
    for gate in gates.order_by("created_at", "id"):
        verdict = verdicts.get(gate.pk)
        if verdict is None or verdict.verdict == Verdict.PASS:
            continue
        if (RiskTarget.LAUNCH_GATE, gate.pk) in accepted:
            continue
        out.append(
            Blocker(
                "gate",
                f"Launch gate \u201c{gate}\u201d blocks launch: {verdict.reason}",
                f"{gates_url}#gate-{gate.pk}",
                RiskTarget.LAUNCH_GATE,
                gate.pk,
                f"Launch gate \u201c{gate}\u201d ({verdict.get_verdict_display().lower()})",
                str(gate),
            )
        )
    return out


def submit_blockers(review: Review) -> list[Blocker]:
    """What keeps a draft from going to sign-off: high-risk harms without a mitigation or
    an acceptance in force."""
    return [b for b in _risk_blockers(review, _accepted(review)) if b.kind == "harm"]


def approve_blockers(
    review: Review,
    states: list[AcceptanceState] | None = None,
    checklists: list[compliance_selectors.ChecklistView] | None = None,
) -> list[Blocker]:
    """Everything that keeps the review from being approved, each with where it is
    resolved. ``states`` and ``checklists``: the review's acceptance states and compliance
    checklists (read with those in force), if the caller has already read them."""
    states = acceptance_states(review) if states is None else states
    out = _risk_blockers(review, _accepted(review, states))
    has_gates = LaunchGate.objects.filter(review=review).exists()
    if has_gates and audit_selectors.latest_run(review) is None:
        out.append(
            Blocker(
                "audit",
                "No audit has checked the launch gates yet: run a fairness audit of this review.",
                reverse("audit_home"),
            )
        )
    out.extend(compliance_blockers(review, states, checklists))
    out.extend(incident_blockers(review))
    if review.status == ReviewStatus.IN_REVIEW:
        rejections = review.signoffs.filter(round=review.round, decision=Decision.REJECT)
        for signoff in rejections.select_related("user"):
            out.append(
                Blocker(
                    "rejection",
                    f"Rejected in this round by {signoff.user.get_username()}: "
                    f"\u201c{signoff.comment.strip()}\u201d.",
                    reverse("review_detail", args=[review.pk]) + "#signoffs-h",
                )
            )
        missing = missing_signoffs(review)
        if missing:
            out.append(
                Blocker(
                    "signoff",
                    "Approving sign-offs still needed from " + ", ".join(missing) + ".",
                    reverse("review_detail", args=[review.pk]) + "#signoffs-h",
                )
            )
    return out


def compliance_blockers(
    review: Review,
    states: list[AcceptanceState] | None = None,
    checklists: list[compliance_selectors.ChecklistView] | None = None,
) -> list[Blocker]:
    """Checklists whose readiness rule the review breaks (each checklist chooses its rule,
    e.g. no "not met" item without a risk acceptance in force linked as evidence)."""
    if checklists is None:
        in_force = _in_force_ids(acceptance_states(review) if states is None else states)
        checklists = compliance_selectors.review_checklists(review, in_force)
    page = reverse("review_compliance", args=[review.pk])
    return [
        Blocker("compliance", message, f"{page}#{anchor}")
        for message, anchor in compliance_selectors.readiness_blockers(checklists)
    ]


def incident_blockers(review: Review) -> list[Blocker]:
    """Incidents after launch that are open or mitigating (a monitor's breach, a person, an
    escalated feedback submission): the review is approved again only once each one is
    resolved. Mitigating still blocks: the harm is not yet known to be gone."""
    return [
        Blocker(
            "incident",
            f"Incident \u201c{incident.title}\u201d is {incident.get_status_display().lower()}: "
            "resolve it (with what was done) before approving again.",
            reverse("incident_detail", args=[incident.pk]),
        )
        for incident in incident_selectors.unresolved_incidents(review).order_by("opened_at")
    ]


def _in_force_ids(states: list[AcceptanceState]) -> set[int]:
    return {s.acceptance.pk for s in states if s.in_force}


def open_blockers(
    review: Review,
    states: list[AcceptanceState] | None = None,
    checklists: list[compliance_selectors.ChecklistView] | None = None,
) -> list[Blocker]:
    """The blockers of a review on its way to approval (none once it is decided)."""
    if review.status in (ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW):
        return approve_blockers(review, states, checklists)
    return []


def delete_blockers(review: Review) -> list[str]:
    """What a review holds that deleting it would destroy (then it is archived instead)."""
    held = [
        ("workshop", workshop_selectors.workshops_of(review).count()),
        ("audit run", audit_selectors.runs_of(review).count()),
        ("compliance checklist", compliance_selectors.checklists_of(review).count()),
    ]
    return [f"{n} {name}{'s' if n != 1 else ''}" for name, n in held if n]


@dataclass(frozen=True)
class ReviewSummary:
    harms: int
    workshops: list[Any]
    runs: list[Any]
    failing_gates: int
    blockers: list[Blocker]
    acceptances: list[AcceptanceState]
    compliance: Any = None  # overall checklist progress, None without checklists


def summary(review: Review) -> ReviewSummary:
    """What the review page shows of each capability. The acceptances and the compliance
    checklists are read once and shared by the blockers and the progress."""
    states = acceptance_states(review)
    checklists = compliance_selectors.review_checklists(review, _in_force_ids(states))
    return ReviewSummary(
        harms=harm_selectors.harms_of(review).count(),
        workshops=list(workshop_selectors.workshops_of(review)),
        runs=list(audit_selectors.runs_of(review).defer("result")[:5]),
        failing_gates=audit_selectors.failing_gate_count(review),
        blockers=open_blockers(review, states, checklists),
        acceptances=states,
        compliance=compliance_selectors.overall(checklists) if checklists else None,
    )


def default_expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=90)
