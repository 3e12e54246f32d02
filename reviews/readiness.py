"""What stands between a review and its next step, and what it holds: the one place where
the capabilities meet. It asks each capability (harms, workshops, audits) through its
selectors; none of them imports this module or anything that leads back to it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from audits import selectors as audit_selectors
from reviews.harms import selectors as harm_selectors
from reviews.workshops import selectors as workshop_selectors

from .models import Decision, Review, ReviewStatus


@dataclass(frozen=True)
class Blocker:
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)


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


def submit_blocker(review: Review) -> Blocker | None:
    """Harms at or above the organization's risk threshold need a live mitigation before
    the review goes to sign-off."""
    uncovered = harm_selectors.uncovered_harms(review)
    if not uncovered:
        return None
    threshold = review.organization.mitigation_risk_threshold
    return Blocker(
        f"Harms with risk ≥ {threshold:g} need a mitigation before sign-off: "
        + "; ".join(f"{harm.title} (risk {risk:g})" for harm, risk in uncovered)
        + ".",
        [{"harm": harm.pk, "title": harm.title, "risk": risk} for harm, risk in uncovered],
    )


def delete_blockers(review: Review) -> list[str]:
    """What a review holds that deleting it would destroy (then it is archived instead)."""
    held = [
        ("workshop", workshop_selectors.workshops_of(review).count()),
        ("audit run", audit_selectors.runs_of(review).count()),
    ]
    return [f"{n} {name}{'s' if n != 1 else ''}" for name, n in held if n]


@dataclass(frozen=True)
class ReviewSummary:
    harms: int
    uncovered: list[tuple[Any, float]]
    workshops: list[Any]
    runs: list[Any]
    failing_gates: int
    missing_signoffs: list[str]


def summary(review: Review) -> ReviewSummary:
    """What the review page shows of each capability."""
    return ReviewSummary(
        harms=harm_selectors.harms_of(review).count(),
        uncovered=harm_selectors.uncovered_harms(review),
        workshops=list(workshop_selectors.workshops_of(review)),
        runs=list(audit_selectors.runs_of(review)[:5]),
        failing_gates=audit_selectors.failing_gate_count(review),
        missing_signoffs=missing_signoffs(review)
        if review.status == ReviewStatus.IN_REVIEW
        else [],
    )
