"""Audit writes: upload datasets, start runs, execute them on workers, judge launch gates."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from orgs import access
from orgs import services as org_services
from orgs.errors import ServiceError
from orgs.ledger.chain import record
from orgs.ledger.writes import log_change, snapshot
from orgs.models import Organization
from orgs.site import site_url
from reviews.harms.models import Harm
from reviews.models import Review

from .engine import gates
from .engine.audit import audit_file, compute, count_file, score_bins_for_file
from .engine.config import AuditConfig
from .engine.counts import file_format, merge, read_header, row_count
from .engine.errors import AuditInputError
from .engine.names import SUMMARY_METRIC_NAMES
from .models import (
    AuditRun,
    Comparator,
    Dataset,
    GateAction,
    GateVerdict,
    LaunchGate,
    RunStatus,
    Verdict,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.AUDIT_STALE_SECONDS)


# --- Datasets ----------------------------------------------------------------------------


@transaction.atomic
def dataset_upload(
    *, actor: User, organization: Organization, upload: Any, name: str = ""
) -> Dataset:
    """Store an uploaded CSV/Parquet file with its SHA-256 and column list."""
    access.require(actor, "dataset.upload", organization)
    limit = settings.AUDIT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ServiceError(
            f"The file is {upload.size / 2**20:.1f} MiB; the limit is {limit / 2**20:.0f} MiB.",
            field="file",
        )
    if upload.size == 0:
        raise ServiceError("The file is empty.", field="file")
    try:
        fmt = file_format(Path(upload.name))
    except AuditInputError as exc:
        raise ServiceError(exc.message, field="file") from exc
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as tmp:
        for chunk in upload.chunks():
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        try:
            columns = read_header(Path(tmp.name))
        except AuditInputError as exc:
            raise ServiceError(exc.message, field="file") from exc
        if not columns or columns == [""]:
            raise ServiceError("The file has no header row.", field="file")
        tmp.seek(0)
        dataset = Dataset(
            organization=organization,
            name=(name or Path(upload.name).name)[:200],
            format=fmt,
            sha256=digest.hexdigest(),
            size_bytes=upload.size,
            columns=columns,
            uploaded_by=actor,
        )
        dataset.file.save(f"{digest.hexdigest()[:16]}.{fmt}", File(tmp), save=False)
    dataset.save()
    log_change(actor=actor, verb="create", instance=dataset)
    return dataset


@contextlib.contextmanager
def local_path(dataset: Dataset) -> Iterator[Path]:
    """A filesystem path to the dataset: the file itself for local storage, else a
    temporary copy streamed from the storage backend (S3 and the like)."""
    try:
        path = Path(dataset.file.path)
    except NotImplementedError:  # remote storage (S3 and the like)
        path = None
    # Some backends answer path() with a name that is not a file on this machine.
    if path is not None and path.is_file():
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=f".{dataset.format}") as tmp:
        with dataset.file.open("rb") as src:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


# --- Runs --------------------------------------------------------------------------------


def run_config(run: AuditRun) -> AuditConfig:
    """The run's stored config, read with this deployment's streaming batch size and
    limits (the settings named in the messages of a refused audit)."""
    return run.audit_config(
        chunk_rows=settings.AUDIT_CHUNK_ROWS,
        max_values_per_feature=settings.AUDIT_MAX_VALUES_PER_FEATURE,
        max_cells=settings.AUDIT_MAX_CELLS,
        max_label_length=settings.AUDIT_MAX_LABEL_LENGTH,
    )


@contextlib.contextmanager
def heartbeat(run_id: int) -> Iterator[None]:
    """While the block runs, keep telling other workers this run is alive (every quarter
    of AUDIT_STALE_SECONDS), so a second delivery of the task never takes it over in the
    middle of a long computation. In-process (eager) runs have no other worker."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield
        return
    stop = threading.Event()
    interval = max(1.0, settings.AUDIT_STALE_SECONDS / 4)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                AuditRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"audit-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


@transaction.atomic
def audit_start(*, actor: User, review: Review, dataset: Dataset, config: AuditConfig) -> AuditRun:
    """Check the config against the dataset, save a pending run, queue it once committed."""
    access.require(actor, "audit.run", review)
    if dataset.organization_id != review.organization_id:
        raise ServiceError("That dataset belongs to another organization.", field="dataset")
    try:
        config.check_columns(dataset.columns, source=dataset.name)
    except AuditInputError as exc:
        raise ServiceError(exc.message, field=exc.field) from exc
    split = (
        not settings.CELERY_TASK_ALWAYS_EAGER and dataset.size_bytes > settings.AUDIT_SPLIT_BYTES
    )
    parts = (
        max(
            1,
            min(
                settings.AUDIT_MAX_PARTS, math.ceil(dataset.size_bytes / settings.AUDIT_SPLIT_BYTES)
            ),
        )
        if split
        else 1
    )
    run = AuditRun.objects.create(
        organization_id=review.organization_id,
        review=review,
        dataset=dataset,
        config=config.as_dict(),
        parts=parts,
        created_by=actor,
    )
    log_change(actor=actor, verb="create", instance=run)
    from . import tasks

    if run.parts > 1:
        transaction.on_commit(lambda: tasks.dispatch_split_audit(run.pk))
    else:
        transaction.on_commit(lambda: tasks.execute_audit.delay(run.pk))
    return run


