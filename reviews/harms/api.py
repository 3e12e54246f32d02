"""REST API of the harm register. Contributions made in a workshop (cards, ratings and
votes of participants and guests) go through the workshop's own routes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet

from . import selectors, services
from .models import HarmCategory
from .serializers import (
    HarmCategorySerializer,
    HarmSerializer,
    MitigationSerializer,
    RatingSerializer,
    StakeholderSerializer,
    VoteSerializer,
)


class HarmCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The harm taxonomy (four families, each category with a prompt question)."""

    serializer_class = HarmCategorySerializer
    queryset = HarmCategory.objects.all()
    lookup_field = "slug"
    pagination_class = None


class StakeholderViewSet(viewsets.ModelViewSet, ScopedViewSet):
    serializer_class = StakeholderSerializer
    policy = {
        "create": "stakeholder.create",
        "update": "stakeholder.update",
        "partial_update": "stakeholder.update",
        "destroy": "stakeholder.delete",
    }
    permission_classes = ScopedViewSet.permission_classes
    filterset_fields = ["review", "kind", "vulnerable"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.stakeholders_for(self.request.user).order_by("review_id", "kind", "name")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.stakeholder_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.stakeholder_update(
            actor=self.actor, stakeholder=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.stakeholder_delete(actor=self.actor, stakeholder=instance)


class HarmViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """The harm register: aggregates (median severity and likelihood, risk, IQR,
    contested, votes) come with every harm."""

    serializer_class = HarmSerializer
    permission_classes = ScopedViewSet.permission_classes
    policy = {
        "create": "harm.create",
        "update": "harm.update",
        "partial_update": "harm.update",
        "destroy": "harm.delete",
    }
    filterset_fields = {
        "review": ["exact"],
        "status": ["exact"],
        "source": ["exact"],
        "category__slug": ["exact"],
        "category__family": ["exact"],
        "stakeholders": ["exact"],
    }
    ordering_fields = ["created_at", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            selectors.harms_for(self.request.user)
            .prefetch_related("stakeholders")
            .order_by("created_at", "id")
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        contested = self.request.query_params.get("contested")
        risk_min = self.request.query_params.get("risk_min")
        if contested is None and risk_min is None:
            return queryset
        try:
            minimum = float(risk_min) if risk_min is not None else None
        except ValueError as exc:
            raise ValidationError({"risk_min": ["Give a number."]}) from exc
        aggs = selectors.harm_aggregates(list(queryset))
        keep = [
            pk
            for pk, agg in aggs.items()
            if (contested is None or agg.contested == (contested.lower() in {"1", "true", "yes"}))
            and (minimum is None or (agg.risk is not None and agg.risk >= minimum))
        ]
        return queryset.filter(pk__in=keep)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        self._aggregates = selectors.harm_aggregates(page if page is not None else list(queryset))
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "aggregates": getattr(self, "_aggregates", None),
        }

    @extend_schema(
        parameters=[
            OpenApiParameter("contested", bool, description="Only contested (IQR ≥ 2) harms"),
            OpenApiParameter("risk_min", float, description="Only harms with risk ≥ this"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.harm_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.harm_update(
            actor=self.actor, harm=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "confirm",
                bool,
                description="Required (true) to delete a harm that has ratings; they go too.",
            )
        ]
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: Any) -> None:
        confirm = self.request.query_params.get("confirm", "").lower()
        services.harm_delete(
            actor=self.actor, harm=instance, confirmed=confirm in {"true", "1", "yes"}
        )


class RatingViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Your own ratings. Editors rate harms raised outside a workshop here (POST again to
    change a rating); workshop cards are rated at ``/api/workshops/{id}/ratings/``."""

    serializer_class = RatingSerializer
    policy = {"create": "rating.set"}
    filterset_fields = ["harm"]

    def get_queryset(self) -> Any:
        return selectors.ratings_for(self.request.user)

    @extend_schema(responses={201: RatingSerializer, 200: RatingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating, created = services.rating_set(actor=self.actor, **serializer.validated_data)
        return Response(
            self.get_serializer(rating).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class VoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Your own dot-votes. Dots are placed and taken back in a workshop
    (``/api/workshops/{id}/vote/`` and ``/unvote/``)."""

    serializer_class = VoteSerializer
    filterset_fields = ["harm"]

    def get_queryset(self) -> Any:
        return selectors.votes_for(self.request.user)


class MitigationViewSet(viewsets.ModelViewSet, ScopedViewSet):
    serializer_class = MitigationSerializer
    permission_classes = ScopedViewSet.permission_classes
    policy = {
        "create": "mitigation.create",
        "update": "mitigation.update",
        "partial_update": "mitigation.update",
        "destroy": "mitigation.delete",
    }
    filterset_fields = ["harm", "status", "owner", "harm__review"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.mitigations_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.mitigation_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.mitigation_update(
            actor=self.actor, mitigation=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.mitigation_delete(actor=self.actor, mitigation=instance)
