"""A review's harm register: stakeholders, harms (from workshops, community feedback,
audits or incidents), ratings, dot-votes and mitigations.

Harms know reviews but not where a harm was raised: a workshop links its cards to harms
from its own app, and contributes through the harms services with a permit (see
orgs/access.py, ``DELEGATES``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from orgs.tenancy import TenantModel
from reviews.models import Review


class StakeholderKind(models.TextChoices):
    DIRECT = "direct", "Direct"
    INDIRECT = "indirect", "Indirect"
    EXCLUDED = "excluded", "Excluded"
    SPONSOR = "sponsor", "Sponsor"
    BUILDER = "builder", "Builder"


class Stakeholder(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=StakeholderKind.choices)
    description = models.TextField(blank=True, max_length=2000)
    vulnerable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "stakeholder.read"

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class HarmCategory(models.Model):
    """One category of the shipped harm taxonomy (reviews/harms/data/harm_taxonomy.json):
    reference data shared by every organization."""

    slug = models.SlugField(max_length=60, unique=True)
    family = models.SlugField(max_length=60)
    family_name = models.CharField(max_length=120)
    name = models.CharField(max_length=120)
    prompt = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "harm categories"

    def __str__(self) -> str:
        return f"{self.family_name}: {self.name}"


class HarmSource(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    FEEDBACK = "feedback", "Community feedback"
    AUDIT = "audit", "Audit"
    INCIDENT = "incident", "Incident"


class HarmStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATED = "mitigated", "Mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class Harm(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="harms")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    category = models.ForeignKey(HarmCategory, on_delete=models.PROTECT, related_name="harms")
    stakeholders = models.ManyToManyField(Stakeholder, blank=True, related_name="harms")
    source = models.CharField(
        max_length=10, choices=HarmSource.choices, default=HarmSource.INCIDENT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Raised under a promise of anonymity (an anonymous workshop): only the author sees who
    # wrote it, in every page, export, API answer and the event log.
    author_hidden = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=HarmStatus.choices, default=HarmStatus.OPEN)
    # Why the harm was closed (required then): a closed harm needs no mitigation.
    status_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "harm.read"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


def _one_to_five() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(1), MaxValueValidator(5)]


class Rating(TenantModel):
    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    severity = models.PositiveSmallIntegerField(validators=_one_to_five())
    likelihood = models.PositiveSmallIntegerField(validators=_one_to_five())
    scale = models.PositiveSmallIntegerField(validators=_one_to_five())
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "rating.read"
    access_paths = {"own": "user"}

    class Meta:
        ordering = ["harm_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["harm", "user"], name="one_rating_per_person"),
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=5)
                & Q(likelihood__gte=1, likelihood__lte=5)
                & Q(scale__gte=1, scale__lte=5),
                name="ratings_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} rates {self.harm}: {self.severity}/{self.likelihood}/{self.scale}"


class Vote(TenantModel):
    """One dot of a participant's dot-vote budget, placed on a harm. The budget belongs to
    the workshop where the dot was placed, which checks it before asking for the write."""

    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "vote.read"
    access_paths = {"own": "user"}

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} votes for {self.harm}"


class Disposition(models.TextChoices):
    ACT = "act", "Act"
    INFLUENCE = "influence", "Influence"
    MONITOR = "monitor", "Monitor"


class MitigationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class Mitigation(TenantModel):
    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="mitigations")
    action = models.TextField(max_length=5000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mitigations"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MitigationStatus.choices, default=MitigationStatus.PLANNED
    )
    justification = models.TextField(
        blank=True, max_length=5000, help_text="Required when status is won't do."
    )
    disposition = models.CharField(
        max_length=10, choices=Disposition.choices, default=Disposition.ACT
    )
    # A link to what shows the mitigation is in place (a ticket, a test report). Only
    # shown as a link, never fetched.
    evidence_url = models.URLField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "mitigation.read"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.action[:60]
