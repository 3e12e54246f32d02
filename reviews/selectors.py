"""Reads about AI systems, reviews and sign-offs, each scoped by the access policy."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from orgs.ledger.models import Event
from orgs.models import Organization

from .models import AISystem, Review, RiskAcceptance, RiskTarget, SignOff

User = AbstractBaseUser | AnonymousUser


def systems_for(user: User, organization: Organization | None = None) -> QuerySet[AISystem]:
    qs = AISystem.objects.for_user(user).select_related("organization", "owner")
    return qs.filter(organization=organization) if organization else qs


def reviews_for(user: User, organization: Organization | None = None) -> QuerySet[Review]:
    qs = Review.objects.for_user(user).select_related("system", "organization", "lead")
    return qs.filter(organization=organization) if organization else qs


def reviews_where(user: User, action: str) -> QuerySet[Review]:
    """Reviews the user may do ``action`` on (e.g. create workshops in)."""
    return Review.objects.for_user(user, action).select_related("system", "organization")


def signoffs_for(user: User) -> QuerySet[SignOff]:
    return SignOff.objects.for_user(user).select_related("user", "review")


def events_about(review: Review, events: QuerySet[Event]) -> QuerySet[Event]:
    """Of ``events`` (already scoped to the reader), the review's own and its sign-offs'
    and risk acceptances', newest first."""
    signoff_ids = [str(pk) for pk in review.signoffs.values_list("pk", flat=True)]
    acceptance_ids = [str(pk) for pk in review.acceptances.values_list("pk", flat=True)]
    return (
        events.filter(organization_id=review.organization_id)
        .filter(
            Q(object_type="reviews.review", object_id=str(review.pk))
            | Q(object_type="reviews.signoff", object_id__in=signoff_ids)
            | Q(object_type="reviews.riskacceptance", object_id__in=acceptance_ids)
        )
        .order_by("-seq")
    )


def acceptances_for(user: User) -> QuerySet[RiskAcceptance]:
    return RiskAcceptance.objects.for_user(user).select_related("review", "accepted_by")


def harm_acceptances_in_force(review: Review) -> dict[int, RiskAcceptance]:
    """Harm id → the acceptance in force for it (not withdrawn, not expired)."""
    today = timezone.localdate()
    rows = RiskAcceptance.objects.filter(
        review=review,
        target_type=RiskTarget.HARM,
        revoked_at=None,
        expires_on__gte=today,
    ).select_related("accepted_by")
    return {row.target_id: row for row in rows.order_by("accepted_at")}
