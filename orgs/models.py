"""Organizations, the people in them and what each may do there (see access.py).

Business rules live in services.py; these classes describe the data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    FACILITATOR = "facilitator", "Facilitator"
    REVIEWER = "reviewer", "Reviewer"
    PARTICIPANT = "participant", "Participant"
    VIEWER = "viewer", "Viewer"
    # Joined through a workshop invitation: reaches only the workshops they hold a seat in.
    GUEST = "guest", "Workshop guest"


def default_signoff_roles() -> list[str]:
    return list(settings.DEFAULT_REQUIRED_SIGNOFF_ROLES)


def default_risk_roles() -> list[str]:
    return ["owner"]


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    mitigation_risk_threshold = models.FloatField(
        default=12,
        help_text="Harms with a risk score (median severity × median likelihood) at or above "
        "this need a mitigation before the review goes to sign-off.",
    )
    required_signoff_roles = models.JSONField(
        default=default_signoff_roles,
        help_text="Roles whose approving sign-offs (each by a different person) a review needs.",
    )
    risk_acceptance_roles = models.JSONField(
        default=default_risk_roles,
        help_text="Roles that may accept a risk that blocks a review (a high-risk harm "
        "without mitigation, a failing launch gate).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "organization.read"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One person's role in one organization (a person holds one role per organization)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "membership.read"
    access_paths = {"own": "user"}

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.role}"


class Notice(models.Model):
    """An in-app notice for one person (e.g. a launch gate failed on their review)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    # What the access policy needs to know about a notice (see access.py).
    read_action = "notice.read"
    access_paths = {"own": "user"}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message[:60]
