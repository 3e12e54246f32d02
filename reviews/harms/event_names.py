"""How the event log names harms and what hangs off them (orgs/ledger/names.py). Ratings
and votes are named by their harm, never by who gave them."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import Harm, Mitigation, Rating, Stakeholder, Vote


def _register(row: Any) -> str:
    review_id = row.review_id if hasattr(row, "review_id") else row.harm.review_id
    return reverse("harm_register", args=[review_id])


register(Harm, "Harm", field="title", url=_register, read="harm.read")
register(Stakeholder, "Stakeholder", field="name", url=_register, read="harm.read")
register(
    Mitigation, "Mitigation", field="action", related=("harm",), url=_register, read="harm.read"
)
register(
    Rating,
    "Rating",
    related=("harm",),
    name=lambda r: f"Rating of harm {quote(r.harm.title)}",
    url=_register,
    read="harm.read",
)
register(
    Vote,
    "Vote",
    related=("harm",),
    name=lambda v: f"Vote for harm {quote(v.harm.title)}",
    url=_register,
    read="harm.read",
)
