"""REST API of monitors and production batches."""

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
    BatchInSerializer,
    BatchSerializer,
    MonitorSerializer,
    MonitorUpdateSerializer,
)


class MonitorViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Monitors of deployed systems. ``POST /api/monitors/{id}/batches/`` sends a
    production batch: a multipart ``file`` (CSV/Parquet, AUDIT_MAX_UPLOAD_MB) or JSON
    ``counts`` rows (with ``score_bins``, the edges of the rows' ``score_bin``, for AUC and
    calibration); send an ``Idempotency-Key`` header so a retried upload counts once."""

    serializer_class = MonitorSerializer
    policy = {
        "create": "monitor.create",
        "partial_update": "monitor.update",
        "batches": "batch.push",
    }
    filterset_fields = ["review", "active"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        return selectors.monitors_for(self.request.user).prefetch_related("gates", "on_call")

    def get_serializer_class(self) -> Any:
        if self.action == "partial_update":
            return MonitorUpdateSerializer
        if self.action == "batches":
            return BatchInSerializer
        return MonitorSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.monitor_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.monitor_update(
            actor=self.actor, monitor=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        request=BatchInSerializer, responses={200: BatchSerializer(many=True), 202: BatchSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def batches(self, request: Request, pk: str | None = None) -> Response:
        monitor = self.get_object()
        if request.method == "GET":
            rows = monitor.batches.prefetch_related("readings").order_by("-period_end")[:200]
            return Response(BatchSerializer(rows, many=True).data)
        serializer = BatchInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch = services.batch_push(
            actor=self.actor,
            monitor=monitor,
            upload=data.get("file"),
            counts=data.get("counts"),
            score_bins=data.get("score_bins"),
            period_end=data.get("period_end"),
        )
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)
