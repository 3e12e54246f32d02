from __future__ import annotations

from typing import Any

from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput, organizations_for_action
from reviews.harms.selectors import harms_for
from reviews.selectors import reviews_where

from . import selectors
from .engine.config import AuditConfig
from .engine.errors import AuditInputError
from .forms import POSITIVE_IS
from .models import AuditRun, Dataset, GateVerdict, LaunchGate


class DatasetSerializer(StrictInput, serializers.ModelSerializer):
    organization = ScopedPK(organizations_for_action("dataset.upload"))
    file = serializers.FileField(write_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "organization",
            "name",
            "file",
            "format",
            "sha256",
            "size_bytes",
            "columns",
            "created_at",
        ]
        read_only_fields = ["id", "format", "sha256", "size_bytes", "columns", "created_at"]
        extra_kwargs = {"name": {"required": False}}


class GateVerdictSerializer(StrictInput, serializers.ModelSerializer):
    metric = serializers.CharField(source="gate.metric")
    action = serializers.CharField(source="gate.action")

    class Meta:
        model = GateVerdict
        fields = ["gate", "metric", "action", "verdict", "value", "ci_low", "ci_high", "reason"]


def _column(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=200, **kwargs)


class AuditRunSerializer(StrictInput, serializers.ModelSerializer):
    """An audit run. The column mapping is written as flat fields and kept as one
    ``config`` (the engine's AuditConfig), validated once by the engine."""

    review = ScopedPK(lambda u: reviews_where(u, "audit.run"))
    dataset = ScopedPK(selectors.datasets_for)
    verdicts = GateVerdictSerializer(many=True, read_only=True)
    y_true = _column(source="config.y_true")
    y_pred = _column(source="config.y_pred", required=False, allow_blank=True, allow_null=True)
    y_score = _column(source="config.y_score", required=False, allow_blank=True, allow_null=True)
    threshold = serializers.FloatField(source="config.threshold", required=False, allow_null=True)
    sensitive = serializers.ListField(
        source="config.sensitive", child=_column(), min_length=1, max_length=10
    )
    positive = _column(source="config.positive", required=False, allow_blank=True, allow_null=True)
    positive_is = serializers.ChoiceField(
        source="config.positive_is", choices=POSITIVE_IS, required=False
    )
    reference = serializers.DictField(source="config.reference", child=_column(), required=False)
    weight = _column(source="config.weight", required=False, allow_blank=True, allow_null=True)
    bootstrap = serializers.IntegerField(
        source="config.bootstrap", required=False, min_value=0, max_value=10_000
    )
    seed = serializers.IntegerField(source="config.seed", required=False, min_value=0)

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "review",
            "dataset",
            "y_true",
            "y_pred",
            "y_score",
            "threshold",
            "sensitive",
            "positive",
            "positive_is",
            "reference",
            "weight",
            "bootstrap",
            "seed",
            "status",
            "progress",
            "parts",
            "error",
            "timings",
            "verdicts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "progress",
            "parts",
            "error",
            "timings",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["config"] = AuditConfig.from_dict(attrs.get("config", {}))
        except AuditInputError as exc:
            raise serializers.ValidationError({exc.field or "detail": [exc.message]}) from exc
        return attrs


class LaunchGateSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_where(u, "launch_gate.create"))
    harm = ScopedPK(harms_for, required=False, allow_null=True)

    class Meta:
        model = LaunchGate
        fields = [
            "id",
            "review",
            "harm",
            "metric",
            "sensitive_feature",
            "comparator",
            "threshold",
            "action",
            "description",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, LaunchGate):  # an edit: the gate stays with its review
            self.fields["review"].read_only = True
