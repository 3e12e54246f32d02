"""Reads of the harm register, each scoped by the access policy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet, prefetch_related_objects

from reviews.models import Review

from .aggregate import HarmAggregate, aggregate
from .models import (
    Harm,
    HarmCategory,
    HarmStatus,
    Mitigation,
    MitigationStatus,
    Rating,
    Stakeholder,
    Vote,
)

User = AbstractBaseUser | AnonymousUser


def harms_for(user: User) -> QuerySet[Harm]:
    return Harm.objects.for_user(user).select_related("category", "author", "review")


def harms_of(review: Review) -> QuerySet[Harm]:
    """A review's harms (the caller has checked the review is readable)."""
    return Harm.objects.filter(review=review).select_related("category", "author")


def stakeholders_for(user: User) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.for_user(user).select_related("review")


def stakeholders_of(review: Review) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(review=review)


def ratings_for(user: User) -> QuerySet[Rating]:
    """Only your own ratings: others' are shown as aggregates, never one by one."""
    return Rating.objects.for_user(user).select_related("harm")


def votes_for(user: User) -> QuerySet[Vote]:
    """Only your own dots."""
    return Vote.objects.for_user(user)


def mitigations_for(user: User) -> QuerySet[Mitigation]:
    return Mitigation.objects.for_user(user).select_related("owner", "harm")


def categories() -> QuerySet[HarmCategory]:
    return HarmCategory.objects.all()


def author_visible(harm: Any, viewer: User | None) -> bool:
    """Under a promise of anonymity only the author sees who wrote a card."""
    if not getattr(harm, "author_hidden", False):
        return True
    return harm.author_id is not None and harm.author_id == getattr(viewer, "pk", None)


def author_name(harm: Any, viewer: User | None) -> str | None:
    if harm.author is None or not author_visible(harm, viewer):
        return None
    return str(harm.author.get_username())


def harm_aggregates(harms: Sequence[Harm]) -> dict[int, HarmAggregate]:
    """Aggregates of many harms from two queries (ratings, vote counts)."""
    ids = [h.pk for h in harms]
    triples: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for harm_id, severity, likelihood, scale in Rating.objects.filter(harm_id__in=ids).values_list(
        "harm_id", "severity", "likelihood", "scale"
    ):
        triples[harm_id].append((severity, likelihood, scale))
    votes = dict(
        Vote.objects.filter(harm_id__in=ids)
        .values("harm_id")
        .annotate(n=Count("id"))
        .values_list("harm_id", "n")
    )
    return {pk: aggregate(triples.get(pk, []), votes=votes.get(pk, 0)) for pk in ids}


@dataclass(frozen=True)
class RegisterRow:
    harm: Harm
    agg: HarmAggregate
    mitigations: list[Mitigation]


def register_rows(harms: QuerySet[Harm], related: bool = True) -> list[RegisterRow]:
    """Rows with their aggregates; with ``related``, their stakeholders and mitigations
    too (a page of a long register reads those for its own rows: ``with_related``)."""
    rows = list(harms.prefetch_related("stakeholders", "mitigations__owner") if related else harms)
    aggs = harm_aggregates(rows)
    return [RegisterRow(h, aggs[h.pk], list(h.mitigations.all()) if related else []) for h in rows]


def with_related(rows: Sequence[RegisterRow]) -> None:
    """Read the stakeholders and mitigations of these rows (two queries)."""
    prefetch_related_objects([r.harm for r in rows], "stakeholders", "mitigations__owner")
    for row in rows:
        row.mitigations[:] = list(row.harm.mitigations.all())


def uncovered_harms(
    review: Review, rows: Sequence[RegisterRow] | None = None
) -> list[tuple[Harm, float]]:
    """Harms at or above the organization's risk threshold without a live mitigation.
    ``rows``, every harm of the review with its aggregate, spares reading them again.

    A mitigation marked "won't do" does not cover a harm; closed harms need none.
    """
    threshold = review.organization.mitigation_risk_threshold
    if rows is None:
        harms = list(Harm.objects.filter(review=review).exclude(status=HarmStatus.CLOSED))
        aggs = harm_aggregates(harms)
    else:
        harms = [r.harm for r in rows if r.harm.status != HarmStatus.CLOSED]
        aggs = {r.harm.pk: r.agg for r in rows}
    covered = set(
        Mitigation.objects.filter(harm__in=harms)
        .exclude(status=MitigationStatus.WONT_DO)
        .values_list("harm_id", flat=True)
    )
    out: list[tuple[Harm, float]] = []
    for harm in harms:
        risk = aggs[harm.pk].risk
        if risk is not None and risk >= threshold and harm.pk not in covered:
            out.append((harm, risk))
    return out


def own_ratings(user: User, harms: Iterable[Harm]) -> dict[int, Rating]:
    if not user.is_authenticated:
        return {}  # an anonymous visitor has rated nothing
    return {r.harm_id: r for r in Rating.objects.filter(harm__in=list(harms), user_id=user.pk)}


def with_feedback_counts(harms: QuerySet[Harm]) -> QuerySet[Harm]:
    """Each harm with ``feedback_count``: the community feedback submissions that back it
    (hidden and spam not counted). The feedback app, above this one, links submissions to
    harms; the count goes through its reverse relation, so harms imports nothing of it."""
    return harms.annotate(
        feedback_count=Count(
            "feedback_submissions",
            filter=~Q(feedback_submissions__status__in=["hidden", "spam"]),
            distinct=True,
        )
    )