def audit_claim(run_id: int, worker: str) -> str:
    """Claim a run for this worker with one conditional UPDATE.

    Returns "claimed"; "done" when it already finished (a duplicate delivery); "busy" when
    another worker holds it and was heard from within AUDIT_STALE_SECONDS (the caller retries).
    A run whose worker died (stale heartbeat) is claimed again.
    """
    now = timezone.now()
    claimed = AuditRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, worker=worker, started_at=now, heartbeat_at=now, progress=0
    )
    if claimed:
        return "claimed"
    stale = AuditRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, heartbeat_at__lt=now - stale_after()
    ).update(worker=worker, started_at=now, heartbeat_at=now, progress=0)
    if stale:
        return "claimed"
    status = AuditRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    return "busy" if status == RunStatus.RUNNING else "done"


def _progress_reporter(run_id: int) -> Callable[[int], None]:
    last = {"value": -1}

    def report(value: int) -> None:
        if value < 0 or value - last["value"] < 5:
            AuditRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
            return
        last["value"] = value
        AuditRun.objects.filter(pk=run_id).update(progress=value, heartbeat_at=timezone.now())

    return report


def audit_execute(*, run_id: int) -> AuditRun:
    """Run a claimed audit in this process and store its outcome."""
    run = AuditRun.objects.select_related("dataset").get(pk=run_id)
    try:
        config = run_config(run)
        with heartbeat(run_id), local_path(run.dataset) as path:
            result = audit_file(path, config, progress=_progress_reporter(run_id))
    except AuditInputError as exc:
        return _finish_failed(run, exc.message)
    return audit_store_result(run_id=run_id, result=result)


def audit_count_part(
    *, run_id: int, start: int, stop: int, bins: dict[str, Any] | None
) -> dict[str, Any]:
    """Counts of rows [start, stop) (one member of a Celery group), as JSON."""
    from .engine.serialize import counts_to_json, scorebins_from_json

    run = AuditRun.objects.select_related("dataset").get(pk=run_id)
    AuditRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
    with heartbeat(run_id), local_path(run.dataset) as path:
        counts = count_file(
            path, run_config(run), bins=scorebins_from_json(bins), row_range=(start, stop)
        )
    return counts_to_json(counts)


def audit_merge_parts(*, run_id: int, parts: list[dict[str, Any]]) -> AuditRun:
    """The chord callback: add the parts' counts and finish the run."""
    import time

    from .engine.serialize import counts_from_json

    run = AuditRun.objects.select_related("dataset").get(pk=run_id)
    started = time.perf_counter()
    config = run_config(run)
    try:
        with heartbeat(run_id):
            counts = merge([counts_from_json(p) for p in parts])
            result = compute(counts, config)
    except AuditInputError as exc:
        return _finish_failed(run, exc.message)
    result["input"] = {
        "name": Path(run.dataset.name).name,
        "format": run.dataset.format,
        "sha256": run.dataset.sha256,
        "rows": counts.total_rows,
        "bytes": run.dataset.size_bytes,
    }
    result["timings"]["merge_s"] = round(time.perf_counter() - started, 4)
    result["timings"]["parts"] = len(parts)
    return audit_store_result(run_id=run_id, result=result)


def split_plan(run: AuditRun) -> tuple[list[tuple[int, int]], dict[str, Any] | None]:
    """Row ranges for the parts, and the shared score bins (the same for every part)."""
    from .engine.serialize import scorebins_to_json

    config = run_config(run)
    with local_path(run.dataset) as path:
        rows = row_count(path)
        bins = score_bins_for_file(path, config) if config.y_score else None
    size = math.ceil(max(rows, 1) / run.parts)
    ranges = [(i * size, min(rows, (i + 1) * size)) for i in range(run.parts)]
    return ranges, scorebins_to_json(bins)


