from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput, organizations_for_action
from orgs.models import Membership, Role

from .models import MemberInvitation
from .services import INVITABLE_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class MembershipSerializer(StrictInput, serializers.ModelSerializer):
    user: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Membership
        fields = ["id", "organization", "user", "role", "created_at"]
        read_only_fields = ["id", "organization", "user", "created_at"]


class MemberInvitationSerializer(StrictInput, serializers.ModelSerializer):
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

        return "expired" if obj.expires_at <= timezone.now() else "pending"


class InvitationAcceptSerializer(StrictInput, serializers.Serializer):
    token = serializers.CharField(max_length=200)
