"""AI systems, their harm reviews and the sign-offs that decide them.

Business rules live in services.py (writes) and readiness.py (what blocks a review);
these classes describe the data. Every row carries its organization (orgs.tenancy).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.models import Role
from orgs.tenancy import TenantModel


class Domain(models.TextChoices):
    LENDING = "lending", "Lending"
    HIRING = "hiring", "Hiring"
    HEALTHCARE = "healthcare", "Healthcare"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    OTHER = "other", "Other"


class AISystem(TenantModel):
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, max_length=5000)
    domain = models.CharField(max_length=20, choices=Domain.choices, default=Domain.OTHER)
    decision_type = models.CharField(
        max_length=300, blank=True, help_text="What the system decides about people."
    )
    deployment_context = models.TextField(blank=True, max_length=5000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_systems",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "system.read"

    class Meta:
        ordering = ["name"]
        verbose_name = "AI system"

    def __str__(self) -> str:
        return self.name


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class Review(TenantModel):
    system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="reviews")
    title = models.CharField(max_length=200)
    system_version = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # Incremented each time the review is sent for sign-off; only sign-offs of the current
    # round count, older ones stay as history.
    round = models.PositiveIntegerField(default=0)
    due_date = models.DateField(null=True, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_reviews",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "review.read"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.system})"

    @property
    def review_id(self) -> int:
        """A review is its own review (lets access.Permit compare reviews uniformly)."""
        return int(self.pk)


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class SignOff(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="signoffs")
    round = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    role_at_signing = models.CharField(max_length=20, choices=Role.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True, max_length=5000)
    signed_at = models.DateTimeField(auto_now_add=True)

    read_action = "signoff.read"

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = "sign-off"
        constraints = [
            models.UniqueConstraint(
                fields=["review", "round", "user"], name="one_signoff_per_user_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.decision} {self.review}"


class RiskTarget(models.TextChoices):
    HARM = "harm", "Harm"
    LAUNCH_GATE = "launch_gate", "Launch gate"


class RiskAcceptance(TenantModel):
    """A recorded decision to go ahead despite one blocker: a high-risk harm without a
    mitigation, or a launch gate that blocks launch and failed (or lacks evidence). It
    names who accepted it, why, until when and on what conditions; it lapses when it
    expires or, for a gate, when a newer audit gives the gate another verdict."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="acceptances")
    target_type = models.CharField(max_length=20, choices=RiskTarget.choices)
    target_id = models.PositiveBigIntegerField()
    # What was accepted, as it read then (the harm's title and risk, the gate and its
    # verdict): the record stays legible if the target changes or goes.
    target_label = models.CharField(max_length=300)
    basis = models.JSONField(default=dict, blank=True)
    justification = models.TextField(max_length=5000)
    conditions = models.TextField(blank=True, max_length=5000)
    expires_on = models.DateField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    read_action = "risk.read"

    class Meta:
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"Accepted: {self.target_label}"
