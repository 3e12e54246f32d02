"""Workshop reads, each scoped by the access policy (members, and guests with a seat)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from orgs import access
from orgs.models import Membership
from reviews.harms.models import Harm, Rating, Stakeholder, StakeholderKind
from reviews.models import Review

from .models import (
    BoardCard,
    Consequence,
    Workshop,
    WorkshopFormat,
    WorkshopInvitation,
    WorkshopParticipant,
)
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


@dataclass(frozen=True)
class BoardState:
    """What a participant's board was rendered from, carried in its poll as a token: the
    board's change counter, the number of harm cards, the latest harm and rating times
    (changes made elsewhere, such as the register page, move them) and a hash of the parts
    that re-render the whole board (round, status, stakeholders, the people in the room)."""

    seq: int
    cards: int
    consequences: int
    harm_ts: int
    rating_ts: int
    layout: str

    def token(self) -> str:
        return (
            f"{self.seq}.{self.cards}.{self.consequences}.{self.harm_ts}.{self.rating_ts}."
            f"{self.layout}"
        )

    @classmethod
    def parse(cls, token: str | None) -> BoardState | None:
        parts = (token or "").split(".")
        if len(parts) != 6 or not all(p.isascii() and p.isdigit() for p in parts[:5]):
            return None
        if any(len(p) > 20 for p in parts):
            return None
        seq, cards, consequences, harm_ts, rating_ts = (int(p) for p in parts[:5])
        return cls(seq, cards, consequences, harm_ts, rating_ts, parts[5])


def _micros(moment: datetime | None) -> int:
    return int(moment.timestamp() * 1_000_000) if moment else 0


def _moment(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


def board_state(workshop: Workshop) -> BoardState:
    """Three queries whatever the number of cards (the workshop row, with its review, is
    already loaded): the card counts and times, the stakeholders, the seats."""
    cards = BoardCard.objects.filter(workshop=workshop).aggregate(
        n=Count("id", distinct=True),
        t=Max("harm__updated_at"),
        r=Max("harm__ratings__updated_at"),
    )
    consequences = 0
    if workshop.format == WorkshopFormat.CONSEQUENCE_SCANNING:
        consequences = workshop.consequences.count()
    layout = [
        # Stakeholders have no timestamp of their own: their shown fields are the version.
        list(
            Stakeholder.objects.filter(review_id=workshop.review_id).values_list(
                "id", "name", "kind", "vulnerable"
            )
        ),
        list(seats_of(workshop).values_list("id", "represents_community")),
        (workshop.updated_at, workshop.status, workshop.current_round, workshop.review.status),
    ]
    return BoardState(
        seq=workshop.board_seq,
        cards=cards["n"],
        consequences=consequences,
        harm_ts=_micros(cards["t"]),
        rating_ts=_micros(cards["r"]),
        layout=hashlib.sha256(repr(layout).encode()).hexdigest()[:16],
    )


def board_version(workshop: Workshop) -> str:
    """Changes whenever anything on the live board changes (cards, ratings, votes,
    consequences, the stakeholder and participant panels, the workshop and its review's
    status); the board polls it."""
    return board_state(workshop).token()


@dataclass(frozen=True)
class BoardChanges:
    """What changed on a board since a participant's state: cards to update in place
    (their shared part) and cards new to them (appended whole)."""

    changed: list[Harm]
    added: list[Harm]
    changed_consequences: list[Consequence]
    added_consequences: list[Consequence]


def board_changes(workshop: Workshop, since: BoardState, now: BoardState) -> BoardChanges | None:
    """The cards that changed after ``since``, or None when the whole board must be drawn
    again (a new round or status, other stakeholders or people, a card taken off, or an
    empty board getting its first card)."""
    if since.layout != now.layout or since.seq > now.seq:
        return None
    if (since.cards == 0 and now.cards) or (since.consequences == 0 and now.consequences):
        return None
    rated_after = Rating.objects.filter(
        harm_id=OuterRef("pk"), updated_at__gt=_moment(since.rating_ts)
    )
    harms = list(
        cards_of(workshop)
        .select_related("board_card")
        .filter(
            Q(board_card__seq__gt=since.seq)
            | Q(updated_at__gt=_moment(since.harm_ts))
            | Exists(rated_after)
        )
    )
    added = [h for h in harms if h.board_card.added_seq > since.seq]
    if since.cards + len(added) != now.cards:
        return None  # a card was taken off the board (deleted in the register)
    consequences: list[Consequence] = []
    if workshop.format == WorkshopFormat.CONSEQUENCE_SCANNING:
        consequences = list(consequences_in_round(workshop).filter(seq__gt=since.seq))
    new_consequences = [c for c in consequences if c.added_seq > since.seq]
    all_new = workshop.consequences.filter(added_seq__gt=since.seq).count() if consequences else 0
    if since.consequences + all_new != now.consequences:
        return None
    return BoardChanges(
        changed=[h for h in harms if h.board_card.added_seq <= since.seq],
        added=added,
        changed_consequences=[c for c in consequences if c.added_seq <= since.seq],
        added_consequences=new_consequences,
    )
