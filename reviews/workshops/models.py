"""Workshops, stakeholders, harms, ratings, votes, consequences, mitigations, launch gates."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from audits.engine.names import SUMMARY_METRIC_CHOICES

from ..models import OrgScopedQuerySet, Review


class WorkshopFormat(models.TextChoices):
    HARMS_MODELING = "harms_modeling", "Harms modeling"
    CONSEQUENCE_SCANNING = "consequence_scanning", "Consequence scanning"


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class WorkshopScopedQuerySet(OrgScopedQuerySet):
    """Visible to full members of the organization, and to the workshop's own participants
    (guests invited by link see only their workshop)."""

    workshop_path = "workshop"

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        full_member = Q(
            **{
                f"{self.org_path}__memberships__user": user,
                f"{self.org_path}__memberships__workshop__isnull": True,
            }
        )
        guest = Q(**{f"{self.workshop_path}__participants__user": user})
        return self.filter(full_member | guest).distinct()


class WorkshopQuerySet(OrgScopedQuerySet):
    org_path = "review__system__organization"

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        full_member = Q(
            review__system__organization__memberships__user=user,
            review__system__organization__memberships__workshop__isnull=True,
        )
        return self.filter(full_member | Q(participants__user=user)).distinct()


class Workshop(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="workshops")
    title = models.CharField(max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_workshops"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    format = models.CharField(
        max_length=30, choices=WorkshopFormat.choices, default=WorkshopFormat.HARMS_MODELING
    )
    current_round = models.PositiveSmallIntegerField(default=1)
    anonymous = models.BooleanField(
        default=False, help_text="Hide who wrote each card from other participants."
    )
    votes_per_participant = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(50)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def organization(self):
        return self.review.system.organization


class ParticipantQuerySet(WorkshopScopedQuerySet):
    org_path = "workshop__review__system__organization"
    workshop_path = "workshop"


class WorkshopParticipant(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_seats"
    )
    represents_community = models.CharField(
        max_length=200,
        blank=True,
        help_text="The impacted community this person speaks for, if any.",
    )
    invitation = models.ForeignKey(
        "WorkshopInvitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="one_seat_per_workshop")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workshop}"

    @property
    def organization(self):
        return self.workshop.review.system.organization


class WorkshopInvitationQuerySet(OrgScopedQuerySet):
    org_path = "workshop__review__system__organization"


class WorkshopInvitation(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=200, blank=True, help_text="Who the link is for.")
    represents_community = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(default=50)
    uses = models.PositiveIntegerField(default=0)

    objects = WorkshopInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation to {self.workshop}"

    @property
    def organization(self):
        return self.workshop.review.system.organization


class StakeholderKind(models.TextChoices):
    DIRECT = "direct", "Direct"
    INDIRECT = "indirect", "Indirect"
    EXCLUDED = "excluded", "Excluded"
    SPONSOR = "sponsor", "Sponsor"
    BUILDER = "builder", "Builder"


class StakeholderQuerySet(WorkshopScopedQuerySet):
    org_path = "review__system__organization"
    workshop_path = "review__workshops"


class Stakeholder(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=StakeholderKind.choices)
    description = models.TextField(blank=True)
    vulnerable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def organization(self):
        return self.review.system.organization


class HarmCategory(models.Model):
    """One category of the shipped harm taxonomy (reviews/data/harm_taxonomy.json)."""

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


class HarmQuerySet(WorkshopScopedQuerySet):
    org_path = "review__system__organization"
    workshop_path = "workshop"


class Harm(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="harms")
    workshop = models.ForeignKey(
        Workshop, on_delete=models.SET_NULL, null=True, blank=True, related_name="harms"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(HarmCategory, on_delete=models.PROTECT, related_name="harms")
    stakeholders = models.ManyToManyField(Stakeholder, blank=True, related_name="harms")
    source = models.CharField(
        max_length=10, choices=HarmSource.choices, default=HarmSource.WORKSHOP
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=HarmStatus.choices, default=HarmStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HarmQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def organization(self):
        return self.review.system.organization


def _one_to_five():
    return [MinValueValidator(1), MaxValueValidator(5)]


class RatingQuerySet(WorkshopScopedQuerySet):
    org_path = "harm__review__system__organization"
    workshop_path = "harm__workshop"


class Rating(models.Model):
    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    severity = models.PositiveSmallIntegerField(validators=_one_to_five())
    likelihood = models.PositiveSmallIntegerField(validators=_one_to_five())
    scale = models.PositiveSmallIntegerField(validators=_one_to_five())
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

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

    @property
    def organization(self):
        return self.harm.review.system.organization


class VoteQuerySet(WorkshopScopedQuerySet):
    org_path = "workshop__review__system__organization"
    workshop_path = "workshop"


class Vote(models.Model):
    """One dot of a participant's dot-vote budget, placed on a harm."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="votes")
    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user} votes for {self.harm}"

    @property
    def organization(self):
        return self.workshop.review.system.organization


class Disposition(models.TextChoices):
    ACT = "act", "Act"
    INFLUENCE = "influence", "Influence"
    MONITOR = "monitor", "Monitor"


class ConsequenceQuerySet(WorkshopScopedQuerySet):
    org_path = "workshop__review__system__organization"
    workshop_path = "workshop"


class Consequence(models.Model):
    """A card of a consequence-scanning workshop."""

    class Intent(models.TextChoices):
        INTENDED = "intended", "Intended"
        UNINTENDED = "unintended", "Unintended"

    class Valence(models.TextChoices):
        POSITIVE = "positive", "Positive (focus on)"
        NEGATIVE = "negative", "Negative (mitigate)"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="consequences")
    text = models.TextField()
    intent = models.CharField(max_length=12, choices=Intent.choices)
    valence = models.CharField(max_length=10, choices=Valence.choices)
    disposition = models.CharField(max_length=10, choices=Disposition.choices, blank=True)
    harm = models.ForeignKey(
        Harm, on_delete=models.SET_NULL, null=True, blank=True, related_name="consequences"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsequenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def organization(self):
        return self.workshop.review.system.organization


class MitigationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class MitigationQuerySet(WorkshopScopedQuerySet):
    org_path = "harm__review__system__organization"
    workshop_path = "harm__workshop"


class Mitigation(models.Model):
    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="mitigations")
    action = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mitigations"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MitigationStatus.choices, default=MitigationStatus.PLANNED
    )
    justification = models.TextField(blank=True, help_text="Required when status is won't do.")
    disposition = models.CharField(
        max_length=10, choices=Disposition.choices, default=Disposition.ACT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MitigationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.action[:60]

    @property
    def organization(self):
        return self.harm.review.system.organization


class Comparator(models.TextChoices):
    GTE = ">=", "≥"
    GT = ">", ">"
    LTE = "<=", "≤"
    LT = "<", "<"


class GateAction(models.TextChoices):
    BLOCK_LAUNCH = "block_launch", "Block launch"
    HUMAN_REVIEW = "human_review", "Require human review"
    ROLLBACK = "rollback", "Roll back"


class LaunchGateQuerySet(OrgScopedQuerySet):
    org_path = "review__system__organization"


class LaunchGate(models.Model):
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
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LaunchGateQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        feature = self.sensitive_feature or "all features"
        return f"{self.metric} on {feature} {self.comparator} {self.threshold}"

    @property
    def organization(self):
        return self.review.system.organization
