"""Workshop writes. Each checks the access policy, refuses closed workshops and frozen
(approved or archived) reviews, writes, and records an event. Cards, ratings, votes and
stakeholders added in a workshop are written by the harms services under this workshop's
permit (orgs/access.py, ``DELEGATES``)."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from orgs import access
from orgs.access import Permit
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change, snapshot
from orgs.members import services as member_services
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import freeze
from reviews.harms import services as harms
from reviews.harms.models import Disposition, Harm, HarmCategory, Rating, Stakeholder, Vote
from reviews.models import Review

from . import selectors
from .board_seq import stamp
from .models import (
    BoardCard,
    Consequence,
    Workshop,
    WorkshopFormat,
    WorkshopInvitation,
    WorkshopParticipant,
    WorkshopStatus,
)
from .rounds import current_round, rounds_for
from .selectors import invitation_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

INVITATION_DAYS = 14
MAX_INVITATION_USES = 500


def _lock(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update(of=("self",)).get(pk=workshop.pk)


def _guard(actor: User, action: str, workshop: Workshop) -> Workshop:
    """Lock the workshop, check the action, and refuse a change under a frozen review."""
    workshop = _lock(workshop)
    access.require(actor, action, workshop)
    freeze.require_editable(workshop.review)
    return workshop


def _contribute(actor: User, workshop: Workshop) -> tuple[Workshop, Permit]:
    """Lock the workshop (one writer at a time: vote budgets, rounds) and check that it is
    open and the actor holds a seat in it; returns the permit the harms services accept."""
    workshop = _lock(workshop)
    if workshop.status != WorkshopStatus.OPEN:
        raise Conflict(
            f"The workshop is {workshop.get_status_display().lower()}; it accepts no "
            "new cards, ratings or votes."
        )
    permit = access.require(actor, "workshop.contribute", workshop)
    freeze.require_editable(workshop.review)
    return workshop, Permit(
        permit.actor_id,
        permit.action,
        workshop.organization_id,
        review_id=workshop.review_id,
        anonymous=workshop.anonymous,
    )


def _card(workshop: Workshop, harm: Harm) -> Harm:
    if not BoardCard.objects.filter(workshop=workshop, harm=harm).exists():
        raise ServiceError("That harm is not a card of this workshop.", field="harm")
    return harm


# --- Workshops ---------------------------------------------------------------------------


@transaction.atomic
def workshop_create(
    *,
    actor: User,
    review: Review,
    title: str,
    format: str = WorkshopFormat.HARMS_MODELING,  # noqa: A002 - the domain's word
    facilitator: User | None = None,
    scheduled_at: datetime.datetime | None = None,
    anonymous: bool = False,
    votes_per_participant: int = 5,
) -> Workshop:
    access.require(actor, "workshop.create", review)
    freeze.require_editable(review)
    facilitator = facilitator or actor
    _check_facilitator(facilitator, review)
    if format not in WorkshopFormat.values:
        raise ServiceError(f"Unknown format {format!r}.", field="format")
    _check_votes(votes_per_participant)
    workshop = Workshop.objects.create(
        organization_id=review.organization_id,
        review=review,
        title=title,
        format=format,
        facilitator=facilitator,
        scheduled_at=scheduled_at,
        anonymous=anonymous,
        votes_per_participant=votes_per_participant,
    )
    log_change(actor=actor, verb="create", instance=workshop)
    _seat(actor, workshop, facilitator)  # the facilitator sits in their own workshop
    return workshop


def _check_facilitator(facilitator: User, review: Review) -> None:
    if not access.can(facilitator, "workshop.facilitate", review):
        raise ServiceError(
            "The facilitator must be an owner, facilitator or reviewer of the organization.",
            field="facilitator",
        )


def _check_votes(votes: int) -> None:
    if not 0 <= votes <= 50:
        raise ServiceError("Give between 0 and 50 votes.", field="votes_per_participant")


def _seat(actor: User, workshop: Workshop, user: User, **defaults: Any) -> WorkshopParticipant:
    """The user's seat in the workshop, taken (and recorded) if they had none. In an
    anonymous workshop even who is in the room is shown to its runners only."""
    seat, created = WorkshopParticipant.objects.get_or_create(
        workshop=workshop,
        user=user,
        defaults={**defaults, "organization_id": workshop.organization_id},
    )
    if created:
        log_change(actor=actor, verb="create", instance=seat, anonymous=workshop.anonymous)
    return seat


@transaction.atomic
def workshop_update(
    *,
    actor: User,
    workshop: Workshop,
    title: str | Unset = UNSET,
    facilitator: User | Unset = UNSET,
    scheduled_at: datetime.datetime | None | Unset = UNSET,
    anonymous: bool | Unset = UNSET,
    votes_per_participant: int | Unset = UNSET,
) -> Workshop:
    """Edit a workshop. Its format is fixed (the cards on the board belong to it), and
    anonymity is fixed once anyone but the facilitator has joined or written: they took
    part under the promise the workshop made."""
    workshop = _guard(actor, "workshop.update", workshop)
    if not isinstance(title, Unset) and not title.strip():
        raise ServiceError("Give the workshop a title.", field="title")
    if not isinstance(facilitator, Unset):
        _check_facilitator(facilitator, workshop.review)
    if not isinstance(votes_per_participant, Unset):
        _check_votes(votes_per_participant)
    if anonymous not in (UNSET, workshop.anonymous) and selectors.in_use(workshop):
        raise Conflict(
            "People have already joined or written under this workshop's promise about "
            "anonymity, so it cannot change now.",
        )
    changes = given(title=title, scheduled_at=scheduled_at, anonymous=anonymous)
    changes |= given(facilitator=facilitator, votes_per_participant=votes_per_participant)
    apply_changes(actor=actor, instance=workshop, changes=changes)
    if not isinstance(facilitator, Unset):
        _seat(actor, workshop, facilitator)
    return workshop


@transaction.atomic
def workshop_delete(*, actor: User, workshop: Workshop) -> None:
    """Delete a workshop nobody has used: once it has cards, consequences or participants
    they are part of the review's record, and the workshop is closed instead."""
    workshop = _guard(actor, "workshop.delete", workshop)
    if selectors.in_use(workshop):
        raise Conflict(
            "This workshop has cards, consequences or participants, which belong to the "
            "review's record: close it instead of deleting it."
        )
    log_change(actor=actor, verb="delete", instance=workshop, before=snapshot(workshop))
    workshop.delete()


