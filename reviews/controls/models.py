"""Controls: safeguards an organization runs once (e.g. "Human review of adverse
decisions"), with their own evidence, that meet the requirements they name in every
review's checklists, and others through the crosswalk (reviews/frameworks/inference.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.tenancy import TenantModel


class ControlStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IMPLEMENTED = "implemented", "Implemented"
    RETIRED = "retired", "Retired"


class Control(TenantModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    status = models.CharField(
        max_length=12, choices=ControlStatus.choices, default=ControlStatus.PLANNED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Requirement URNs the control meets directly (any framework, any version).
    requirements = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "control.read"

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ControlEvidence(TenantModel):
    """A file (SHA-256, version, effective date, expiry) or a web page showing the control
    works."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="evidence")
    label = models.CharField(max_length=300)
    url = models.URLField(blank=True, max_length=1000)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file_version = models.PositiveIntegerField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    read_action = "control.read"

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "control evidence"

    def __str__(self) -> str:
        return self.label
