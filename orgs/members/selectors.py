"""Reads about the people of an organization, scoped by the access policy."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, QuerySet, Value, When

from orgs import access
from orgs.models import Membership, Organization

from .models import MemberInvitation

User = AbstractBaseUser | AnonymousUser


def memberships_for(user: User) -> QuerySet[Membership]:
    return access.scope(Membership.objects.all(), user).select_related("user", "organization")


def members_of(user: User, organization: Organization) -> QuerySet[Membership]:
    """Members from the most to the least trusted role, then by username."""
    rank = Case(*(When(role=r, then=Value(i)) for i, r in enumerate(access.STANDINGS)))
    return memberships_for(user).filter(organization=organization).order_by(rank, "user__username")


def member_invitations_for(user: User) -> QuerySet[MemberInvitation]:
    return access.scope(MemberInvitation.objects.all(), user).select_related(
        "organization", "created_by", "accepted_by"
    )
