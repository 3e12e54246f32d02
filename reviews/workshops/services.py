"""Workshop writes. Each checks who may act, refuses closed workshops, writes, and records
an event in the organization's hash chain."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..errors import Conflict, PermissionDenied, ServiceError
from ..events import event_record, log_change, snapshot
from ..models import EDITOR_ROLES, Membership, Review, Role
from ..selectors import role_in
from . import selectors
from .models import (
    Comparator,
    Consequence,
    Disposition,
    GateAction,
    Harm,
    HarmCategory,
    HarmSource,
    HarmStatus,
    LaunchGate,
    Mitigation,
    MitigationStatus,
    Rating,
    Stakeholder,
    StakeholderKind,
    Vote,
    Workshop,
    WorkshopFormat,
    WorkshopInvitation,
    WorkshopParticipant,
    WorkshopStatus,
)
from .rounds import rounds_for

INVITATION_DAYS = 14


def _org(review: Review):
    return review.system.organization


def _log(review: Review, actor, verb: str, instance, before=None, after=None) -> None:
    """Record a write in the organization's chain; ``after`` defaults to the instance's
    state (none for a delete)."""
    if after is None:
        log_change(
            organization=_org(review), actor=actor, verb=verb, instance=instance, before=before
        )
    else:
        event_record(
            organization=_org(review),
            actor=actor,
            verb=verb,
            instance=instance,
            before=before,
            after=after,
        )


def _require_editor(actor, review: Review, action: str) -> None:
    if not selectors.is_editor(actor, review):
        role = role_in(actor, _org(review)) or "none"
        raise PermissionDenied(f"Your role ({role}) cannot {action}.")


def _require_runner(actor, workshop: Workshop) -> None:
    if not selectors.can_run(actor, workshop):
        raise PermissionDenied("Only the workshop's facilitator (or an owner) can do this.")


def _require_open_seat(actor, workshop: Workshop) -> None:
    if workshop.status != WorkshopStatus.OPEN:
        raise Conflict(
            f"The workshop is {workshop.get_status_display().lower()}; it accepts no "
            "new cards, ratings or votes."
        )
    if not selectors.has_seat(actor, workshop):
        raise PermissionDenied("Join the workshop first.")


def _lock(workshop: Workshop) -> Workshop:
    return (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("review__system__organization")
        .get(pk=workshop.pk)
    )


# --- Workshops ---------------------------------------------------------------------------


@transaction.atomic
def workshop_create(
    *,
    actor,
    review: Review,
    title: str,
    format: str = WorkshopFormat.HARMS_MODELING,  # noqa: A002 - the domain's word
    facilitator=None,
    scheduled_at: datetime.datetime | None = None,
    anonymous: bool = False,
    votes_per_participant: int = 5,
) -> Workshop:
    _require_editor(actor, review, "create workshops")
    facilitator = facilitator or actor
    if role_in(facilitator, _org(review)) not in EDITOR_ROLES:
        raise ServiceError(
            "The facilitator must be an owner, facilitator or reviewer.", field="facilitator"
        )
    if not 0 <= votes_per_participant <= 50:
        raise ServiceError("Give between 0 and 50 votes.", field="votes_per_participant")
    workshop = Workshop.objects.create(
        review=review,
        title=title,
        format=format,
        facilitator=facilitator,
        scheduled_at=scheduled_at,
        anonymous=anonymous,
        votes_per_participant=votes_per_participant,
    )
    _log(review, actor, "create", workshop)
    return workshop


@transaction.atomic
def workshop_set_status(*, actor, workshop: Workshop, status: str) -> Workshop:
    workshop = _lock(workshop)
    _require_runner(actor, workshop)
    allowed = {
        (WorkshopStatus.DRAFT, WorkshopStatus.OPEN),
        (WorkshopStatus.OPEN, WorkshopStatus.CLOSED),
        (WorkshopStatus.CLOSED, WorkshopStatus.OPEN),
    }
    if (workshop.status, status) not in allowed:
        raise Conflict(f"A workshop cannot go from {workshop.status} to {status}.")
    before = snapshot(workshop)
    workshop.status = status
    workshop.save(update_fields=["status", "updated_at"])
    _log(workshop.review, actor, "transition", workshop, before)
    return workshop


@transaction.atomic
def workshop_set_round(*, actor, workshop: Workshop, number: int) -> Workshop:
    workshop = _lock(workshop)
    _require_runner(actor, workshop)
    total = len(rounds_for(workshop.format))
    if not 1 <= number <= total:
        raise ServiceError(f"This format has rounds 1 to {total}.", field="round")
    if workshop.status == WorkshopStatus.CLOSED:
        raise Conflict("The workshop is closed.")
    before = snapshot(workshop)
    workshop.current_round = number
    workshop.save(update_fields=["current_round", "updated_at"])
    _log(workshop.review, actor, "update", workshop, before)
    return workshop


@transaction.atomic
def workshop_join(
    *, actor, workshop: Workshop, represents_community: str = ""
) -> WorkshopParticipant:
    """A full member of the organization takes a seat in the workshop."""
    if role_in(actor, _org(workshop.review)) is None:
        raise PermissionDenied("You are not a member of this organization.")
    if workshop.status == WorkshopStatus.CLOSED:
        raise Conflict("The workshop is closed.")
    seat, created = WorkshopParticipant.objects.get_or_create(
        workshop=workshop, user=actor, defaults={"represents_community": represents_community}
    )
    if created:
        _log(workshop.review, actor, "create", seat)
    return seat


# --- Invitations -------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    actor,
    workshop: Workshop,
    label: str = "",
    represents_community: str = "",
    days: int = INVITATION_DAYS,
    max_uses: int = 50,
) -> WorkshopInvitation:
    _require_runner(actor, workshop)
    if not 1 <= days <= 90:
        raise ServiceError("An invitation lasts 1 to 90 days.", field="days")
    invitation = WorkshopInvitation.objects.create(
        workshop=workshop,
        token=secrets.token_urlsafe(32),
        label=label,
        represents_community=represents_community,
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        max_uses=max_uses,
    )
    # The token is a credential: the event records that a link exists, not the link itself.
    _log(
        workshop.review,
        actor,
        "create",
        invitation,
        after={**snapshot(invitation), "token": "(redacted)"},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: WorkshopInvitation) -> WorkshopInvitation:
    _require_runner(actor, invitation.workshop)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _log(
            invitation.workshop.review,
            actor,
            "revoke",
            invitation,
            after={"revoked_at": invitation.revoked_at},
        )
    return invitation


def invitation_problem(invitation: WorkshopInvitation | None) -> str | None:
    """Why a link cannot be used, in words for the person holding it."""
    if invitation is None:
        return "This invitation link is not valid. Ask the facilitator for a new one."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn by the facilitator. Ask them for a new link."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the facilitator for a new link."
    if invitation.uses >= invitation.max_uses:
        return "This invitation has been used as many times as it allows."
    if invitation.workshop.status == WorkshopStatus.CLOSED:
        return "This workshop has closed."
    return None


@transaction.atomic
def invitation_accept(*, user, token: str) -> WorkshopParticipant:
    """Give the user a seat in the workshop; a newcomer to the organization becomes a
    participant whose membership is limited to this workshop."""
    invitation = (
        WorkshopInvitation.objects.select_for_update(of=("self",))
        .select_related("workshop__review__system__organization")
        .filter(token=token)
        .first()
    )
    problem = invitation_problem(invitation)
    if problem:
        raise Conflict(problem)
    workshop = invitation.workshop
    organization = _org(workshop.review)
    if not Membership.objects.filter(user=user, organization=organization).exists():
        membership = Membership.objects.create(
            user=user, organization=organization, role=Role.PARTICIPANT, workshop=workshop
        )
        _log(workshop.review, user, "create", membership)
    seat = WorkshopParticipant.objects.filter(workshop=workshop, user=user).first()
    if seat is None:
        seat = WorkshopParticipant.objects.create(
            workshop=workshop,
            user=user,
            invitation=invitation,
            represents_community=invitation.represents_community,
        )
        WorkshopInvitation.objects.filter(pk=invitation.pk).update(uses=invitation.uses + 1)
        _log(workshop.review, user, "create", seat)
    return seat


@transaction.atomic
def guest_signup_and_accept(*, token: str, username: str, password: str, name: str = ""):
    """Create an account for someone arriving through an invitation, then seat them."""
    invitation = WorkshopInvitation.objects.filter(token=token).first()
    problem = invitation_problem(invitation)
    if problem:
        raise Conflict(problem)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(
            "That username is taken; log in instead, or pick another.", field="username"
        )
    user = User.objects.create_user(username=username, password=password, first_name=name)
    invitation_accept(user=user, token=token)
    return user


# --- Stakeholders ------------------------------------------------------------------------


def _may_contribute(actor, review: Review, workshop: Workshop | None) -> None:
    """Editors of the review always may; others only in an open workshop they sit in."""
    if workshop is not None:
        if workshop.review_id != review.pk:
            raise ServiceError("That workshop belongs to another review.", field="workshop")
        _require_open_seat(actor, workshop)
        return
    _require_editor(actor, review, "change the review's stakeholders and harms")


@transaction.atomic
def stakeholder_create(
    *,
    actor,
    review: Review,
    name: str,
    kind: str,
    description: str = "",
    vulnerable: bool = False,
    workshop: Workshop | None = None,
) -> Stakeholder:
    _may_contribute(actor, review, workshop)
    if kind not in StakeholderKind.values:
        raise ServiceError(f"Unknown stakeholder kind {kind!r}.", field="kind")
    stakeholder = Stakeholder.objects.create(
        review=review, name=name, kind=kind, description=description, vulnerable=vulnerable
    )
    _log(review, actor, "create", stakeholder)
    return stakeholder


@transaction.atomic
def stakeholder_update(*, actor, stakeholder: Stakeholder, **changes: Any) -> Stakeholder:
    _require_editor(actor, stakeholder.review, "edit stakeholders")
    before = snapshot(stakeholder)
    for field in ("name", "kind", "description", "vulnerable"):
        if field in changes:
            setattr(stakeholder, field, changes[field])
    stakeholder.save()
    _log(stakeholder.review, actor, "update", stakeholder, before)
    return stakeholder


@transaction.atomic
def stakeholder_delete(*, actor, stakeholder: Stakeholder) -> None:
    _require_editor(actor, stakeholder.review, "delete stakeholders")
    _log(stakeholder.review, actor, "delete", stakeholder, before=snapshot(stakeholder))
    stakeholder.delete()


# --- Harms -------------------------------------------------------------------------------


def _harm_snapshot(harm: Harm) -> dict:
    return {
        **snapshot(harm),
        "stakeholders": sorted(harm.stakeholders.values_list("pk", flat=True)),
    }


@transaction.atomic
def harm_create(
    *,
    actor,
    review: Review,
    title: str,
    category: HarmCategory,
    description: str = "",
    stakeholders: list[Stakeholder] | None = None,
    workshop: Workshop | None = None,
    source: str | None = None,
) -> Harm:
    if workshop is not None:
        workshop = _lock(workshop)
    _may_contribute(actor, review, workshop)
    stakeholders = list(stakeholders or [])
    foreign = [s.name for s in stakeholders if s.review_id != review.pk]
    if foreign:
        raise ServiceError(
            f"Not stakeholders of this review: {', '.join(foreign)}.", field="stakeholders"
        )
    harm = Harm.objects.create(
        review=review,
        workshop=workshop,
        title=title,
        description=description,
        category=category,
        author=actor,
        source=source or (HarmSource.WORKSHOP if workshop else HarmSource.INCIDENT),
    )
    harm.stakeholders.set(stakeholders)
    _log(review, actor, "create", harm, after=_harm_snapshot(harm))
    return harm


@transaction.atomic
def harm_update(*, actor, harm: Harm, **changes: Any) -> Harm:
    """Editors change any field; the author may fix the wording of their own card while
    the workshop is open."""
    own_card = (
        harm.author_id == actor.pk
        and harm.workshop is not None
        and harm.workshop.status == WorkshopStatus.OPEN
        and set(changes) <= {"title", "description", "category", "stakeholders"}
    )
    if not own_card:
        _require_editor(actor, harm.review, "edit harms")
    if "status" in changes and changes["status"] not in HarmStatus.values:
        raise ServiceError("Unknown status.", field="status")
    before = _harm_snapshot(harm)
    for field in ("title", "description", "category", "status", "source"):
        if field in changes:
            setattr(harm, field, changes[field])
    harm.save()
    if "stakeholders" in changes:
        harm.stakeholders.set(changes["stakeholders"])
    _log(harm.review, actor, "update", harm, before, _harm_snapshot(harm))
    return harm


@transaction.atomic
def harm_delete(*, actor, harm: Harm) -> None:
    _require_editor(actor, harm.review, "delete harms")
    _log(harm.review, actor, "delete", harm, before=_harm_snapshot(harm))
    harm.delete()


# --- Ratings and votes -------------------------------------------------------------------


def _check_rating(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ServiceError(f"{name.capitalize()} must be a whole number from 1 to 5.", field=name)
    return value


@transaction.atomic
def rating_set(*, actor, harm: Harm, severity: int, likelihood: int, scale: int) -> Rating:
    """Create or replace the actor's rating of a harm."""
    values = {
        "severity": _check_rating("severity", severity),
        "likelihood": _check_rating("likelihood", likelihood),
        "scale": _check_rating("scale", scale),
    }
    if harm.workshop_id:
        _require_open_seat(actor, _lock(harm.workshop))
    else:
        _require_editor(actor, harm.review, "rate harms outside a workshop")
    rating = Rating.objects.filter(harm=harm, user=actor).first()
    before = snapshot(rating) if rating else None
    if rating is None:
        rating = Rating.objects.create(harm=harm, user=actor, **values)
    else:
        for field, value in values.items():
            setattr(rating, field, value)
        rating.save()
    _log(harm.review, actor, "update" if before else "create", rating, before)
    return rating


