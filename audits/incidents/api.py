"""REST API of incidents and webhooks."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet

from . import escalation, selectors
from .serializers import (
    DeliverySerializer,
    FromFeedbackSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
)


class IncidentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Incidents after launch; PATCH ``status`` moves one open → mitigating → resolved
    (resolving needs a ``resolution``) and links ``harms``, ``mitigations`` and ``runs``."""

    serializer_class = IncidentSerializer
    policy = {
        "create": "incident.create",
        "partial_update": "incident.update",
        "from_feedback": "incident.create",
    }
    filterset_fields = ["review", "monitor", "status", "severity"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.incidents_for(self.request.user).prefetch_related(
            "runs", "harms", "mitigations", "feedback"
        )

    def get_serializer_class(self) -> Any:
        return IncidentUpdateSerializer if self.action == "partial_update" else IncidentSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = escalation.incident_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = escalation.incident_update(
            actor=self.actor, incident=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=FromFeedbackSerializer, responses={201: IncidentSerializer})
    @action(detail=False, methods=["post"], url_path="from-feedback")
    def from_feedback(self, request: Request) -> Response:
        """Escalate a community feedback submission into an incident (docs/monitoring.md)."""
        given = FromFeedbackSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        incident = escalation.incident_from_feedback(actor=self.actor, **given.validated_data)
        data = IncidentSerializer(incident, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class WebhookViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Webhooks of a monitor. The answer to POST carries the ``secret`` (once); deliveries
    are signed with it (docs/monitoring.md, "Webhooks")."""

    serializer_class = WebhookSerializer
    policy = {
        "create": "webhook.create",
        "partial_update": "webhook.update",
        "destroy": "webhook.delete",
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["monitor"]

    def get_queryset(self) -> Any:
        return selectors.webhooks_for(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hook = escalation.webhook_create(actor=self.actor, **serializer.validated_data)
        data = dict(self.get_serializer(hook).data)
        data["secret"] = hook.secret
        return Response(data, status=status.HTTP_201_CREATED)

    def get_serializer_class(self) -> Any:
        return WebhookUpdateSerializer if self.action == "partial_update" else WebhookSerializer

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = escalation.webhook_update(
            actor=self.actor, webhook=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        escalation.webhook_delete(actor=self.actor, webhook=instance)

    @extend_schema(responses={200: DeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        hook = self.get_object()
        return Response(DeliverySerializer(hook.deliveries.all()[:200], many=True).data)
