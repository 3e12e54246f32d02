"""REST API of AI systems, reviews and sign-offs. Viewsets validate input, call one
service or selector, and answer; another organization's object is a 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet

from . import readiness, selectors, services
from .serializers import (
    AISystemSerializer,
    ReadinessSerializer,
    ReviewSerializer,
    ReviewTransitionSerializer,
    RiskAcceptanceSerializer,
    SignOffSerializer,
)


class AISystemViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """AI systems under review."""

    serializer_class = AISystemSerializer
    policy = {
        "create": "system.create",
        "update": "system.update",
        "partial_update": "system.update",
        "destroy": "system.delete",
    }
    filterset_fields = ["organization", "domain"]
    search_fields = ["name", "purpose", "decision_type"]
    ordering_fields = ["name", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.systems_for(self.request.user).order_by("name", "id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.system_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.system_update(
            actor=self.actor, system=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.system_delete(actor=self.actor, system=instance)


class ReviewViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Harm reviews. Status changes go through ``POST /api/reviews/{id}/transition/``."""

    serializer_class = ReviewSerializer
    policy = {
        "create": "review.create",
        "update": "review.update",
        "partial_update": "review.update",
        "destroy": "review.delete",
        # The move decides the action (submit, approve, ...); the service checks it.
        "transition": "review.submit",
    }
    filterset_fields = {
        "status": ["exact", "in"],
        "system": ["exact"],
        "organization": ["exact"],
        "due_date": ["lte", "gte"],
    }
    search_fields = ["title", "system__name"]
    ordering_fields = ["created_at", "updated_at", "due_date", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.reviews_for(self.request.user).order_by("-created_at", "-id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.review_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.review_update(
            actor=self.actor, review=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.review_delete(actor=self.actor, review=instance)

    @extend_schema(request=ReviewTransitionSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the review to another status; approval needs the required sign-offs."""
        review = self.get_object()
        payload = ReviewTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.review_transition(
            actor=self.actor,
            review=review,
            to=payload.validated_data["to"],
            comment=payload.validated_data["comment"],
        )
        return Response(self.get_serializer(review).data)

    @extend_schema(responses=ReadinessSerializer)
    @action(detail=True, methods=["get"])
    def readiness(self, request: Request, pk: str | None = None) -> Response:
        """What keeps the review from its next step (each blocker with the page where it
        is resolved) and its risk acceptances with whether each is still in force."""
        review = self.get_object()
        blockers = readiness.open_blockers(review)
        acceptances = [s.acceptance for s in readiness.acceptance_states(review)]
        context = self.get_serializer_context()
        return Response(
            {
                "status": review.status,
                "blockers": [
                    {
                        "kind": b.kind,
                        "message": b.message,
                        "url": b.url,
                        "target_type": b.target_type,
                        "target_id": b.target_id,
                    }
                    for b in blockers
                ],
                "acceptances": RiskAcceptanceSerializer(
                    acceptances, many=True, context=context
                ).data,
            }
        )


class SignOffViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Sign-offs are evidence: they can be recorded and read, never edited or removed."""

    serializer_class = SignOffSerializer
    policy = {"create": "signoff.create"}
    filterset_fields = ["review", "decision", "round"]
    ordering_fields = ["signed_at"]

    def get_queryset(self) -> Any:
        return selectors.signoffs_for(self.request.user).order_by("signed_at", "id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.signoff_create(actor=self.actor, **serializer.validated_data)


class RiskAcceptanceViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Recorded acceptances of a blocking risk (a high-risk harm without a mitigation, a
    failing launch gate that blocks launch). They are evidence: recorded, read and
    withdrawn (``POST /api/risk-acceptances/{id}/revoke/``), never edited or removed."""

    serializer_class = RiskAcceptanceSerializer
    policy = {"create": "risk.accept", "revoke": "risk.revoke"}
    filterset_fields = ["review", "target_type"]
    ordering_fields = ["accepted_at", "expires_on"]

    def get_queryset(self) -> Any:
        return selectors.acceptances_for(self.request.user).order_by("-accepted_at", "-id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.risk_accept(actor=self.actor, **serializer.validated_data)

    @extend_schema(request=None, responses=RiskAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the acceptance: the risk blocks the review again."""
        acceptance = services.risk_acceptance_revoke(actor=self.actor, acceptance=self.get_object())
        return Response(self.get_serializer(acceptance).data)
