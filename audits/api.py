"""REST API of datasets, audit runs and launch gates."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ERROR_DETAIL, ScopedViewSet
from orgs.models import Organization

from . import selectors, services
from .serializers import AuditRunSerializer, DatasetSerializer, LaunchGateSerializer


class DatasetViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Uploaded prediction files (multipart ``file``; CSV or Parquet, size-limited)."""

    serializer_class = DatasetSerializer
    policy = {"create": "dataset.upload"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["organization", "format"]

    def get_queryset(self) -> Any:
        return selectors.datasets_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        organization: Organization = serializer.validated_data["organization"]
        serializer.instance = services.dataset_upload(
            actor=self.actor,
            organization=organization,
            upload=serializer.validated_data["file"],
            name=serializer.validated_data.get("name", ""),
        )


class AuditRunViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Audit runs: POST starts one on a worker (202); poll ``status``/``progress``; the
    result (forethought.audit/1 JSON) is at ``/api/audit-runs/{id}/result/``."""

    serializer_class = AuditRunSerializer
    policy = {"create": "audit.run"}
    filterset_fields = ["review", "dataset", "status", "review__system"]

    def get_queryset(self) -> Any:
        return selectors.runs_for(self.request.user).prefetch_related("verdicts__gate")

    @extend_schema(responses={202: AuditRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # review, dataset and config (the engine's AuditConfig)
        run = services.audit_start(actor=self.actor, **serializer.validated_data)
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 409: ERROR_DETAIL})
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        if run.result is None:
            return Response(
                {"detail": f"The run is {run.status}; no result yet."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(run.result)


class LaunchGateViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Pre-launch criteria that audits evaluate; ``metric`` is one of the audit engine's
    summary metrics (audits/engine/names.py). PATCH edits a gate (not its review); the
    review's latest audit judges an edited rule again."""

    serializer_class = LaunchGateSerializer
    policy = {
        "create": "launch_gate.create",
        "update": services.GATE_UPDATE,
        "partial_update": services.GATE_UPDATE,
        "destroy": "launch_gate.delete",
    }
    filterset_fields = ["review", "metric", "action"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.launch_gates_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.launch_gate_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.launch_gate_update(
            actor=self.actor, gate=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.launch_gate_delete(actor=self.actor, gate=instance)
