from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audits.engine.config import MAX_SCORE_BINS, AuditConfig
from audits.engine.errors import AuditInputError
from audits.selectors import launch_gates_for
from orgs.api_support import ScopedPK, StrictInput, UserField
from reviews.selectors import reviews_where

from .models import ROUTE_KEYS, Batch, Monitor, Reading


class MonitorSerializer(StrictInput, serializers.ModelSerializer):
    """A monitor. ``config`` is the engine's AuditConfig of file batches (y_true, y_pred or
    y_score with threshold, sensitive, …); counts batches of a score column need score
    bins."""

    review = ScopedPK(lambda u: reviews_where(u, "monitor.create"))
    gates = ScopedPK(launch_gates_for, many=True, required=False)
    on_call = UserField(many=True, required=False)
    routes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=20)), required=False
    )
    config = serializers.JSONField()

    class Meta:
        model = Monitor
        fields = [
            "id",
            "review",
            "name",
            "config",
            "gates",
            "cadence_hours",
            "late_margin",
            "alpha",
            "window",
            "routes",
            "on_call",
            "active",
            "last_batch_at",
            "created_at",
        ]
        read_only_fields = ["id", "last_batch_at", "created_at"]

    def validate_config(self, value: Any) -> AuditConfig:
        if not isinstance(value, dict):
            raise serializers.ValidationError("config is an object (the audit's columns).")
        try:
            return AuditConfig.from_dict(value)
        except AuditInputError as exc:
            raise serializers.ValidationError(exc.message) from exc
        except TypeError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_routes(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - set(ROUTE_KEYS)
        if unknown:
            raise serializers.ValidationError(f"Routes are for {', '.join(ROUTE_KEYS)}.")
        return value

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if isinstance(instance, Monitor):
            data["config"] = instance.config
        return data


class MonitorUpdateSerializer(MonitorSerializer):
    class Meta(MonitorSerializer.Meta):
        read_only_fields = ["id", "review", "config", "last_batch_at", "created_at"]


class CountsRowSerializer(serializers.Serializer):
    """One combination of group values, label, prediction (and score bin) with its count.
    ``prediction`` may be left out only by a monitor of a score column, which reads it from
    the score bin and its threshold."""

    groups = serializers.DictField(child=serializers.CharField(max_length=200, allow_null=True))
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]
    prediction = serializers.CharField(max_length=200, required=False)
    count = serializers.IntegerField(min_value=0, max_value=10**15)
    weight = serializers.FloatField(min_value=0, max_value=1e300, required=False)
    weight_sq = serializers.FloatField(min_value=0, max_value=1e300, required=False)
    score_bin = serializers.IntegerField(
        min_value=0, required=False, help_text="index of the row's bin in score_bins"
    )


class BatchInSerializer(StrictInput, serializers.Serializer):
    """A production batch: ``file`` (multipart, CSV or Parquet) or ``counts`` (JSON), the
    latter optionally with ``score_bins``, the increasing edges of the rows' score bins."""

    file = serializers.FileField(required=False)
    counts = CountsRowSerializer(many=True, required=False)
    score_bins = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=MAX_SCORE_BINS + 1,
        required=False,
        help_text="bin edges e0 < e1 < … < en: bin i is [e_i, e_i+1), the last one closed",
    )
    period_end = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("file" in attrs) == ("counts" in attrs):
            raise serializers.ValidationError({"file": ["Send either a file or counts."]})
        return attrs


class ReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reading
        fields = [
            "gate",
            "look",
            "state",
            "value",
            "low",
            "high",
            "batch_value",
            "groups",
            "reason",
        ]


class BatchSerializer(serializers.ModelSerializer):
    readings = ReadingSerializer(many=True, read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "monitor",
            "kind",
            "period_end",
            "rows",
            "status",
            "error",
            "run",
            "readings",
            "created_at",
        ]
