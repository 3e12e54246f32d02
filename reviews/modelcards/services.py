"""Writes of model cards. Each checks the access policy and the version's state, writes,
and records an event. A published version is frozen: every edit of it is a 409."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audits.models import AuditRun, RunStatus
from orgs import access
from orgs.ledger.chain import record
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.models import AISystem

from .documents import CardFormatError, formats
from .documents import analysis as analysis_mod
from .documents.sections import (
    MAX_METADATA_CHARS,
    MAX_METADATA_ITEMS,
    MAX_SECTION_CHARS,
    METADATA,
    SECTION_KEYS,
)
from .models import ModelCard, ModelCardVersion, VersionStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _event(actor: Any, verb: str, version: ModelCardVersion, after: dict[str, Any]) -> None:
    record(
        organization_id=version.organization_id,
        actor=actor,
        verb=verb,
        object_type="modelcards.modelcardversion",
        object_id=version.pk,
        after={"card": version.card_id, "number": version.number, **after},
    )


def _require_draft(version: ModelCardVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            f"Version {version.number} is published and cannot change; start a new draft."
        )


def clean_sections(sections: Any) -> dict[str, str]:
    if not isinstance(sections, dict):
        raise ServiceError("Sections are an object of section → Markdown.", field="sections")
    out: dict[str, str] = {}
    for key, text in sections.items():
        if key not in SECTION_KEYS:
            raise ServiceError(f"{key!r} is not a model card section.", field="sections")
        if not isinstance(text, str):
            raise ServiceError(f"{key}: the text must be a string.", field="sections")
        if len(text) > MAX_SECTION_CHARS:
            raise ServiceError(
                f"{key}: at most {MAX_SECTION_CHARS:,} characters.", field="sections"
            )
        out[key] = text.replace("\r\n", "\n").strip()
    return out


def clean_metadata(metadata: Any) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise ServiceError("Metadata is an object.", field="metadata")
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if key not in METADATA:
            raise ServiceError(f"{key!r} is not a metadata field.", field="metadata")
        kind = METADATA[key][1]
        items = value if kind == "list" else [value]
        if not isinstance(items, list) or len(items) > MAX_METADATA_ITEMS:
            raise ServiceError(
                f"{key}: a list of at most {MAX_METADATA_ITEMS} strings.", field="metadata"
            )
        for item in items:
            if not isinstance(item, str) or len(item) > MAX_METADATA_CHARS:
                raise ServiceError(
                    f"{key}: strings of at most {MAX_METADATA_CHARS} characters.",
                    field="metadata",
                )
        out[key] = [i.strip() for i in items if i.strip()] if kind == "list" else value.strip()
    return out


@transaction.atomic
def modelcard_create(*, actor: User, system: AISystem) -> ModelCard:
    """The system's card, with a first draft started from what the system page says."""
    access.require(actor, "modelcard.create", system)
    if ModelCard.objects.filter(system=system).exists():
        raise Conflict("This system already has a model card.")
    card = ModelCard.objects.create(
        organization_id=system.organization_id, system=system, created_by=actor
    )
    sections = {"model_details": system.purpose, "intended_use": system.deployment_context}
    version = ModelCardVersion.objects.create(
        organization_id=card.organization_id,
        card=card,
        number=1,
        metadata={"name": system.name},
        sections={k: v.strip() for k, v in sections.items() if v.strip()},
        created_by=actor,
    )
    _event(actor, "create", version, {"system": system.pk})
    return card