@transaction.atomic
def workshop_set_status(*, actor: User, workshop: Workshop, status: str) -> Workshop:
    workshop = _guard(actor, "workshop.run", workshop)
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
    log_change(actor=actor, verb="transition", instance=workshop, before=before)
    return workshop


@transaction.atomic
def workshop_set_round(*, actor: User, workshop: Workshop, number: int) -> Workshop:
    workshop = _guard(actor, "workshop.run", workshop)
    total = len(rounds_for(workshop.format))
    if not 1 <= number <= total:
        raise ServiceError(f"This format has rounds 1 to {total}.", field="round")
    if workshop.status == WorkshopStatus.CLOSED:
        raise Conflict("The workshop is closed.")
    apply_changes(actor=actor, instance=workshop, changes={"current_round": number})
    return workshop


@transaction.atomic
def workshop_join(
    *, actor: User, workshop: Workshop, represents_community: str = ""
) -> WorkshopParticipant:
    """A member of the organization whose role lets them contribute takes a seat."""
    access.require(actor, "workshop.join", workshop)
    freeze.require_editable(workshop.review)
    if workshop.status == WorkshopStatus.CLOSED:
        raise Conflict("The workshop is closed.")
    return _seat(actor, workshop, actor, represents_community=represents_community)


# --- Invitations -------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    workshop: Workshop,
    label: str = "",
    represents_community: str = "",
    days: int = INVITATION_DAYS,
    max_uses: int = 50,
) -> WorkshopInvitation:
    access.require(actor, "workshop_invitation.create", workshop)
    freeze.require_editable(workshop.review)
    _check_days(days)
    _check_uses(max_uses)
    invitation = WorkshopInvitation.objects.create(
        organization_id=workshop.organization_id,
        workshop=workshop,
        token=secrets.token_urlsafe(32),
        label=label,
        represents_community=represents_community,
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        max_uses=max_uses,
    )
    # The token is a credential: the event records that a link exists, not the link itself.
    log_change(actor=actor, verb="create", instance=invitation, after=_redacted(invitation))
    return invitation


