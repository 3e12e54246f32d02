"""Writes about AI systems, reviews and sign-offs. Every function checks the access
policy, checks state, writes, and records an event."""

from __future__ import annotations

import datetime
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from orgs import access
from orgs.ledger.chain import record
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change, snapshot
from orgs.models import Organization
from orgs.plumbing.errors import Conflict, ServiceError

from . import freeze, readiness
from .models import (
    AISystem,
    Decision,
    Domain,
    Review,
    ReviewStatus,
    RiskAcceptance,
    RiskTarget,
    SignOff,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Which status may follow which, and the policy action that allows the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW): "review.submit",
    (ReviewStatus.IN_REVIEW, ReviewStatus.DRAFT): "review.withdraw",
    (ReviewStatus.IN_REVIEW, ReviewStatus.APPROVED): "review.approve",
    (ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED): "review.reject",
    (ReviewStatus.REJECTED, ReviewStatus.DRAFT): "review.reopen",
    (ReviewStatus.APPROVED, ReviewStatus.ARCHIVED): "review.archive",
    (ReviewStatus.APPROVED, ReviewStatus.IN_REVIEW): "review.reopen_approved",
    (ReviewStatus.REJECTED, ReviewStatus.ARCHIVED): "review.archive",
    (ReviewStatus.DRAFT, ReviewStatus.ARCHIVED): "review.archive",
}
FROZEN = freeze.FROZEN
# An accepted risk is looked at again at least this often.
MAX_ACCEPTANCE_DAYS = 366


def _require_person(user: Any, organization_id: int, action: str, field: str) -> None:
    """A person named on a record (owner, lead) must be someone the policy allows."""
    if user is not None and not access.can(user, action, organization_id):
        raise ServiceError(
            f"{user} cannot {access.label(action)} here (not a member of this organization).",
            field=field,
        )


# --- AI systems --------------------------------------------------------------------------


@transaction.atomic
def system_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    purpose: str = "",
    domain: str = Domain.OTHER,
    decision_type: str = "",
    deployment_context: str = "",
    owner: User | None = None,
) -> AISystem:
    access.require(actor, "system.create", organization)
    _require_person(owner, organization.pk, "system.own", "owner")
    if domain not in Domain.values:
        raise ServiceError(f"Unknown domain {domain!r}.", field="domain")
    system = AISystem.objects.create(
        organization=organization,
        name=name,
        purpose=purpose,
        domain=domain,
        decision_type=decision_type,
        deployment_context=deployment_context,
        owner=owner or actor,
    )
    log_change(actor=actor, verb="create", instance=system)
    return system


@transaction.atomic
def system_update(
    *,
    actor: User,
    system: AISystem,
    name: str | Unset = UNSET,
    purpose: str | Unset = UNSET,
    domain: str | Unset = UNSET,
    decision_type: str | Unset = UNSET,
    deployment_context: str | Unset = UNSET,
    owner: User | None | Unset = UNSET,
) -> AISystem:
    access.require(actor, "system.update", system)
    if not isinstance(owner, Unset):
        _require_person(owner, system.organization_id, "system.own", "owner")
    if not isinstance(domain, Unset) and domain not in Domain.values:
        raise ServiceError(f"Unknown domain {domain!r}.", field="domain")
    apply_changes(
        actor=actor,
        instance=system,
        changes=given(
            name=name,
            purpose=purpose,
            domain=domain,
            decision_type=decision_type,
            deployment_context=deployment_context,
            owner=owner,
        ),
    )
    return system


@transaction.atomic
def system_delete(*, actor: User, system: AISystem) -> None:
    access.require(actor, "system.delete", system)
    if system.reviews.exists():
        raise Conflict("This system has reviews; archive them instead of deleting the system.")
    log_change(actor=actor, verb="delete", instance=system, before=snapshot(system))
    system.delete()


