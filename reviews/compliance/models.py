"""A review's compliance checklists: one per attached framework, an assessment per
requirement, and evidence for assessments. Controls (reviews/controls) fill items through
the crosswalk until a person confirms.

Evidence points at its target by kind and id (``evidence.KINDS``), so a new kind of
evidence is a registry entry, not a schema change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgs.tenancy import TenantModel
from reviews.frameworks.models import Framework, Requirement
from reviews.models import Review


class ReadinessRule(models.TextChoices):
    OFF = "off", "Does not block approval"
    NOT_MET_ACCEPTED = (
        "not_met_accepted",
        "Every “not met” item needs a risk acceptance in force",
    )
    ALL_RESOLVED = (
        "all_resolved",
        "Every applicable item assessed, and every “not met” one accepted",
    )


class Checklist(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="checklists")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    # One checklist per framework per review, whatever the version.
    framework_urn = models.CharField(max_length=120)
    readiness_rule = models.CharField(
        max_length=20, choices=ReadinessRule.choices, default=ReadinessRule.NOT_MET_ACCEPTED
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)
    upgraded_at = models.DateTimeField(null=True, blank=True)

    read_action = "checklist.read"

    class Meta:
        ordering = ["attached_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "framework_urn"], name="one_checklist_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} for {self.review}"


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    NOT_MET = "not_met", "Not met"


class Basis(models.TextChoices):
    MANUAL = "manual", "Assessed by a person"
    CONFIRMED = "confirmed", "Inference confirmed"


class Assessment(TenantModel):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="assessments")
    # PROTECT: a framework version's requirement stays while an assessment (even archived)
    # refers to it.
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    applicable = models.BooleanField(default=True)
    justification = models.TextField(blank=True, max_length=5000)
    status = models.CharField(
        max_length=15, choices=AssessmentStatus.choices, default=AssessmentStatus.NOT_STARTED
    )
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.MANUAL)
    # The inference path as confirmed (kept when the crosswalk later changes).
    inference_note = models.TextField(blank=True)
    note = models.TextField(blank=True, max_length=5000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    freshness_days = models.PositiveIntegerField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # An item a framework upgrade removed: kept with its evidence and history.
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "assessment.read"

    class Meta:
        ordering = ["checklist_id", "requirement__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "requirement"], name="one_assessment_per_requirement"
            ),
            models.CheckConstraint(
                condition=Q(applicable=True) | ~Q(justification=""),
                name="not_applicable_needs_justification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.ref} {self.requirement.name}"

    @property
    def review_id(self) -> int:
        return int(self.checklist.review_id)


class Evidence(TenantModel):
    """Support for an assessment: a row of the review (harm, mitigation, risk acceptance,
    launch gate, audit run), an uploaded file or a URL."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=30)  # a key of evidence.KINDS
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    # What it was when linked: stays legible if the target goes.
    label = models.CharField(max_length=300)
    url = models.URLField(blank=True, max_length=1000)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file_version = models.PositiveIntegerField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    read_action = "evidence.read"

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.label