@transaction.atomic
def audit_store_result(*, run_id: int, result: dict[str, Any]) -> AuditRun:
    """Save the result, judge every launch gate of the review, and tell the lead."""
    size = len(json.dumps(result, allow_nan=False))
    if size > settings.AUDIT_MAX_RESULT_BYTES:
        run = AuditRun.objects.get(pk=run_id)
        return _finish_failed(
            run,
            f"The result would take {size / 2**20:.1f} MiB; the limit is "
            f"{settings.AUDIT_MAX_RESULT_BYTES / 2**20:.0f} MiB (AUDIT_MAX_RESULT_MB). Audit "
            "fewer features or groups.",
        )
    run = (
        AuditRun.objects.select_for_update(of=("self",))
        .select_related("review__lead")
        .get(pk=run_id)
    )
    run.status = RunStatus.SUCCEEDED
    run.progress = 100
    run.result = result
    run.timings = result.get("timings", {})
    run.finished_at = timezone.now()
    run.error = ""
    run.save()
    record(
        organization_id=run.organization_id,
        actor=run.created_by,
        verb="succeeded",
        object_type="audits.auditrun",
        object_id=run.pk,
        after={
            "status": run.status,
            "rows": result.get("rows"),
            "sha256": (result.get("input") or {}).get("sha256"),
        },
    )
    gate_evaluate(run)
    return run


def _finish_failed(run: AuditRun, message: str) -> AuditRun:
    with transaction.atomic():
        AuditRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=message, finished_at=timezone.now()
        )
        record(
            organization_id=run.organization_id,
            actor=run.created_by,
            verb="failed",
            object_type="audits.auditrun",
            object_id=run.pk,
            after={"status": RunStatus.FAILED, "error": message},
        )
    run.refresh_from_db()
    return run


def gate_evaluate(run: AuditRun) -> list[GateVerdict]:
    """Judge each launch gate of the run's review; a failure notifies the review's lead
    by email and in-app notice."""
    result = run.result
    if result is None:
        raise ValueError(f"Audit run {run.pk} has no result to judge its launch gates against.")
    review = run.review
    verdicts = []
    GateVerdict.objects.filter(run=run).delete()
    for gate in review.launch_gates.all():
        outcome = gates.evaluate(
            gates.GateSpec(gate.metric, gate.comparator, gate.threshold, gate.sensitive_feature),
            result,
        )
        verdicts.append(
            GateVerdict.objects.create(
                organization_id=run.organization_id,
                run=run,
                gate=gate,
                verdict=outcome.verdict,
                value=outcome.value,
                ci_low=outcome.ci[0],
                ci_high=outcome.ci[1],
                reason=outcome.reason,
            )
        )
    failing = [v for v in verdicts if v.verdict == Verdict.FAIL]
    lead = review.lead
    if failing and lead is not None:
        url = reverse("audit_run_detail", args=[run.pk])
        text = (
            f"Audit #{run.pk} of {review.title} failed {len(failing)} launch gate(s): "
            + "; ".join(f"{v.gate.get_action_display()}: {v.reason}" for v in failing)
        )
        org_services.notice_send(
            user=lead, organization_id=run.organization_id, message=text, url=url
        )
        if lead.email:
            transaction.on_commit(
                lambda: send_mail(
                    subject=f"[Forethought] Launch gate failed: {review.title}",
                    message=text + f"\n\n{site_url()}{url}",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[lead.email],
                    fail_silently=True,
                )
            )
    return verdicts


def audit_fail(*, run_id: int, message: str, keep_reason: bool = False) -> None:
    """Mark the run failed with ``message`` (unless ``keep_reason`` and it already failed
    with its own reason)."""
    run = AuditRun.objects.get(pk=run_id)
    if keep_reason and run.status == RunStatus.FAILED and run.error:
        return
    _finish_failed(run, message)


# --- Launch gates ------------------------------------------------------------------------


@transaction.atomic
def launch_gate_create(
    *,
    actor: User,
    review: Review,
    metric: str,
    comparator: str,
    threshold: float,
    action: str,
    sensitive_feature: str = "",
    description: str = "",
    harm: Harm | None = None,
) -> LaunchGate:
    access.require(actor, "launch_gate.create", review)
    if metric not in SUMMARY_METRIC_NAMES:
        raise ServiceError(f"Unknown metric {metric!r}.", field="metric")
    if comparator not in Comparator.values:
        raise ServiceError("Comparator is one of >=, >, <=, <.", field="comparator")
    if action not in GateAction.values:
        raise ServiceError("Unknown action.", field="action")
    if not math.isfinite(threshold):
        raise ServiceError("The threshold is a finite number.", field="threshold")
    if harm is not None and harm.review_id != review.pk:
        raise ServiceError("That harm belongs to another review.", field="harm")
    gate = LaunchGate.objects.create(
        organization_id=review.organization_id,
        review=review,
        metric=metric,
        comparator=comparator,
        threshold=threshold,
        action=action,
        sensitive_feature=sensitive_feature,
        description=description,
        harm=harm,
    )
    log_change(actor=actor, verb="create", instance=gate)
    return gate


@transaction.atomic
def launch_gate_delete(*, actor: User, gate: LaunchGate) -> None:
    access.require(actor, "launch_gate.delete", gate)
    log_change(actor=actor, verb="delete", instance=gate, before=snapshot(gate))
    gate.delete()
