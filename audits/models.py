"""Datasets, audit runs, launch gates and their verdicts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from orgs.tenancy import TenantModel
from reviews.harms.models import Harm
from reviews.models import Review

from .engine.config import AuditConfig
from .engine.names import SUMMARY_METRIC_CHOICES, label


class Dataset(TenantModel):
    """An uploaded predictions file, kept through Django's storage API (local ``var/media``
    by default, any django-storages backend such as S3 in production)."""

    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="datasets/%Y/%m/")
    format = models.CharField(max_length=10)  # csv | parquet
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    columns = models.JSONField(default=list)
    # The first rows summed up at upload (engine/mapping.py ``profile``): the mapping page's
    # preview and its checks, without reopening the file. Empty for older uploads.
    sample = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "dataset.read"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class AuditRun(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="audit_runs")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="runs")
    # What to audit: the engine's AuditConfig as one value (audits/engine/config.py).
    config = models.JSONField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    parts = models.PositiveSmallIntegerField(default=1)
    result = models.JSONField(null=True, blank=True)
    # Written with the result (engine/trend.py ``summary_of``): what lists and the trend
    # show, so they never load a full result.
    summary = models.JSONField(default=dict, blank=True, editable=False)
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

    read_action = "audit.read"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Audit #{self.pk} of {self.review}"

    def audit_config(self, **overrides: Any) -> AuditConfig:
        from dataclasses import replace

        return replace(AuditConfig.from_dict(self.config), **overrides)


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"


class GateAction(models.TextChoices):
    BLOCK_LAUNCH = "block_launch", "Block launch"
    HUMAN_REVIEW = "human_review", "Require human review"
    ROLLBACK = "rollback", "Roll back"


class LaunchGate(TenantModel):
    """A pre-launch criterion that audits evaluate, e.g. demographic parity ratio on
    ``race`` ≥ 0.8, else block launch."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="launch_gates")
    harm = models.ForeignKey(
        Harm, on_delete=models.SET_NULL, null=True, blank=True, related_name="launch_gates"
    )
    metric = models.CharField(max_length=60, choices=SUMMARY_METRIC_CHOICES)
    sensitive_feature = models.CharField(
        max_length=200,
        blank=True,
        help_text="Feature the metric is computed over; blank means the intersection of all.",
    )
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    threshold = models.FloatField()
    action = models.CharField(max_length=20, choices=GateAction.choices)
    description = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "launch_gate.read"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        feature = self.sensitive_feature or "all features"
        return f"{label(self.metric)} on {feature} {self.comparator} {self.threshold}"


class Verdict(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    INSUFFICIENT = "insufficient", "Insufficient evidence"


class GateVerdict(TenantModel):
    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="verdicts")
    gate = models.ForeignKey(LaunchGate, on_delete=models.CASCADE, related_name="verdicts")
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    value = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "verdict.read"

    class Meta:
        ordering = ["gate_id"]
        constraints = [models.UniqueConstraint(fields=["run", "gate"], name="one_verdict_per_gate")]

    def __str__(self) -> str:
        return f"{self.gate}: {self.verdict}"
