"""Workshop API. Viewsets stay thin: scoped selectors for reads, services for writes."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ..api import ScopedViewSet
from ..models import EDITOR_ROLES, Role
from . import selectors, services
from .models import HarmCategory, WorkshopStatus
from .serializers import (
    ConsequenceSerializer,
    HarmCategorySerializer,
    HarmSerializer,
    InvitationSerializer,
    LaunchGateSerializer,
    MitigationSerializer,
    RatingSerializer,
    StakeholderSerializer,
    VoteSerializer,
    WorkshopJoinSerializer,
    WorkshopRoundSerializer,
    WorkshopSerializer,
)

CONTRIBUTOR_ROLES = EDITOR_ROLES | {Role.PARTICIPANT}
RUNNER_ROLES = frozenset({Role.OWNER, Role.FACILITATOR, Role.REVIEWER})


class HarmCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The harm taxonomy (four families, each category with a prompt question)."""

    serializer_class = HarmCategorySerializer
    queryset = HarmCategory.objects.all()
    lookup_field = "slug"
    pagination_class = None


class WorkshopViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Workshops. The facilitator opens, closes and moves rounds; members join."""

    serializer_class = WorkshopSerializer
    write_roles = CONTRIBUTOR_ROLES
    filterset_fields = ["review", "status", "format"]

    def get_queryset(self):
        return selectors.workshops_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.workshop_create(
            actor=self.request.user, **serializer.validated_data
        )

    def _status(self, request, to):
        workshop = services.workshop_set_status(
            actor=request.user, workshop=self.get_object(), status=to
        )
        return Response(self.get_serializer(workshop).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._status(request, WorkshopStatus.OPEN)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._status(request, WorkshopStatus.CLOSED)

    @extend_schema(request=WorkshopRoundSerializer)
    @action(detail=True, methods=["post"], url_path="round")
    def set_round(self, request, pk=None):
        workshop = self.get_object()
        data = WorkshopRoundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workshop = services.workshop_set_round(
            actor=request.user, workshop=workshop, number=data.validated_data["round"]
        )
        return Response(self.get_serializer(workshop).data)

    @extend_schema(request=WorkshopJoinSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        workshop = self.get_object()
        data = WorkshopJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.workshop_join(actor=request.user, workshop=workshop, **data.validated_data)
        return Response(self.get_serializer(workshop).data)


class InvitationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Invitation links (unguessable, expiring, revocable) for the people who run workshops."""

    serializer_class = InvitationSerializer
    write_roles = RUNNER_ROLES
    filterset_fields = ["workshop"]

    def get_queryset(self):
        return selectors.invitations_for(self.request.user).select_related("workshop")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.invitation_create(actor=self.request.user, **data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


class StakeholderViewSet(viewsets.ModelViewSet, ScopedViewSet):
    serializer_class = StakeholderSerializer
    permission_classes = ScopedViewSet.permission_classes
    write_roles = CONTRIBUTOR_ROLES
    filterset_fields = ["review", "kind", "vulnerable"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.stakeholders_for(self.request.user).order_by("review_id", "kind", "name")

    def perform_create(self, serializer):
        serializer.instance = services.stakeholder_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        data = {
            k: v for k, v in serializer.validated_data.items() if k not in {"review", "workshop"}
        }
        serializer.instance = services.stakeholder_update(
            actor=self.request.user, stakeholder=serializer.instance, **data
        )

    def perform_destroy(self, instance):
        services.stakeholder_delete(actor=self.request.user, stakeholder=instance)


class HarmViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Harm cards and the register: aggregates (median severity and likelihood, risk,
    IQR, contested, votes) come with every harm."""

    serializer_class = HarmSerializer
    permission_classes = ScopedViewSet.permission_classes
    write_roles = CONTRIBUTOR_ROLES
    filterset_fields = {
        "review": ["exact"],
        "workshop": ["exact"],
        "status": ["exact"],
        "source": ["exact"],
        "category__slug": ["exact"],
        "category__family": ["exact"],
        "stakeholders": ["exact"],
    }
    ordering_fields = ["created_at", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return (
            selectors.harms_for(self.request.user)
            .prefetch_related("stakeholders")
            .order_by("created_at", "id")
        )

    def filter_queryset(self, queryset):
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

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._aggregates = selectors.harm_aggregates(page if page is not None else list(queryset))
        return page

    def get_serializer_context(self):
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
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.harm_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.harm_update(
            actor=self.request.user, harm=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.harm_delete(actor=self.request.user, harm=instance)


class RatingViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Your ratings. POST again for the same harm to change your rating."""

    serializer_class = RatingSerializer
    write_roles = CONTRIBUTOR_ROLES
    filterset_fields = ["harm"]

    def get_queryset(self):
        return selectors.ratings_for(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = data["harm"].ratings.filter(user=request.user).exists()
        rating = services.rating_set(actor=request.user, **data)
        return Response(
            self.get_serializer(rating).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class VoteViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Your dot-votes: each POST places one dot, DELETE takes it back."""

    serializer_class = VoteSerializer
    write_roles = CONTRIBUTOR_ROLES
    filterset_fields = ["harm", "workshop"]

    def get_queryset(self):
        return selectors.votes_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.vote_add(
            actor=self.request.user, harm=serializer.validated_data["harm"]
        )

    def perform_destroy(self, instance):
        services.vote_remove(actor=self.request.user, vote=instance)


class ConsequenceViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Consequence-scanning cards; PATCH ``disposition`` sorts a card into act, influence
    or monitor."""

    serializer_class = ConsequenceSerializer
    write_roles = CONTRIBUTOR_ROLES
    filterset_fields = ["workshop", "intent", "valence", "disposition"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.consequences_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.consequence_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.consequence_sort(
            actor=self.request.user,
            consequence=serializer.instance,
            disposition=serializer.validated_data.get("disposition", ""),
        )


class MitigationViewSet(viewsets.ModelViewSet, ScopedViewSet):
    serializer_class = MitigationSerializer
    permission_classes = ScopedViewSet.permission_classes
    write_roles = EDITOR_ROLES
    filterset_fields = ["harm", "status", "owner", "harm__review"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.mitigations_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.mitigation_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.mitigation_update(
            actor=self.request.user, mitigation=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.mitigation_delete(actor=self.request.user, mitigation=instance)


class LaunchGateViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Pre-launch criteria that audits evaluate; ``metric`` is one of the audit engine's
    summary metrics (audits/engine/names.py)."""

    serializer_class = LaunchGateSerializer
    write_roles = EDITOR_ROLES
    filterset_fields = ["review", "metric", "action"]

    def get_queryset(self):
        return selectors.launch_gates_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.launch_gate_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.launch_gate_delete(actor=self.request.user, gate=instance)