def _redacted(invitation: WorkshopInvitation) -> dict[str, Any]:
    return {**snapshot(invitation), "token": "(redacted)"}


def _check_days(days: int) -> None:
    if not 1 <= days <= 90:
        raise ServiceError("An invitation lasts 1 to 90 days.", field="days")


def _check_uses(max_uses: int, used: int = 0) -> None:
    """An edited link cannot admit fewer people than it already has."""
    if not max(1, used) <= max_uses <= MAX_INVITATION_USES:
        already = f" ({used} already joined through it)" if used else ""
        raise ServiceError(
            f"An invitation admits {max(1, used)} to {MAX_INVITATION_USES} people{already}.",
            field="max_uses",
        )


@transaction.atomic
def invitation_update(
    *,
    actor: User,
    invitation: WorkshopInvitation,
    label: str | Unset = UNSET,
    represents_community: str | Unset = UNSET,
    days: int | Unset = UNSET,
    max_uses: int | Unset = UNSET,
) -> WorkshopInvitation:
    """Edit a live link: who it is for, and ``days`` from now until it expires. The event
    records the change with the token redacted, as its creation does."""
    _guard(actor, "workshop_invitation.update", invitation.workshop)
    invitation = WorkshopInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is not None:
        raise Conflict("This link was revoked; create a new one instead.")
    changes = given(label=label, represents_community=represents_community, max_uses=max_uses)
    if not isinstance(days, Unset):
        _check_days(days)
        changes["expires_at"] = timezone.now() + datetime.timedelta(days=days)
    if not isinstance(max_uses, Unset):
        _check_uses(max_uses, invitation.uses)
    before = _redacted(invitation)
    for name, value in changes.items():
        setattr(invitation, name, value)
    after = _redacted(invitation)
    if after != before:
        invitation.save()
        log_change(actor=actor, verb="update", instance=invitation, before=before, after=after)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: WorkshopInvitation) -> WorkshopInvitation:
    access.require(actor, "workshop_invitation.revoke", invitation.workshop)
    freeze.require_editable(invitation.workshop.review)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_change(
            actor=actor,
            verb="revoke",
            instance=invitation,
            after={"revoked_at": invitation.revoked_at},
        )
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> WorkshopParticipant:
    """Give the user a seat in the workshop; a newcomer to the organization becomes a
    workshop guest, who reaches only the workshops they hold a seat in."""
    invitation = (
        WorkshopInvitation.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .filter(token=token)
        .first()
    )
    problem = invitation_problem(invitation)
    if problem or invitation is None:
        raise Conflict(problem or "This invitation link is not valid.")
    access.require(user, "workshop_invitation.accept", invitation)
    workshop = invitation.workshop
    freeze.require_editable(workshop.review)
    member_services.guest_membership_ensure(user=user, organization_id=workshop.organization_id)
    seat = WorkshopParticipant.objects.filter(workshop=workshop, user=user).first()
    if seat is None:
        seat = WorkshopParticipant.objects.create(
            organization_id=workshop.organization_id,
            workshop=workshop,
            user=user,
            invitation=invitation,
            represents_community=invitation.represents_community,
        )
        WorkshopInvitation.objects.filter(pk=invitation.pk).update(uses=invitation.uses + 1)
        log_change(actor=user, verb="create", instance=seat, anonymous=workshop.anonymous)
    return seat


@transaction.atomic
def guest_signup_and_accept(*, token: str, username: str, password: str, name: str = "") -> Any:
    """Create an account for someone arriving through an invitation, then seat them."""
    invitation = WorkshopInvitation.objects.filter(token=token).first()
    problem = invitation_problem(invitation)
    if problem:
        raise Conflict(problem)
    user = member_services.user_signup(username=username, password=password, name=name)
    invitation_accept(user=user, token=token)
    return user


