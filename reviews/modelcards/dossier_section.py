"""The model card in the signed dossier (audits/dossiers/gather.py lists it): the version
the review refers to, i.e. the latest published version whose model version is the
review's system version, else the card's current version (latest published, else the
draft), with its date, metadata and sections as written (Markdown source, shown as text)."""

from __future__ import annotations

from typing import Any

from reviews.models import Review

from . import selectors
from .documents.sections import METADATA, SECTIONS
from .models import VersionStatus

Data = dict[str, Any]


def _moment(value: Any) -> str | None:
    return value.replace(microsecond=0).isoformat() if value is not None else None


def _person(user: Any) -> str | None:
    return str(user.get_full_name() or user.get_username()) if user is not None else None


def _metadata(values: dict[str, Any]) -> list[Data]:
    out = []
    for key, (label, _kind) in METADATA.items():
        value = values.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value:
            out.append({"key": key, "label": label, "value": str(value)})
    return out


def _analysis_source(analysis: Data) -> str | None:
    if analysis.get("source") == "audit":
        dataset = f" of {analysis['dataset']}" if analysis.get("dataset") else ""
        return f"Computed by Forethought from audit run #{analysis.get('run_id')}{dataset}"
    if analysis.get("source") == "imported":
        return "Imported with the card"
    return None


def modelcard(review: Review, shared: Data) -> Data | None:
    card = selectors.card_of(review.system)
    if card is None:
        return None
    versions = list(selectors.versions_of(card))
    published = [v for v in versions if v.status == VersionStatus.PUBLISHED]
    wanted = review.system_version.strip()
    same = [v for v in published if wanted and str(v.metadata.get("version", "")) == wanted]
    if not versions:
        return None
    chosen = (same or published or versions)[0]
    analysis = chosen.analysis if isinstance(chosen.analysis, dict) else {}
    return {
        "version": chosen.number,
        "status": chosen.get_status_display(),
        "published_at": _moment(chosen.published_at),
        "published_by": _person(chosen.published_by),
        "updated_at": _moment(chosen.updated_at),
        "versions": len(versions),
        "latest": versions[0].number,
        "model_version": str(chosen.metadata.get("version", "")),
        "matches_review_version": bool(same),
        "metadata": _metadata(chosen.metadata),
        "sections": [
            {"key": s.key, "label": s.label, "text": str(chosen.sections.get(s.key, ""))}
            for s in SECTIONS
            if str(chosen.sections.get(s.key) or "").strip()
        ],
        "analysis_source": _analysis_source(analysis),
    }
