"""How the event log names workshops and what happens in them (orgs/ledger/names.py).
Cards, seats and consequences are named by their text or workshop, never by who wrote or
holds them: in an anonymous workshop that is the promise."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import BoardCard, Consequence, Workshop, WorkshopInvitation, WorkshopParticipant


def _board(row: Any) -> str:
    return reverse("workshop_board", args=[getattr(row, "workshop_id", row.pk)])


def _by(related: str, text: str) -> dict[str, Any]:
    return {"related": (related,), "name": lambda r: text.format(quote(getattr(r, related).title))}


for model, noun, how in (
    (Workshop, "Workshop", {"field": "title"}),
    (Consequence, "Consequence", {"field": "text"}),
    (BoardCard, "Card", _by("harm", "Card {}")),
    (WorkshopInvitation, "Invitation link", _by("workshop", "Invitation link to workshop {}")),
    (WorkshopParticipant, "Seat", _by("workshop", "Seat in workshop {}")),
):
    register(model, noun, url=_board, read="workshop.read", **how)
