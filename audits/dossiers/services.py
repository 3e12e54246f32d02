"""Dossier writes: start an export, build it (gather, render, sign, store), record an
auditor's counter-signed copy; and the verification that looks a file up in the records."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audits.chart_store import review_run_charts
from audits.signatures import signing, verify
from orgs import access
from orgs.ledger.writes import log_change
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.models import Review

from . import gather, render
from .models import Dossier, DossierStatus
from .pdf import isolate, produce

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


def _next_number(review: Review) -> int:
    top = Dossier.objects.filter(review=review).aggregate(n=Max("number"))["n"]
    return int(top or 0) + 1


def _numbered(review: Review, actor: User | None) -> Dossier:
    Review.objects.select_for_update().filter(pk=review.pk).first()  # numbers one at a time
    dossier = Dossier.objects.create(
        organization=review.organization,
        review=review,
        number=_next_number(review),
        exported_by=actor,
        stage="Waiting for a worker",
    )
    log_change(actor=actor, verb="create", instance=dossier)
    return dossier


@transaction.atomic
def dossier_export(*, actor: User, review: Review) -> Dossier:
    """Number a new export of the review and queue its build (on commit)."""
    access.require(actor, "dossier.export", review)
    dossier = _numbered(review, actor)
    from . import tasks

    transaction.on_commit(lambda: tasks.build_dossier.delay(dossier.pk))
    return dossier


def dossier_export_now(*, review: Review) -> Dossier:
    """Export from the command line (an operator, no person in the policy): numbered and
    recorded like any export, built in this process."""
    with transaction.atomic():
        dossier = _numbered(review, None)
    dossier_build(dossier.pk)
    dossier.refresh_from_db()
    return dossier


def _progress(dossier_id: int) -> isolate.Progress:
    def report(percent: int, stage: str) -> None:
        Dossier.objects.filter(pk=dossier_id, status=DossierStatus.PENDING).update(
            progress=max(1, min(99, percent)), stage=stage[:100]
        )

    return report


def dossier_build(dossier_id: int) -> str:
    """Gather, render, sign and store one export. Idempotent: a dossier another worker has
    claimed, or that is finished, is left alone ("busy"/"done")."""
    claimed = Dossier.objects.filter(
        pk=dossier_id, status=DossierStatus.PENDING, progress=0
    ).update(progress=1, stage="Gathering the review's data")
    if not claimed:
        return "done"
    dossier = Dossier.objects.select_related("review__organization", "review__system").get(
        pk=dossier_id
    )
    progress = _progress(dossier_id)
    try:
        creds = signing.credentials(settings)
        data = gather.build(dossier.review, creds.identity())
        progress(15, "Drawing the charts and writing the HTML")
        html = render.to_html(data, review_run_charts(dossier.review_id))
        payload = render.canonical_json(data)
        pdf, pages = isolate.run(
            produce,
            (
                html,
                payload,
                render.state_time(data),
                signing.config_of(settings),
                settings.DOSSIER_TSA_URL,
            ),
            progress=progress,
            timeout=settings.DOSSIER_TIME_LIMIT,
            memory_mb=settings.DOSSIER_MEMORY_MB,
            isolate=settings.DOSSIER_ISOLATE,
        )
    except (isolate.ExportLimit, signing.SigningError) as exc:
        return dossier_fail(dossier_id, str(exc))
    except Exception as exc:
        log.exception("Dossier %s failed", dossier_id)
        return dossier_fail(dossier_id, f"Internal error: {type(exc).__name__}")
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        dossier.file.save(
            f"review-{dossier.review_id}-dossier-{dossier.number}.pdf", ContentFile(pdf), save=False
        )
        dossier.sha256 = digest
        dossier.size_bytes = len(pdf)
        dossier.pages = pages
        dossier.data_sha256 = hashlib.sha256(payload).hexdigest()
        dossier.signer_subject = creds.subject[:500]
        dossier.development_key = creds.development
        dossier.status = DossierStatus.READY
        dossier.progress = 100
        dossier.stage = "Ready"
        dossier.finished_at = timezone.now()
        dossier.save()
    return "ready"


def dossier_fail(dossier_id: int, message: str) -> str:
    Dossier.objects.filter(pk=dossier_id, status=DossierStatus.PENDING).update(
        status=DossierStatus.FAILED, error=message, stage="Failed", finished_at=timezone.now()
    )
    return "failed"


# --- Verification and counter-signatures ---------------------------------------------------


def trust_roots() -> list[Any]:
    """The organization's own root (or the development CA) and DOSSIER_TRUST_ROOTS."""
    return signing.credentials(settings).roots + signing.extra_roots(settings.DOSSIER_TRUST_ROOTS)


