"""How the event log names model card versions (orgs/ledger/names.py)."""

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import ModelCardVersion

register(
    ModelCardVersion,
    "Model card version",
    related=("card__system",),
    name=lambda v: f"Model card v{v.number} of {quote(v.card.system.name)}",
    url=lambda v: reverse("modelcard_version", args=[v.pk]),
    read="modelcard.read",
)
