"""Workshop reads, each scoped by the access policy (members, and guests with a seat)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, QuerySet

from orgs import access
from orgs.models import Membership
from reviews.harms.models import Harm, Rating, Stakeholder, StakeholderKind, Vote
from reviews.models import Review

from .models import Consequence, Workshop, WorkshopInvitation, WorkshopParticipant
from .rounds import current_round

User = AbstractBaseUser | AnonymousUser


def workshops_for(user: User) -> QuerySet[Workshop]:
    return Workshop.objects.for_user(user).select_related("review", "facilitator")


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
    """Who is missing from the room: each warning says why it matters."""
    stakeholders = workshop.review.stakeholders.all()
    warnings = []
    if not stakeholders.filter(
        kind__in=[StakeholderKind.INDIRECT, StakeholderKind.EXCLUDED]
    ).exists():
        warnings.append(
            "No indirect or excluded stakeholder: people affected without using the system, "
            "or left out of it, are the ones most often missed."
        )
    if not stakeholders.filter(vulnerable=True).exists():
        warnings.append(
            "No vulnerable group is mapped: harms fall hardest on people with the least power "
            "to contest a decision."
        )
    if not seats_of(workshop).exclude(represents_community="").exists():
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


def board_version(workshop: Workshop) -> str:
    """Changes whenever anything on the live board changes (cards, ratings, votes,
    consequences, the stakeholder and participant panels, the workshop and its review's
    status); the board polls it."""
    on_board = {"harm__board_card__workshop": workshop}
    parts = [
        Harm.objects.filter(board_card__workshop=workshop).aggregate(
            n=Count("id"), t=Max("updated_at")
        ),
        Rating.objects.filter(**on_board).aggregate(n=Count("id"), t=Max("updated_at")),
        Vote.objects.filter(**on_board).aggregate(n=Count("id"), t=Max("id")),
        consequences_of(workshop).aggregate(n=Count("id"), t=Max("updated_at")),
        # Stakeholders have no timestamp of their own: their shown fields are the version.
        list(
            Stakeholder.objects.filter(review_id=workshop.review_id).values_list(
                "id", "name", "kind", "vulnerable"
            )
        ),
        list(seats_of(workshop).values_list("id", "represents_community")),
        (workshop.updated_at, workshop.status, workshop.current_round, workshop.review.status),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
