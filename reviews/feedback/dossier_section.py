"""Community feedback in the signed dossier (audits/dossiers/gather.py lists it): counts by
theme, status and language, and the team's published replies. Never a submitter's words,
contact details or anything else personal: only numbers and what the team published."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from reviews.models import Review

from .models import FeedbackChannel, FeedbackReply, FeedbackTheme, Submission, SubmissionStatus
from .selectors import SET_ASIDE

Data = dict[str, Any]


def _moment(value: Any) -> str | None:
    return value.replace(microsecond=0).isoformat() if value is not None else None


def _received(review: Review) -> Any:
    return Submission.objects.filter(review=review).exclude(status__in=SET_ASIDE)


def _answered(review: Review) -> int:
    """Submissions the team replied to: status "responded", or a published reply to the
    submission or to one of its themes."""
    published = Q(replies__published_at__isnull=False) | Q(
        themes__replies__published_at__isnull=False
    )
    answered = _received(review).filter(Q(status=SubmissionStatus.RESPONDED) | published)
    return answered.values("pk").distinct().count()


def _reply(reply: FeedbackReply) -> Data:
    mitigation = reply.mitigation
    return {
        "to": f"Theme \u201c{reply.theme.name}\u201d" if reply.theme else "One submission",
        "text": reply.text,
        "published_at": _moment(reply.published_at),
        "mitigation": mitigation.action if mitigation else None,
        "mitigation_status": mitigation.get_status_display() if mitigation else None,
    }


def feedback(review: Review, shared: Data) -> Data | None:
    received = _received(review)
    total = received.count()
    replies = (
        FeedbackReply.objects.filter(review=review, published_at__isnull=False)
        .exclude(submission__status__in=SET_ASIDE)
        .select_related("theme", "mitigation")
        .order_by("published_at", "id")
    )
    if not total and not replies.exists():
        return None
    statuses = dict(received.values("status").annotate(n=Count("id")).values_list("status", "n"))
    in_review = Q(submissions__review=review) & ~Q(submissions__status__in=SET_ASIDE)
    themes = (
        FeedbackTheme.objects.filter(review=review)
        .annotate(n=Count("submissions", filter=in_review, distinct=True))
        .order_by("-n", "name", "id")
    )
    languages = received.values("language").annotate(n=Count("id")).order_by("-n", "language")
    return {
        "received": total,
        "answered": _answered(review),
        "set_aside": Submission.objects.filter(review=review, status__in=SET_ASIDE).count(),
        "channels": [
            {"title": c.title, "status": c.get_status_display()}
            for c in FeedbackChannel.objects.filter(review=review).order_by("created_at", "id")
        ],
        "by_status": [
            {"status": str(label), "count": statuses.get(value, 0)}
            for value, label in SubmissionStatus.choices
            if value not in SET_ASIDE
        ],
        "by_theme": [{"theme": t.name, "count": t.n} for t in themes],
        "without_theme": received.filter(themes=None).count(),
        "by_language": [{"language": row["language"], "count": row["n"]} for row in languages],
        "replies": [_reply(r) for r in replies],
    }


def summary_lines(review: Review, shared: Data) -> list[Data]:
    total = _received(review).count()
    if not total:
        return []
    return [{"label": "Feedback submissions", "value": f"{total} ({_answered(review)} answered)"}]
