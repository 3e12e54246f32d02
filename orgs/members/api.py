"""REST API of memberships and invitations to join."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet

from . import selectors, services
from .serializers import (
    InvitationAcceptSerializer,
    MemberInvitationSerializer,
    MembershipSerializer,
)


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Members of your organizations. Owners change roles and remove members; people join
    through ``/api/member-invitations/``."""

    serializer_class = MembershipSerializer
    policy = {
        "update": "membership.update",
        "partial_update": "membership.update",
        "destroy": "membership.delete",
    }
    filterset_fields = ["organization", "role"]
    ordering_fields = ["created_at", "role"]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.memberships_for(self.request.user).order_by("id")

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.membership_change_role(
            actor=self.actor,
            membership=serializer.instance,
            role=serializer.validated_data.get("role", serializer.instance.role),
        )

    def perform_destroy(self, instance: Any) -> None:
        services.membership_delete(actor=self.actor, membership=instance)


class MemberInvitationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Invitations to join an organization. An owner creates one (the link is in the
    response, once; it is mailed when ``email`` is given); the invitee accepts it with
    ``POST /api/member-invitations/accept/``. Nothing here tells whether an address or a
    username already has an account."""

    serializer_class = MemberInvitationSerializer
    policy = {"create": "member_invitation.create", "revoke": "member_invitation.revoke"}
    filterset_fields = ["organization", "role"]

    def get_queryset(self) -> Any:
        return selectors.member_invitations_for(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, token = services.member_invitation_create(
            actor=self.actor,
            organization=data["organization"],
            role=data["role"],
            email=data.get("email", ""),
            days=data.get("days", services.MEMBER_INVITATION_DAYS),
        )
        body = self.get_serializer(
            invitation,
            context={
                **self.get_serializer_context(),
                "urls": {invitation.pk: services.member_invitation_url(token)},
            },
        ).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        invitation = services.member_invitation_revoke(
            actor=self.actor, invitation=self.get_object()
        )
        return Response(self.get_serializer(invitation).data)

    @extend_schema(request=InvitationAcceptSerializer, responses={201: MembershipSerializer})
    @action(detail=False, methods=["post"])
    def accept(self, request: Request) -> Response:
        """Join with the invitation's role (any logged-in person holding the link)."""
        payload = InvitationAcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.member_invitation_accept(
            user=self.actor, token=payload.validated_data["token"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