@transaction.atomic
def vote_add(*, actor, harm: Harm) -> Vote:
    if harm.workshop_id is None:
        raise ServiceError("Only workshop harms take dot-votes.", field="harm")
    workshop = _lock(harm.workshop)
    _require_open_seat(actor, workshop)
    used = Vote.objects.filter(workshop=workshop, user=actor).count()
    if used >= workshop.votes_per_participant:
        raise Conflict(f"You have used all {workshop.votes_per_participant} of your votes.")
    vote = Vote.objects.create(workshop=workshop, harm=harm, user=actor)
    _log(harm.review, actor, "create", vote)
    return vote


@transaction.atomic
def vote_remove(*, actor, vote: Vote) -> None:
    workshop = _lock(vote.workshop)
    if vote.user_id != actor.pk:
        raise PermissionDenied("You can only take back your own votes.")
    _require_open_seat(actor, workshop)
    _log(workshop.review, actor, "delete", vote, before=snapshot(vote))
    vote.delete()


def votes_left(user, workshop: Workshop) -> int:
    return max(
        0,
        workshop.votes_per_participant - Vote.objects.filter(workshop=workshop, user=user).count(),
    )


# --- Consequence scanning ----------------------------------------------------------------


@transaction.atomic
def consequence_create(
    *, actor, workshop: Workshop, text: str, intent: str, valence: str, disposition: str = ""
) -> Consequence:
    workshop = _lock(workshop)
    _require_open_seat(actor, workshop)
    if workshop.format != WorkshopFormat.CONSEQUENCE_SCANNING:
        raise Conflict("Consequence cards belong to consequence-scanning workshops.")
    if disposition and disposition not in Disposition.values:
        raise ServiceError("Sort into act, influence or monitor.", field="disposition")
    card = Consequence.objects.create(
        workshop=workshop,
        text=text,
        intent=intent,
        valence=valence,
        disposition=disposition,
        author=actor,
    )
    _log(workshop.review, actor, "create", card)
    return card


