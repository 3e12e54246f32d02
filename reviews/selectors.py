"""Reads, each scoped to the organizations the user belongs to."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import (
    AISystem,
    ChainVerification,
    Event,
    Membership,
    Organization,
    Review,
    Role,
    SignOff,
)


def role_in(user, organization: Organization | int) -> str | None:
    """The user's role in the organization, or None when they are not a member."""
    if user is None or not user.is_authenticated:
        return None
    org_id = organization if isinstance(organization, int) else organization.pk
    return (
        Membership.objects.filter(user=user, organization_id=org_id)
        .values_list("role", flat=True)
        .first()
    )


def organizations_for(user) -> QuerySet[Organization]:
    return Organization.objects.for_user(user)


def organizations_where(user, roles) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=list(roles)
    ).distinct()


def systems_for(user, organization: Organization | None = None) -> QuerySet[AISystem]:
    qs = AISystem.objects.for_user(user).select_related("organization", "owner")
    return qs.filter(organization=organization) if organization else qs


def reviews_for(user, organization: Organization | None = None) -> QuerySet[Review]:
    qs = Review.objects.for_user(user).select_related("system__organization", "lead")
    return qs.filter(system__organization=organization) if organization else qs


def signoffs_for(user) -> QuerySet[SignOff]:
    return SignOff.objects.for_user(user).select_related("user", "review__system__organization")


def memberships_for(user) -> QuerySet[Membership]:
    return Membership.objects.for_user(user).select_related("user", "organization")


def events_for(user) -> QuerySet[Event]:
    """The event log names who wrote every card, so participants (whose workshops may be
    anonymous) do not read it; every other role does."""
    if not user.is_authenticated:
        return Event.objects.none()
    return (
        Event.objects.for_user(user)
        .exclude(
            organization__in=Membership.objects.filter(user=user, role=Role.PARTICIPANT).values(
                "organization"
            )
        )
        .select_related("organization")
    )


def events_about(review: Review) -> QuerySet[Event]:
    """The review's own events and those of its sign-offs, newest first."""
    signoff_ids = [str(pk) for pk in review.signoffs.values_list("pk", flat=True)]
    return (
        Event.objects.filter(organization=review.system.organization)
        .filter(
            Q(object_type="reviews.review", object_id=str(review.pk))
            | Q(object_type="reviews.signoff", object_id__in=signoff_ids)
        )
        .order_by("-seq")
    )


def chain_verifications_for(user) -> QuerySet[ChainVerification]:
    return ChainVerification.objects.for_user(user).select_related("organization")