# --- Reviews -----------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    actor: User,
    system: AISystem,
    title: str,
    system_version: str = "",
    due_date: date | None = None,
    lead: User | None = None,
) -> Review:
    access.require(actor, "review.create", system)
    _require_person(lead, system.organization_id, "review.lead", "lead")
    review = Review.objects.create(
        organization_id=system.organization_id,
        system=system,
        title=title,
        system_version=system_version,
        due_date=due_date,
        lead=lead or actor,
    )
    log_change(actor=actor, verb="create", instance=review)
    return review


@transaction.atomic
def review_update(
    *,
    actor: User,
    review: Review,
    title: str | Unset = UNSET,
    system_version: str | Unset = UNSET,
    due_date: date | None | Unset = UNSET,
    lead: User | None | Unset = UNSET,
) -> Review:
    access.require(actor, "review.update", review)
    freeze.require_editable(review)
    if not isinstance(lead, Unset):
        _require_person(lead, review.organization_id, "review.lead", "lead")
    apply_changes(
        actor=actor,
        instance=review,
        changes=given(title=title, system_version=system_version, due_date=due_date, lead=lead),
    )
    return review


@transaction.atomic
def review_delete(*, actor: User, review: Review) -> None:
    access.require(actor, "review.delete", review)
    if review.status != ReviewStatus.DRAFT or review.signoffs.exists():
        raise Conflict("Only a draft review without sign-offs can be deleted; archive it instead.")
    blockers = readiness.delete_blockers(review)
    if blockers:
        raise Conflict(
            "This review holds " + ", ".join(blockers) + "; archive it instead of deleting it."
        )
    log_change(actor=actor, verb="delete", instance=review, before=snapshot(review))
    review.delete()


@transaction.atomic
def review_transition(*, actor: User, review: Review, to: str, comment: str = "") -> Review:
    """Move a review to another status.

    1. Lock the review row so two deciders cannot both move it.
    2. Check the move is legal from the current status and the policy allows the actor it.
    3. Sending for sign-off needs every high-risk harm mitigated or its risk accepted.
       Approval needs that, every launch gate that blocks launch passed (or its risk
       accepted), an audit when there are gates, every required sign-off of this round
       and no rejection in it (readiness.py says what blocks, and where it is resolved).
       Rejection records the decider's rejecting sign-off when they have none yet.
    4. Reopening an approved review starts a new sign-off round.
    """
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    if to not in ReviewStatus.values:
        raise ServiceError(f"Unknown status {to!r}.", field="to")
    action = TRANSITIONS.get((review.status, to))
    if action is None:
        raise Conflict(
            f"A review cannot move from {review.get_status_display().lower()} to "
            f"{ReviewStatus(to).label.lower()}."
        )
    access.require(actor, action, review)
    before = snapshot(review)

    reopening = review.status == ReviewStatus.APPROVED
    if to == ReviewStatus.APPROVED:
        blockers = readiness.approve_blockers(review)
        if blockers:
            raise Conflict(
                "Cannot approve: " + " ".join(b.message for b in blockers),
                details=[{"kind": b.kind, "message": b.message, "url": b.url} for b in blockers],
            )
    if to == ReviewStatus.REJECTED:
        own = review.signoffs.filter(round=review.round, user=actor).first()
        if own is not None and own.decision == Decision.APPROVE:
            raise Conflict("You approved this round; you cannot also reject it.")
        if own is None:
            if not comment.strip():
                raise ServiceError("Say why the review is rejected.", field="comment")
            _signoff_write(actor=actor, review=review, decision=Decision.REJECT, comment=comment)
    if to == ReviewStatus.IN_REVIEW:
        if not reopening:
            harms = readiness.submit_blockers(review)
            if harms:
                threshold = review.organization.mitigation_risk_threshold
                raise Conflict(
                    f"Harms with risk \u2265 {threshold:g} need {readiness.HARM_REMEDY} "
                    "before sign-off: "
                    + "; ".join(f"{b.subject} (risk {b.risk:g})" for b in harms)
                    + ".",
                    details=[
                        {"harm": b.target_id, "title": b.subject, "risk": b.risk} for b in harms
                    ],
                )
        review.round += 1

    review.status = to
    review.save(update_fields=["status", "round", "updated_at"])
    record(
        organization_id=review.organization_id,
        actor=actor,
        verb="reopen" if reopening else "transition",
        object_type=review._meta.label_lower,
        object_id=review.pk,
        before=before,
        after={**snapshot(review), "comment": comment},
    )
    return review


