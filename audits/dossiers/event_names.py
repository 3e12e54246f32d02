"""How the event log names dossiers (orgs/ledger/names.py)."""

from django.urls import reverse

from orgs.ledger.names import register

from .models import Dossier

register(
    Dossier,
    "Dossier",
    name=lambda d: f"Dossier {d.number} of review \u2018{d.review.title}\u2019",
    related=("review",),
    url=lambda d: reverse("review_dossiers", args=[d.review_id]),
    read="dossier.read",
)