@transaction.atomic
def version_new_draft(*, actor: User, card: ModelCard) -> ModelCardVersion:
    """A new draft, copied from the latest version."""
    access.require(actor, "modelcard.update", card)
    ModelCard.objects.select_for_update().filter(pk=card.pk).first()
    if card.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict("This card already has a draft; edit or publish it first.")
    latest = card.versions.order_by("-number").first()
    number = (card.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ModelCardVersion.objects.create(
        organization_id=card.organization_id,
        card=card,
        number=number,
        metadata=dict(latest.metadata) if latest else {},
        sections=dict(latest.sections) if latest else {},
        analysis=latest.analysis if latest else None,
        created_by=actor,
    )
    _event(actor, "create", version, {"from": latest.number if latest else None})
    return version


@transaction.atomic
def version_update(
    *,
    actor: User,
    version: ModelCardVersion,
    sections: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> ModelCardVersion:
    """Change the given sections and metadata fields of a draft (others stay)."""
    access.require(actor, "modelcard.update", version)
    version = ModelCardVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    new_sections = clean_sections(sections) if sections is not None else {}
    new_metadata = clean_metadata(metadata) if metadata is not None else {}
    changed = [k for k, v in new_sections.items() if version.sections.get(k, "") != v]
    changed += [k for k, v in new_metadata.items() if version.metadata.get(k) != v]
    if not changed:
        return version
    version.sections = {**version.sections, **new_sections}
    version.metadata = {**version.metadata, **new_metadata}
    version.save(update_fields=["sections", "metadata", "updated_at"])
    _event(actor, "update", version, {"changed": changed})
    return version


@transaction.atomic
def version_set_analysis(
    *, actor: User, version: ModelCardVersion, run: AuditRun | None
) -> ModelCardVersion:
    """Fill the quantitative analysis from a succeeded audit run of the card's system (or,
    given None, empty it). The numbers are the run's, never typed."""
    access.require(actor, "modelcard.update", version)
    version = ModelCardVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    if run is None:
        version.analysis = None
    else:
        if run.review.system_id != version.card.system_id:
            raise ServiceError("That audit is of another AI system.", field="run")
        if run.status != RunStatus.SUCCEEDED or run.result is None:
            raise ServiceError(f"Audit #{run.pk} has not succeeded.", field="run")
        version.analysis = analysis_mod.from_audit(run.pk, run.result, run.dataset.name)
    version.save(update_fields=["analysis", "updated_at"])
    _event(actor, "analysis", version, {"run": run.pk if run else None})
    return version


@transaction.atomic
def version_publish(*, actor: User, version: ModelCardVersion) -> ModelCardVersion:
    access.require(actor, "modelcard.publish", version)
    claimed = ModelCardVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now(), published_by=actor
    )
    if not claimed:
        raise Conflict(f"Version {version.number} is already published.")
    version.refresh_from_db()
    _event(actor, "publish", version, {"status": version.status})
    return version


def _verified(organization_id: int, system_id: int, imported: dict[str, Any]) -> dict[str, Any]:
    """An imported analysis that names one of our runs becomes "computed by Forethought"
    again only when that run, recomputed here, gives exactly the imported numbers."""
    run = (
        AuditRun.objects.filter(
            pk=imported.get("run_id") or 0,
            organization_id=organization_id,
            review__system_id=system_id,
            status=RunStatus.SUCCEEDED,
        )
        .select_related("dataset")
        .first()
    )
    if run is None or run.result is None:
        return imported
    computed = analysis_mod.from_audit(run.pk, run.result, run.dataset.name)
    same = computed["results"] == imported.get("results") and computed["input_sha256"] == (
        imported.get("input_sha256") or ""
    )
    return computed if same else imported


@transaction.atomic
def modelcard_import(*, actor: User, card: ModelCard, format: str, upload: Any) -> ModelCardVersion:
    """Read a card file into the draft (a new draft when the latest version is published):
    what the file holds replaces the draft's, what it leaves empty is kept. Nothing is
    written when the file cannot be read; the error names the field and line."""
    access.require(actor, "modelcard.update", card)
    reader = formats().get(format)
    if reader is None:
        raise ServiceError(f"Unknown format {format!r}.", field="format")
    limit = settings.MODELCARD_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ServiceError(f"The file is over the {limit // 1024} KiB limit.", field="file")
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError("The file is not UTF-8 text.", field="file") from None
    try:
        document = reader.read(text)
    except CardFormatError as exc:
        detail = {"field": exc.field, "line": exc.line, "message": exc.message}
        raise ServiceError(str(exc), field="file", details=[detail]) from None
    except RecursionError:
        raise ServiceError("The file nests too deeply to be a model card.", field="file") from None
    analysis = document.get("analysis")
    if analysis and len(analysis.get("results", [])) > analysis_mod.MAX_RESULTS:
        raise ServiceError(
            f"At most {analysis_mod.MAX_RESULTS} results can be imported.", field="file"
        )
    if analysis and analysis.get("run_id"):
        analysis = _verified(card.organization_id, card.system_id, analysis)
    draft = card.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = version_new_draft(actor=actor, card=card)
    # What the file holds replaces the draft's; what it leaves empty stays as it was.
    draft.sections = {**draft.sections, **clean_sections(document.get("sections") or {})}
    draft.metadata = {**draft.metadata, **clean_metadata(document.get("metadata") or {})}
    draft.analysis = analysis or draft.analysis
    draft.save(update_fields=["sections", "metadata", "analysis", "updated_at"])
    _event(actor, "import", draft, {"format": format, "file": str(upload.name)[:200]})
    return draft
