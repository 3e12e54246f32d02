from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from . import access
from .api_support import ScopedPK, StrictInput, organizations_for_action
from .ledger.models import ChainVerification, Event
from .ledger.selectors import event_view
from .models import Organization
from .services import SIGNING_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class OrganizationSerializer(StrictInput, serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "required_signoff_roles",
            "risk_acceptance_roles",
            "mitigation_risk_threshold",
            "my_role",
            "created_at",
        ]
        read_only_fields = ["id", "slug", "my_role", "created_at"]

    def get_my_role(self, obj: Organization) -> str | None:
        role = access.standing(self.context["request"].user, obj)
        return role if role in access.ANYONE - {access.OUTSIDER, access.ANONYMOUS} else None

    def validate_risk_acceptance_roles(self, value: Any) -> list[str]:
        members = sorted(access.MEMBERS)
        if not isinstance(value, list) or not value:
            raise serializers.ValidationError("Give a non-empty list of roles.")
        bad = [r for r in value if not isinstance(r, str) or r not in members]
        if bad:
            raise serializers.ValidationError(
                f"Unknown roles: {', '.join(map(str, bad))}. Use {', '.join(members)}."
            )
        return value

    def validate_required_signoff_roles(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise serializers.ValidationError("Give a non-empty list of roles.")
        bad = [r for r in value if not isinstance(r, str) or r not in SIGNING_ROLES]
        if bad:
            raise serializers.ValidationError(
                f"Unknown or non-signing roles: {', '.join(map(str, bad))}. "
                f"Use {', '.join(SIGNING_ROLES)}."
            )
        return value


class EventSerializer(StrictInput, serializers.ModelSerializer):
    """Events as the requesting user may see them: the actor of an anonymous contribution
    is hidden from everyone but that actor."""

    actor = serializers.CharField(
        read_only=True, help_text='The username, "system", or "anonymous participant".'
    )
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

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
            "anonymous",
            "at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Event) -> dict[str, Any]:
        user = self.context["request"].user
        view = event_view(instance, user.pk if user.is_authenticated else None)
        return {**asdict(view), "at": serializers.DateTimeField().to_representation(view.at)}


class ChainVerificationSerializer(StrictInput, serializers.ModelSerializer):
    organization = ScopedPK(organizations_for_action("event.verify"))
    requested_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

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
