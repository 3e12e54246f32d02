"""Monitoring reads, each scoped by the access policy to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Batch, Monitor, Reading


def monitors_for(user: Any) -> QuerySet[Monitor]:
    return Monitor.objects.for_user(user).select_related("review__system")


def batches_for(user: Any) -> QuerySet[Batch]:
    return Batch.objects.for_user(user).select_related("monitor")


def readings(monitor: Monitor) -> QuerySet[Reading]:
    """Every reading of the monitor (the caller has read the monitor through the policy)."""
    return Reading.objects.filter(batch__monitor=monitor).select_related("batch", "gate")
