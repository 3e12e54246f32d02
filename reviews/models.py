"""Organizations, memberships, AI systems, reviews, sign-offs and the event log.

Business rules live in services.py; these classes only describe the data and offer
QuerySet methods that scope every read to a user's organizations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    FACILITATOR = "facilitator", "Facilitator"
    REVIEWER = "reviewer", "Reviewer"
    PARTICIPANT = "participant", "Participant"
    VIEWER = "viewer", "Viewer"


# Roles that may create and edit systems and reviews.
EDITOR_ROLES = frozenset({Role.OWNER, Role.FACILITATOR, Role.REVIEWER})
# Roles that may decide a review (approve, reject) and whose sign-offs count.
DECIDER_ROLES = frozenset({Role.OWNER, Role.REVIEWER})
# Roles that may record a sign-off at all.
SIGNER_ROLES = frozenset({Role.OWNER, Role.REVIEWER, Role.FACILITATOR})
ADMIN_ROLES = frozenset({Role.OWNER})


def default_signoff_roles() -> list[str]:
    return list(settings.DEFAULT_REQUIRED_SIGNOFF_ROLES)


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user) -> OrganizationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


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
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user) -> MembershipQuerySet:
        """Members of organizations where the user is a full member; a workshop guest
        sees only their own membership."""
        if not user.is_authenticated:
            return self.none()
        full = Q(
            organization__memberships__user=user,
            organization__memberships__workshop__isnull=True,
        )
        return self.filter(full | Q(user=user)).distinct()


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    # Set for guests who joined through a workshop invitation: they see that workshop only.
    workshop = models.ForeignKey(
        "reviews.Workshop",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guest_memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.role}"


class Domain(models.TextChoices):
    LENDING = "lending", "Lending"
    HIRING = "hiring", "Hiring"
    HEALTHCARE = "healthcare", "Healthcare"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    OTHER = "other", "Other"


class OrgScopedQuerySet(models.QuerySet):
    """Rows that belong to an organization through ``org_path``."""

    org_path = "organization"

    def for_user(self, user):
        """Rows of organizations where the user is a full member (not a workshop guest)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            **{
                f"{self.org_path}__memberships__user": user,
                f"{self.org_path}__memberships__workshop__isnull": True,
            }
        )

    def for_organization(self, organization):
        return self.filter(**{self.org_path: organization})


class AISystemQuerySet(OrgScopedQuerySet):
    org_path = "organization"


class AISystem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="systems")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    domain = models.CharField(max_length=20, choices=Domain.choices, default=Domain.OTHER)
    decision_type = models.CharField(
        max_length=300, blank=True, help_text="What the system decides about people."
    )
    deployment_context = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_systems",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AISystemQuerySet.as_manager()

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


class ReviewQuerySet(OrgScopedQuerySet):
    org_path = "system__organization"


class Review(models.Model):
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
    # Set by the latest succeeded audit: how many launch gates it failed.
    failing_gates = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.system})"

    @property
    def organization(self) -> Organization:
        return self.system.organization


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class SignOffQuerySet(OrgScopedQuerySet):
    org_path = "review__system__organization"


class SignOff(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="signoffs")
    round = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    role_at_signing = models.CharField(max_length=20, choices=Role.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    objects = SignOffQuerySet.as_manager()

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

    @property
    def organization(self) -> Organization:
        return self.review.system.organization


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


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

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message[:60]


class AppendOnlyQuerySet(OrgScopedQuerySet):
    """Events are evidence: no code path may change or remove one."""

    def update(self, **kwargs):
        raise TypeError("Events are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Events are append-only and cannot be deleted.")


class EventChain(models.Model):
    """The head of one organization's hash chain.

    Writers lock this row (SELECT ... FOR UPDATE) before appending, so concurrent writers in
    one organization queue up instead of forking the chain. ``length`` and ``head_hash`` also
    let verification notice events removed from the end of the chain.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="event_chain"
    )
    length = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.organization}: {self.length} events"


class Event(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField(help_text="Position in the organization's chain, from 1.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor's username is hashed into the chain and kept even if the user is deleted.
    actor_username = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="one_event_per_seq"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Events are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Events are append-only and cannot be deleted.")


class ChainVerificationQuerySet(OrgScopedQuerySet):
    org_path = "organization"


class ChainVerification(models.Model):
    """The outcome of checking one organization's event chain (run by a Celery task)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="chain_verifications"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    intact = models.BooleanField(null=True)
    checked = models.PositiveBigIntegerField(default=0)
    first_broken_seq = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ChainVerificationQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organization} verification {self.status}"


# Workshop models live in their own module; importing them here registers them with Django.
from .workshops.models import *  # noqa: E402, F403
