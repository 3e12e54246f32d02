"""Writes. Every function checks the actor's role, changes data, and records an event."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .errors import Conflict, PermissionDenied, ServiceError
from .events import event_record, log_change, snapshot
from .models import (
    DECIDER_ROLES,
    EDITOR_ROLES,
    SIGNER_ROLES,
    AISystem,
    ChainVerification,
    Decision,
    Domain,
    Membership,
    Organization,
    Review,
    ReviewStatus,
    Role,
    SignOff,
)
from .selectors import role_in

# Which status may follow which, and who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW): EDITOR_ROLES,
    (ReviewStatus.IN_REVIEW, ReviewStatus.DRAFT): EDITOR_ROLES,
    (ReviewStatus.IN_REVIEW, ReviewStatus.APPROVED): DECIDER_ROLES,
    (ReviewStatus.IN_REVIEW, ReviewStatus.REJECTED): DECIDER_ROLES,
    (ReviewStatus.REJECTED, ReviewStatus.DRAFT): EDITOR_ROLES,
    (ReviewStatus.APPROVED, ReviewStatus.ARCHIVED): frozenset({Role.OWNER}),
    (ReviewStatus.REJECTED, ReviewStatus.ARCHIVED): frozenset({Role.OWNER}),
}

SYSTEM_FIELDS = ("name", "purpose", "domain", "decision_type", "deployment_context", "owner")
REVIEW_FIELDS = ("title", "system_version", "due_date", "lead")


def _require_role(user, organization: Organization, allowed: frozenset[str], action: str) -> str:
    role = role_in(user, organization)
    if role is None:
        # Not a member: callers have already hidden the object, but never act on it.
        raise PermissionDenied(f"You are not a member of {organization.name}.")
    if role not in allowed:
        allowed_text = ", ".join(sorted(allowed))
        raise PermissionDenied(
            f"Your role ({role}) cannot {action}; it needs one of: {allowed_text}."
        )
    return role


def _require_member(user, organization: Organization, field: str) -> None:
    if user is not None and role_in(user, organization) is None:
        raise ServiceError(f"{user} is not a member of {organization.name}.", field=field)


# --- Organizations and memberships -------------------------------------------------------


@transaction.atomic
def organization_create(*, actor, name: str, slug: str) -> Organization:
    """Create an organization with ``actor`` as its first owner."""
    if Organization.objects.filter(slug=slug).exists():
        raise ServiceError("An organization with this slug already exists.", field="slug")
    organization = Organization.objects.create(name=name, slug=slug)
    log_change(organization=organization, actor=actor, verb="create", instance=organization)
    membership = Membership.objects.create(user=actor, organization=organization, role=Role.OWNER)
    log_change(organization=organization, actor=actor, verb="create", instance=membership)
    return organization


@transaction.atomic
def organization_update_signoff_roles(
    *, actor, organization: Organization, roles: list[str]
) -> Organization:
    _require_role(actor, organization, frozenset({Role.OWNER}), "change sign-off rules")
    unknown = [r for r in roles if r not in DECIDER_ROLES | SIGNER_ROLES]
    if unknown or not roles:
        raise ServiceError(
            "Required sign-off roles must be a non-empty list of owner, reviewer or facilitator.",
            field="required_signoff_roles",
        )
    before = snapshot(organization)
    organization.required_signoff_roles = list(roles)
    organization.save(update_fields=["required_signoff_roles"])
    log_change(
        organization=organization, actor=actor, verb="update", instance=organization, before=before
    )
    return organization


def _check_last_owner(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = Membership.objects.filter(organization=membership.organization, role=Role.OWNER)
    if owners.count() <= 1:
        raise Conflict("An organization must keep at least one owner.")


@transaction.atomic
def membership_create(*, actor, organization: Organization, user, role: str) -> Membership:
    _require_role(actor, organization, frozenset({Role.OWNER}), "manage members")
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.", field="role")
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ServiceError(f"{user} is already a member of {organization.name}.", field="user")
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    log_change(organization=organization, actor=actor, verb="create", instance=membership)
    return membership


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    _require_role(actor, membership.organization, frozenset({Role.OWNER}), "manage members")
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.", field="role")
    _check_last_owner(membership, role)
    before = snapshot(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    log_change(
        organization=membership.organization,
        actor=actor,
        verb="update",
        instance=membership,
        before=before,
    )
    return membership


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    _require_role(actor, membership.organization, frozenset({Role.OWNER}), "manage members")
    _check_last_owner(membership, None)
    before = snapshot(membership)
    log_change(
        organization=membership.organization,
        actor=actor,
        verb="delete",
        instance=membership,
        before=before,
    )
    membership.delete()


# --- AI systems --------------------------------------------------------------------------


@transaction.atomic
def system_create(
    *,
    actor,
    organization: Organization,
    name: str,
    purpose: str = "",
    domain: str = Domain.OTHER,
    decision_type: str = "",
    deployment_context: str = "",
    owner=None,
) -> AISystem:
    _require_role(actor, organization, EDITOR_ROLES, "create AI systems")
    _require_member(owner, organization, "owner")
    system = AISystem.objects.create(
        organization=organization,
        name=name,
        purpose=purpose,
        domain=domain,
        decision_type=decision_type,
        deployment_context=deployment_context,
        owner=owner or actor,
    )
    log_change(organization=organization, actor=actor, verb="create", instance=system)
    return system


@transaction.atomic
def system_update(*, actor, system: AISystem, **changes: Any) -> AISystem:
    _require_role(actor, system.organization, EDITOR_ROLES, "edit AI systems")
    unknown = set(changes) - set(SYSTEM_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "owner" in changes:
        _require_member(changes["owner"], system.organization, "owner")
    before = snapshot(system)
    for field, value in changes.items():
        setattr(system, field, value)
    system.save()
    log_change(
        organization=system.organization, actor=actor, verb="update", instance=system, before=before
    )
    return system


@transaction.atomic
def system_delete(*, actor, system: AISystem) -> None:
    _require_role(actor, system.organization, frozenset({Role.OWNER}), "delete AI systems")
    if system.reviews.exists():
        raise Conflict("This system has reviews; archive them instead of deleting the system.")
    log_change(
        organization=system.organization,
        actor=actor,
        verb="delete",
        instance=system,
        before=snapshot(system),
    )
    system.delete()


# --- Reviews -----------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    actor,
    system: AISystem,
    title: str,
    system_version: str = "",
    due_date: date | None = None,
    lead=None,
) -> Review:
    _require_role(actor, system.organization, EDITOR_ROLES, "create reviews")
    _require_member(lead, system.organization, "lead")
    review = Review.objects.create(
        system=system,
        title=title,
        system_version=system_version,
        due_date=due_date,
        lead=lead or actor,
    )
    log_change(organization=system.organization, actor=actor, verb="create", instance=review)
    return review


@transaction.atomic
def review_update(*, actor, review: Review, **changes: Any) -> Review:
    organization = review.system.organization
    _require_role(actor, organization, EDITOR_ROLES, "edit reviews")
    unknown = set(changes) - set(REVIEW_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if review.status in (ReviewStatus.APPROVED, ReviewStatus.ARCHIVED):
        raise Conflict(f"A review that is {review.get_status_display().lower()} cannot be edited.")
    if "lead" in changes:
        _require_member(changes["lead"], organization, "lead")
    before = snapshot(review)
    for field, value in changes.items():
        setattr(review, field, value)
    review.save()
    log_change(
        organization=organization, actor=actor, verb="update", instance=review, before=before
    )
    return review


@transaction.atomic
def review_delete(*, actor, review: Review) -> None:
    organization = review.system.organization
    _require_role(actor, organization, frozenset({Role.OWNER}), "delete reviews")
    if review.status != ReviewStatus.DRAFT or review.signoffs.exists():
        raise Conflict("Only a draft review without sign-offs can be deleted; archive it instead.")
    log_change(
        organization=organization,
        actor=actor,
        verb="delete",
        instance=review,
        before=snapshot(review),
    )
    review.delete()


def missing_signoffs(review: Review) -> list[str]:
    """Required roles still lacking an approving sign-off in the current round.

    Each required entry needs its own person: ["owner", "reviewer", "reviewer"] needs one
    owner and two different reviewers. A user holds one role per organization, so counting
    approvals per role already counts different people.
    """
    required = Counter(review.system.organization.required_signoff_roles)
    approvals = Counter(
        review.signoffs.filter(round=review.round, decision=Decision.APPROVE).values_list(
            "role_at_signing", flat=True
        )
    )
    missing: list[str] = []
    for role, count in required.items():
        missing.extend([role] * max(0, count - approvals[role]))
    return missing


@transaction.atomic
def review_transition(*, actor, review: Review, to: str, comment: str = "") -> Review:
    """Move a review to another status.

    1. Lock the review row so two deciders cannot both move it.
    2. Check the move is legal from the current status and the actor's role allows it.
    3. Approval needs every required sign-off of this round and no rejection in it;
       rejection records the decider's rejecting sign-off when they have none yet.
    """
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("system__organization")
        .get(pk=review.pk)
    )
    organization = review.system.organization
    if to not in ReviewStatus.values:
        raise ServiceError(f"Unknown status {to!r}.", field="to")
    allowed = TRANSITIONS.get((review.status, to))
    if allowed is None:
        raise Conflict(
            f"A review cannot move from {review.get_status_display().lower()} to "
            f"{ReviewStatus(to).label.lower()}."
        )
    role = _require_role(actor, organization, allowed, f"move a review to {to}")
    before = snapshot(review)

    if to == ReviewStatus.APPROVED:
        rejections = review.signoffs.filter(round=review.round, decision=Decision.REJECT)
        if rejections.exists():
            names = ", ".join(sorted(s.user.username for s in rejections))
            raise Conflict(f"Cannot approve: rejected in this round by {names}.")
        missing = missing_signoffs(review)
        if missing:
            raise Conflict(
                "Cannot approve: approving sign-offs still needed from " + ", ".join(missing) + ".",
            )
    if to == ReviewStatus.REJECTED:
        own = review.signoffs.filter(round=review.round, user=actor).first()
        if own is not None and own.decision == Decision.APPROVE:
            raise Conflict("You approved this round; you cannot also reject it.")
        if own is None:
            if not comment.strip():
                raise ServiceError("Say why the review is rejected.", field="comment")
            _signoff_write(
                actor=actor, review=review, role=role, decision=Decision.REJECT, comment=comment
            )
    if to == ReviewStatus.IN_REVIEW:
        from .workshops.selectors import uncovered_harms

        uncovered = uncovered_harms(review)
        if uncovered:
            threshold = organization.mitigation_risk_threshold
            raise Conflict(
                f"Harms with risk ≥ {threshold:g} need a mitigation before sign-off: "
                + "; ".join(f"{harm.title} (risk {risk:g})" for harm, risk in uncovered)
                + ".",
                details=[
                    {"harm": harm.pk, "title": harm.title, "risk": risk} for harm, risk in uncovered
                ],
            )
        review.round += 1

    review.status = to
    review.save(update_fields=["status", "round", "updated_at"])
    event_record(
        organization=organization,
        actor=actor,
        verb="transition",
        instance=review,
        before=before,
        after={**snapshot(review), "comment": comment},
    )
    return review


# --- Sign-offs ---------------------------------------------------------------------------


def _signoff_write(*, actor, review: Review, role: str, decision: str, comment: str) -> SignOff:
    signoff = SignOff.objects.create(
        review=review,
        round=review.round,
        user=actor,
        role_at_signing=role,
        decision=decision,
        comment=comment,
    )
    log_change(
        organization=review.system.organization, actor=actor, verb="sign_off", instance=signoff
    )
    return signoff


@transaction.atomic
def signoff_create(*, actor, review: Review, decision: str, comment: str = "") -> SignOff:
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("system__organization")
        .get(pk=review.pk)
    )
    role = _require_role(actor, review.system.organization, SIGNER_ROLES, "sign off reviews")
    if decision not in Decision.values:
        raise ServiceError("Decision must be approve or reject.", field="decision")
    if review.status != ReviewStatus.IN_REVIEW:
        raise Conflict("Sign-offs are recorded only while a review is in review.")
    if review.signoffs.filter(round=review.round, user=actor).exists():
        raise Conflict("You have already signed off this review in its current round.")
    if decision == Decision.REJECT and not comment.strip():
        raise ServiceError("Say why you reject the review.", field="comment")
    return _signoff_write(actor=actor, review=review, role=role, decision=decision, comment=comment)


# --- Event chain verification ------------------------------------------------------------


@transaction.atomic
def chain_verification_start(
    *, actor: AbstractBaseUser | None, organization: Organization
) -> ChainVerification:
    """Queue a check of the organization's event chain on a Celery worker."""
    from .tasks import verify_event_chain

    if actor is not None:
        _require_role(actor, organization, EDITOR_ROLES, "verify the event log")
    verification = ChainVerification.objects.create(organization=organization, requested_by=actor)
    transaction.on_commit(lambda: verify_event_chain.delay(verification.pk))
    return verification


def chain_verification_run(*, verification_id: int, worker: str = "") -> ChainVerification | None:
    """Run a queued verification once; a duplicate delivery finds it claimed and does nothing."""
    from django.utils import timezone

    from .events import verify_chain

    claimed = ChainVerification.objects.filter(
        pk=verification_id, status=ChainVerification.Status.PENDING
    ).update(status=ChainVerification.Status.RUNNING, worker=worker)
    if not claimed:
        return None
    verification = ChainVerification.objects.select_related("organization").get(pk=verification_id)
    report = verify_chain(verification.organization)
    verification.status = ChainVerification.Status.DONE
    verification.intact = report.intact
    verification.checked = report.checked
    verification.first_broken_seq = report.first_broken_seq
    verification.message = report.message
    verification.finished_at = timezone.now()
    verification.save()
    return verification
