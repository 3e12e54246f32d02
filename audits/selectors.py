"""Audit reads, each scoped by the access policy."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet

from orgs.models import Organization
from reviews.models import AISystem, Review

from .engine.trend import Trend
from .engine.trend import trend as trend_of
from .models import AuditRun, Dataset, GateVerdict, LaunchGate, RunStatus, Verdict

User = AbstractBaseUser | AnonymousUser
TREND_CACHE_SECONDS = 3600


def datasets_for(user: User) -> QuerySet[Dataset]:
    return Dataset.objects.for_user(user).select_related("organization", "uploaded_by")


def runs_for(user: User) -> QuerySet[AuditRun]:
    """Runs without their result (it can take megabytes): a page that shows one result
    loads it for that run only, when it reads ``run.result``."""
    return (
        AuditRun.objects.for_user(user)
        .select_related("review__system", "dataset", "created_by")
        .defer("result")
    )


def runs_of(review: Review) -> QuerySet[AuditRun]:
    return AuditRun.objects.filter(review=review).order_by("-created_at", "-id")


def verdicts_for(user: User) -> QuerySet[GateVerdict]:
    return GateVerdict.objects.for_user(user).select_related("gate", "run")


def launch_gates_for(user: User) -> QuerySet[LaunchGate]:
    return LaunchGate.objects.for_user(user).select_related("review", "harm")


def launch_gates_of(review: Review) -> QuerySet[LaunchGate]:
    return LaunchGate.objects.filter(review=review).select_related("harm")


def latest_run(review: Review) -> AuditRun | None:
    """The review's most recent succeeded audit."""
    return (
        AuditRun.objects.filter(review=review, status=RunStatus.SUCCEEDED)
        .defer("result")
        .order_by("-finished_at", "-id")
        .first()
    )


def failing_gate_count(review: Review) -> int:
    """Launch gates the latest succeeded audit failed."""
    run = latest_run(review)
    if run is None:
        return 0
    return GateVerdict.objects.filter(run=run, verdict=Verdict.FAIL).count()


def latest_verdicts(review: Review) -> dict[int, GateVerdict]:
    run = latest_run(review)
    if run is None:
        return {}
    return {v.gate_id: v for v in GateVerdict.objects.filter(run=run)}


def trend(system: AISystem, dimension: str | None = None) -> Trend:
    """Each summary metric of one dimension across the system's succeeded runs, oldest
    first; a run that did not audit the dimension is a gap (engine/trend.py)."""
    succeeded = AuditRun.objects.filter(review__system=system, status=RunStatus.SUCCEEDED)
    # A finished run never changes: the trend is remembered until a run is added or goes.
    stamp = succeeded.aggregate(n=Count("id"), last=Max("id"), at=Max("finished_at"))
    # Hashed: the dimension comes from the query string.
    parts = repr((system.pk, dimension, stamp["n"], stamp["last"], stamp["at"]))
    key = "audit-trend:" + hashlib.sha256(parts.encode()).hexdigest()
    remembered = cache.get(key)
    if isinstance(remembered, Trend):
        return remembered
    runs = succeeded.only("id", "finished_at", "summary").order_by("finished_at", "id")
    computed = trend_of(
        [
            (r.pk, f"#{r.pk} {r.finished_at:%Y-%m-%d}", r.summary)
            for r in runs
            if r.summary.get("dimensions")
        ],
        dimension,
    )
    cache.set(key, computed, TREND_CACHE_SECONDS)
    return computed


def run_list(user: User, organization: Organization) -> QuerySet[AuditRun]:
    """The organization's latest runs, each with how many gates it failed, passed and
    could not judge (``gates_fail``, ``gates_pass``, ``gates_insufficient``)."""
    counts = {
        f"gates_{v}": Count("verdicts", filter=Q(verdicts__verdict=v)) for v in Verdict.values
    }
    # Meta.ordering does not apply to a query with aggregates: order explicitly.
    return (
        runs_for(user)
        .filter(organization=organization)
        .annotate(**counts)
        .order_by("-created_at", "-id")
    )


def gate_dimensions(review: Review) -> list[str]:
    """The sensitive features the review's audits have audited, in first-seen order: what
    a launch gate of the review can be computed over (besides the intersection)."""
    seen: dict[str, None] = {}
    for config in AuditRun.objects.filter(review=review).values_list("config", flat=True):
        seen.update(dict.fromkeys(str(f) for f in config.get("sensitive", ())))
    return list(seen)
