"""Model cards (Mitchell et al., 2019): one per AI system, in numbered versions. A draft is
edited; publishing freezes it for good. Rules live in services.py."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from orgs.tenancy import TenantModel
from reviews.models import AISystem


class ModelCard(TenantModel):
    # A system deleted (only possible while it has no reviews) takes its card along.
    system = models.OneToOneField(AISystem, on_delete=models.CASCADE, related_name="model_card")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "modelcard.read"

    class Meta:
        ordering = ["system__name", "id"]

    def __str__(self) -> str:
        return f"Model card of {self.system}"

    def get_absolute_url(self) -> str:
        return reverse("modelcard", args=[self.system_id])


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ModelCardVersion(TenantModel):
    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    # name, version, license, owners, references, tags, datasets (sections.METADATA).
    metadata = models.JSONField(default=dict, blank=True)
    # section key → Markdown (sections.SECTIONS).
    sections = models.JSONField(default=dict, blank=True)
    # The quantitative analysis: per-group and summary results with their provenance,
    # either computed by Forethought from an audit run or read from an imported card.
    analysis = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    read_action = "modelcard.read"

    class Meta:
        ordering = ["card_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["card", "number"], name="one_number_per_card"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.card.system}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def get_absolute_url(self) -> str:
        return reverse("modelcard_version", args=[self.pk])

    def document(self) -> dict[str, Any]:
        """The version as the plain card document the formats read and write."""
        return {
            "metadata": dict(self.metadata),
            "sections": dict(self.sections),
            "analysis": self.analysis,
        }
