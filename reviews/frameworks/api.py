"""Read-only API of the framework libraries and the crosswalk (shared reference data: a
login is needed, nothing is scoped to an organization)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from orgs.api_support import StrictInput

from .models import CrosswalkEdge, Framework, Requirement


class RequirementSerializer(StrictInput, serializers.ModelSerializer):
    parent_urn: serializers.SlugRelatedField[Requirement] = serializers.SlugRelatedField(
        source="parent", slug_field="urn", read_only=True, allow_null=True
    )

    class Meta:
        model = Requirement
        fields = [
            "id",
            "framework",
            "urn",
            "parent_urn",
            "ref",
            "name",
            "text",
            "evidence",
            "question",
            "assessable",
            "computed",
            "freshness_days",
            "renamed_from",
            "depth",
        ]
        read_only_fields = fields


class FrameworkSerializer(StrictInput, serializers.ModelSerializer):
    requirement_count = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = [
            "id",
            "urn",
            "version",
            "name",
            "provider",
            "published",
            "licence",
            "description",
            "replaces",
            "requirement_count",
        ]
        read_only_fields = fields

    def get_requirement_count(self, obj: Framework) -> int:
        return obj.requirements.filter(assessable=True).count()


class CrosswalkEdgeSerializer(StrictInput, serializers.ModelSerializer):
    class Meta:
        model = CrosswalkEdge
        fields = [
            "id",
            "mapping_urn",
            "mapping_name",
            "source_framework",
            "source",
            "target_framework",
            "target",
            "relationship",
            "rationale",
            "strength",
            "justification",
        ]
        read_only_fields = fields


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Every loaded framework version."""

    serializer_class = FrameworkSerializer
    queryset = Framework.objects.order_by("name", "-version")
    filterset_fields = ["urn", "version"]
    lookup_value_regex = "[0-9]{1,18}"


class RequirementViewSet(viewsets.ReadOnlyModelViewSet):
    """Requirements of the loaded frameworks, in library order."""

    serializer_class = RequirementSerializer
    queryset = Requirement.objects.select_related("parent").order_by("framework_id", "order")
    filterset_fields = ["framework", "urn", "assessable", "computed"]
    lookup_value_regex = "[0-9]{1,18}"


class CrosswalkEdgeViewSet(viewsets.ReadOnlyModelViewSet):
    """Crosswalk edges: ``source <relationship> target`` with rationale, strength 0–10 and
    a one-line justification."""

    serializer_class = CrosswalkEdgeSerializer
    queryset = CrosswalkEdge.objects.order_by("mapping_urn", "id")
    filterset_fields = [
        "mapping_urn",
        "source_framework",
        "target_framework",
        "source",
        "target",
        "relationship",
    ]
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self) -> Any:
        return super().get_queryset()
