"""REST API of model cards and their versions."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet

from . import selectors, services
from .documents import diff, formats
from .serializers import (
    FORMAT_CHOICES,
    AnalysisSerializer,
    DiffRowSerializer,
    ExportSerializer,
    ImportSerializer,
    ModelCardSerializer,
    ModelCardVersionSerializer,
)


class ModelCardViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """One model card per AI system (POST creates it with a first draft). Versions are at
    ``/api/model-card-versions/``."""

    serializer_class = ModelCardSerializer
    policy = {
        "create": "modelcard.create",
        "new_draft": "modelcard.update",
        "import_card": "modelcard.update",
    }
    filterset_fields = ["system"]

    def get_queryset(self) -> Any:
        return selectors.cards_for(self.request.user).order_by("system__name", "id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.modelcard_create(
            actor=self.actor, system=serializer.validated_data["system"]
        )

    @extend_schema(request=None, responses={201: ModelCardVersionSerializer})
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request: Request, pk: str | None = None) -> Response:
        """A new draft copied from the latest version (409 while a draft exists)."""
        version = services.version_new_draft(actor=self.actor, card=self.get_object())
        return Response(ModelCardVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImportSerializer, responses=ModelCardVersionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_card(self, request: Request, pk: str | None = None) -> Response:
        """Read a card file into the draft. A file that cannot be read is a 400 naming the
        field and line (``details``)."""
        card = self.get_object()
        payload = ImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services.modelcard_import(
            actor=self.actor,
            card=card,
            format=payload.validated_data["format"],
            upload=payload.validated_data["file"],
        )
        return Response(ModelCardVersionSerializer(version).data)


CARD_FORMAT = OpenApiParameter(
    "card_format", str, enum=[k for k, _ in FORMAT_CHOICES], required=True
)
AGAINST = OpenApiParameter("against", int, required=True, description="Another version's id.")


class ModelCardVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Numbered versions of a card. PATCH edits a draft's ``sections`` and ``metadata``
    (given keys only); a published version is frozen (409)."""

    serializer_class = ModelCardVersionSerializer
    policy = {
        "partial_update": "modelcard.update",
        "publish": "modelcard.publish",
        "analysis": "modelcard.update",
    }
    filterset_fields = ["card", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.versions_for(self.request.user).order_by("card_id", "-number")

    def perform_update(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.version_update(
            actor=self.actor,
            version=serializer.instance,
            sections=data.get("sections"),
            metadata=data.get("metadata"),
        )

    @extend_schema(request=None, responses=ModelCardVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Freeze the version for good."""
        version = services.version_publish(actor=self.actor, version=self.get_object())
        return Response(self.get_serializer(version).data)

    @extend_schema(request=AnalysisSerializer, responses=ModelCardVersionSerializer)
    @action(detail=True, methods=["post"])
    def analysis(self, request: Request, pk: str | None = None) -> Response:
        """Fill the quantitative analysis from a succeeded audit run of the system."""
        version = self.get_object()
        payload = AnalysisSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version = services.version_set_analysis(
            actor=self.actor, version=version, run=payload.validated_data["run"]
        )
        return Response(self.get_serializer(version).data)

    @extend_schema(parameters=[CARD_FORMAT], responses=ExportSerializer)
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        """The version as a Hugging Face README.md, Model Card Toolkit JSON or Markdown."""
        version = self.get_object()
        fmt = formats().get(request.query_params.get("card_format", ""))
        if fmt is None:
            raise ValidationError({"card_format": ["One of: " + ", ".join(formats()) + "."]})
        return Response(
            {
                "format": fmt.key,
                "filename": fmt.filename,
                "content_type": fmt.content_type,
                "content": fmt.write(version.document()),
            }
        )

    @extend_schema(parameters=[AGAINST], responses=DiffRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str | None = None) -> Response:
        """What changed from version ``against`` (of the same card) to this one."""
        version = self.get_object()
        against = request.query_params.get("against", "")
        if not against.isdigit() or len(against) > 18:
            raise ValidationError({"against": ["A version id."]})
        other = get_object_or_404(self.get_queryset(), pk=int(against), card_id=version.card_id)
        return Response(diff.compare(other.document(), version.document()))