@dataclass
class Verification:
    report: verify.Report
    # The recorded export this file is, or was counter-signed from; None when unknown.
    export: Dossier | None
    exact: bool  # the file is byte for byte the recorded one
    data_recorded: bool | None  # the embedded JSON is the one recorded at export
    data_current: bool | None  # ...and the database still gives the same (None: not asked)

    @property
    def ok(self) -> bool:
        return self.report.ok


def verification(pdf: bytes, viewer: Any = None) -> Verification:
    """Verify ``pdf`` and look it up among the recorded exports. Whether its data still
    matches the database is only worked out for a viewer who may read the dossier."""
    report = verify.verify(pdf, trust_roots())
    ready = Dossier.objects.filter(status=DossierStatus.READY).select_related(
        "review__organization", "review__system"
    )
    export = ready.filter(sha256=report.sha256).first()
    exact = export is not None
    if export is None and report.signed_sha256:
        export = ready.filter(sha256=report.signed_sha256).first()
    data_recorded = data_current = None
    if export is not None and report.data_sha256 is not None:
        data_recorded = report.data_sha256 == export.data_sha256
        if viewer is not None and access.can(viewer, "dossier.read", export):
            creds = signing.credentials(settings)
            now = render.canonical_json(gather.build(export.review, creds.identity()))
            data_current = hashlib.sha256(now).hexdigest() == report.data_sha256
    return Verification(report, export, exact, data_recorded, data_current)


def stored_pdf(dossier: Dossier) -> bytes | None:
    """The export's file, or None when it has none (pending, failed, or lost from storage)."""
    if not dossier.file:
        return None
    try:
        with dossier.file.open("rb") as stored:
            data: bytes = stored.read()
    except (FileNotFoundError, ValueError):
        log.warning("Dossier %s has lost its file %s", dossier.pk, dossier.file.name)
        return None
    return data


@transaction.atomic
def dossier_record_countersigned(*, actor: User, dossier: Dossier, pdf: bytes) -> Dossier:
    """Keep an auditor's counter-signed copy of an export as the next numbered dossier: it
    must be the export with signatures appended, every one intact and valid."""
    access.require(actor, "dossier.countersign", dossier)
    original = stored_pdf(dossier)
    if dossier.status != DossierStatus.READY or original is None:
        raise Conflict("Only a finished export can be counter-signed.")
    if not pdf.startswith(original) or len(pdf) == len(original):
        raise ServiceError(
            "This file is not a counter-signed copy of this export: it must be the "
            "exported file with a signature appended (an incremental update).",
            field="file",
        )
    try:
        report = verify.verify(pdf, trust_roots())
    except verify.NotAPdf as exc:
        raise ServiceError(str(exc), field="file") from exc
    broken = [p for s in report.signatures for p in s.problems if "not trusted" not in p]
    if len(report.signatures) < 2 or broken:
        raise ServiceError(
            "The counter-signed copy does not verify: "
            + (" ".join(broken) or "it carries no second signature."),
            field="file",
        )
    copy = Dossier.objects.create(
        organization=dossier.organization,
        review=dossier.review,
        number=_next_number(dossier.review),
        based_on=dossier,
        exported_by=actor,
        sha256=report.sha256,
        size_bytes=len(pdf),
        pages=dossier.pages,
        data_sha256=dossier.data_sha256,
        signer_subject="; ".join(s.signer for s in report.signatures)[:500],
        development_key=dossier.development_key,
        status=DossierStatus.READY,
        progress=100,
        stage="Counter-signed",
        finished_at=timezone.now(),
    )
    copy.file.save(
        f"review-{dossier.review_id}-dossier-{copy.number}-countersigned.pdf",
        ContentFile(pdf),
        save=True,
    )
    log_change(actor=actor, verb="create", instance=copy)
    return copy
