from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import selectors
from .models import (
    DECIDER_ROLES,
    EDITOR_ROLES,
    AISystem,
    ChainVerification,
    Event,
    Membership,
    Organization,
    Review,
    ReviewStatus,
    Role,
    SignOff,
)
from .services import missing_signoffs

User = get_user_model()


class UserField(serializers.SlugRelatedField):
    """Users are named by username in the API."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("queryset", User.objects.all())
        super().__init__(**kwargs)


class OrganizationSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "required_signoff_roles", "my_role", "created_at"]
        read_only_fields = ["id", "name", "slug", "my_role", "created_at"]

    def get_my_role(self, obj) -> str | None:
        return selectors.role_in(self.context["request"].user, obj)

    def validate_required_signoff_roles(self, value):
        if not isinstance(value, list) or not value:
            raise serializers.ValidationError("Give a non-empty list of roles.")
        allowed = {str(r) for r in DECIDER_ROLES} | {Role.FACILITATOR.value}
        bad = [r for r in value if r not in allowed]
        if bad:
            raise serializers.ValidationError(
                f"Unknown or non-signing roles: {', '.join(map(str, bad))}. "
                f"Use {', '.join(sorted(allowed))}."
            )
        return value


class MembershipSerializer(serializers.ModelSerializer):
    user = UserField()
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    class Meta:
        model = Membership
        fields = ["id", "organization", "user", "role", "created_at"]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organization"].queryset = selectors.organizations_where(
                request.user, {Role.OWNER}
            )
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["organization"].read_only = True
            self.fields["user"].read_only = True


class AISystemSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organization"].queryset = selectors.organizations_where(
                request.user, EDITOR_ROLES
            )
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["organization"].read_only = True


class ReviewSerializer(serializers.ModelSerializer):
    system = serializers.PrimaryKeyRelatedField(queryset=AISystem.objects.none())
    organization = serializers.IntegerField(source="system.organization_id", read_only=True)
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["system"].queryset = selectors.systems_for(request.user).filter(
                organization__in=selectors.organizations_where(request.user, EDITOR_ROLES)
            )
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["system"].read_only = True

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_signoffs(self, obj) -> list[str]:
        if obj.status != ReviewStatus.IN_REVIEW:
            return []
        return missing_signoffs(obj)


class ReviewTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ReviewStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class SignOffSerializer(serializers.ModelSerializer):
    review = serializers.PrimaryKeyRelatedField(queryset=Review.objects.none())
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["review"].queryset = selectors.reviews_for(request.user)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "organization",
            "seq",
            "actor",
            "verb",
            "object_type",
            "object_id",
            "before",
            "after",
            "at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class ChainVerificationSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ChainVerification
        fields = [
            "id",
            "organization",
            "requested_by",
            "status",
            "intact",
            "checked",
            "first_broken_seq",
            "message",
            "worker",
            "requested_at",
            "finished_at",
        ]
        read_only_fields = [f for f in fields if f != "organization"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organization"].queryset = selectors.organizations_where(
                request.user, EDITOR_ROLES
            )