# --- Cards, ratings, votes, stakeholders -------------------------------------------------


@transaction.atomic
def card_add(
    *,
    actor: User,
    workshop: Workshop,
    title: str,
    category: HarmCategory,
    description: str = "",
    stakeholders: Sequence[Stakeholder] = (),
) -> Harm:
    """A harm card on the board: a harm in the review's register, linked to this workshop."""
    workshop, permit = _contribute(actor, workshop)
    if workshop.format != WorkshopFormat.HARMS_MODELING:
        raise Conflict("Harm cards belong to harms-modeling workshops.")
    harm = harms.harm_create(
        actor=actor,
        review=workshop.review,
        title=title,
        category=category,
        description=description,
        stakeholders=stakeholders,
        permit=permit,
    )
    card = BoardCard.objects.create(
        organization_id=workshop.organization_id, workshop=workshop, harm=harm
    )
    log_change(actor=actor, verb="create", instance=card, anonymous=workshop.anonymous)
    stamp(workshop, harm=harm, added=True)
    return harm


@transaction.atomic
def card_update(
    *,
    actor: User,
    workshop: Workshop,
    harm: Harm,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    category: HarmCategory | Unset = UNSET,
    stakeholders: Sequence[Stakeholder] | Unset = UNSET,
) -> Harm:
    """The author fixes the wording of their own card while the workshop is open."""
    workshop, permit = _contribute(actor, workshop)
    stamp(workshop, harm=harm)
    return harms.harm_update(
        actor=actor,
        harm=_card(workshop, harm),
        title=title,
        description=description,
        category=category,
        stakeholders=stakeholders,
        permit=permit,
    )


@transaction.atomic
def card_rate(
    *,
    actor: User,
    workshop: Workshop,
    harm: Harm,
    severity: int,
    likelihood: int,
    scale: int,
) -> tuple[Rating, bool]:
    workshop, permit = _contribute(actor, workshop)
    stamp(workshop, harm=harm)
    return harms.rating_set(
        actor=actor,
        harm=_card(workshop, harm),
        severity=severity,
        likelihood=likelihood,
        scale=scale,
        permit=permit,
    )


def votes_used(user: User, workshop: Workshop) -> int:
    return Vote.objects.filter(user_id=user.pk, harm__board_card__workshop=workshop).count()


def votes_left(user: User, workshop: Workshop) -> int:
    return max(0, workshop.votes_per_participant - votes_used(user, workshop))


@transaction.atomic
def card_vote(*, actor: User, workshop: Workshop, harm: Harm) -> Vote:
    """One dot of the actor's budget in this workshop (the workshop row is locked, so two
    dots placed at once cannot both take the last one)."""
    workshop, permit = _contribute(actor, workshop)
    harm = _card(workshop, harm)
    if votes_used(actor, workshop) >= workshop.votes_per_participant:
        raise Conflict(f"You have used all {workshop.votes_per_participant} of your votes.")
    stamp(workshop, harm=harm)
    return harms.vote_add(actor=actor, harm=harm, permit=permit)


@transaction.atomic
def card_unvote(*, actor: User, workshop: Workshop, harm: Harm) -> None:
    """Take back one of the actor's dots from a card."""
    workshop, permit = _contribute(actor, workshop)
    vote = Vote.objects.filter(harm=_card(workshop, harm), user_id=actor.pk).last()
    if vote is None:
        raise Conflict("You have no vote on this card.")
    stamp(workshop, harm=harm)
    harms.vote_remove(actor=actor, vote=vote, permit=permit)


@transaction.atomic
def stakeholder_add(
    *,
    actor: User,
    workshop: Workshop,
    name: str,
    kind: str,
    description: str = "",
    vulnerable: bool = False,
) -> Stakeholder:
    """A stakeholder of the review, named by someone in the workshop."""
    workshop, permit = _contribute(actor, workshop)
    stamp(workshop)
    return harms.stakeholder_create(
        actor=actor,
        review=workshop.review,
        name=name,
        kind=kind,
        description=description,
        vulnerable=vulnerable,
        permit=permit,
    )


