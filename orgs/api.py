"""REST API of organizations and the event log. Viewsets validate,
call one service or selector, and answer; another organization's object is a 404."""

from __future__ import annotations

from typing import Any

import django_filters
from axes.exceptions import AxesBackendPermissionDenied
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .api_support import ScopedViewSet
from .ledger.models import Event
from .models import Organization
from .plumbing.filters import SafeFilterSet
from .serializers import (
    ChainVerificationSerializer,
    EventSerializer,
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


class EventFilter(SafeFilterSet):
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

    @extend_schema(responses={202: ChainVerificationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization: Organization = serializer.validated_data["organization"]
        verification = services.event_log_verify(actor=self.actor, organization=organization)
        # In eager mode the task has already run on commit; read back its outcome.
        verification.refresh_from_db()
        return Response(self.get_serializer(verification).data, status=status.HTTP_202_ACCEPTED)


class TokenView(ObtainAuthToken):
    """``POST /api/auth/token/`` with a username and password: the API token. While logins
    are throttled (django-axes) it answers 429 and how long to wait, never whether the
    password was right."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                raise AxesBackendPermissionDenied("Locked out") from None
            raise
