"""REST API of organizations, members, invitations and the event log. Viewsets validate,
call one service or selector, and answer; another organization's object is a 404."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .api_support import ScopedViewSet
from .ledger.models import Event
from .models import Organization
from .serializers import (
    ChainVerificationSerializer,
    EventSerializer,
    InvitationAcceptSerializer,
    MemberInvitationSerializer,
    MembershipSerializer,
    OrganizationSerializer,
)


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Your organizations. Owners change the name, ``required_signoff_roles`` and
    ``mitigation_risk_threshold``."""

    serializer_class = OrganizationSerializer
    policy = {"update": "organization.update", "partial_update": "organization.update"}
    http_method_names = ["get", "patch", "head", "options"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self) -> Any:
        return selectors.organizations_for(self.request.user)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.organization_update(
            actor=self.actor, organization=serializer.instance, **serializer.validated_data
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

    @extend_schema(request=InvitationAcceptSerializer, responses=MembershipSerializer)
    @action(detail=False, methods=["post"])
    def accept(self, request: Request) -> Response:
        """Join with the invitation's role (any logged-in person holding the link)."""
        payload = InvitationAcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.member_invitation_accept(
            user=self.actor, token=payload.validated_data["token"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class EventFilter(django_filters.FilterSet):
    # Filtering by actor never reaches an anonymous contribution of someone else: that
    # would name its author as surely as showing it.
    actor = django_filters.CharFilter(method="by_actor", label="Actor (username)")
    actor_username = django_filters.CharFilter(method="by_actor", label="Actor (username)")

    class Meta:
        model = Event
        fields = ["organization", "verb", "object_type", "object_id"]

    def by_actor(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        user = self.request.user
        return queryset.filter(actor_username=value).filter(
            Q(anonymous=False) | Q(actor_id=user.pk)
        )


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The append-only, hash-chained event log of your organizations."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ["seq", "at"]

    def get_queryset(self) -> Any:
        return selectors.events_for(self.request.user).order_by("organization_id", "seq")


class ChainVerificationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Queue a check of an organization's event chain on a worker, then read its outcome."""

    serializer_class = ChainVerificationSerializer
    policy = {"create": "event.verify"}
    filterset_fields = ["organization", "status", "intact"]

    def get_queryset(self) -> Any:
        return selectors.chain_verifications_for(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization: Organization = serializer.validated_data["organization"]
        verification = services.event_log_verify(actor=self.actor, organization=organization)
        # In eager mode the task has already run on commit; read back its outcome.
        verification.refresh_from_db()
        return Response(self.get_serializer(verification).data, status=status.HTTP_202_ACCEPTED)
