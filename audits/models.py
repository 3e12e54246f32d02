"""Datasets, audit runs and launch-gate verdicts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviews.models import Organization, OrgScopedQuerySet, Review
from reviews.workshops.models import LaunchGate


class DatasetQuerySet(OrgScopedQuerySet):
    org_path = "organization"


class Dataset(models.Model):
    """An uploaded predictions file, kept through Django's storage API (local ``var/media``
    by default, any django-storages backend such as S3 in production)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="datasets"
    )
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="datasets/%Y/%m/")
    format = models.CharField(max_length=10)  # csv | parquet
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    columns = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class AuditRunQuerySet(OrgScopedQuerySet):
    org_path = "review__system__organization"


class AuditRun(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="audit_runs")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="runs")
    y_true = models.CharField(max_length=200)
    y_pred = models.CharField(max_length=200, blank=True)
    y_score = models.CharField(max_length=200, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    sensitive = models.JSONField(default=list)
    positive = models.CharField(max_length=200, blank=True)
    positive_is = models.CharField(
        max_length=12,
        default="beneficial",
        choices=[
            ("beneficial", "Beneficial (e.g. a loan approved)"),
            ("harmful", "Harmful (e.g. flagged as high risk)"),
        ],
    )
    reference = models.JSONField(default=dict, blank=True)
    weight = models.CharField(max_length=200, blank=True)
    bootstrap = models.PositiveIntegerField(default=1000)
    seed = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    parts = models.PositiveSmallIntegerField(default=1)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AuditRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Audit #{self.pk} of {self.review}"

    @property
    def organization(self):
        return self.review.system.organization


class Verdict(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    INSUFFICIENT = "insufficient", "Insufficient evidence"


class GateVerdictQuerySet(OrgScopedQuerySet):
    org_path = "run__review__system__organization"


class GateVerdict(models.Model):
    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="verdicts")
    gate = models.ForeignKey(LaunchGate, on_delete=models.CASCADE, related_name="verdicts")
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    value = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GateVerdictQuerySet.as_manager()

    class Meta:
        ordering = ["gate_id"]
        constraints = [models.UniqueConstraint(fields=["run", "gate"], name="one_verdict_per_gate")]

    def __str__(self) -> str:
        return f"{self.gate}: {self.verdict}"

    @property
    def organization(self):
        return self.run.review.system.organization
