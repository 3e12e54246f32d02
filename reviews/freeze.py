"""Approved and archived reviews are frozen: nothing under them changes until an owner
reopens the review (which starts a new sign-off round). Every service that writes to a
review or to anything under it (harms, ratings, mitigations, gates, workshops, audits)
asks ``require_editable`` first."""

from __future__ import annotations

from orgs.plumbing.errors import Conflict

from .models import Review, ReviewStatus

FROZEN = (ReviewStatus.APPROVED, ReviewStatus.ARCHIVED)


def is_frozen(review: Review) -> bool:
    return review.status in FROZEN


def frozen_message(review: Review) -> str:
    if review.status == ReviewStatus.ARCHIVED:
        return "The review is archived, so it is frozen: nothing under it can change."
    return (
        f"The review is {review.get_status_display().lower()}, so it is frozen: nothing "
        "under it can change. An owner can reopen it, which starts a new sign-off round."
    )


def require_editable(review: Review) -> None:
    """Refuse (409) a change under an approved or archived review. The status is read
    afresh: the caller's copy of the review may predate its approval."""
    status = Review.objects.filter(pk=review.pk).values_list("status", flat=True).first()
    if status in FROZEN:
        review.status = status
        raise Conflict(frozen_message(review))
