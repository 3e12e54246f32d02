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
from orgs.ledger.chain import record
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change, snapshot
from orgs.models import Organization
from orgs.plumbing.errors import ServiceError
from orgs.site import site_url
from reviews.freeze import require_editable
from reviews.harms.models import Harm
from reviews.models import Review

from .chart_store import RUN_CHARTS, run_chart
from .engine import gates
from .engine.audit import audit_file, compute, count_file, score_bins_for_file
from .engine.config import AuditConfig
from .engine.counts import file_format, merge, read_header, row_count
from .engine.errors import AuditInputError
from .engine.mapping import SAMPLE_ROWS, check_mapping, profile
from .engine.reading import read_sample
from .engine.trend import summary_of
from .models import (
    AuditRun,
    Dataset,
    GateAction,
    GateVerdict,
    LaunchGate,
    RunStatus,
    Verdict,
)
from .selectors import latest_run

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
    # The copy read here keeps the uploaded file's own name, which the reader's messages
    # name ("loans.csv is an Excel workbook…"), never a temporary one.
    own = Path(upload.name).name
    usable = own not in ("", ".", "..") and len(own.encode()) <= 200 and own.isprintable()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (own if usable else f"upload.{fmt}")
        with path.open("wb") as copy:
            for chunk in upload.chunks():
                digest.update(chunk)
                copy.write(chunk)
        try:
            columns = read_header(path)
            sample = profile(columns, read_sample(path, SAMPLE_ROWS))
        except AuditInputError as exc:
            raise ServiceError(exc.message, field="file") from exc
        if not columns or columns == [""]:
            raise ServiceError("The file has no header row.", field="file")
        dataset = Dataset(
            organization=organization,
            name=(name or own)[:200],
            format=fmt,
            sha256=digest.hexdigest(),
            size_bytes=upload.size,
            columns=columns,
            sample=sample,
            uploaded_by=actor,
        )
        with path.open("rb") as stored:
            dataset.file.save(f"{digest.hexdigest()[:16]}.{fmt}", File(stored), save=False)
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
    """Check the config against the dataset's header and the profile of its first rows
    (the engine's ``check_mapping``), save a pending run, queue it once committed."""
    access.require(actor, "audit.run", review)
    require_editable(_locked(review))
    if dataset.organization_id != review.organization_id:
        raise ServiceError("That dataset belongs to another organization.", field="dataset")
    try:
        check_mapping(config, dataset.columns, dataset.sample, dataset.name)
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
    run.summary = summary_of(result)
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
    from . import tasks

    # Drawn now, not while someone waits for the run page or a dossier; a chart that
    # fails to draw is drawn again when it is first shown.
    transaction.on_commit(lambda: tasks.draw_run_charts.delay(run.pk), robust=True)
    return run


def audit_draw_charts(*, run_id: int) -> int:
    """Draw and store every chart of a finished run (audits/chart_store.py); returns how
    many the run has. Idempotent: a stored chart is read, not drawn again."""
    run = AuditRun.objects.filter(pk=run_id, status=RunStatus.SUCCEEDED).first()
    if run is None:
        return 0
    dims = (run.result or {}).get("dimensions") or []
    for i in range(len(dims)):
        for kind in RUN_CHARTS:
            run_chart(run, i, kind)
    return len(dims) * len(RUN_CHARTS)


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
        verdicts.append(_judge(run, gate))
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


def _judge(run: AuditRun, gate: LaunchGate) -> GateVerdict:
    """The run's verdict on the gate (made again when the gate's rule changes)."""
    assert run.result is not None
    spec = gates.GateSpec(gate.metric, gate.comparator, gate.threshold, gate.sensitive_feature)
    outcome = gates.evaluate(spec, run.result)
    verdict, _ = GateVerdict.objects.update_or_create(
        run=run,
        gate=gate,
        defaults={"organization_id": run.organization_id, **outcome.as_fields()},
    )
    return verdict


def audit_fail(*, run_id: int, message: str, keep_reason: bool = False) -> None:
    """Mark the run failed with ``message`` (unless ``keep_reason`` and it already failed
    with its own reason)."""
    run = AuditRun.objects.get(pk=run_id)
    if keep_reason and run.status == RunStatus.FAILED and run.error:
        return
    _finish_failed(run, message)


# --- Launch gates ------------------------------------------------------------------------


# "launch_gate.update" in orgs/access.py POLICY (editors, like create and delete).
GATE_UPDATE = "launch_gate.update"


def _locked(review: Review) -> Review:
    """The review, locked until the write commits, so it is not approved (frozen) between
    the check and the write."""
    return Review.objects.select_for_update(of=("self",)).get(pk=review.pk)


def _check_gate(review: Review, rule: dict[str, Any]) -> None:
    """A gate as it will read: a rule the engine can judge, a known action, a harm of
    its own review."""
    try:
        gates.GateSpec(rule["metric"], rule["comparator"], rule["threshold"])
    except AuditInputError as exc:
        raise ServiceError(exc.message, field=exc.field) from exc
    if rule["action"] not in GateAction.values:
        raise ServiceError("Unknown action.", field="action")
    if rule["harm"] is not None and rule["harm"].review_id != review.pk:
        raise ServiceError("That harm belongs to another review.", field="harm")


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
    require_editable(_locked(review))
    values = dict(metric=metric, comparator=comparator, threshold=threshold, action=action)
    _check_gate(review, {**values, "harm": harm})
    gate = LaunchGate.objects.create(
        organization_id=review.organization_id,
        review=review,
        sensitive_feature=sensitive_feature,
        description=description,
        harm=harm,
        **values,
    )
    log_change(actor=actor, verb="create", instance=gate)
    return gate


@transaction.atomic
def launch_gate_update(
    *,
    actor: User,
    gate: LaunchGate,
    metric: str | Unset = UNSET,
    sensitive_feature: str | Unset = UNSET,
    comparator: str | Unset = UNSET,
    threshold: float | Unset = UNSET,
    action: str | Unset = UNSET,
    description: str | Unset = UNSET,
    harm: Harm | None | Unset = UNSET,
) -> LaunchGate:
    """Change a gate (one event, before and after). When its rule changes, the latest
    audit judges it again, so the verdict shown is on the rule as it now reads."""
    access.require(actor, GATE_UPDATE, gate)
    require_editable(_locked(gate.review))
    changes = given(
        metric=metric,
        sensitive_feature=sensitive_feature,
        comparator=comparator,
        threshold=threshold,
        action=action,
        description=description,
        harm=harm,
    )
    fields = ("metric", "sensitive_feature", "comparator", "threshold", "action", "harm")
    before = {name: getattr(gate, name) for name in fields}
    _check_gate(gate.review, before | changes)
    apply_changes(actor=actor, instance=gate, changes=changes)
    run = latest_run(gate.review)
    if run is not None and any(before[name] != getattr(gate, name) for name in fields[:4]):
        _judge(run, gate)  # metric, dimension, comparator or threshold changed
    return gate


@transaction.atomic
def launch_gate_delete(*, actor: User, gate: LaunchGate) -> None:
    access.require(actor, "launch_gate.delete", gate)
    require_editable(_locked(gate.review))
    log_change(actor=actor, verb="delete", instance=gate, before=snapshot(gate))
    gate.delete()
