"""REST API of review dossiers."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet
from orgs.plumbing.errors import ServiceError

from . import selectors, services
from .models import DossierStatus
from .serializers import CounterSignedSerializer, DossierSerializer


class DossierViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Signed PDF dossiers of reviews. Each export is numbered and never changes."""

    serializer_class = DossierSerializer
    policy = {"create": "dossier.export", "countersigned": "dossier.countersign"}
    filterset_fields = ["review", "status"]

    def get_queryset(self) -> Any:
        return selectors.dossiers_for(self.request.user)

    @extend_schema(responses={202: DossierSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dossier = services.dossier_export(
            actor=self.actor, review=serializer.validated_data["review"]
        )
        dossier.refresh_from_db()
        return Response(self.get_serializer(dossier).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> Any:
        dossier = self.get_object()
        pdf = services.stored_pdf(dossier) if dossier.status == DossierStatus.READY else None
        if pdf is None:
            raise Http404("This dossier is not ready.")
        return FileResponse(
            io.BytesIO(pdf),
            as_attachment=True,
            filename=dossier.file.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
        )

    @extend_schema(
        request={"multipart/form-data": CounterSignedSerializer},
        responses={201: DossierSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def countersigned(self, request: Request, pk: str | None = None) -> Response:
        """Record an auditor's counter-signed copy of this export (the exported file with
        a signature appended) as the review's next dossier."""
        dossier = self.get_object()
        form = CounterSignedSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > settings.DOSSIER_MAX_VERIFY_BYTES:
            raise ServiceError("The file is too large.", field="file")
        copy = services.dossier_record_countersigned(
            actor=self.actor, dossier=dossier, pdf=upload.read()
        )
        return Response(DossierSerializer(copy).data, status=status.HTTP_201_CREATED)
