"""Workshop reads, each scoped by the access policy (members, and guests with a seat)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from orgs import access
from orgs.models import Membership
from reviews import freeze
from reviews.harms.models import Harm, Stakeholder, StakeholderKind
from reviews.models import Review

from .models import (
    Consequence,
    Workshop,
    WorkshopInvitation,
    WorkshopParticipant,
    WorkshopStatus,
)
from .rounds import current_round

User = AbstractBaseUser | AnonymousUser


COVERAGE = ("indirect", "vulnerable", "community")


def _with_coverage(workshops: QuerySet[Workshop]) -> QuerySet[Workshop]:
    """Who the room covers, as three flags read with the workshops (``coverage_warnings``)."""
    stakeholders = Stakeholder.objects.filter(review_id=OuterRef("review_id"))
    standing = Membership.objects.filter(
        organization_id=OuterRef("organization_id"), user_id=OuterRef("user_id")
    )
    community_seats = (
        WorkshopParticipant.objects.filter(workshop_id=OuterRef("pk"))
        .exclude(represents_community="")
        .filter(Exists(standing))
    )
    return workshops.annotate(
        covers_indirect=Exists(
            stakeholders.filter(kind__in=[StakeholderKind.INDIRECT, StakeholderKind.EXCLUDED])
        ),
        covers_vulnerable=Exists(stakeholders.filter(vulnerable=True)),
        covers_community=Exists(community_seats),
    )


def workshops_for(user: User) -> QuerySet[Workshop]:
    """Workshops the user may open, each with its coverage flags, so a list asks no
    question per row."""
    return _with_coverage(Workshop.objects.for_user(user).select_related("review", "facilitator"))


def workshops_of(review: Review) -> QuerySet[Workshop]:
    return Workshop.objects.filter(review=review)


def cards_of(workshop: Workshop) -> QuerySet[Harm]:
    """The harms raised on this workshop's board (the reader may open the workshop)."""
    return (
        Harm.objects.filter(board_card__workshop=workshop)
        .select_related("category", "author")
        .order_by("created_at", "id")
    )


def consequences_for(user: User) -> QuerySet[Consequence]:
    return Consequence.objects.for_user(user).select_related("workshop", "author")


def consequences_of(workshop: Workshop) -> QuerySet[Consequence]:
    return Consequence.objects.filter(workshop=workshop).select_related("author")


def invitations_for(user: User) -> QuerySet[WorkshopInvitation]:
    """Invitation links are for the people who run workshops, not for participants."""
    return WorkshopInvitation.objects.for_user(user).select_related("workshop")


def seats_of(workshop: Workshop) -> QuerySet[WorkshopParticipant]:
    """Who is in the room: seats whose holders still belong to the organization."""
    members = Membership.objects.filter(organization_id=workshop.organization_id).values("user_id")
    return workshop.participants.filter(user_id__in=members).select_related("user")


def can_run(user: User, workshop: Workshop) -> bool:
    return access.can(user, "workshop.run", workshop)


def has_seat(user: User, workshop: Workshop) -> bool:
    """A seat that counts: held by someone whose standing lets them contribute."""
    return access.can(user, "workshop.contribute", workshop)


def may_join(user: User, workshop: Workshop) -> bool:
    return access.can(user, "workshop.join", workshop)


def coverage_warnings(workshop: Workshop) -> list[str]:
    """Who is missing from the room: each warning says why it matters. A workshop read
    through ``workshops_for`` carries the answers; another asks three questions."""
    if getattr(workshop, "covers_indirect", None) is None:
        workshop = _with_coverage(Workshop.objects.filter(pk=workshop.pk)).get()
    covers = {name: getattr(workshop, f"covers_{name}") for name in COVERAGE}
    warnings = []
    if not covers["indirect"]:
        warnings.append(
            "No indirect or excluded stakeholder: people affected without using the system, "
            "or left out of it, are the ones most often missed."
        )
    if not covers["vulnerable"]:
        warnings.append(
            "No vulnerable group is mapped: harms fall hardest on people with the least power "
            "to contest a decision."
        )
    if not covers["community"]:
        warnings.append(
            "No participant represents an impacted community: the people who bear the harms "
            "are not in the room."
        )
    return warnings


def in_use(workshop: Workshop) -> bool:
    """Whether anyone has taken part: a card, a consequence, or a seat besides the
    facilitator's own. Such a workshop is part of the review's record."""
    return (
        workshop.cards.exists()
        or workshop.consequences.exists()
        or workshop.participants.exclude(user_id=workshop.facilitator_id).exists()
    )


def consequences_in_round(workshop: Workshop) -> QuerySet[Consequence]:
    """The consequence cards the current round works on (all of them in round 1)."""
    cards = consequences_of(workshop).select_related("harm")
    focus = current_round(workshop).valence
    return cards.filter(valence=focus) if focus else cards


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
    if freeze.is_frozen(invitation.workshop.review):
        return "The review this workshop belongs to is finished, so the workshop is read-only."
    return None
