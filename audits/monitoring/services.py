"""Monitor writes: create and change monitors, take production batches, evaluate them
(an audit run per batch, then a sequential reading per watched gate; audits/incidents acts on
a breach) and notice monitors whose data is late."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audits import services as audit_services
from audits.engine import gates as engine_gates
from audits.engine import sequential
from audits.engine.audit import compute, count_file
from audits.engine.config import AuditConfig
from audits.engine.counts import Counts, merge
from audits.engine.errors import AuditInputError
from audits.engine.groups import Dimension
from audits.engine.pushdown import counts_from_table, table_from_rows
from audits.engine.serialize import counts_from_json, counts_to_json
from audits.models import AuditRun, Dataset, GateVerdict, LaunchGate, RunStatus
from orgs import access
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change
from orgs.plumbing.errors import ServiceError
from reviews.models import Review, ReviewStatus

from . import signals
from .models import ROUTE_KEYS, STEPS, Batch, BatchStatus, Monitor, Reading, default_routes

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Monitors ----------------------------------------------------------------------------


def _check(
    review: Review,
    config: AuditConfig,
    gates: list[LaunchGate],
    routes: dict[str, Any],
    on_call: list[User],
    numbers: dict[str, float],
) -> None:
    for gate in gates:
        if gate.review_id != review.pk:
            raise ServiceError("A watched gate belongs to another review.", field="gates")
        if not sequential.watchable(gate.metric):
            raise ServiceError(
                f"{gate.get_metric_display()} cannot be watched yet; monitors watch "
                + ", ".join(sorted(sequential.SEQUENTIAL_METRICS))
                + ".",
                field="gates",
            )
        feature = gate.sensitive_feature
        if feature and feature not in config.sensitive:
            raise ServiceError(
                f"The gate is on {feature!r}, which the monitor's data does not name.",
                field="gates",
            )
    if set(routes) - set(ROUTE_KEYS) or any(
        not isinstance(v, list) or set(v) - set(STEPS) for v in routes.values()
    ):
        raise ServiceError(
            f"routes maps {', '.join(ROUTE_KEYS)} to steps among {', '.join(STEPS)}.",
            field="routes",
        )
    for person in on_call:
        if not access.can(person, "monitor.read", review):
            raise ServiceError(f"{person.username} cannot see this monitor.", field="on_call")
    if not 0.001 <= numbers["alpha"] <= 0.5:
        raise ServiceError("alpha is between 0.001 and 0.5.", field="alpha")
    if not 1 <= numbers["cadence_hours"] <= 24 * 366:
        raise ServiceError("cadence_hours is between 1 and 8784.", field="cadence_hours")
    if not 0 <= numbers["late_margin"] <= 10:
        raise ServiceError("late_margin is between 0 and 10.", field="late_margin")
    if not 0 <= numbers["window"] <= 365:
        raise ServiceError("window is between 0 (every batch) and 365.", field="window")


@transaction.atomic
def monitor_create(
    *,
    actor: User,
    review: Review,
    name: str,
    config: AuditConfig,
    gates: list[LaunchGate] | None = None,
    cadence_hours: int = 24,
    late_margin: float = 0.5,
    alpha: float = 0.05,
    window: int = 7,
    routes: dict[str, Any] | None = None,
    on_call: list[User] | None = None,
) -> Monitor:
    """A monitor of the deployed system of an approved review."""
    access.require(actor, "monitor.create", review)
    if review.status != ReviewStatus.APPROVED:
        raise ServiceError(
            "Only the system of an approved review is monitored; approve the review first.",
            field="review",
        )
    routes = default_routes() if routes is None else routes
    numbers = dict(cadence_hours=cadence_hours, late_margin=late_margin, alpha=alpha, window=window)
    gates = gates or []
    _check(review, config, gates, routes, on_call or [], numbers)
    monitor = Monitor.objects.create(
        organization_id=review.organization_id,
        review=review,
        name=name,
        config=config.as_dict(),
        routes=routes,
        created_by=actor,
        **numbers,
    )
    monitor.gates.set(gates)
    monitor.on_call.set(on_call or [])
    log_change(actor=actor, verb="create", instance=monitor)
    return monitor


@transaction.atomic
def monitor_update(
    *,
    actor: User,
    monitor: Monitor,
    name: str | Unset = UNSET,
    gates: list[LaunchGate] | Unset = UNSET,
    cadence_hours: int | Unset = UNSET,
    late_margin: float | Unset = UNSET,
    alpha: float | Unset = UNSET,
    window: int | Unset = UNSET,
    routes: dict[str, Any] | Unset = UNSET,
    on_call: list[User] | Unset = UNSET,
    active: bool | Unset = UNSET,
) -> Monitor:
    access.require(actor, "monitor.update", monitor)
    changes = given(
        name=name,
        cadence_hours=cadence_hours,
        late_margin=late_margin,
        alpha=alpha,
        window=window,
        routes=routes,
        active=active,
    )
    current = {f: getattr(monitor, f) for f in ("cadence_hours", "late_margin", "alpha", "window")}
    _check(
        monitor.review,
        monitor_config(monitor),
        list(monitor.gates.all()) if isinstance(gates, Unset) else gates,
        monitor.routes if isinstance(routes, Unset) else routes,
        [] if isinstance(on_call, Unset) else on_call,
        {**current, **{k: v for k, v in changes.items() if k in current}},
    )
    apply_changes(actor=actor, instance=monitor, changes=changes)
    if not isinstance(gates, Unset):
        monitor.gates.set(gates)
    if not isinstance(on_call, Unset):
        monitor.on_call.set(on_call)
    return monitor


def monitor_config(monitor: Monitor) -> AuditConfig:
    """The monitor's column mapping, with this deployment's audit limits."""
    return replace(
        AuditConfig.from_dict(monitor.config),
        max_values_per_feature=settings.AUDIT_MAX_VALUES_PER_FEATURE,
        max_cells=settings.AUDIT_MAX_CELLS,
        max_label_length=settings.AUDIT_MAX_LABEL_LENGTH,
    )


# --- Batches -----------------------------------------------------------------------------


@transaction.atomic
def batch_push(
    *,
    actor: User,
    monitor: Monitor,
    upload: Any = None,
    counts: list[dict[str, Any]] | None = None,
    score_bins: list[float] | None = None,
    period_end: datetime | None = None,
) -> Batch:
    """Take one production batch: a CSV/Parquet file (stored like any dataset) or counts
    rows, optionally with the edges of their score bins (checked now, so bad counts are
    refused before anything is written). Evaluated on a worker once committed."""
    access.require(actor, "batch.push", monitor)
    if not monitor.active:
        raise ServiceError("The monitor is paused; resume it to send batches.", field="monitor")
    if (upload is None) == (counts is None):
        raise ServiceError("Send either a file or counts rows.", field="file")
    if score_bins is not None and counts is None:
        raise ServiceError(
            "score_bins go with counts rows; a file carries its own scores.", field="score_bins"
        )
    config = monitor_config(monitor)
    dataset = None
    if counts is not None:
        if len(counts) > settings.MONITOR_MAX_COUNT_ROWS:
            raise ServiceError(
                f"At most {settings.MONITOR_MAX_COUNT_ROWS:,} counts rows per batch "
                "(MONITOR_MAX_COUNT_ROWS).",
                field="counts",
            )
        try:
            counts_from_table(table_from_rows(counts, config), config, score_bins)
        except AuditInputError as exc:
            field = "score_bins" if exc.field == "score_bins" else "counts"
            raise ServiceError(exc.message, field=field) from exc
        posted: Any = counts if score_bins is None else {"score_bins": score_bins, "counts": counts}
        body = json.dumps(posted).encode()
        dataset = Dataset(
            organization_id=monitor.organization_id,
            name=f"{monitor.name}: counts",
            format="counts",
            sha256=hashlib.sha256(body).hexdigest(),
            size_bytes=len(body),
            columns=[
                *config.sensitive,
                config.y_true,
                config.y_pred or "",
                "count",
                *(["score_bin"] if score_bins is not None else []),
            ],
            uploaded_by=actor,
        )
        dataset.file.save(f"{dataset.sha256[:16]}.json", ContentFile(body), save=True)
    else:
        dataset = audit_services.dataset_upload(
            actor=actor, organization=monitor.review.organization, upload=upload
        )
        missing = [c for c in config.columns if c not in dataset.columns]
        if missing:
            raise ServiceError(
                f"The file lacks the monitor's column(s) {', '.join(missing)}.", field="file"
            )
    batch = Batch.objects.create(
        organization_id=monitor.organization_id,
        monitor=monitor,
        kind="counts" if counts is not None else "file",
        dataset=dataset,
        counts_input=counts,
        score_bins=score_bins,
        period_end=period_end or timezone.now(),
        created_by=actor,
    )
    log_change(
        actor=actor,
        verb="create",
        instance=batch,
        after={"monitor_id": monitor.pk, "kind": batch.kind, "dataset_id": dataset.pk},
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.evaluate_batch.delay(batch.pk))
    return batch


def _batch_counts(batch: Batch, config: AuditConfig) -> Counts:
    if batch.kind == "counts":
        table = table_from_rows(batch.counts_input or [], config)
        return counts_from_table(table, config, batch.score_bins)
    assert batch.dataset is not None
    with audit_services.local_path(batch.dataset) as path:
        return count_file(path, config)


def _slim(counts: Counts) -> dict[str, Any]:
    """Only what the gates need: the confusion counts per cell. The score sums and
    histograms stay in the batch's audit run (AUC, Brier score, calibration); they are
    not kept here, where the window adds batches up: batches may bin their scores
    differently (or not at all), and ``merge`` adds histograms of one layout only."""
    data = counts_to_json(counts)
    for key in ("brier", "cal", "hist", "bins", "score_min", "score_max"):
        data[key] = None
    return data


def batch_evaluate(*, batch_id: int) -> Batch:
    """Audit the batch (stored as an audit run of the review, with per-batch verdicts on
    the watched gates), then read each watched gate sequentially over the window."""
    claimed = Batch.objects.filter(pk=batch_id, status=BatchStatus.PENDING).update(
        status=BatchStatus.DONE
    )
    batch = Batch.objects.select_related("monitor__review", "dataset").get(pk=batch_id)
    if not claimed:
        return batch
    monitor = batch.monitor
    config = monitor_config(monitor)
    started = time.perf_counter()
    try:
        counts = _batch_counts(batch, config)
        result = compute(counts, config)
    except AuditInputError as exc:
        Batch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, error=exc.message)
        batch.refresh_from_db()
        return batch
    except BaseException as exc:  # a crash or a time limit: say so rather than look done
        Batch.objects.filter(pk=batch_id).update(
            status=BatchStatus.FAILED, error=f"Internal error: {type(exc).__name__}"
        )
        raise
    assert batch.dataset is not None
    result["input"] = {
        "name": batch.dataset.name,
        "format": batch.dataset.format,
        "sha256": batch.dataset.sha256,
        "rows": counts.total_rows,
        "bytes": batch.dataset.size_bytes,
    }
    result["timings"]["total_s"] = round(time.perf_counter() - started, 4)
    with transaction.atomic():
        return _store(batch, counts, config, result)


def _store(batch: Batch, counts: Counts, config: AuditConfig, result: dict[str, Any]) -> Batch:
    monitor = batch.monitor
    now = timezone.now()
    assert batch.dataset is not None
    run = AuditRun.objects.create(
        organization_id=monitor.organization_id,
        review=monitor.review,
        dataset=batch.dataset,
        config=config.as_dict(),
        status=RunStatus.SUCCEEDED,
        progress=100,
        result=result,
        timings=result.get("timings", {}),
        created_by=batch.created_by,
        started_at=now,
        finished_at=now,
    )
    watched = list(monitor.gates.all())
    for gate in watched:
        spec = engine_gates.GateSpec(
            gate.metric, gate.comparator, gate.threshold, gate.sensitive_feature
        )
        GateVerdict.objects.create(
            organization_id=run.organization_id,
            run=run,
            gate=gate,
            **engine_gates.evaluate(spec, result).as_fields(),
        )
    batch.run = run
    batch.counts = _slim(counts)
    batch.rows = counts.total_rows
    batch.save(update_fields=["run", "counts", "rows"])
    Monitor.objects.filter(pk=monitor.pk).update(last_batch_at=_newest(monitor, batch))
    recent = list(
        monitor.batches.filter(status=BatchStatus.DONE, period_end__lte=batch.period_end)
        .exclude(counts=None)
        .order_by("-period_end", "-id")[: monitor.window or None]
    )
    window = merge([counts_from_json(b.counts) for b in recent if b.counts is not None])
    for gate in watched:
        reading = _read(batch, gate, window, counts, monitor)
        previous = (
            Reading.objects.filter(gate=gate, batch__monitor=monitor, look__lt=reading.look)
            .order_by("-look")
            .first()
        )
        was = previous.state if previous else sequential.OK
        if reading.state == sequential.BREACH and was != sequential.BREACH:
            signals.gate_breached.send(
                Monitor, monitor=monitor, gate=gate, reading=reading, run=run
            )
    batch.refresh_from_db()
    return batch


def _newest(monitor: Monitor, batch: Batch) -> datetime:
    current = monitor.last_batch_at
    return batch.period_end if current is None else max(current, batch.period_end)


def _read(
    batch: Batch, gate: LaunchGate, window: Counts, alone: Counts, monitor: Monitor
) -> Reading:
    look = Reading.objects.filter(gate=gate, batch__monitor=monitor).count() + 1

    def group_counts(counts: Counts) -> tuple[list[str], Any, Any] | None:
        features = counts.features
        idx = (
            [features.index(gate.sensitive_feature)]
            if gate.sensitive_feature
            else list(range(len(features)))
        )
        dim = Dimension(counts, gate.sensitive_feature or "intersection", idx)
        return dim.labels, dim.sum(counts.w), dim.sum(counts.w2)

    labels, w, w2 = group_counts(window)  # type: ignore[misc]
    _, batch_w, _ = group_counts(alone)  # type: ignore[misc]
    found = sequential.judge(
        metric=gate.metric,
        comparator=gate.comparator,
        threshold=gate.threshold,
        labels=labels,
        w=w,
        w2=w2,
        look=look,
        alpha=monitor.alpha,
        batch_w=batch_w,
    )
    return Reading.objects.create(
        organization_id=batch.organization_id,
        batch=batch,
        gate=gate,
        look=look,
        state=found.state,
        value=found.value,
        low=found.low,
        high=found.high,
        batch_value=found.batch_value,
        groups=found.groups,
        reason=found.reason,
    )


# --- Late data ---------------------------------------------------------------------------


def monitors_check_late(now: datetime | None = None) -> list[Monitor]:
    """Raise a no-data alert on each active monitor whose newest data is older than its
    cadence × (1 + margin), once per gap (celery beat, every MONITOR_LATE_CHECK_MINUTES)."""
    now = now or timezone.now()
    alerted = []
    for monitor in Monitor.objects.filter(active=True).select_related("review"):
        since = monitor.last_batch_at or monitor.created_at
        allowed = timedelta(hours=monitor.cadence_hours * (1 + monitor.late_margin))
        if now - since <= allowed:
            continue
        if monitor.late_alerted_at is not None and monitor.late_alerted_at >= since:
            continue  # already said for this gap
        with transaction.atomic():
            if not Monitor.objects.filter(
                pk=monitor.pk, late_alerted_at=monitor.late_alerted_at
            ).update(late_alerted_at=now):
                continue
            signals.data_late.send(Monitor, monitor=monitor, since=since, now=now)
        alerted.append(monitor)
    return alerted
