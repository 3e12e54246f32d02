"""Monitoring's part of the shared ``world`` fixture (tests/conftest.py): a monitor of an
approved review with a watched gate, an incident and a webhook, so every monitoring API
route has a target."""

from __future__ import annotations

from typing import Any


def add_monitoring(owner: Any, system: Any) -> None:
    from audits.engine.config import AuditConfig
    from audits.incidents import escalation
    from audits.models import LaunchGate
    from audits.monitoring import services
    from reviews import services as reviews
    from reviews.models import Review, ReviewStatus

    review = reviews.review_create(actor=owner, system=system, title="In production")
    gate = LaunchGate.objects.create(
        organization_id=review.organization_id,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="rollback",
    )
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED, round=1)
    review.refresh_from_db()
    monitor = services.monitor_create(
        actor=owner,
        review=review,
        name="Production",
        config=AuditConfig.from_dict({"y_true": "y", "y_pred": "p", "sensitive": ["sex"]}),
        gates=[gate],
    )
    escalation.incident_create(actor=owner, review=review, title="Complaint")
    escalation.webhook_create(actor=owner, monitor=monitor, url="https://hooks.example.org/x")
