"""Workshop reads: every one scoped to the user (full members and the workshop's guests)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from ..models import EDITOR_ROLES, Review, Role
from ..selectors import role_in
from .aggregate import HarmAggregate, aggregate
from .models import (
    Consequence,
    Harm,
    HarmStatus,
    LaunchGate,
    Mitigation,
    MitigationStatus,
    Rating,
    Stakeholder,
    StakeholderKind,
    Vote,
    Workshop,
    WorkshopInvitation,
    WorkshopParticipant,
)

MANAGER_ROLES = frozenset({Role.OWNER, Role.FACILITATOR})


def workshops_for(user) -> QuerySet[Workshop]:
    return Workshop.objects.for_user(user).select_related(
        "review__system__organization", "facilitator"
    )


def harms_for(user) -> QuerySet[Harm]:
    return Harm.objects.for_user(user).select_related(
        "category", "author", "workshop", "review__system__organization"
    )


def stakeholders_for(user) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.for_user(user).select_related("review__system__organization")


def ratings_for(user) -> QuerySet[Rating]:
    """Only your own ratings: others' are shown as aggregates, never one by one."""
    if not user.is_authenticated:
        return Rating.objects.none()
    return Rating.objects.for_user(user).filter(user=user).select_related("harm")


def votes_for(user) -> QuerySet[Vote]:
    if not user.is_authenticated:
        return Vote.objects.none()
    return Vote.objects.for_user(user).filter(user=user)


def consequences_for(user) -> QuerySet[Consequence]:
    return Consequence.objects.for_user(user).select_related("workshop", "author")


def mitigations_for(user) -> QuerySet[Mitigation]:
    return Mitigation.objects.for_user(user).select_related("owner", "harm")


def launch_gates_for(user) -> QuerySet[LaunchGate]:
    return LaunchGate.objects.for_user(user).select_related("review", "harm")


def invitations_for(user) -> QuerySet[WorkshopInvitation]:
    """Invitation links are for the people who run workshops, not for participants."""
    if not user.is_authenticated:
        return WorkshopInvitation.objects.none()
    return (
        WorkshopInvitation.objects.for_user(user)
        .filter(
            Q(workshop__facilitator=user)
            | Q(
                workshop__review__system__organization__memberships__user=user,
                workshop__review__system__organization__memberships__role__in=list(MANAGER_ROLES),
            )
        )
        .distinct()
    )


def participants_for(user) -> QuerySet[WorkshopParticipant]:
    return WorkshopParticipant.objects.for_user(user).select_related("user", "workshop")


def can_run(user, workshop: Workshop) -> bool:
    """The workshop's facilitator, or an owner or facilitator of the organization."""
    if workshop.facilitator_id == getattr(user, "pk", None):
        return True
    return role_in(user, workshop.review.system.organization) in MANAGER_ROLES


def has_seat(user, workshop: Workshop) -> bool:
    return workshop.facilitator_id == user.pk or workshop.participants.filter(user=user).exists()


def is_editor(user, review: Review) -> bool:
    organization = review.system.organization
    membership = organization.memberships.filter(user=user, workshop__isnull=True).first()
    return membership is not None and membership.role in EDITOR_ROLES


def author_visible(harm_or_card, viewer) -> bool:
    """In an anonymous workshop only the author sees who wrote a card."""
    workshop = getattr(harm_or_card, "workshop", None)
    if workshop is None or not workshop.anonymous:
        return True
    return harm_or_card.author_id == getattr(viewer, "pk", None)


def harm_aggregates(harms) -> dict[int, HarmAggregate]:
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


def register_rows(harms) -> list[RegisterRow]:
    harms = list(harms.prefetch_related("stakeholders", "mitigations__owner"))
    aggs = harm_aggregates(harms)
    return [RegisterRow(h, aggs[h.pk], list(h.mitigations.all())) for h in harms]


def uncovered_harms(review: Review) -> list[tuple[Harm, float]]:
    """Harms at or above the organization's risk threshold without a live mitigation.

    A mitigation marked "won't do" does not cover a harm; closed harms need none.
    """
    threshold = review.system.organization.mitigation_risk_threshold
    harms = list(review.harms.exclude(status=HarmStatus.CLOSED))
    aggs = harm_aggregates(harms)
    covered = set(
        Mitigation.objects.filter(harm__in=harms)
        .exclude(status=MitigationStatus.WONT_DO)
        .values_list("harm_id", flat=True)
    )
    return [
        (h, aggs[h.pk].risk)
        for h in harms
        if aggs[h.pk].risk is not None and aggs[h.pk].risk >= threshold and h.pk not in covered
    ]


def coverage_warnings(workshop: Workshop) -> list[str]:
    """Who is missing from the room: each warning says why it matters."""
    stakeholders = workshop.review.stakeholders.all()
    warnings = []
    if not stakeholders.filter(
        kind__in=[StakeholderKind.INDIRECT, StakeholderKind.EXCLUDED]
    ).exists():
        warnings.append(
            "No indirect or excluded stakeholder: people affected without using the system, "
            "or left out of it, are the ones most often missed."
        )
    if not stakeholders.filter(vulnerable=True).exists():
        warnings.append(
            "No vulnerable group is mapped: harms fall hardest on people with the least power "
            "to contest a decision."
        )
    if not workshop.participants.exclude(represents_community="").exists():
        warnings.append(
            "No participant represents an impacted community: the people who bear the harms "
            "are not in the room."
        )
    return warnings


def board_version(workshop: Workshop) -> str:
    """Changes whenever anything on the live board changes; the board polls it."""
    harms = Harm.objects.filter(workshop=workshop).aggregate(n=Count("id"), t=Max("updated_at"))
    ratings = Rating.objects.filter(harm__workshop=workshop).aggregate(
        n=Count("id"), t=Max("updated_at")
    )
    votes = Vote.objects.filter(workshop=workshop).aggregate(n=Count("id"), t=Max("id"))
    cards = Consequence.objects.filter(workshop=workshop).aggregate(n=Count("id"), t=Max("id"))
    raw = "|".join(
        str(v)
        for v in (
            harms["n"],
            harms["t"],
            ratings["n"],
            ratings["t"],
            votes["n"],
            votes["t"],
            cards["n"],
            cards["t"],
            workshop.updated_at,
            workshop.status,
            workshop.current_round,
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:16]
