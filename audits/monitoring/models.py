"""Monitors of deployed AI systems, their production batches and gate readings, incidents,
and outgoing webhooks with their delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audits.models import AuditRun, Dataset, GateAction, LaunchGate
from orgs.tenancy import TenantModel
from reviews.models import Review

# What a breach of a gate with this action sets off (Monitor.routes); "alert" is the route
# of the no-data alert.
STEPS = ("incident", "reopen_review", "notify", "webhook")
ROUTE_KEYS = (*GateAction.values, "alert")
DEFAULT_ROUTES = {
    "rollback": list(STEPS),
    "human_review": list(STEPS),
    "block_launch": list(STEPS),
    "alert": ["notify", "webhook"],
}


def default_routes() -> dict[str, list[str]]:
    return {k: list(v) for k, v in DEFAULT_ROUTES.items()}


class Monitor(TenantModel):
    """Production monitoring of a deployed AI system, from its approved review: which launch
    gates it watches, how often data should arrive, and who hears of a breach."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="monitors")
    name = models.CharField(max_length=200)
    # The column mapping of file batches (the engine's AuditConfig, as on an audit run).
    config = models.JSONField()
    gates = models.ManyToManyField(LaunchGate, related_name="monitors", blank=True)
    cadence_hours = models.PositiveIntegerField(default=24)
    # A monitor is late when no batch came for cadence × (1 + margin).
    late_margin = models.FloatField(default=0.5)
    alpha = models.FloatField(default=0.05)
    window = models.PositiveSmallIntegerField(default=7)
    routes = models.JSONField(default=default_routes)
    on_call = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    active = models.BooleanField(default=True)
    last_batch_at = models.DateTimeField(null=True, blank=True)
    late_alerted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "monitor.read"

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Evaluated"
    FAILED = "failed", "Failed"


class Batch(TenantModel):
    """One production batch: a file (kept as a dataset) or pre-aggregated counts."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="batches")
    kind = models.CharField(max_length=10)  # file | counts
    dataset = models.ForeignKey(
        Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counts_input = models.JSONField(null=True, blank=True)  # the posted counts rows
    score_bins = models.JSONField(null=True, blank=True)  # their score bins' edges, if any
    counts = models.JSONField(null=True, blank=True)  # engine Counts (serialize.py), slim
    run = models.OneToOneField(
        AuditRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="batch"
    )
    period_end = models.DateTimeField()
    rows = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "monitor.read"

    class Meta:
        ordering = ["period_end", "id"]

    def __str__(self) -> str:
        return f"Batch of {self.period_end:%Y-%m-%d %H:%M}"


class GateState(models.TextChoices):
    OK = "ok", "OK"
    WATCH = "watch", "Watch"
    BREACH = "breach", "Breach"


class Reading(TenantModel):
    """A watched gate's state after one batch (engine/sequential.py ``Look``)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="readings")
    gate = models.ForeignKey(LaunchGate, on_delete=models.CASCADE, related_name="+")
    look = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=GateState.choices)
    value = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    batch_value = models.FloatField(null=True, blank=True)
    groups = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)

    read_action = "monitor.read"

    class Meta:
        ordering = ["batch__period_end", "batch_id", "gate_id"]
        constraints = [models.UniqueConstraint(fields=["batch", "gate"], name="one_reading")]
