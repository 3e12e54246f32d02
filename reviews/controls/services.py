"""Writes of controls and their evidence; ``checked_upload`` is shared with compliance
evidence (size limit, name, SHA-256)."""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from orgs import access
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change, snapshot
from orgs.models import Organization
from orgs.plumbing.errors import ServiceError
from reviews.frameworks.models import Requirement

from .models import Control, ControlEvidence, ControlStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def checked_upload(upload: UploadedFile) -> tuple[str, str]:
    """(file name, SHA-256) of an evidence file within COMPLIANCE_EVIDENCE_MAX_MB."""
    limit = settings.COMPLIANCE_EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ServiceError(
            f"The file is larger than {limit // 2**20} MiB (COMPLIANCE_EVIDENCE_MAX_MB).",
            field="file",
        )
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not name or len(name) > 150:
        raise ServiceError("Give the file a name of up to 150 characters.", field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return name, digest.hexdigest()


def checked_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > 1000:
        raise ServiceError("Give a web address starting with https:// or http://.", field="url")
    return url


def _check_urns(urns: list[str]) -> list[str]:
    urns = list(dict.fromkeys(u.strip() for u in urns if u.strip()))
    known = set(Requirement.objects.filter(urn__in=urns).values_list("urn", flat=True))
    unknown = [u for u in urns if u not in known]
    if unknown:
        raise ServiceError(f"No such requirement: {', '.join(unknown[:3])}.", field="requirements")
    return urns


def _check(status: str | Unset, owner: Any, organization_id: int) -> None:
    if not isinstance(status, Unset) and status not in ControlStatus.values:
        raise ServiceError(f"Unknown status {status!r}.", field="status")
    if owner not in (None, UNSET) and not access.can(owner, "control.own", organization_id):
        raise ServiceError(f"{owner.get_username()} is not a member here.", field="owner")


@transaction.atomic
def control_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    description: str = "",
    status: str = ControlStatus.PLANNED,
    owner: Any = None,
    requirements: list[str] | None = None,
) -> Control:
    access.require(actor, "control.create", organization)
    if not name.strip():
        raise ServiceError("Name the control.", field="name")
    _check(status, owner, organization.pk)
    control = Control.objects.create(
        organization=organization,
        name=name.strip(),
        description=description,
        status=status,
        owner=owner,
        requirements=_check_urns(requirements or []),
    )
    log_change(actor=actor, verb="create", instance=control)
    return control


@transaction.atomic
def control_update(
    *,
    actor: User,
    control: Control,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
    status: str | Unset = UNSET,
    owner: Any = UNSET,
    requirements: list[str] | Unset = UNSET,
) -> Control:
    access.require(actor, "control.update", control)
    if not isinstance(name, Unset) and not name.strip():
        raise ServiceError("Name the control.", field="name")
    _check(status, owner, control.organization_id)
    if not isinstance(requirements, Unset):
        requirements = _check_urns(requirements)
    changes = given(
        name=name, description=description, status=status, owner=owner, requirements=requirements
    )
    apply_changes(actor=actor, instance=control, changes=changes)
    return control


@transaction.atomic
def control_evidence_add(
    *,
    actor: User,
    control: Control,
    url: str = "",
    upload: UploadedFile | None = None,
    label: str = "",
    effective_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> ControlEvidence:
    access.require(actor, "control.update", control)
    if expires_on and effective_on and expires_on < effective_on:
        raise ServiceError("It cannot expire before it takes effect.", field="expires_on")
    fields: dict[str, Any] = {}
    if upload is not None:
        name, sha = checked_upload(upload)
        version = control.evidence.filter(label=name).exclude(sha256="").count() + 1
        fields = {"file": upload, "sha256": sha, "file_version": version, "label": name}
    elif url:
        fields = {"url": checked_url(url), "label": label.strip()[:300] or url[:300]}
    else:
        raise ServiceError("Give a web address or a file.", field="url")
    evidence = ControlEvidence.objects.create(
        organization_id=control.organization_id,
        control=control,
        effective_on=effective_on,
        expires_on=expires_on,
        added_by=actor,
        **fields,
    )
    log_change(actor=actor, verb="create", instance=evidence)
    return evidence


@transaction.atomic
def control_evidence_remove(*, actor: User, evidence: ControlEvidence) -> None:
    access.require(actor, "control.update", evidence)
    log_change(actor=actor, verb="delete", instance=evidence, before=snapshot(evidence))
    evidence.delete()
