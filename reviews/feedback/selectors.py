"""Reads of community feedback. Team reads are scoped by the access policy; the public
pages find a channel by its token and a submission by its receipt code, nothing else."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from orgs import access
from orgs.ledger import rows
from reviews.harms.models import Stakeholder, StakeholderKind
from reviews.models import Review

from . import receipts
from .models import (
    FeedbackChannel,
    FeedbackReply,
    FeedbackSettings,
    FeedbackTheme,
    Submission,
    SubmissionContact,
    SubmissionStatus,
    default_contact_roles,
    default_retention_days,
)
from .wording import EFFECT_LABEL, PUBLIC_STATUS, SUMMARY_STATUS

User = AbstractBaseUser | AnonymousUser
# Not shown publicly nor counted as feedback received.
SET_ASIDE = (SubmissionStatus.HIDDEN, SubmissionStatus.SPAM)


def contact_roles(organization_id: int) -> list[str]:
    """Who may read contact details there (the access policy's setting reader)."""
    value = (
        FeedbackSettings.objects.filter(organization_id=organization_id)
        .values_list("feedback_contact_roles", flat=True)
        .first()
    )
    return list(value) if isinstance(value, list) else default_contact_roles()


def retention_days(organization_id: int) -> int:
    value = (
        FeedbackSettings.objects.filter(organization_id=organization_id)
        .values_list("retention_days", flat=True)
        .first()
    )
    return int(value) if value is not None else default_retention_days()


def settings_for(user: User) -> QuerySet[FeedbackSettings]:
    return FeedbackSettings.objects.for_user(user)


def channels_for(user: User) -> QuerySet[FeedbackChannel]:
    return FeedbackChannel.objects.for_user(user).select_related("review")


def channels_of(review: Review) -> QuerySet[FeedbackChannel]:
    return FeedbackChannel.objects.filter(review=review).annotate(received=Count("submissions"))


def channel_by_token(token: str) -> FeedbackChannel | None:
    """The public page's channel (None for an unknown token: the page is a 404)."""
    if not token or len(token) > 64:
        return None
    # The public form's hot path: one prepared lookup by the unique token, no joins (the
    # form page reads the organization's name, one small query more).
    return rows.get_by(FeedbackChannel, "token", token)


def submission_by_receipt(code: str) -> Submission | None:
    if not receipts.looks_like_code(code):
        return None
    return (
        Submission.objects.select_related("channel", "review")
        .filter(receipt_hash=receipts.digest(code))
        .first()
    )


def submissions_for(user: User) -> QuerySet[Submission]:
    return Submission.objects.for_user(user).select_related("channel", "review", "stakeholder")


def themes_for(user: User) -> QuerySet[FeedbackTheme]:
    return FeedbackTheme.objects.for_user(user)


def themes_of(review: Review) -> QuerySet[FeedbackTheme]:
    return FeedbackTheme.objects.filter(review=review)


def replies_for(user: User) -> QuerySet[FeedbackReply]:
    return FeedbackReply.objects.for_user(user).select_related("mitigation", "theme", "author")


def contact_of(user: User, submission: Submission) -> SubmissionContact | None:
    """The submitter's contact details, for the roles the organization names only."""
    if not access.can(user, "submission_contact.read", submission):
        return None
    return SubmissionContact.objects.filter(submission=submission).first()


def filter_queue(queryset: QuerySet[Submission], params: Any) -> QuerySet[Submission]:
    """The triage queue's filters: status, language, theme, stakeholder group, review."""
    status = params.get("status")
    if status in SubmissionStatus.values:
        queryset = queryset.filter(status=status)
    elif status != "all":
        queryset = queryset.exclude(status__in=SET_ASIDE)
    language = params.get("language")
    if language:
        queryset = queryset.filter(language=str(language)[:8])
    for name, field in (("theme", "themes"), ("stakeholder", "stakeholder"), ("review", "review")):
        value = str(params.get(name) or "")
        if value.isascii() and value.isdigit() and len(value) <= 18:
            queryset = queryset.filter(**{field: int(value)})
    return queryset


def published_replies_for_submission(submission: Submission) -> QuerySet[FeedbackReply]:
    """What the submitter reads on their status page: replies to them and to their themes."""
    themes = submission.themes.values("pk")
    return (
        FeedbackReply.objects.filter(review_id=submission.review_id, published_at__isnull=False)
        .filter(Q(submission=submission) | Q(theme__in=themes))
        .select_related("mitigation", "theme")
        .order_by("published_at", "id")
    )


@dataclass(frozen=True)
class PublicSummary:
    received: int
    by_status: list[tuple[str, int]]
    by_theme: list[tuple[str, int]]
    replies: list[FeedbackReply]


def public_summary(channel: FeedbackChannel) -> PublicSummary:
    """Counts and published replies: no words of anyone's, no personal data."""
    shown = Submission.objects.filter(channel=channel).exclude(status__in=SET_ASIDE)
    statuses = Counter(
        dict(shown.values("status").annotate(n=Count("id")).values_list("status", "n"))
    )
    themes = (
        FeedbackTheme.objects.filter(submissions__in=shown)
        .annotate(n=Count("submissions"))
        .order_by("-n", "name")
        .values_list("name", "n")
    )
    replies = (
        FeedbackReply.objects.filter(review_id=channel.review_id, published_at__isnull=False)
        .filter(Q(theme__isnull=False) | Q(submission__channel=channel))
        .exclude(submission__status__in=SET_ASIDE)
        .select_related("mitigation", "theme")
        .order_by("-published_at", "-id")
    )
    return PublicSummary(
        received=sum(statuses.values()),
        by_status=[
            (str(SUMMARY_STATUS[s]), statuses[s])
            for s in SubmissionStatus.values
            if statuses.get(s) and s in SUMMARY_STATUS
        ],
        by_theme=list(themes),
        replies=list(replies[:100]),
    )


@dataclass(frozen=True)
class Coverage:
    submissions: int
    heard_from: list[tuple[Stakeholder, int]]
    warnings: list[str]


IMPACTED = (StakeholderKind.DIRECT, StakeholderKind.INDIRECT, StakeholderKind.EXCLUDED)


def coverage(review: Review) -> Coverage:
    """Which stakeholder groups have sent feedback, and which impacted groups have not."""
    received = Submission.objects.filter(review=review).exclude(status__in=SET_ASIDE)
    counts = dict(
        received.exclude(stakeholder=None)
        .values("stakeholder")
        .annotate(n=Count("id"))
        .values_list("stakeholder", "n")
    )
    stakeholders = list(Stakeholder.objects.filter(review=review).order_by("name"))
    heard = [(s, counts[s.pk]) for s in stakeholders if s.pk in counts]
    warnings = []
    if FeedbackChannel.objects.filter(review=review).exists():
        for s in stakeholders:
            if s.kind in IMPACTED and s.pk not in counts:
                vulnerable = " (marked vulnerable)" if s.vulnerable else ""
                warnings.append(
                    f"No feedback yet from \u201c{s.name}\u201d{vulnerable}: an impacted "
                    "group the review has not heard from in its own words."
                )
    return Coverage(received.count(), heard, warnings)


def expired_contacts(
    organization_id: int, days: int, now: datetime.datetime
) -> QuerySet[SubmissionContact]:
    cutoff = now - datetime.timedelta(days=days)
    return SubmissionContact.objects.filter(organization_id=organization_id, created_at__lt=cutoff)


def public_status(submission: Submission) -> str:
    return str(PUBLIC_STATUS.get(submission.status, PUBLIC_STATUS["new"]))


def submission_export(submission: Submission) -> dict[str, Any]:
    """Everything kept about a submission, for its sender ("download what you sent")."""
    contact = SubmissionContact.objects.filter(submission=submission).first()
    return {
        "channel": submission.channel.title,
        "sent_at": submission.created_at.isoformat(),
        "about": submission.about,
        "text": submission.text,
        "effects": [str(EFFECT_LABEL.get(e, e)) for e in submission.effects],
        "self_described_group": submission.self_described_group,
        "language": submission.language,
        "preferred_language": submission.preferred_language,
        "contact": {"email": contact.email, "phone": contact.phone} if contact else None,
        "consent": {
            "version": submission.consent_version,
            "given_at": submission.consented_at.isoformat(),
            "may_contact": submission.consent_contact,
            "may_keep_words_after_erasure": submission.consent_keep_text,
        },
        "status": public_status(submission),
        "erased_at": submission.erased_at.isoformat() if submission.erased_at else None,
        "replies": [
            {"text": r.text, "published_at": r.published_at.isoformat() if r.published_at else None}
            for r in published_replies_for_submission(submission)
        ],
    }


LANGUAGE_NAMES = [("en", "English"), ("es", "Spanish"), ("fr", "French"), ("ar", "Arabic")]