@transaction.atomic
def consequence_sort(*, actor, consequence: Consequence, disposition: str) -> Consequence:
    _require_open_seat(actor, _lock(consequence.workshop))
    if disposition not in Disposition.values:
        raise ServiceError("Sort into act, influence or monitor.", field="disposition")
    before = snapshot(consequence)
    consequence.disposition = disposition
    consequence.save(update_fields=["disposition"])
    _log(consequence.workshop.review, actor, "update", consequence, before)
    return consequence


# --- Mitigations and launch gates --------------------------------------------------------


def _check_mitigation(harm: Harm, owner, status: str, justification: str) -> None:
    if role_in(owner, _org(harm.review)) is None:
        raise ServiceError(f"{owner} is not a member of this organization.", field="owner")
    if status not in MitigationStatus.values:
        raise ServiceError("Unknown status.", field="status")
    if status == MitigationStatus.WONT_DO and not justification.strip():
        raise ServiceError("Say why this mitigation will not be done.", field="justification")


@transaction.atomic
def mitigation_create(
    *,
    actor,
    harm: Harm,
    action: str,
    owner,
    due_date: datetime.date | None = None,
    status: str = MitigationStatus.PLANNED,
    justification: str = "",
    disposition: str = Disposition.ACT,
) -> Mitigation:
    _require_editor(actor, harm.review, "add mitigations")
    _check_mitigation(harm, owner, status, justification)
    mitigation = Mitigation.objects.create(
        harm=harm,
        action=action,
        owner=owner,
        due_date=due_date,
        status=status,
        justification=justification,
        disposition=disposition,
    )
    _log(harm.review, actor, "create", mitigation)
    return mitigation


