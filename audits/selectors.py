from django.db.models import QuerySet

from .models import AuditRun, Dataset, GateVerdict


def datasets_for(user) -> QuerySet[Dataset]:
    return Dataset.objects.for_user(user).select_related("organization", "uploaded_by")


def runs_for(user) -> QuerySet[AuditRun]:
    return AuditRun.objects.for_user(user).select_related(
        "review__system__organization", "dataset", "created_by"
    )


def verdicts_for(user) -> QuerySet[GateVerdict]:
    return GateVerdict.objects.for_user(user).select_related("gate", "run")


def trend(system, dimension: str | None = None) -> tuple[dict[str, list], list[str]]:
    """Each summary metric across the system's succeeded runs, oldest first, and the names
    of every dimension those runs audited (one pass over the stored results)."""
    runs = AuditRun.objects.filter(review__system=system, status="succeeded").order_by(
        "finished_at", "id"
    )
    series: dict[str, list] = {}
    names: set[str] = set()
    for run in runs:
        dims = {d["name"]: d for d in run.result["dimensions"]}
        names.update(dims)
        dim = dims.get(dimension or "intersection") or run.result["dimensions"][0]
        for name, s in dim["summary"].items():
            ci = s.get("ci") or [None, None]
            series.setdefault(name, []).append(
                (f"#{run.pk} {run.finished_at:%Y-%m-%d}", s.get("value"), ci[0], ci[1])
            )
    return series, sorted(names)
