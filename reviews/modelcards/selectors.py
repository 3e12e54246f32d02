"""Reads of model cards, each scoped by the access policy."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse

from audits.models import AuditRun, RunStatus
from reviews.models import AISystem

from .documents.sections import SECTION_KEYS, SECTIONS, anchor
from .models import ModelCard, ModelCardVersion, VersionStatus

User = AbstractBaseUser | AnonymousUser


def cards_for(user: User) -> QuerySet[ModelCard]:
    return ModelCard.objects.for_user(user).select_related("system", "organization")


def versions_for(user: User) -> QuerySet[ModelCardVersion]:
    return ModelCardVersion.objects.for_user(user).select_related("card__system", "published_by")


def card_of(system: AISystem) -> ModelCard | None:
    return ModelCard.objects.filter(system=system).first()


def versions_of(card: ModelCard) -> QuerySet[ModelCardVersion]:
    return card.versions.select_related("published_by", "created_by").order_by("-number")


def current_version(card: ModelCard) -> ModelCardVersion | None:
    """The latest published version, else the draft."""
    versions = versions_of(card)
    return versions.filter(status=VersionStatus.PUBLISHED).first() or versions.first()


def draft_of(card: ModelCard) -> ModelCardVersion | None:
    return card.versions.filter(status=VersionStatus.DRAFT).first()


def runs_to_fill(user: User, card: ModelCard) -> QuerySet[AuditRun]:
    """Succeeded audits of the card's system the user may read, newest first."""
    return (
        AuditRun.objects.for_user(user)
        .filter(review__system_id=card.system_id, status=RunStatus.SUCCEEDED)
        .select_related("dataset", "review")
        .defer("result")
        .order_by("-finished_at", "-id")
    )


def section_url(card: ModelCard, key: str, version: ModelCardVersion | None = None) -> str:
    """The page of a section (of the card's current version, or of one version), for
    links from elsewhere (compliance evidence). ``key`` is a sections.SECTION_KEYS key."""
    if key not in SECTION_KEYS:
        raise KeyError(f"No model card section {key!r}.")
    page = (
        reverse("modelcard_version", args=[version.pk])
        if version is not None
        else reverse("modelcard", args=[card.system_id])
    )
    return f"{page}#{anchor(key)}"


def section_links(card: ModelCard) -> list[tuple[str, str, str]]:
    """(key, label, URL) of every section of the card's current version: the choices of
    an evidence picker."""
    return [(s.key, s.label, section_url(card, s.key)) for s in SECTIONS]
