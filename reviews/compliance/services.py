"""Compliance writes. Each checks the access policy and the review's state (frozen
reviews refuse changes), writes, and records an event."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from orgs import access
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change, snapshot
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.controls import selectors as control_selectors
from reviews.controls.services import checked_upload, checked_url
from reviews.frameworks import selectors as fw_selectors
from reviews.frameworks.library import diff
from reviews.frameworks.models import Framework, Requirement
from reviews.freeze import require_editable
from reviews.models import Review

from . import evidence as kinds
from .models import (
    Assessment,
    AssessmentStatus,
    Basis,
    Checklist,
    Evidence,
    ReadinessRule,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _assessable(framework: Framework) -> list[Requirement]:
    return list(fw_selectors.requirements_of(framework).filter(assessable=True))


@transaction.atomic
def checklist_attach(
    *,
    actor: User,
    review: Review,
    framework: Framework,
    readiness_rule: str = ReadinessRule.NOT_MET_ACCEPTED,
) -> Checklist:
    access.require(actor, "checklist.attach", review)
    require_editable(review)
    if readiness_rule not in ReadinessRule.values:
        raise ServiceError(f"Unknown readiness rule {readiness_rule!r}.", field="readiness_rule")
    existing = Checklist.objects.filter(review=review, framework_urn=framework.urn).first()
    if existing is not None:
        raise Conflict(
            f"{existing.framework} is already attached to this review; upgrade it instead."
        )
    checklist = Checklist.objects.create(
        organization_id=review.organization_id,
        review=review,
        framework=framework,
        framework_urn=framework.urn,
        readiness_rule=readiness_rule,
        attached_by=actor,
    )
    Assessment.objects.bulk_create(
        Assessment(organization_id=review.organization_id, checklist=checklist, requirement=q)
        for q in _assessable(framework)
    )
    log_change(actor=actor, verb="create", instance=checklist)
    return checklist


@transaction.atomic
def checklist_update(*, actor: User, checklist: Checklist, readiness_rule: str) -> Checklist:
    access.require(actor, "checklist.update", checklist)
    require_editable(checklist.review)
    if readiness_rule not in ReadinessRule.values:
        raise ServiceError(f"Unknown readiness rule {readiness_rule!r}.", field="readiness_rule")
    apply_changes(actor=actor, instance=checklist, changes={"readiness_rule": readiness_rule})
    return checklist


def upgrade_plan(checklist: Checklist, to: Framework) -> dict[str, list[Any]]:
    """The diff an upgrade would apply (added, changed, removed, renamed)."""
    if to not in fw_selectors.upgrades_for(checklist.framework):
        raise ServiceError(f"{to} is not an upgrade of {checklist.framework}.", field="framework")
    return diff(_assessable(checklist.framework), _assessable(to))


@transaction.atomic
def checklist_upgrade(*, actor: User, checklist: Checklist, to: Framework) -> dict[str, int]:
    """Move the checklist to a newer version: assessments of kept and renamed items move
    to the new requirement with their answers and evidence; items the new version drops
    are archived (kept, with their evidence), never deleted; new items start afresh."""
    access.require(actor, "checklist.upgrade", checklist)
    require_editable(checklist.review)
    plan = upgrade_plan(checklist, to)
    now = timezone.now()
    new_by_urn = {q.urn: q for q in _assessable(to)}
    moved = {old.urn: new.urn for old, new in plan["renamed"]}
    live = {
        a.requirement.urn: a
        for a in checklist.assessments.filter(archived_at__isnull=True).select_related(
            "requirement"
        )
    }
    removed = {q.urn for q in plan["removed"]}
    for urn, a in live.items():
        if urn in removed:
            a.archived_at = now
            a.archived_reason = f"Removed in {to.name} v{to.version}"
            a.save(update_fields=["archived_at", "archived_reason", "updated_at"])
            continue
        target = new_by_urn.get(moved.get(urn, urn))
        if target is not None:
            a.requirement = target
            a.save(update_fields=["requirement", "updated_at"])
    have = set(
        checklist.assessments.filter(archived_at__isnull=True).values_list(
            "requirement__urn", flat=True
        )
    )
    Assessment.objects.bulk_create(
        Assessment(organization_id=checklist.organization_id, checklist=checklist, requirement=q)
        for urn, q in new_by_urn.items()
        if urn not in have
    )
    before = snapshot(checklist)
    checklist.framework = to
    checklist.framework_urn = to.urn
    checklist.upgraded_at = now
    checklist.save(update_fields=["framework", "framework_urn", "upgraded_at"])
    counts = {name: len(rows) for name, rows in plan.items()}
    log_change(
        actor=actor,
        verb="update",
        instance=checklist,
        before=before,
        after={**snapshot(checklist), "upgrade": counts},
    )
    return counts


# --- Assessments -----------------------------------------------------------------------------


def _editable(assessment: Assessment) -> None:
    require_editable(assessment.checklist.review)
    if assessment.archived_at is not None:
        raise Conflict("This item was removed from the framework and is archived: read only.")


@transaction.atomic
def assessment_update(
    *,
    actor: User,
    assessment: Assessment,
    applicable: bool | Unset = UNSET,
    justification: str | Unset = UNSET,
    status: str | Unset = UNSET,
    owner: Any = UNSET,
    due_date: datetime.date | None | Unset = UNSET,
    freshness_days: int | None | Unset = UNSET,
    note: str | Unset = UNSET,
) -> Assessment:
    access.require(actor, "assessment.update", assessment)
    _editable(assessment)
    if not isinstance(status, Unset) and status not in AssessmentStatus.values:
        raise ServiceError(f"Unknown status {status!r}.", field="status")
    will_apply = assessment.applicable if isinstance(applicable, Unset) else applicable
    will_justify = assessment.justification if isinstance(justification, Unset) else justification
    if not will_apply and not (will_justify or "").strip():
        raise ServiceError(
            "Say why the requirement does not apply: “not applicable” needs a justification.",
            field="justification",
        )
    if (
        owner is not UNSET
        and owner is not None
        and not access.can(owner, "assessment.own", assessment)
    ):
        raise ServiceError(
            f"{owner.get_username()} cannot own items of this organization.", field="owner"
        )
    if isinstance(freshness_days, int) and not 1 <= freshness_days <= 3650:
        raise ServiceError("Give 1 to 3650 days.", field="freshness_days")
    changes = given(
        applicable=applicable,
        justification=justification,
        status=status,
        owner=owner,
        due_date=due_date,
        freshness_days=freshness_days,
        note=note,
    )
    if "status" in changes:
        changes["basis"] = Basis.MANUAL
    # A sign-off covers the answer it saw: changing the answer takes it back.
    answer_changed = any(
        k in changes and changes[k] != getattr(assessment, k)
        for k in ("applicable", "status", "justification")
    )
    if answer_changed and assessment.signed_off_at is not None:
        changes.update(signed_off_by=None, signed_off_at=None)
    apply_changes(actor=actor, instance=assessment, changes=changes)
    return assessment


@transaction.atomic
def assessment_confirm_inference(*, actor: User, assessment: Assessment) -> Assessment:
    """Take what the crosswalk infers as the person's answer: "met" only over full edges,
    "partially met" otherwise (the inference decides which, never the caller)."""
    access.require(actor, "assessment.update", assessment)
    _editable(assessment)
    names_for = control_selectors.inferences(assessment.organization_id)
    inference = names_for.get(assessment.requirement.urn)
    if inference is None:
        raise Conflict("No implemented control reaches this item through the crosswalk.")
    urns = [s.urn for s in inference.path] + [inference.source_urn]
    apply_changes(
        actor=actor,
        instance=assessment,
        changes={
            "status": inference.status,
            "basis": Basis.CONFIRMED,
            "inference_note": inference.describe(fw_selectors.names(urns)),
            "signed_off_by": None,
            "signed_off_at": None,
        },
    )
    return assessment


@transaction.atomic
def assessment_sign_off(*, actor: User, assessment: Assessment) -> Assessment:
    access.require(actor, "assessment.sign_off", assessment)
    _editable(assessment)
    if assessment.applicable and assessment.status in (
        AssessmentStatus.NOT_STARTED,
        AssessmentStatus.IN_PROGRESS,
    ):
        raise Conflict("Only an assessed item can be signed off: set its status first.")
    if assessment.owner_id is not None and assessment.owner_id == actor.pk:
        raise Conflict("The item's owner cannot sign off their own item; ask a reviewer.")
    apply_changes(
        actor=actor,
        instance=assessment,
        changes={"signed_off_by": actor, "signed_off_at": timezone.now()},
    )
    return assessment


# --- Evidence ---------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    actor: User,
    assessment: Assessment,
    kind: str,
    target_id: int | None = None,
    url: str = "",
    upload: UploadedFile | None = None,
    label: str = "",
    effective_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    note: str = "",
) -> Evidence:
    access.require(actor, "evidence.add", assessment)
    _editable(assessment)
    spec = kinds.KINDS.get(kind)
    if spec is None:
        raise ServiceError(f"Unknown kind of evidence {kind!r}.", field="kind")
    if expires_on and effective_on and expires_on < effective_on:
        raise ServiceError("It cannot expire before it takes effect.", field="expires_on")
    fields: dict[str, Any] = {"label": label.strip()[:300]}
    if spec.model is not None:
        review_id = assessment.checklist.review_id
        target = kinds.candidates(spec, review_id).filter(pk=target_id or 0).first()
        if target is None:
            raise ServiceError(f"No such {spec.label.lower()} in this review.", field="target_id")
        fields.update(target_id=target.pk, label=spec.describe(target)[:300])
    elif kind == kinds.URL:
        url = checked_url(url)
        fields.update(url=url, label=fields["label"] or url[:300])
    else:
        if upload is None:
            raise ServiceError("Choose a file to upload.", field="file")
        name, sha = checked_upload(upload)
        earlier = assessment.evidence.filter(kind=kinds.FILE, label=name).count()
        fields.update(file=upload, sha256=sha, file_version=earlier + 1, label=name)
    evidence = Evidence.objects.create(
        organization_id=assessment.organization_id,
        assessment=assessment,
        kind=kind,
        effective_on=effective_on,
        expires_on=expires_on,
        note=note,
        added_by=actor,
        **fields,
    )
    log_change(actor=actor, verb="create", instance=evidence)
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence: Evidence) -> None:
    access.require(actor, "evidence.remove", evidence)
    _editable(evidence.assessment)
    log_change(actor=actor, verb="delete", instance=evidence, before=snapshot(evidence))
    evidence.delete()
