"""REST API of controls and their evidence."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from orgs.api_support import (
    ScopedPK,
    ScopedViewSet,
    StrictInput,
    UserField,
    organizations_for_action,
)

from . import selectors, services
from .models import Control, ControlEvidence


class ControlSerializer(StrictInput, serializers.ModelSerializer):
    organization = ScopedPK(organizations_for_action("control.create"))
    owner = UserField(required=False, allow_null=True)
    requirements = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=500
    )

    class Meta:
        model = Control
        fields = [
            "id",
            "organization",
            "name",
            "description",
            "status",
            "owner",
            "requirements",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["organization"].read_only = True


class ControlEvidenceSerializer(StrictInput, serializers.ModelSerializer):
    control = ScopedPK(selectors.controls_for)
    file = serializers.FileField(required=False, allow_null=True, write_only=True)
    file_url = serializers.SerializerMethodField()
    effective_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = ControlEvidence
        fields = [
            "id",
            "control",
            "label",
            "url",
            "file",
            "file_url",
            "sha256",
            "file_version",
            "effective_on",
            "expires_on",
            "added_at",
        ]
        read_only_fields = ["id", "sha256", "file_version", "added_at"]
        extra_kwargs = {
            "url": {"required": False, "allow_blank": True, "max_length": 1000},
            "label": {"required": False, "allow_blank": True, "max_length": 300},
        }

    def get_file_url(self, obj: ControlEvidence) -> str | None:
        return obj.file.url if obj.file else None


class ControlViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Controls implemented once per organization; ``requirements`` lists the requirement
    URNs each meets directly (the crosswalk infers the rest)."""

    serializer_class = ControlSerializer
    permission_classes = ScopedViewSet.permission_classes
    policy = {
        "create": "control.create",
        "partial_update": "control.update",
        "update": "control.update",
    }
    filterset_fields = ["status", "owner"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.controls_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.control_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.control_update(
            actor=self.actor, control=serializer.instance, **serializer.validated_data
        )


class ControlEvidenceViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """A control's evidence: a ``url`` or an uploaded ``file`` (multipart; SHA-256 and a
    version number kept), with effective date and expiry."""

    serializer_class = ControlEvidenceSerializer
    policy = {"create": "control.update", "destroy": "control.update"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["control"]

    def get_queryset(self) -> Any:
        return selectors.control_evidence_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.control_evidence_add(
            actor=self.actor,
            control=data["control"],
            url=data.get("url", ""),
            upload=data.get("file"),
            label=data.get("label", ""),
            effective_on=data.get("effective_on"),
            expires_on=data.get("expires_on"),
        )

    def perform_destroy(self, instance: Any) -> None:
        services.control_evidence_remove(actor=self.actor, evidence=instance)
