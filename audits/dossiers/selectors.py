"""Dossier reads, each scoped by the access policy."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from reviews.models import Review

from .models import Dossier

User = AbstractBaseUser | AnonymousUser


def dossiers_for(user: User) -> QuerySet[Dossier]:
    return Dossier.objects.for_user(user).select_related(
        "review__system", "exported_by", "based_on"
    )


def dossiers_of(user: User, review: Review) -> QuerySet[Dossier]:
    return dossiers_for(user).filter(review=review).order_by("-number")
