"""Ledger writes: queueing and running chain verifications, writing checkpoints.

Who may ask for a verification is decided by the caller (orgs.services); the nightly and
on-demand checks run here on a Celery worker.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from .chain import ChainReport, verify_chain
from .checkpoints import Checkpoint, latest_checkpoint, write_checkpoint
from .models import ChainVerification, EventChain


def _organization_model() -> type[Model]:
    # The ledger names organizations only through its foreign key.
    model = EventChain._meta.get_field("organization").related_model
    assert isinstance(model, type)
    return model


def verify_organization(
    organization_id: int, label: str, checkpoint: Checkpoint | None = None
) -> ChainReport:
    """Verify one chain, against the latest checkpoint unless one is given."""
    checkpoint = checkpoint if checkpoint is not None else latest_checkpoint()
    if checkpoint is not None and not checkpoint.valid:
        return ChainReport(label, intact=False, checked=0, message=checkpoint.problem)
    head = checkpoint.heads.get(organization_id) if checkpoint else None
    return verify_chain(organization_id, label, head, checkpoint.name if checkpoint else "")


def verify_all(slug: str | None = None) -> list[ChainReport]:
    """Every organization's chain, including organizations a checkpoint names that are no
    longer in the database (their whole chain was deleted)."""
    checkpoint = latest_checkpoint()
    organizations = dict(_organization_model()._default_manager.values_list("pk", "slug"))
    if checkpoint is not None:
        for org_id, old_slug in checkpoint.slugs.items():
            organizations.setdefault(org_id, old_slug)
    reports = []
    for org_id, org_slug in sorted(organizations.items(), key=lambda item: item[1]):
        if slug is not None and org_slug != slug:
            continue
        reports.append(verify_organization(org_id, org_slug, checkpoint))
    return reports


@transaction.atomic
def verification_enqueue(*, organization_id: int, requested_by: Any) -> ChainVerification:
    """Queue a check of one organization's chain on a Celery worker."""
    from . import tasks

    verification = ChainVerification.objects.create(
        organization_id=organization_id,
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: tasks.verify_event_chain.delay(verification.pk))
    return verification


def verification_run(*, verification_id: int, worker: str = "") -> ChainVerification | None:
    """Run a queued verification once; a duplicate delivery finds it claimed and does
    nothing."""
    claimed = ChainVerification.objects.filter(
        pk=verification_id, status=ChainVerification.Status.PENDING
    ).update(status=ChainVerification.Status.RUNNING, worker=worker)
    if not claimed:
        return None
    verification = ChainVerification.objects.select_related("organization").get(pk=verification_id)
    slug = str(getattr(verification.organization, "slug", verification.organization_id))
    report = verify_organization(verification.organization_id, slug)
    verification.status = ChainVerification.Status.DONE
    verification.intact = report.intact
    verification.checked = report.checked
    verification.first_broken_seq = report.first_broken_seq
    verification.message = report.message
    verification.finished_at = timezone.now()
    verification.save()
    return verification


def checkpoint_write() -> str:
    """Write a signed checkpoint of every chain head (celery beat, or the command)."""
    return write_checkpoint()