# --- Sign-offs ---------------------------------------------------------------------------


def _signoff_write(*, actor: User, review: Review, decision: str, comment: str) -> SignOff:
    signoff = SignOff.objects.create(
        organization_id=review.organization_id,
        review=review,
        round=review.round,
        user=actor,
        role_at_signing=access.standing(actor, review.organization_id),
        decision=decision,
        comment=comment,
    )
    log_change(actor=actor, verb="sign_off", instance=signoff)
    return signoff


@transaction.atomic
def signoff_create(*, actor: User, review: Review, decision: str, comment: str = "") -> SignOff:
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    access.require(actor, "signoff.create", review)
    if decision not in Decision.values:
        raise ServiceError("Decision must be approve or reject.", field="decision")
    if review.status != ReviewStatus.IN_REVIEW:
        raise Conflict("Sign-offs are recorded only while a review is in review.")
    if review.signoffs.filter(round=review.round, user=actor).exists():
        raise Conflict("You have already signed off this review in its current round.")
    if decision == Decision.REJECT and not comment.strip():
        raise ServiceError("Say why you reject the review.", field="comment")
    return _signoff_write(actor=actor, review=review, decision=decision, comment=comment)


# --- Risk acceptances --------------------------------------------------------------------


@transaction.atomic
def risk_accept(
    *,
    actor: User,
    review: Review,
    target_type: str,
    target_id: int,
    justification: str,
    expires_on: date,
    conditions: str = "",
) -> RiskAcceptance:
    """Record that ``actor`` accepts a blocking risk of the review (a high-risk harm
    without a mitigation, or a failing launch gate that blocks launch): who, why, until
    when, on what conditions, and what it read like then."""
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    access.require(actor, "risk.accept", review)
    freeze.require_editable(review)
    if target_type not in RiskTarget.values:
        raise ServiceError("Accept a harm or a launch gate.", field="target_type")
    if not justification.strip():
        raise ServiceError("Say why the risk is accepted.", field="justification")
    today = timezone.localdate()
    if expires_on <= today:
        raise ServiceError("The acceptance must end after today.", field="expires_on")
    if expires_on > today + datetime.timedelta(days=MAX_ACCEPTANCE_DAYS):
        raise ServiceError(
            f"An acceptance lasts at most {MAX_ACCEPTANCE_DAYS} days; accept it again then.",
            field="expires_on",
        )
    try:
        label, basis = readiness.acceptable_target(review, target_type, target_id)
    except LookupError:
        raise ServiceError(
            "Only a harm or launch gate that blocks this review now can be accepted.",
            field="target_id",
        ) from None
    for state in readiness.acceptance_states(review):
        held = state.acceptance
        if state.in_force and (held.target_type, held.target_id) == (target_type, target_id):
            raise Conflict(
                f"{held.target_label} is already accepted until {held.expires_on:%Y-%m-%d}; "
                "withdraw that acceptance first to record another."
            )
    acceptance = RiskAcceptance.objects.create(
        organization_id=review.organization_id,
        review=review,
        target_type=target_type,
        target_id=target_id,
        target_label=label[:300],
        basis=basis,
        justification=justification.strip(),
        conditions=conditions.strip(),
        expires_on=expires_on,
        accepted_by=actor,
    )
    log_change(actor=actor, verb="accept_risk", instance=acceptance)
    return acceptance


@transaction.atomic
def risk_acceptance_revoke(*, actor: User, acceptance: RiskAcceptance) -> RiskAcceptance:
    access.require(actor, "risk.revoke", acceptance)
    freeze.require_editable(acceptance.review)
    if acceptance.revoked_at is None:
        apply_changes(
            actor=actor,
            instance=acceptance,
            changes={"revoked_at": timezone.now(), "revoked_by_id": actor.pk},
        )
    return acceptance
