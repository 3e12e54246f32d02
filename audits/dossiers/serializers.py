from __future__ import annotations

from typing import Any

from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput
from reviews.selectors import reviews_where

from .models import Dossier


class DossierSerializer(StrictInput, serializers.ModelSerializer):
    """An export of a review: POST with ``review`` queues one (202); poll ``status`` and
    ``progress``; download from ``/api/dossiers/{id}/download/`` once ``ready``."""

    review = ScopedPK(lambda u: reviews_where(u, "dossier.export"))
    exported_by = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "review",
            "number",
            "based_on",
            "status",
            "progress",
            "stage",
            "error",
            "sha256",
            "data_sha256",
            "size_bytes",
            "pages",
            "signer_subject",
            "development_key",
            "exported_by",
            "exported_at",
            "finished_at",
        ]
        read_only_fields = [f for f in fields if f != "review"]

    def get_exported_by(self, obj: Dossier) -> str | None:
        user: Any = obj.exported_by
        return str(user.get_username()) if user is not None else None


class CounterSignedSerializer(StrictInput, serializers.Serializer):
    file = serializers.FileField()
