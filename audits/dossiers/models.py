"""Signed PDF dossiers of reviews: each export is a numbered, immutable file."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.tenancy import TenantModel
from reviews.models import Review


class DossierStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Dossier(TenantModel):
    """One export of a review (or an auditor's counter-signed copy of one, ``based_on``).
    Once ready, nothing about it changes: a new export is a new number."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="dossiers")
    number = models.PositiveIntegerField()
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counter_signed"
    )
    file = models.FileField(upload_to="dossiers/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    # The SHA-256 of the embedded dossier.json: equal for two exports of one review state.
    data_sha256 = models.CharField(max_length=64, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    exported_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    signer_subject = models.CharField(max_length=500, blank=True)
    development_key = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=DossierStatus.choices, default=DossierStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)

    read_action = "dossier.read"

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_dossier_number")
        ]

    def __str__(self) -> str:
        return f"Dossier {self.number} of {self.review}"
