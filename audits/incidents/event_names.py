"""How the event log names incidents and webhooks (orgs/ledger/names.py)."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import register

from .models import Incident, Webhook


def _url(name: str, attname: str = "pk") -> Any:
    return lambda row: reverse(name, args=[getattr(row, attname)])


register(Incident, "Incident", field="title", url=_url("incident_detail"), read="incident.read")
register(
    Webhook, "Webhook", field="url", url=_url("monitor_detail", "monitor_id"), read="webhook.read"
)
