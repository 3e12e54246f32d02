from __future__ import annotations

from typing import Any

from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput, UserField
from reviews.frameworks.models import Framework
from reviews.selectors import reviews_for

from . import evidence as kinds
from . import selectors
from .models import Assessment, Checklist, Evidence, ReadinessRule


class ChecklistSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_for(u))
    framework = serializers.PrimaryKeyRelatedField(queryset=Framework.objects.all())
    framework_name = serializers.CharField(source="framework.name", read_only=True)
    framework_version = serializers.IntegerField(source="framework.version", read_only=True)
    readiness_rule = serializers.ChoiceField(ReadinessRule.choices, required=False)

    class Meta:
        model = Checklist
        fields = [
            "id",
            "review",
            "framework",
            "framework_name",
            "framework_version",
            "framework_urn",
            "readiness_rule",
            "attached_at",
            "upgraded_at",
        ]
        read_only_fields = ["id", "framework_urn", "attached_at", "upgraded_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["review"].read_only = True
            self.fields["framework"].read_only = True


class UpgradeSerializer(StrictInput, serializers.Serializer):
    framework = serializers.PrimaryKeyRelatedField(queryset=Framework.objects.all())
    dry_run = serializers.BooleanField(default=False)


class UpgradeResultSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.CharField())
    changed = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    renamed = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    applied = serializers.BooleanField()


class AssessmentSerializer(StrictInput, serializers.ModelSerializer):
    owner = UserField(required=False, allow_null=True)
    signed_off_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    requirement_urn = serializers.CharField(source="requirement.urn", read_only=True)
    ref = serializers.CharField(source="requirement.ref", read_only=True)
    name = serializers.CharField(source="requirement.name", read_only=True)
    effective_status = serializers.SerializerMethodField()
    inferred_from = serializers.SerializerMethodField()
    due_date = serializers.DateField(required=False, allow_null=True)
    freshness_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=3650
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "checklist",
            "requirement",
            "requirement_urn",
            "ref",
            "name",
            "applicable",
            "justification",
            "status",
            "effective_status",
            "basis",
            "inferred_from",
            "inference_note",
            "note",
            "owner",
            "due_date",
            "freshness_days",
            "signed_off_by",
            "signed_off_at",
            "archived_at",
            "archived_reason",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "checklist",
            "requirement",
            "basis",
            "inference_note",
            "signed_off_at",
            "archived_at",
            "archived_reason",
            "updated_at",
        ]

    def _inference(self, obj: Assessment) -> Any:
        cache = self.context.setdefault("inferences", {})
        if obj.organization_id not in cache:
            cache[obj.organization_id] = selectors.inferences(obj.organization_id)
        return cache[obj.organization_id].get(obj.requirement.urn)

    def get_effective_status(self, obj: Assessment) -> str:
        return selectors.effective_status(obj, self._inference(obj))

    def get_inferred_from(self, obj: Assessment) -> str:
        inference = self._inference(obj)
        return inference.describe() if inference else ""


class EvidenceSerializer(StrictInput, serializers.ModelSerializer):
    assessment = ScopedPK(selectors.assessments_for)
    kind = serializers.ChoiceField(choices=kinds.KIND_CHOICES)
    target_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10**18
    )
    file = serializers.FileField(required=False, allow_null=True, write_only=True)
    file_url = serializers.SerializerMethodField()
    effective_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "assessment",
            "kind",
            "target_id",
            "label",
            "url",
            "file",
            "file_url",
            "sha256",
            "file_version",
            "effective_on",
            "expires_on",
            "note",
            "added_at",
        ]
        read_only_fields = ["id", "sha256", "file_version", "added_at"]
        extra_kwargs = {
            "url": {"required": False, "allow_blank": True, "max_length": 1000},
            "label": {"required": False, "allow_blank": True, "max_length": 300},
        }

    def get_file_url(self, obj: Evidence) -> str | None:
        return obj.file.url if obj.file else None
