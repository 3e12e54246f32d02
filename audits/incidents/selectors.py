"""Incident and webhook reads, each scoped by the access policy to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from audits.monitoring.models import Monitor

from .models import Delivery, Incident, IncidentStatus, Webhook


def incidents_for(user: Any) -> QuerySet[Incident]:
    return Incident.objects.for_user(user).select_related("review__system", "gate", "monitor")


def webhooks_for(user: Any) -> QuerySet[Webhook]:
    return Webhook.objects.for_user(user)


def deliveries_for(user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.for_user(user).select_related("webhook")


def unresolved_incidents(review: Any) -> QuerySet[Incident]:
    """Incidents of the review that are open or mitigating (readiness: each one blocks
    approving the review again until it is resolved)."""
    return Incident.objects.filter(review=review).exclude(status=IncidentStatus.RESOLVED)


def unresolved_incidents_of_system(user: Any, review: Any) -> QuerySet[Incident]:
    """Open or mitigating incidents the user may see on any review of the review's AI
    system (the review page's banner)."""
    return (
        incidents_for(user)
        .filter(review__system_id=review.system_id)
        .exclude(status=IncidentStatus.RESOLVED)
    )


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
