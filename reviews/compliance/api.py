"""REST API of compliance checklists, assessments, evidence and controls (frameworks and
the crosswalk are read at /api/frameworks/, /api/requirements/ and /api/crosswalk/)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet

from . import selectors, services
from .serializers import (
    AssessmentSerializer,
    ChecklistSerializer,
    EvidenceSerializer,
    UpgradeResultSerializer,
    UpgradeSerializer,
)


class ChecklistViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """A framework attached to a review (POST attaches it and creates an assessment per
    assessable requirement)."""

    serializer_class = ChecklistSerializer
    policy = {
        "create": "checklist.attach",
        "partial_update": "checklist.update",
        "update": "checklist.update",
        "upgrade": "checklist.upgrade",
    }
    filterset_fields = ["review", "framework_urn"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.checklists_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.checklist_attach(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        rule = serializer.validated_data.get("readiness_rule", serializer.instance.readiness_rule)
        serializer.instance = services.checklist_update(
            actor=self.actor, checklist=serializer.instance, readiness_rule=rule
        )

    @extend_schema(request=UpgradeSerializer, responses=UpgradeResultSerializer)
    @action(detail=True, methods=["post"])
    def upgrade(self, request: Request, pk: str | None = None) -> Response:
        """Upgrade to a newer framework version; ``dry_run`` only shows the diff."""
        checklist = self.get_object()
        body = UpgradeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = body.validated_data["framework"]
        plan = services.upgrade_plan(checklist, to)
        if not body.validated_data["dry_run"]:
            services.checklist_upgrade(actor=self.actor, checklist=checklist, to=to)
        return Response(
            {
                "added": [q.urn for q in plan["added"]],
                "changed": [q.urn for q in plan["changed"]],
                "removed": [q.urn for q in plan["removed"]],
                "renamed": [[old.urn, new.urn] for old, new in plan["renamed"]],
                "applied": not body.validated_data["dry_run"],
            }
        )


class AssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """One per requirement of a checklist. ``effective_status`` adds what implemented
    controls imply through the crosswalk (``met_inferred``, ``partially_met_inferred``)
    until a person confirms or overrides it."""

    serializer_class = AssessmentSerializer
    policy = {
        "partial_update": "assessment.update",
        "update": "assessment.update",
        "confirm_inference": "assessment.update",
        "sign_off": "assessment.sign_off",
    }
    filterset_fields = ["checklist", "checklist__review", "status", "applicable", "owner"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.assessments_for(self.request.user).order_by("checklist_id", "id")

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.assessment_update(
            actor=self.actor, assessment=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-inference")
    def confirm_inference(self, request: Request, pk: str | None = None) -> Response:
        assessment = services.assessment_confirm_inference(
            actor=self.actor, assessment=self.get_object()
        )
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        assessment = services.assessment_sign_off(actor=self.actor, assessment=self.get_object())
        return Response(self.get_serializer(assessment).data)


class EvidenceViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Evidence for an assessment: a harm, mitigation, risk acceptance,
    launch gate or audit run of the review (``kind`` and ``target_id``), a ``url``, or an
    uploaded ``file`` (multipart; SHA-256 and version kept)."""

    serializer_class = EvidenceSerializer
    policy = {"create": "evidence.add", "destroy": "evidence.remove"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["assessment", "kind"]

    def get_queryset(self) -> Any:
        return selectors.evidence_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        upload = data.pop("file", None)
        serializer.instance = services.evidence_add(
            actor=self.actor,
            kind=data["kind"],
            assessment=data["assessment"],
            target_id=data.get("target_id"),
            url=data.get("url", ""),
            upload=upload,
            label=data.get("label", ""),
            effective_on=data.get("effective_on"),
            expires_on=data.get("expires_on"),
            note=data.get("note", ""),
        )

    def perform_destroy(self, instance: Any) -> None:
        services.evidence_remove(actor=self.actor, evidence=instance)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(
            self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED
        )
