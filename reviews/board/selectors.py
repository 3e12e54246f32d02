"""The live board's state and what changed on it: a poll carries the state a participant's
board was drawn from (``BoardState.token``) and gets only the cards that changed since."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q

from reviews.harms.models import Harm, Rating, Stakeholder
from reviews.workshops.models import BoardCard, Consequence, Workshop, WorkshopFormat
from reviews.workshops.selectors import cards_of, consequences_in_round, seats_of


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


# How long a poll may answer from a worker's remembered state. Writes through the board
# move ``board_seq`` and the workshop's own fields, which are part of the key, so they show
# at once; only changes made elsewhere (the register page, a membership) wait this long.
STATE_SECONDS = 1.0


def polled_board_state(workshop: Workshop) -> BoardState:
    """``board_state`` remembered for a second per workshop row state: fifty participants
    polling an unchanged board cost one computation a second, not fifty."""
    parts = (
        workshop.pk,
        workshop.board_seq,
        _micros(workshop.updated_at),
        workshop.status,
        workshop.current_round,
        workshop.review.status,
    )
    key = "workshop-board:state:" + ":".join(str(p) for p in parts)
    state = cache.get(key)
    if not isinstance(state, BoardState):
        state = board_state(workshop)
        cache.set(key, state, STATE_SECONDS)
    return state


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
