from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audits.monitoring.models import Monitor
from audits.selectors import runs_for
from orgs.api_support import ScopedPK, StrictInput
from reviews.feedback.selectors import submissions_for
from reviews.harms.selectors import harms_for, mitigations_for
from reviews.selectors import reviews_where

from .models import Delivery, Incident, Webhook
from .selectors import incidents_for


class IncidentSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_where(u, "incident.create"))
    harms = ScopedPK(harms_for, many=True, required=False)
    mitigations = ScopedPK(mitigations_for, many=True, required=False)
    runs = ScopedPK(runs_for, many=True, required=False)

    class Meta:
        model = Incident
        fields = [
            "id",
            "review",
            "monitor",
            "source",
            "title",
            "description",
            "gate",
            "action",
            "groups",
            "harm_distribution_basis",
            "severity",
            "tangible_harm",
            "sector_of_deployment",
            "date_of_incident",
            "status",
            "evidence_run",
            "runs",
            "harms",
            "mitigations",
            "feedback",
            "resolution",
            "opened_at",
            "resolved_at",
        ]
        read_only_fields = [
            "id",
            "monitor",
            "source",
            "gate",
            "action",
            "groups",
            "harm_distribution_basis",
            "tangible_harm",
            "sector_of_deployment",
            "date_of_incident",
            "status",
            "evidence_run",
            "runs",
            "mitigations",
            "feedback",
            "resolution",
            "opened_at",
            "resolved_at",
        ]


class IncidentUpdateSerializer(IncidentSerializer):
    status = serializers.ChoiceField(choices=["open", "mitigating", "resolved"], required=False)
    resolution = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    class Meta(IncidentSerializer.Meta):
        read_only_fields = [
            f
            for f in IncidentSerializer.Meta.read_only_fields
            if f not in ("status", "resolution", "runs", "mitigations")
        ] + ["review", "title", "description", "severity"]


class WebhookSerializer(StrictInput, serializers.ModelSerializer):
    """``secret`` is shown once, in the answer to the POST that creates the webhook."""

    monitor = ScopedPK(lambda u: Monitor.objects.for_user(u, "webhook.create"))

    class Meta:
        model = Webhook
        fields = ["id", "monitor", "url", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class WebhookUpdateSerializer(WebhookSerializer):
    """PATCH: a new ``url`` (checked like a new one) or ``active``."""

    monitor: Any = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        read_only_fields = ["id", "monitor", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook",
            "event",
            "payload",
            "status",
            "attempts",
            "response_code",
            "error",
            "created_at",
            "last_attempt_at",
        ]


class FromFeedbackSerializer(StrictInput, serializers.Serializer):
    """Escalate a feedback submission: into an unresolved incident of its review, or a new
    one (``title`` optional)."""

    submission = ScopedPK(submissions_for)
    incident = ScopedPK(incidents_for, required=False, allow_null=True)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
