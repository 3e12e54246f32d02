from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput, UserField, organizations_for_action

from . import readiness, selectors
from .models import AISystem, Review, ReviewStatus, RiskAcceptance, RiskTarget, SignOff

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _is_one(instance: Any) -> bool:
    return instance is not None and not isinstance(instance, list | tuple)


class AISystemSerializer(StrictInput, serializers.ModelSerializer):
    organization = ScopedPK(organizations_for_action("system.create"))
    owner = UserField(required=False, allow_null=True)

    class Meta:
        model = AISystem
        fields = [
            "id",
            "organization",
            "name",
            "purpose",
            "domain",
            "decision_type",
            "deployment_context",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _is_one(self.instance):
            self.fields["organization"].read_only = True


class ReviewSerializer(StrictInput, serializers.ModelSerializer):
    system = ScopedPK(lambda u: selectors.systems_for(u))
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    lead = UserField(required=False, allow_null=True)
    missing_signoffs = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "system",
            "organization",
            "title",
            "system_version",
            "status",
            "round",
            "due_date",
            "lead",
            "missing_signoffs",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "round", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _is_one(self.instance):
            self.fields["system"].read_only = True

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_signoffs(self, obj: Review) -> list[str]:
        if obj.status != ReviewStatus.IN_REVIEW:
            return []
        return readiness.missing_signoffs(obj)


class ReviewTransitionSerializer(StrictInput, serializers.Serializer):
    to = serializers.ChoiceField(choices=ReviewStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class SignOffSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: selectors.reviews_for(u))
    user: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = SignOff
        fields = [
            "id",
            "review",
            "round",
            "user",
            "role_at_signing",
            "decision",
            "comment",
            "signed_at",
        ]
        read_only_fields = ["id", "round", "user", "role_at_signing", "signed_at"]


class RiskAcceptanceSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: selectors.reviews_for(u))
    target_type = serializers.ChoiceField(choices=RiskTarget.choices)
    target_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    justification = serializers.CharField(max_length=5000)
    conditions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    accepted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    revoked_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = RiskAcceptance
        fields = [
            "id",
            "review",
            "target_type",
            "target_id",
            "target_label",
            "basis",
            "justification",
            "conditions",
            "expires_on",
            "accepted_by",
            "accepted_at",
            "revoked_at",
            "revoked_by",
            "status",
        ]
        read_only_fields = [
            "id",
            "target_label",
            "basis",
            "accepted_by",
            "accepted_at",
            "revoked_at",
            "revoked_by",
        ]

    @extend_schema_field(serializers.CharField())
    def get_status(self, obj: RiskAcceptance) -> str:
        """in force | expired | lapsed | withdrawn"""
        states = self.context.setdefault("acceptance_states", {})  # one lookup per review
        if obj.review_id not in states:
            states[obj.review_id] = {
                s.acceptance.pk: s.status for s in readiness.acceptance_states(obj.review)
            }
        return str(states[obj.review_id].get(obj.pk, ""))


class BlockerSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="harm | gate | audit | signoff | rejection")
    message = serializers.CharField()
    url = serializers.CharField(help_text="The page where it is resolved.")
    target_type = serializers.CharField(help_text="Set when a risk acceptance can lift it.")
    target_id = serializers.IntegerField(allow_null=True)


class ReadinessSerializer(serializers.Serializer):
    status = serializers.CharField()
    blockers = BlockerSerializer(many=True)
    acceptances = RiskAcceptanceSerializer(many=True)