# --- Consequence scanning ----------------------------------------------------------------


@transaction.atomic
def consequence_create(
    *,
    actor: User,
    workshop: Workshop,
    text: str,
    intent: str,
    valence: str,
    disposition: str = "",
) -> Consequence:
    workshop, _permit = _contribute(actor, workshop)
    if workshop.format != WorkshopFormat.CONSEQUENCE_SCANNING:
        raise Conflict("Consequence cards belong to consequence-scanning workshops.")
    if intent not in Consequence.Intent.values:
        raise ServiceError("Intended or unintended?", field="intent")
    if valence not in Consequence.Valence.values:
        raise ServiceError("Positive or negative?", field="valence")
    focus = current_round(workshop).valence
    if focus and valence != focus:
        raise ServiceError(f"This round is about {focus} consequences.", field="valence")
    if disposition and disposition not in Disposition.values:
        raise ServiceError("Sort into act, influence or monitor.", field="disposition")
    if not text.strip():
        raise ServiceError("Write the consequence.", field="text")
    card = Consequence.objects.create(
        organization_id=workshop.organization_id,
        workshop=workshop,
        text=text,
        intent=intent,
        valence=valence,
        disposition=disposition,
        author=actor,
        author_hidden=workshop.anonymous,
    )
    log_change(actor=actor, verb="create", instance=card, anonymous=workshop.anonymous)
    stamp(workshop, consequence=card, added=True)
    return card


@transaction.atomic
def consequence_sort(*, actor: User, consequence: Consequence, disposition: str) -> Consequence:
    workshop, _permit = _contribute(actor, consequence.workshop)
    if disposition not in Disposition.values:
        raise ServiceError("Sort into act, influence or monitor.", field="disposition")
    _in_its_round(workshop, consequence)
    apply_changes(
        actor=actor,
        instance=consequence,
        changes={"disposition": disposition},
        anonymous=workshop.anonymous,
    )
    # Everyone else's board shows the new column: the card is stamped as changed.
    stamp(workshop, consequence=consequence)
    return consequence


def _in_its_round(workshop: Workshop, consequence: Consequence) -> None:
    """Positives are worked on in their round and negatives in theirs (rounds.py)."""
    if current_round(workshop).valence != consequence.valence:
        its = next(r for r in rounds_for(workshop.format) if r.valence == consequence.valence)
        raise Conflict(
            f"A {consequence.valence} consequence is worked on in round {its.number}, "
            f"“{its.title}”."
        )


@transaction.atomic
def consequence_to_harm(
    *, actor: User, consequence: Consequence, category: HarmCategory
) -> tuple[Harm, bool]:
    """Make a negative consequence a harm card of the review's register in one step, in
    the round that works on negatives; returns the harm and whether it is new. Idempotent:
    a consequence already made a harm answers that harm."""
    workshop, permit = _contribute(actor, consequence.workshop)
    # Read again under the workshop's lock, so two clicks at once make one harm.
    consequence = Consequence.objects.select_related("harm").get(pk=consequence.pk)
    if consequence.harm is not None:
        return consequence.harm, False
    if consequence.valence != Consequence.Valence.NEGATIVE:
        raise Conflict("Only a negative consequence becomes a harm; positives are to focus on.")
    _in_its_round(workshop, consequence)
    harm = harms.harm_create(
        actor=actor,
        review=workshop.review,
        title=Truncator(consequence.text.strip().splitlines()[0]).chars(200),
        category=category,
        # The source, in the register's own words: which workshop, and the card itself.
        description=f"From consequence scanning in “{workshop.title}”: {consequence.text}",
        permit=permit,
    )
    card = BoardCard.objects.create(
        organization_id=workshop.organization_id, workshop=workshop, harm=harm
    )
    log_change(actor=actor, verb="create", instance=card, anonymous=workshop.anonymous)
    apply_changes(
        actor=actor, instance=consequence, changes={"harm": harm}, anonymous=workshop.anonymous
    )
    stamp(workshop, harm=harm, added=True)
    stamp(workshop, consequence=consequence)
    return harm, True
