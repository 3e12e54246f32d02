"""Incidents after launch and the webhooks that tell the deployment: an incident per
breach, person or escalated feedback submission (fields after the AI Incident Database's
CSETv1), webhook endpoints of a monitor and their delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audits.models import AuditRun, LaunchGate
from audits.monitoring.models import Monitor
from orgs.tenancy import TenantModel
from reviews.harms.models import Harm, Mitigation
from reviews.models import Review


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Mitigating"
    RESOLVED = "resolved", "Resolved"


class Severity(models.TextChoices):
    # CSETv1's "AI Harm Level" read as a severity scale.
    MINOR = "minor", "Minor"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    CRITICAL = "critical", "Critical"


class TangibleHarm(models.TextChoices):
    # CSETv1 "Tangible Harm".
    OCCURRED = "occurred", "Tangible harm definitively occurred"
    IMMINENT = "imminent_risk", "Imminent risk of tangible harm"
    NON_IMMINENT = "non_imminent_risk", "Non-imminent risk of tangible harm"
    NONE = "none", "No tangible harm, near-miss, or issue"
    UNCLEAR = "unclear", "Unclear"


class Incident(TenantModel):
    """Something went wrong after launch. Fields after the AI Incident Database's CSETv1
    taxonomy where they fit (harm distribution basis, tangible harm, sector, date)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="incidents")
    monitor = models.ForeignKey(
        Monitor, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    # Where it came from: "monitor" (a breach), "manual", or "feedback" (a community
    # feedback submission escalated into an incident; docs/monitoring.md, "Incidents").
    source = models.CharField(max_length=20, default="manual")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, max_length=10000)
    gate = models.ForeignKey(
        LaunchGate, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    action = models.CharField(max_length=20, blank=True)  # the gate's action when it fired
    groups = models.JSONField(default=list, blank=True)
    harm_distribution_basis = models.JSONField(default=list, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    tangible_harm = models.CharField(
        max_length=20, choices=TangibleHarm.choices, default=TangibleHarm.UNCLEAR
    )
    sector_of_deployment = models.CharField(max_length=200, blank=True)
    date_of_incident = models.DateField()
    status = models.CharField(
        max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    evidence_run = models.ForeignKey(
        AuditRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    runs = models.ManyToManyField(AuditRun, related_name="incidents", blank=True)
    harms = models.ManyToManyField(Harm, related_name="incidents", blank=True)
    mitigations = models.ManyToManyField(Mitigation, related_name="incidents", blank=True)
    # Community feedback escalated into it (escalation.incident_from_feedback).
    feedback = models.ManyToManyField("feedback.Submission", related_name="incidents", blank=True)
    resolution = models.TextField(blank=True, max_length=5000)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    read_action = "incident.read"

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Webhook(TenantModel):
    """An endpoint of the deployment that hears of breaches (signed JSON POSTs)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "webhook.read"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused (unsafe address)"


class Delivery(TenantModel):
    """One event sent (or tried) to a webhook: the delivery log."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    read_action = "webhook.read"

    class Meta:
        ordering = ["-created_at", "-id"]
