from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from reviews import selectors as core
from reviews.api import ScopedViewSet
from reviews.models import EDITOR_ROLES, Organization, Review

from . import selectors, services
from .models import AuditRun, Dataset, GateVerdict


@extend_schema_field(OpenApiTypes.INT)
class _ScopedPK(serializers.PrimaryKeyRelatedField):
    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)


class DatasetSerializer(serializers.ModelSerializer):
    organization = _ScopedPK(lambda u: core.organizations_where(u, EDITOR_ROLES))
    file = serializers.FileField(write_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "organization",
            "name",
            "file",
            "format",
            "sha256",
            "size_bytes",
            "columns",
            "created_at",
        ]
        read_only_fields = ["id", "format", "sha256", "size_bytes", "columns", "created_at"]
        extra_kwargs = {"name": {"required": False}}


class GateVerdictSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="gate.metric")
    action = serializers.CharField(source="gate.action")

    class Meta:
        model = GateVerdict
        fields = ["gate", "metric", "action", "verdict", "value", "ci_low", "ci_high", "reason"]


class AuditRunSerializer(serializers.ModelSerializer):
    review = _ScopedPK(lambda u: Review.objects.for_user(u))
    dataset = _ScopedPK(selectors.datasets_for)
    verdicts = GateVerdictSerializer(many=True, read_only=True)
    sensitive = serializers.ListField(child=serializers.CharField(), min_length=1)
    reference = serializers.DictField(child=serializers.CharField(), required=False)

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "review",
            "dataset",
            "y_true",
            "y_pred",
            "y_score",
            "threshold",
            "sensitive",
            "positive",
            "positive_is",
            "reference",
            "weight",
            "bootstrap",
            "seed",
            "status",
            "progress",
            "parts",
            "error",
            "timings",
            "verdicts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "progress",
            "parts",
            "error",
            "timings",
            "created_at",
            "started_at",
            "finished_at",
        ]


class DatasetViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Uploaded prediction files (multipart ``file``; CSV or Parquet, size-limited)."""

    serializer_class = DatasetSerializer
    write_roles = EDITOR_ROLES
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["organization", "format"]

    def get_queryset(self):
        return selectors.datasets_for(self.request.user)

    def perform_create(self, serializer):
        organization: Organization = serializer.validated_data["organization"]
        serializer.instance = services.dataset_upload(
            actor=self.request.user,
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
    write_roles = EDITOR_ROLES
    filterset_fields = ["review", "dataset", "status", "review__system"]

    def get_queryset(self):
        return selectors.runs_for(self.request.user).prefetch_related("verdicts__gate")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        run = services.audit_start(actor=request.user, **data)
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        run = self.get_object()
        if run.result is None:
            return Response(
                {"detail": f"The run is {run.status}; no result yet."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(run.result)
