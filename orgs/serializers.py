from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from . import access
from .api_support import ScopedPK, organizations_for_action
from .ledger.models import ChainVerification, Event
from .ledger.selectors import event_view
from .models import MemberInvitation, Membership, Organization, Role
from .services import INVITABLE_ROLES, SIGNING_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class OrganizationSerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "required_signoff_roles",
            "mitigation_risk_threshold",
            "my_role",
            "created_at",
        ]
        read_only_fields = ["id", "slug", "my_role", "created_at"]

    def get_my_role(self, obj: Organization) -> str | None:
        role = access.standing(self.context["request"].user, obj)
        return role if role in access.ANYONE - {access.OUTSIDER, access.ANONYMOUS} else None

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


class MembershipSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Membership
        fields = ["id", "organization", "user", "role", "created_at"]
        read_only_fields = ["id", "organization", "user", "created_at"]


class MemberInvitationSerializer(serializers.ModelSerializer):
    organization = ScopedPK(organizations_for_action("member_invitation.create"))
    role = serializers.ChoiceField(choices=[(r, Role(r).label) for r in INVITABLE_ROLES])
    days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=30)
    url = serializers.SerializerMethodField(
        help_text="The link to send; returned once, when the invitation is created."
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = MemberInvitation
        fields = [
            "id",
            "organization",
            "email",
            "role",
            "days",
            "url",
            "status",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = ["id", "url", "status", "created_at", "expires_at"]
        read_only_fields += ["accepted_at", "revoked_at"]

    def get_url(self, obj: MemberInvitation) -> str | None:
        return self.context.get("urls", {}).get(obj.pk)

    def get_status(self, obj: MemberInvitation) -> str:
        if obj.accepted_at:
            return "accepted"
        if obj.revoked_at:
            return "revoked"
        from django.utils import timezone

        return "expired" if obj.expires_at <= timezone.now() else "pending"


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)


class EventSerializer(serializers.ModelSerializer):
    """Events as the requesting user may see them: the actor of an anonymous contribution
    is hidden from everyone but that actor."""

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


class ChainVerificationSerializer(serializers.ModelSerializer):
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
