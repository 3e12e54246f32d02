"""How the event log names controls and their evidence."""

from django.urls import reverse

from orgs.ledger.names import quote, register

from .models import Control, ControlEvidence

register(
    Control,
    "Control",
    field="name",
    url=lambda c: reverse("control_edit", args=[c.pk]),
    read="control.read",
)
register(
    ControlEvidence,
    "Control evidence",
    related=("control",),
    name=lambda e: f"Evidence {quote(e.label)} of control {quote(e.control.name)}",
    url=lambda e: reverse("control_edit", args=[e.control_id]),
    read="control.read",
)
