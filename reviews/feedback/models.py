"""Community feedback: public channels of a review, what people send through them (their
words apart from their contact details), the team's themes and the public replies.

Contact details live in ``SubmissionContact`` only: never in the event log, exports or the
API's lists, and erased at the submitter's request or after the organization's retention
period. A submission backs harms through ``Submission.harms`` (the harm register counts
them through the reverse name ``feedback_submissions``, a string, without importing this
app)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.tenancy import TenantModel
from reviews.harms.models import Harm, Mitigation, Stakeholder
from reviews.models import Review

TEXT_LIMIT = 5000


def default_retention_days() -> int:
    return int(settings.FEEDBACK_RETENTION_DAYS)


def default_contact_roles() -> list[str]:
    return ["owner", "reviewer"]


class FeedbackSettings(TenantModel):
    """An organization's choices about feedback (made with its first channel)."""

    retention_days = models.PositiveIntegerField(
        default=default_retention_days,
        help_text="Days a submitter's contact details are kept before they are erased.",
    )
    feedback_contact_roles = models.JSONField(
        default=default_contact_roles,
        help_text="Roles that may read submitters' contact details.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "feedback_channel.read"

    class Meta:
        verbose_name_plural = "feedback settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_feedback_settings_per_org")
        ]

    def __str__(self) -> str:
        return f"Feedback settings of organization {self.organization_id}"


class ChannelStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class FeedbackChannel(TenantModel):
    """A public page (``/f/<token>/``) where people affected by the review's system tell
    the team what happened to them."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="feedback_channels")
    token = models.CharField(max_length=64, unique=True, editable=False)
    title = models.CharField(max_length=200)
    system_description = models.TextField(
        max_length=3000, help_text="What the system does, in plain words."
    )
    purpose = models.TextField(
        max_length=3000, help_text="What the feedback is for and how it is used."
    )
    status = models.CharField(
        max_length=10, choices=ChannelStatus.choices, default=ChannelStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "feedback_channel.read"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class FeedbackTheme(TenantModel):
    """A theme the team tags submissions with ("rates", "branch staff")."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback_themes")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    read_action = "submission.read"

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "name"], name="one_theme_name_per_review")
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    LINKED = "linked", "Linked to a harm"
    RESPONDED = "responded", "Responded"
    HIDDEN = "hidden", "Hidden"
    SPAM = "spam", "Spam"


class Submission(TenantModel):
    # Indexes are few on purpose: every public submission writes each one. The channel's
    # own index would repeat the first column of (channel, text_hash, created_at).
    channel = models.ForeignKey(
        FeedbackChannel, on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=300, blank=True)
    text = models.TextField(max_length=TEXT_LIMIT, blank=True)
    # SHA-256 of the normalised text: duplicate detection without another copy of it.
    text_hash = models.CharField(max_length=64, blank=True)
    effects = models.JSONField(default=list, blank=True)  # harm category slugs
    self_described_group = models.CharField(max_length=200, blank=True)
    stakeholder = models.ForeignKey(
        Stakeholder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_submissions",
    )
    language = models.CharField(max_length=8)
    preferred_language = models.CharField(max_length=8, blank=True)
    consent_contact = models.BooleanField(default=False)
    consent_keep_text = models.BooleanField(default=False)
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    receipt_hash = models.CharField(max_length=64, editable=False)  # unique: Meta
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.NEW
    )
    # Why the team hid it (the words are kept for the audit trail; only the status hides).
    hidden_reason = models.TextField(blank=True, max_length=1000)
    themes = models.ManyToManyField(FeedbackTheme, blank=True, related_name="submissions")
    harms = models.ManyToManyField(Harm, blank=True, related_name="feedback_submissions")
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "submission.read"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "text_hash", "created_at"])]
        # A constraint rather than unique=True: PostgreSQL then has no second, LIKE-ready
        # copy of the index (a hash is never searched by prefix).
        constraints = [
            models.UniqueConstraint(fields=["receipt_hash"], name="one_submission_per_receipt")
        ]

    def __str__(self) -> str:
        return f"Feedback #{self.pk}"


class SubmissionContact(TenantModel):
    """How to reach a submitter: kept apart from their words, read only by the roles the
    organization names, erased on request or after the retention period."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(blank=True, max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    read_action = "submission_contact.read"

    def __str__(self) -> str:
        return f"Contact for feedback #{self.submission_id}"


class FeedbackReply(TenantModel):
    """A public "you said, we did" reply to one submission or to a theme, optionally tied
    to the mitigation that answers it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback_replies")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    theme = models.ForeignKey(
        FeedbackTheme, on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    text = models.TextField(max_length=TEXT_LIMIT)
    mitigation = models.ForeignKey(
        Mitigation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    read_action = "feedback_reply.read"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback replies"

    def __str__(self) -> str:
        return self.text[:60]