@transaction.atomic
def mitigation_update(*, actor, mitigation: Mitigation, **changes: Any) -> Mitigation:
    harm = mitigation.harm
    _require_editor(actor, harm.review, "edit mitigations")
    before = snapshot(mitigation)
    for field in ("action", "owner", "due_date", "status", "justification", "disposition"):
        if field in changes:
            setattr(mitigation, field, changes[field])
    _check_mitigation(harm, mitigation.owner, mitigation.status, mitigation.justification)
    mitigation.save()
    _log(harm.review, actor, "update", mitigation, before)
    return mitigation


@transaction.atomic
def mitigation_delete(*, actor, mitigation: Mitigation) -> None:
    _require_editor(actor, mitigation.harm.review, "delete mitigations")
    _log(mitigation.harm.review, actor, "delete", mitigation, before=snapshot(mitigation))
    mitigation.delete()


@transaction.atomic
def launch_gate_create(
    *,
    actor,
    review: Review,
    metric: str,
    comparator: str,
    threshold: float,
    action: str,
    sensitive_feature: str = "",
    description: str = "",
    harm: Harm | None = None,
) -> LaunchGate:
    from audits.engine.names import SUMMARY_METRIC_NAMES

    _require_editor(actor, review, "set launch gates")
    if metric not in SUMMARY_METRIC_NAMES:
        raise ServiceError(f"Unknown metric {metric!r}.", field="metric")
    if comparator not in Comparator.values:
        raise ServiceError("Comparator is one of >=, >, <=, <.", field="comparator")
    if action not in GateAction.values:
        raise ServiceError("Unknown action.", field="action")
    if harm is not None and harm.review_id != review.pk:
        raise ServiceError("That harm belongs to another review.", field="harm")
    gate = LaunchGate.objects.create(
        review=review,
        metric=metric,
        comparator=comparator,
        threshold=threshold,
        action=action,
        sensitive_feature=sensitive_feature,
        description=description,
        harm=harm,
    )
    _log(review, actor, "create", gate)
    return gate


@transaction.atomic
def launch_gate_delete(*, actor, gate: LaunchGate) -> None:
    _require_editor(actor, gate.review, "remove launch gates")
    _log(gate.review, actor, "delete", gate, before=snapshot(gate))
    gate.delete()
