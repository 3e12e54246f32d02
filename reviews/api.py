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

from . import selectors, services
from .serializers import (
    AISystemSerializer,
    ReviewSerializer,
    ReviewTransitionSerializer,
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
