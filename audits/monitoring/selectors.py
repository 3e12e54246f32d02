"""Monitoring reads, each scoped by the access policy to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from .models import Batch, Delivery, Incident, Monitor, Reading, Webhook


def monitors_for(user: Any) -> QuerySet[Monitor]:
    return Monitor.objects.for_user(user).select_related("review__system")


def batches_for(user: Any) -> QuerySet[Batch]:
    return Batch.objects.for_user(user).select_related("monitor")


def incidents_for(user: Any) -> QuerySet[Incident]:
    return Incident.objects.for_user(user).select_related("review__system", "gate", "monitor")


def webhooks_for(user: Any) -> QuerySet[Webhook]:
    return Webhook.objects.for_user(user)


def deliveries_for(user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.for_user(user).select_related("webhook")


def readings(monitor: Monitor) -> QuerySet[Reading]:
    """Every reading of the monitor (the caller has read the monitor through the policy)."""
    return Reading.objects.filter(batch__monitor=monitor).select_related("batch", "gate")


def webhooks_with_recent_deliveries(
    monitor: Monitor, last: int = 20
) -> list[tuple[Webhook, list[Delivery]]]:
    """The monitor's webhooks, each with its ``last`` newest deliveries, in two queries
    however many webhooks there are (the caller has checked ``webhook.read``)."""
    hooks = list(monitor.webhooks.all())
    ranked = (
        Delivery.objects.filter(webhook__in=hooks)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("webhook_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=last)
        .order_by("-created_at", "-id")
    )
    by_hook: dict[int, list[Delivery]] = {h.pk: [] for h in hooks}
    for d in ranked:
        by_hook[d.webhook_id].append(d)
    return [(h, by_hook[h.pk]) for h in hooks]
