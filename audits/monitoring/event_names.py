"""How the event log names monitors and batches (orgs/ledger/names.py)."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import register

from .models import Batch, Monitor


def _url(name: str, attname: str = "pk") -> Any:
    return lambda row: reverse(name, args=[getattr(row, attname)])


register(Monitor, "Monitor", field="name", url=_url("monitor_detail"), read="monitor.read")
register(Batch, "Production batch", url=_url("monitor_detail", "monitor_id"), read="monitor.read")
