"""The kinds of evidence an assessment or a control can point at: one registry.

A kind says which model its target is, how to find the target's review (so evidence of
one review cannot point into another, or into another organization), how to name and
link it, and, when it has one, the date that freshness is measured from. Uploaded files
and URLs carry their own data and have no model.

Adding a kind is one ``register(...)`` call in this module (e.g. model-card sections or
feedback channels, from apps below this one): no migration, since ``Evidence.kind`` is a
plain string checked here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse

FILE = "file"
URL = "url"


@dataclass(frozen=True)
class EvidenceKind:
    key: str
    label: str
    # The target model, imported lazily (None for files and URLs).
    model: Callable[[], type[models.Model]] | None = None
    # Lookup from a target row to its review's id, e.g. "harm__review_id".
    review_field: str = "review_id"
    url: Callable[[Any], str] | None = None
    describe: Callable[[Any], str] = str
    # When the target was produced (freshness is measured from it), if it says.
    dated: Callable[[Any], datetime.datetime | None] | None = None
    # Extra filter on eligible targets (e.g. only succeeded audit runs).
    only: dict[str, Any] | None = None
    related: tuple[str, ...] = ()  # what ``describe`` reads, joined (one query a list)
    deferred: tuple[str, ...] = ()  # large fields none of the above reads, left unloaded


KINDS: dict[str, EvidenceKind] = {}


def register(kind: EvidenceKind) -> EvidenceKind:
    KINDS[kind.key] = kind
    return kind


def _harm() -> type[models.Model]:
    from reviews.harms.models import Harm

    return Harm


def _mitigation() -> type[models.Model]:
    from reviews.harms.models import Mitigation

    return Mitigation


def _acceptance() -> type[models.Model]:
    from reviews.models import RiskAcceptance

    return RiskAcceptance


def _gate() -> type[models.Model]:
    from audits.models import LaunchGate

    return LaunchGate


def _run() -> type[models.Model]:
    from audits.models import AuditRun

    return AuditRun


def _register_url(row: Any) -> str:
    review_id = row.review_id if hasattr(row, "review_id") else row.harm.review_id
    return reverse("harm_register", args=[review_id])


register(
    EvidenceKind(
        "harm",
        "Harm",
        _harm,
        url=lambda h: f"{_register_url(h)}#harm-{h.pk}",
        describe=lambda h: f"Harm “{h.title}”",
    )
)
register(
    EvidenceKind(
        "mitigation",
        "Mitigation",
        _mitigation,
        review_field="harm__review_id",
        url=lambda m: f"{_register_url(m)}#harm-{m.harm_id}",
        describe=lambda m: f"Mitigation “{m.action}” ({m.get_status_display().lower()})",
    )
)
register(
    EvidenceKind(
        "risk_acceptance",
        "Risk acceptance",
        _acceptance,
        url=lambda a: reverse("review_detail", args=[a.review_id]) + "#acceptances-h",
        describe=lambda a: f"Risk acceptance: {a.target_label} (until {a.expires_on})",
    )
)
register(
    EvidenceKind(
        "launch_gate",
        "Launch gate",
        _gate,
        url=lambda g: reverse("launch_gates", args=[g.review_id]) + f"#gate-{g.pk}",
        describe=lambda g: f"Launch gate {g}",
    )
)
register(
    EvidenceKind(
        "audit_run",
        "Audit run",
        _run,
        url=lambda r: reverse("audit_run_detail", args=[r.pk]),
        describe=lambda r: (
            f"Audit #{r.pk} ({r.finished_at:%Y-%m-%d})" if r.finished_at else f"Audit #{r.pk}"
        ),
        dated=lambda r: r.finished_at,
        only={"status": "succeeded"},
        deferred=("result",),  # hundreds of kilobytes of JSON, up to AUDIT_MAX_RESULT_MB
    )
)
register(
    EvidenceKind(
        "model_card_version",
        "Model card version",
        lambda: apps.get_model("modelcards", "ModelCardVersion"),
        review_field="card__system__reviews",
        related=("card__system",),
        url=lambda v: reverse("modelcard_version", args=[v.pk]),
        describe=lambda v: f"Model card {v} ({v.get_status_display().lower()})",
        dated=lambda v: v.published_at,
    )
)
register(
    EvidenceKind(
        "feedback_channel",
        "Community feedback channel",
        lambda: apps.get_model("feedback", "FeedbackChannel"),
        url=lambda c: reverse("feedback_channel_detail", args=[c.pk]),
        describe=lambda c: f"Feedback channel “{c.title}” ({c.get_status_display().lower()})",
    )
)
register(EvidenceKind(FILE, "Uploaded file"))
register(EvidenceKind(URL, "Web page (URL)"))


# The kinds for forms and the API; the API schema's name for them too
# (settings.SPECTACULAR_SETTINGS). Register kinds above.
KIND_CHOICES = [(k.key, k.label) for k in KINDS.values()]


def candidates(kind: EvidenceKind, review_id: int) -> Any:
    """Rows of the review a piece of evidence of this kind may point at."""
    assert kind.model is not None
    rows = kind.model()._default_manager.filter(**{kind.review_field: review_id})
    return rows.filter(**(kind.only or {})).select_related(*kind.related).defer(*kind.deferred)


def target_of(kind: EvidenceKind, target_id: int | None, organization_id: int) -> Any:
    """The target row in the organization, or None if gone."""
    if kind.model is None or target_id is None:
        return None
    rows = kind.model()._default_manager.filter(organization_id=organization_id, pk=target_id)
    rows = rows.filter(**(kind.only or {})).select_related(*kind.related)
    return rows.defer(*kind.deferred).first()
