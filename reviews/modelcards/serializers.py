from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.selectors import runs_for
from orgs.api_support import ScopedPK, StrictInput
from reviews.selectors import systems_for

from .documents import formats
from .documents.sections import MAX_SECTION_CHARS, SECTION_KEYS
from .models import ModelCard, ModelCardVersion

FORMAT_CHOICES = [(key, f.label) for key, f in formats().items()]


class VersionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()


class ModelCardSerializer(StrictInput, serializers.ModelSerializer):
    system = ScopedPK(lambda u: systems_for(u))
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    versions = serializers.SerializerMethodField()

    class Meta:
        model = ModelCard
        fields = ["id", "system", "organization", "versions", "created_at"]
        read_only_fields = ["id", "created_at"]

    @extend_schema_field(VersionBriefSerializer(many=True))
    def get_versions(self, obj: ModelCard) -> list[dict[str, Any]]:
        return [
            {"id": v.pk, "number": v.number, "status": v.status}
            for v in obj.versions.order_by("-number")
        ]


class ModelCardVersionSerializer(StrictInput, serializers.ModelSerializer):
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_SECTION_CHARS),
        required=False,
        help_text="Section key → Markdown. Keys: " + ", ".join(SECTION_KEYS) + ".",
    )
    metadata = serializers.JSONField(
        required=False,
        help_text="name, version, license (strings); owners, references, tags, datasets "
        "(lists of strings).",
    )
    computed_by_forethought = serializers.SerializerMethodField()
    published_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ModelCardVersion
        fields = [
            "id",
            "card",
            "number",
            "status",
            "metadata",
            "sections",
            "analysis",
            "computed_by_forethought",
            "created_at",
            "updated_at",
            "published_at",
            "published_by",
        ]
        read_only_fields = [
            "id",
            "card",
            "number",
            "status",
            "analysis",
            "created_at",
            "updated_at",
            "published_at",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_computed_by_forethought(self, obj: ModelCardVersion) -> bool:
        return bool(obj.analysis and obj.analysis.get("source") == "audit")


class AnalysisSerializer(StrictInput, serializers.Serializer):
    run = ScopedPK(
        lambda u: runs_for(u), allow_null=True, help_text="A succeeded audit; null empties it."
    )


class ImportSerializer(StrictInput, serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMAT_CHOICES)
    file = serializers.FileField()


class ExportSerializer(serializers.Serializer):
    format = serializers.CharField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    content = serializers.CharField()


class DiffLineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="same | added | removed | hunk")
    text = serializers.CharField()


class DiffRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    changed = serializers.BooleanField()
    lines = DiffLineSerializer(many=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``label`` is also an attribute of every field, so it is added here.
        self.fields["label"] = serializers.CharField()
