"""Audit reads, each scoped by the access policy."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from reviews.models import AISystem, Review

from .models import AuditRun, Dataset, GateVerdict, LaunchGate, RunStatus, Verdict

User = AbstractBaseUser | AnonymousUser


def datasets_for(user: User) -> QuerySet[Dataset]:
    return Dataset.objects.for_user(user).select_related("organization", "uploaded_by")


def runs_for(user: User) -> QuerySet[AuditRun]:
    return AuditRun.objects.for_user(user).select_related("review__system", "dataset", "created_by")


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


def trend(system: AISystem, dimension: str | None = None) -> tuple[dict[str, list[Any]], list[str]]:
    """Each summary metric across the system's succeeded runs, oldest first, and the names
    of every dimension those runs audited (one pass over the stored results)."""
    runs = AuditRun.objects.filter(review__system=system, status=RunStatus.SUCCEEDED).order_by(
        "finished_at", "id"
    )
    series: dict[str, list[Any]] = {}
    names: set[str] = set()
    for run in runs:
        assert run.result is not None
        dims = {d["name"]: d for d in run.result["dimensions"]}
        names.update(dims)
        dim = dims.get(dimension or "intersection") or run.result["dimensions"][0]
        for name, s in dim["summary"].items():
            ci = s.get("ci") or [None, None]
            series.setdefault(name, []).append(
                (f"#{run.pk} {run.finished_at:%Y-%m-%d}", s.get("value"), ci[0], ci[1])
            )
    return series, sorted(names)
