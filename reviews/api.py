"""REST API: thin viewsets that validate input, call a service or selector, and answer.

Every queryset starts from a selector scoped to the requesting user's organizations, so
another organization's object is simply not found (404), never forbidden.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import ADMIN_ROLES, EDITOR_ROLES, SIGNER_ROLES, Organization
from .permissions import RoleWritePermission
from .serializers import (
    AISystemSerializer,
    ChainVerificationSerializer,
    EventSerializer,
    MembershipSerializer,
    OrganizationSerializer,
    ReviewSerializer,
    ReviewTransitionSerializer,
    SignOffSerializer,
)


class ScopedViewSet(viewsets.GenericViewSet):
    permission_classes = [RoleWritePermission]
    write_roles: frozenset = frozenset()


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Your organizations. Owners may change ``required_signoff_roles``."""

    serializer_class = OrganizationSerializer
    write_roles = ADMIN_ROLES
    http_method_names = ["get", "patch", "head", "options"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.organizations_for(self.request.user).order_by("name")

    def perform_update(self, serializer):
        serializer.instance = services.organization_update_signoff_roles(
            actor=self.request.user,
            organization=serializer.instance,
            roles=serializer.validated_data.get(
                "required_signoff_roles", serializer.instance.required_signoff_roles
            ),
        )


class MembershipViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Members of your organizations. Owners add, re-role and remove members."""

    serializer_class = MembershipSerializer
    permission_classes = [RoleWritePermission]
    write_roles = ADMIN_ROLES
    filterset_fields = ["organization", "role"]
    ordering_fields = ["created_at", "role"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.memberships_for(self.request.user).order_by("id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.membership_create(
            actor=self.request.user,
            organization=data["organization"],
            user=data["user"],
            role=data["role"],
        )

    def perform_update(self, serializer):
        serializer.instance = services.membership_change_role(
            actor=self.request.user,
            membership=serializer.instance,
            role=serializer.validated_data.get("role", serializer.instance.role),
        )

    def perform_destroy(self, instance):
        services.membership_delete(actor=self.request.user, membership=instance)


class AISystemViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """AI systems under review."""

    serializer_class = AISystemSerializer
    permission_classes = [RoleWritePermission]
    write_roles = EDITOR_ROLES
    filterset_fields = ["organization", "domain"]
    search_fields = ["name", "purpose", "decision_type"]
    ordering_fields = ["name", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.systems_for(self.request.user).order_by("name", "id")

    def perform_create(self, serializer):
        serializer.instance = services.system_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.system_update(
            actor=self.request.user, system=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.system_delete(actor=self.request.user, system=instance)


class ReviewViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Harm reviews. Status changes go through ``POST /api/reviews/{id}/transition/``."""

    serializer_class = ReviewSerializer
    permission_classes = [RoleWritePermission]
    write_roles = EDITOR_ROLES
    filterset_fields = {
        "status": ["exact", "in"],
        "system": ["exact"],
        "system__organization": ["exact"],
        "due_date": ["lte", "gte"],
    }
    search_fields = ["title", "system__name"]
    ordering_fields = ["created_at", "updated_at", "due_date", "title"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.reviews_for(self.request.user).order_by("-created_at", "-id")

    def perform_create(self, serializer):
        serializer.instance = services.review_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.review_update(
            actor=self.request.user, review=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.review_delete(actor=self.request.user, review=instance)

    @extend_schema(request=ReviewTransitionSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the review to another status; approval needs the required sign-offs."""
        review = self.get_object()
        payload = ReviewTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.review_transition(
            actor=request.user,
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
    write_roles = SIGNER_ROLES
    filterset_fields = ["review", "decision", "round"]
    ordering_fields = ["signed_at"]

    def get_queryset(self):
        return selectors.signoffs_for(self.request.user).order_by("signed_at", "id")

    def perform_create(self, serializer):
        serializer.instance = services.signoff_create(
            actor=self.request.user, **serializer.validated_data
        )


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The append-only, hash-chained event log of your organizations."""

    serializer_class = EventSerializer
    filterset_fields = ["organization", "verb", "object_type", "object_id", "actor_username"]
    ordering_fields = ["seq", "at"]

    def get_queryset(self):
        return selectors.events_for(self.request.user).order_by("organization_id", "seq")


class ChainVerificationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Queue a check of an organization's event chain on a worker, then read its outcome."""

    serializer_class = ChainVerificationSerializer
    write_roles = EDITOR_ROLES
    filterset_fields = ["organization", "status", "intact"]

    def get_queryset(self):
        return selectors.chain_verifications_for(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization: Organization = serializer.validated_data["organization"]
        verification = services.chain_verification_start(
            actor=request.user, organization=organization
        )
        # In eager mode the task has already run on commit; read back its outcome.
        verification.refresh_from_db()
        return Response(self.get_serializer(verification).data, status=status.HTTP_202_ACCEPTED)
