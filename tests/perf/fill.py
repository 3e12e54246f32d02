"""Bulk data for the query-ceiling tests and the benchmarks: many rows in a few queries
(bulk_create), owned by one organization, without the services' per-row events. Only for
measuring: real data goes through the services."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from reviews.harms.models import Harm, HarmCategory, Mitigation, Rating, Vote
from reviews.models import Review
from reviews.workshops.models import BoardCard, Consequence, Workshop


def harms(review: Review, n: int, *, author: Any = None, prefix: str = "Harm") -> list[Harm]:
    categories = list(HarmCategory.objects.all()[:5])
    made = Harm.objects.bulk_create(
        Harm(
            organization_id=review.organization_id,
            review=review,
            title=f"{prefix} {i}",
            description=f"What happens to whom, case {i}.",
            category=categories[i % len(categories)],
            author=author,
        )
        for i in range(n)
    )
    return made


def ratings(harms_: list[Harm], users: list[Any]) -> None:
    Rating.objects.bulk_create(
        Rating(
            organization_id=h.organization_id,
            harm=h,
            user=u,
            severity=1 + (i + j) % 5,
            likelihood=1 + (i * 3 + j) % 5,
            scale=1 + j % 5,
        )
        for i, h in enumerate(harms_)
        for j, u in enumerate(users)
    )


def votes(harms_: list[Harm], users: list[Any]) -> None:
    Vote.objects.bulk_create(
        Vote(organization_id=h.organization_id, harm=h, user=u)
        for i, h in enumerate(harms_)
        for j, u in enumerate(users)
        if (i + j) % 3 == 0
    )


def mitigations(harms_: list[Harm], owner: Any) -> None:
    Mitigation.objects.bulk_create(
        Mitigation(
            organization_id=h.organization_id, harm=h, action=f"Mitigate {h.title}", owner=owner
        )
        for h in harms_
    )


def board(workshop: Workshop, n: int, users: list[Any]) -> list[Harm]:
    """``n`` harm cards on the board, rated by every user, with some dots."""
    made = harms(workshop.review, n, author=users[0] if users else None, prefix="Card")
    BoardCard.objects.bulk_create(
        BoardCard(organization_id=workshop.organization_id, workshop=workshop, harm=h) for h in made
    )
    ratings(made, users)
    votes(made, users)
    return made


def consequences(workshop: Workshop, n: int, author: Any) -> None:
    Consequence.objects.bulk_create(
        Consequence(
            organization_id=workshop.organization_id,
            workshop=workshop,
            text=f"Consequence {i}",
            intent="unintended",
            valence="negative" if i % 2 else "positive",
            author=author,
            created_at=timezone.now(),
        )
        for i in range(n)
    )
